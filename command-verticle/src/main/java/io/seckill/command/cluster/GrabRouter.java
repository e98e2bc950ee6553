package io.seckill.command.cluster;

import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.TicketPolicy;
import io.seckill.command.lease.Partitions;
import io.seckill.command.lease.Routes;
import io.seckill.command.service.GrabGateway;
import io.seckill.command.service.GrabService;
import io.seckill.command.service.Unavailable;
import io.seckill.shared.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.ReplyException;
import io.vertx.core.eventbus.ReplyFailure;

import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The ingress of a clustered command process: a grab or ticket of a partition held here goes to the local
 * {@link GrabGateway} as on one process (as does the crowd after a promotion's finish, whoever owns it); any other
 * is asked of the partition's holder over the event bus, with a send timeout, and answered with the holder's reply,
 * given after its commit. While nobody holds the partition, or the one asked says it does not (any more), or is
 * loading it, the request is asked again as the routes change, for up to {@code waitMillis}, then answered
 * {@link Unavailable} (503 with Retry-After): never a wrong answer. A holder that does not answer in time may have
 * recorded the grab: unavailable, and a retry says duplicate_order if it did. Safe on any event loop.
 */
public final class GrabRouter implements GrabService {
  private static final long RETRY_MILLIS = 100;

  private final Vertx vertx;
  private final GrabService local;
  private final Predicate<UUID> finishedHere;
  private final Partitions partitions;
  private final Supplier<Routes> routes;
  private final DeliveryOptions options;
  private final long waitMillis;
  private final Counter routed;

  /**
   * @param sendTimeoutMillis how long to wait for the holder's answer
   * @param waitMillis        how long to look for a holder that can answer
   */
  public GrabRouter(Vertx vertx, GrabService local, Predicate<UUID> finishedHere, Partitions partitions,
                    Supplier<Routes> routes, long sendTimeoutMillis, long waitMillis) {
    this.vertx = vertx;
    this.local = local;
    this.finishedHere = finishedHere;
    this.partitions = partitions;
    this.routes = routes;
    this.options = new DeliveryOptions().setSendTimeout(sendTimeoutMillis);
    this.waitMillis = waitMillis;
    this.routed = routedCounter();
  }

  /**
   * {@code seckill_grabs_routed_total}: grabs and tickets an ingress asked of another member. Every command process
   * registers it, a lone one too (which routes none), so that the cluster dashboard has the series everywhere.
   */
  public static Counter routedCounter() {
    return Counter.builder("seckill_grabs_routed").description("grabs and tickets this ingress asked of"
        + " another member (their partition's holder) over the event bus").register(Metrics.registry());
  }

  @Override
  public Future<GrabDecision> grab(UUID promotionId, String customerId) {
    if (finishedHere.test(promotionId)) {
      return local.grab(promotionId, customerId);
    }
    return ask(promotionId, System.nanoTime() + waitMillis * 1_000_000,
        () -> local.grab(promotionId, customerId),
        holder -> vertx.eventBus().<String>request(GrabRouting.grabAddress(holder),
            GrabRouting.request(promotionId, customerId), options).map(reply -> GrabRouting.decision(reply.body())));
  }

  @Override
  public Future<Optional<TicketPolicy.Validity>> ticket(TicketPolicy policy, UUID promotionId) {
    if (finishedHere.test(promotionId)) {
      return Future.succeededFuture(Optional.empty());
    }
    return ask(promotionId, System.nanoTime() + waitMillis * 1_000_000,
        () -> local.ticket(policy, promotionId),
        holder -> vertx.eventBus().<String>request(GrabRouting.ticketAddress(holder), promotionId.toString(), options)
            .map(reply -> GrabRouting.validity(reply.body())));
  }

  private <T> Future<T> ask(UUID promotionId, long deadline, Supplier<Future<T>> here,
                            Function<String, Future<T>> remote) {
    int partition = partitions.of(promotionId);
    Routes now = routes.get();
    Future<T> answer;
    if (now.here(partition)) {
      answer = here.get().recover(e -> Future.failedFuture(e instanceof Unavailable unavailable
          ? new AskAgain(unavailable) : e));
    } else {
      String holder = now.holder(partition);
      if (holder == null) {
        answer = Future.failedFuture(new AskAgain(new Unavailable("partition " + partition
            + " has no holder right now")));
      } else {
        routed.increment();
        answer = remote.apply(holder).recover(e -> Future.failedFuture(translate(e)));
      }
    }
    return answer.recover(e -> {
      if (!(e instanceof AskAgain again)) {
        return Future.failedFuture(e);
      }
      if (System.nanoTime() > deadline) {
        return Future.failedFuture(again.answer);
      }
      Promise<T> later = Promise.promise();
      vertx.setTimer(RETRY_MILLIS, t -> ask(promotionId, deadline, here, remote).onComplete(later));
      return later.future();
    });
  }

  /** Nothing was decided: ask again as the routes change; {@code answer} is the client's once the wait is over. */
  private static final class AskAgain extends RuntimeException {
    final Unavailable answer;

    AskAgain(Unavailable answer) {
      super(answer.getMessage(), null, false, false);
      this.answer = answer;
    }
  }

  /**
   * What the holder's failure means here: ask again (nothing decided), or a final answer: its own refusal, or, when
   * it did not answer in time, unavailable but not asked again (the grab may have been recorded).
   */
  private static Throwable translate(Throwable e) {
    if (!(e instanceof ReplyException reply)) {
      return e;
    }
    if (reply.failureType() == ReplyFailure.TIMEOUT) {
      return new Unavailable("the command process holding this promotion did not answer in"
          + " time; the grab may have been recorded: try again (duplicate_order then says it was)");
    }
    if (reply.failureType() == ReplyFailure.NO_HANDLERS || reply.failureCode() == GrabRouting.NOT_OWNER) {
      return new AskAgain(new Unavailable("the promotion's partition is moving between command processes"));
    }
    RuntimeException refusal = GrabRouting.failure(reply.failureCode(), reply.getMessage());
    return refusal instanceof Unavailable unavailable ? new AskAgain(unavailable) : refusal;
  }
}
