package io.seckill.command.cluster;

import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.Rejection;
import io.seckill.command.domain.TicketPolicy;
import io.seckill.command.lease.Partitions;
import io.seckill.command.lease.Routes;
import io.seckill.command.service.GrabService;
import io.seckill.command.service.Unavailable;
import io.seckill.shared.http.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ingress's routing on a real (local) event bus, with stand-in holders at the addresses routed to: the holder's
 * answer is the client's, "not the owner" is asked again where the routes then point, a holder that does not answer
 * and a partition nobody holds are unavailable (a 503) within their bounds, never a wrong answer.
 */
@ExtendWith(VertxExtension.class)
class GrabRouterTest {
  private static final Partitions PARTITIONS = new Partitions(4);
  private final UUID promotion = UUID.randomUUID();
  private final int partition = PARTITIONS.of(promotion);
  private final AtomicInteger localCalls = new AtomicInteger();

  private final GrabService local = new GrabService() {
    @Override
    public Future<GrabDecision> grab(UUID promotionId, String customerId) {
      localCalls.incrementAndGet();
      return Future.succeededFuture(new GrabDecision.Rejected(Rejection.OUT_OF_STOCK));
    }

    @Override
    public Future<Optional<TicketPolicy.Validity>> ticket(TicketPolicy policy, UUID promotionId) {
      return Future.succeededFuture(Optional.empty());
    }
  };

  private Routes heldBy(String holder, boolean here) {
    String[] holders = new String[4];
    boolean[] mine = new boolean[4];
    holders[partition] = holder;
    mine[partition] = here;
    return new Routes("me", holders, mine);
  }

  private GrabRouter router(Vertx vertx, AtomicReference<Routes> routes, long sendTimeout, long wait) {
    return new GrabRouter(vertx, local, id -> false, PARTITIONS, routes::get, sendTimeout, wait);
  }

  @Test
  void aPartitionHeldHereIsDecidedHere(Vertx vertx, VertxTestContext ctx) {
    router(vertx, new AtomicReference<>(heldBy("me", true)), 500, 500).grab(promotion, "alice")
        .onComplete(ctx.succeeding(decision -> ctx.verify(() -> {
          assertThat(localCalls).hasValue(1);
          ctx.completeNow();
        })));
  }

  @Test
  void theHoldersAnswerIsTheClients(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().<String>consumer(GrabRouting.grabAddress("x"), m -> {
      ctx.verify(() -> {
        assertThat(GrabRouting.promotionOf(m.body())).isEqualTo(promotion);
        assertThat(GrabRouting.customerOf(m.body())).isEqualTo("alice");
      });
      m.reply(GrabRouting.decision(new GrabDecision.Rejected(Rejection.DUPLICATE_ORDER)));
    });
    router(vertx, new AtomicReference<>(heldBy("x", false)), 500, 500).grab(promotion, "alice")
        .onComplete(ctx.succeeding(decision -> ctx.verify(() -> {
          assertThat(((GrabDecision.Rejected) decision).rejection()).isEqualTo(Rejection.DUPLICATE_ORDER);
          assertThat(localCalls).hasValue(0);
          ctx.completeNow();
        })));
  }

  @Test
  void notTheOwnerIsAskedAgainWhereTheRoutesThenPoint(Vertx vertx, VertxTestContext ctx) {
    AtomicReference<Routes> routes = new AtomicReference<>(heldBy("old", false));
    AtomicInteger refused = new AtomicInteger();
    vertx.eventBus().<String>consumer(GrabRouting.grabAddress("old"), m -> {
      refused.incrementAndGet();
      m.fail(GrabRouting.NOT_OWNER, "not_owner\nnot held here");
      vertx.setTimer(200, t -> routes.set(heldBy("new", false)));
    });
    vertx.eventBus().<String>consumer(GrabRouting.grabAddress("new"),
        m -> m.reply(GrabRouting.decision(new GrabDecision.Rejected(Rejection.OUT_OF_STOCK))));
    router(vertx, routes, 500, 3000).grab(promotion, "alice")
        .onComplete(ctx.succeeding(decision -> ctx.verify(() -> {
          assertThat(((GrabDecision.Rejected) decision).rejection()).isEqualTo(Rejection.OUT_OF_STOCK);
          assertThat(refused.get()).isPositive();
          ctx.completeNow();
        })));
  }

  @Test
  void aHolderThatDoesNotAnswerIsUnavailableAfterTheSendTimeoutAndIsNotAskedTwice(Vertx vertx, VertxTestContext ctx) {
    AtomicInteger asked = new AtomicInteger();
    vertx.eventBus().<String>consumer(GrabRouting.grabAddress("silent"), m -> asked.incrementAndGet());
    long began = System.nanoTime();
    router(vertx, new AtomicReference<>(heldBy("silent", false)), 300, 3000).grab(promotion, "alice")
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          long millis = (System.nanoTime() - began) / 1_000_000;
          assertThat(e).isInstanceOf(Unavailable.class);
          assertThat(e.getMessage()).contains("may have been recorded");
          assertThat(millis).isBetween(250L, 2500L);
          assertThat(asked).as("the grab may have been recorded: not sent again").hasValue(1);
          ctx.completeNow();
        })));
  }

  @Test
  void aPartitionNobodyHoldsIsUnavailableAfterTheWait(Vertx vertx, VertxTestContext ctx) {
    long began = System.nanoTime();
    router(vertx, new AtomicReference<>(heldBy(null, false)), 300, 600).grab(promotion, "alice")
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).isInstanceOf(Unavailable.class);
          assertThat((System.nanoTime() - began) / 1_000_000).isBetween(550L, 3000L);
          ctx.completeNow();
        })));
  }

  @Test
  void anOlderHoldersOwnRefusalPassesThrough(Vertx vertx, VertxTestContext ctx) {
    vertx.eventBus().<String>consumer(GrabRouting.grabAddress("x"),
        m -> m.fail(400, "bad_request\nno such thing"));
    router(vertx, new AtomicReference<>(heldBy("x", false)), 500, 500).grab(promotion, "alice")
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(((ApiException) e).status()).isEqualTo(400);
          assertThat(((ApiException) e).error()).isEqualTo("bad_request");
          assertThat(e.getMessage()).isEqualTo("no such thing");
          ctx.completeNow();
        })));
  }
}
