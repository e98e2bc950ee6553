package io.seckill.command.service;

import io.seckill.command.domain.GrabDecider;
import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.PromotionState;
import io.seckill.command.domain.TicketPolicy;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Lets HTTP instances on any event loop use the one {@link CommandService}, which lives on its owner's context:
 * the grab hops to the owner, is decided there (so decisions on a promotion are never concurrent), and the
 * outcome hops back to the caller's context.
 *
 * <p>A promotion whose finish is committed never changes again, so its state is published here (through a
 * concurrent map, which orders the owner's writes before any reader's reads) and the crowd that keeps coming
 * after the last coupon (out of stock, or duplicate for the winners) is answered on the caller's own event loop.
 */
public final class GrabGateway implements GrabService {
  private final Context owner;
  private final CommandService service;
  private final GrabDecider decider = new GrabDecider();
  private final Map<UUID, PromotionState> finished = new ConcurrentHashMap<>();

  /** Create on the owner's context, after the service has started. */
  public GrabGateway(Context owner, CommandService service) {
    this(owner, service, state -> { });
  }

  /** {@code alsoTell} hears of each promotion finished here, on the owner's context (a cluster tells the others). */
  public GrabGateway(Context owner, CommandService service, Consumer<PromotionState> alsoTell) {
    this.owner = owner;
    this.service = service;
    service.onFinished(state -> {
      finished.put(state.promotionId(), state);
      alsoTell.accept(state);
    });
  }

  /** Whether the promotion's finish is known here: its grabs are answered here, whoever owns it. */
  public boolean finished(UUID promotionId) {
    return finished.containsKey(promotionId);
  }

  /** A finished promotion's frozen state, from its owner in the cluster. */
  public void finishedElsewhere(PromotionState state) {
    finished.putIfAbsent(state.promotionId(), state);
  }

  /** Whether a grab ticket may be issued for {@code promotionId} now (decided on the owner), and until when. */
  @Override
  public Future<Optional<TicketPolicy.Validity>> ticket(TicketPolicy policy, UUID promotionId) {
    if (finished.containsKey(promotionId)) {
      return Future.succeededFuture(Optional.empty());
    }
    Context caller = Vertx.currentContext();
    if (caller == owner) {
      return service.ticket(policy, promotionId);
    }
    Promise<Optional<TicketPolicy.Validity>> promise = Promise.promise();
    owner.runOnContext(v -> {
      Future<Optional<TicketPolicy.Validity>> validity = service.ticket(policy, promotionId);
      caller.runOnContext(x -> promise.handle(validity));
    });
    return promise.future();
  }


  @Override
  public Future<GrabDecision> grab(UUID promotionId, String customerId) {
    PromotionState done = finished.get(promotionId);
    if (done != null) {
      // a finished promotion refuses whatever the time: the decision reads only frozen state
      return Future.succeededFuture(decider.decide(done, customerId, Instant.EPOCH));
    }
    Context caller = Vertx.currentContext();
    if (caller == owner) {
      return service.grab(promotionId, customerId);
    }
    Promise<GrabDecision> promise = Promise.promise();
    owner.runOnContext(v -> service.grab(promotionId, customerId)
        .onComplete(ar -> caller.runOnContext(x -> promise.handle(ar))));
    return promise.future();
  }
}
