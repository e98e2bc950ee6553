package io.seckill.event;

import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.FinishReason;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.messaging.AmqpSecKillMessagePublisher;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The real event verticle: events published on the real broker end up in the real ReadDB. */
@ExtendWith(VertxExtension.class)
class EventVerticleTest {
  private static final Instant T = Instant.now().truncatedTo(ChronoUnit.MILLIS);
  private static SecKillConfig config;
  private static AmqpSecKillMessagePublisher publisher;
  private static Pool readDb;

  @BeforeAll
  static void deploy(Vertx vertx) {
    config = TestInfra.freshConfig();
    Async.await(vertx.deployVerticle(new EventVerticle(config)));
    readDb = Databases.pool(vertx, config.readDb(), "event-test");
    publisher = AmqpSecKillMessagePublisher.create(vertx, config.amqp());
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> Future.succeededFuture(publisher.isConnected())));
  }

  private static PromotionStartEvent start(UUID promotion, int coupons) {
    return new PromotionStartEvent(UUID.randomUUID(), promotion, 1, T, coupons, 0.6, T, T.plusSeconds(3600));
  }

  private static CouponGrabbedEvent grab(UUID promotion, long sequence, String customer) {
    return new CouponGrabbedEvent(UUID.randomUUID(), promotion, sequence, T, customer, 0.6);
  }

  private static Future<Integer> count(String sql, Object param) {
    return readDb.preparedQuery(sql).execute(Tuple.of(param)).map(rows -> rows.iterator().next().getInteger(0));
  }

  private static Future<Integer> remaining(UUID promotion) {
    return readDb.preparedQuery("SELECT remaining_coupons FROM active_promotions WHERE promotion_id = ?")
        .execute(Tuple.of(promotion.toString()))
        .map(rows -> rows.size() == 0 ? -1 : rows.iterator().next().getInteger(0));
  }

  @Test
  void startAndGrabsMakeAnActivePromotionWithCoupons(Vertx vertx, VertxTestContext ctx) {
    UUID p = UUID.randomUUID();
    publisher.publish(List.of(start(p, 5), grab(p, 2, "ann")))
        .compose(v -> publisher.publish(List.of(grab(p, 3, "bob"))))
        .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5), () -> remaining(p).map(r -> r == 3)))
        .compose(v -> readDb.preparedQuery("SELECT customer_id, sequence, discount FROM coupons WHERE promotion_id = ?"
            + " ORDER BY sequence").execute(Tuple.of(p.toString())))
        .onComplete(ctx.succeeding(rows -> ctx.verify(() -> {
          assertThat(rows.size()).isEqualTo(2);
          var first = rows.iterator().next();
          assertThat(first.getString(0)).isEqualTo("ann");
          assertThat(first.getLong(1)).isEqualTo(2L);
          assertThat(first.getDouble(2)).isEqualTo(0.6);
          ctx.completeNow();
        })));
  }

  @Test
  void aFinishTakesThePromotionOffTheActiveListAndKeepsTheCoupons(Vertx vertx, VertxTestContext ctx) {
    UUID p = UUID.randomUUID();
    publisher.publish(List.of(start(p, 1), grab(p, 2, "cat"),
            new PromotionFinishEvent(UUID.randomUUID(), p, 3, T, FinishReason.SOLD_OUT)))
        .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
            () -> count("SELECT COUNT(*) FROM projection_positions WHERE promotion_id = ? AND last_sequence = 3",
                p.toString()).map(n -> n == 1)))
        .compose(v -> Future.all(remaining(p), count("SELECT COUNT(*) FROM coupons WHERE customer_id = ?", "cat")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat((Integer) all.resultAt(0)).isEqualTo(-1);
          assertThat((Integer) all.resultAt(1)).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void redeliveredEventsChangeNothing(Vertx vertx, VertxTestContext ctx) {
    UUID p = UUID.randomUUID();
    List<SecKillEvent> batch = List.of(start(p, 10), grab(p, 2, "dan"), grab(p, 3, "eve"));
    UUID marker = UUID.randomUUID();
    publisher.publish(batch)
        .compose(v -> publisher.publish(batch))
        .compose(v -> publisher.publish(batch.subList(1, 3)))
        .compose(v -> publisher.publish(List.of(start(marker, 1))))
        .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5), () -> remaining(marker).map(r -> r == 1)))
        .compose(v -> Future.all(remaining(p), count("SELECT COUNT(*) FROM coupons WHERE promotion_id = ?", p.toString())))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat((Integer) all.resultAt(0)).isEqualTo(8);
          assertThat((Integer) all.resultAt(1)).isEqualTo(2);
          ctx.completeNow();
        })));
  }

  @Test
  void eventsAfterAGapWaitForTheMissingOne(Vertx vertx, VertxTestContext ctx) {
    UUID p = UUID.randomUUID();
    publisher.publish(List.of(start(p, 10)))
        .compose(v -> publisher.publish(List.of(grab(p, 3, "late"))))
        .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5), () -> remaining(p).map(r -> r == 10)))
        .compose(v -> publisher.publish(List.of(grab(p, 2, "early"))))
        .compose(v -> Async.eventually(vertx, Duration.ofSeconds(10), () -> remaining(p).map(r -> r == 8)))
        .compose(v -> count("SELECT COUNT(*) FROM coupons WHERE promotion_id = ?", p.toString()))
        .onComplete(ctx.succeeding(n -> ctx.verify(() -> {
          assertThat(n).isEqualTo(2);
          ctx.completeNow();
        })));
  }
}
