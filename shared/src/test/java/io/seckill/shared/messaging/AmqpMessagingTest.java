package io.seckill.shared.messaging;

import io.seckill.shared.config.AmqpConfig;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** Against the real embedded ActiveMQ over AMQP 1.0. */
@ExtendWith(VertxExtension.class)
class AmqpMessagingTest {

  private static List<SecKillEvent> grabs(int count) {
    UUID promotion = UUID.randomUUID();
    List<SecKillEvent> events = new ArrayList<>();
    for (int i = 1; i <= count; i++) {
      events.add(new CouponGrabbedEvent(UUID.randomUUID(), promotion, i, Instant.now(), "c" + i, 0.5));
    }
    return events;
  }

  private static AmqpConfig freshQueue() {
    return new AmqpConfig("127.0.0.1", TestInfra.broker().port(), null, null, "test-" + UUID.randomUUID());
  }

  @Test
  void batchesArriveWholeAndInOrder(Vertx vertx, VertxTestContext ctx) {
    AmqpConfig queue = freshQueue();
    List<SecKillEvent> sent = grabs(7);
    List<SecKillEvent> received = new CopyOnWriteArrayList<>();
    var checkpoint = ctx.checkpoint(2);
    AmqpSecKillMessagePublisher publisher = AmqpSecKillMessagePublisher.create(vertx, queue);
    AmqpSecKillMessageSubscriber subscriber = AmqpSecKillMessageSubscriber.create(vertx, queue);
    subscriber.subscribe(batch -> {
      received.addAll(batch);
      if (received.size() == sent.size()) {
        ctx.verify(() -> assertThat(received).containsExactlyElementsOf(sent));
        checkpoint.flag();
      }
      return Future.succeededFuture();
    });
    vertx.setPeriodic(20, id -> {
      if (publisher.isConnected()) {
        vertx.cancelTimer(id);
        publisher.publish(sent.subList(0, 1))
            .compose(v -> publisher.publish(sent.subList(1, 7)))
            .onComplete(ctx.succeeding(v -> checkpoint.flag()));
      }
    });
  }

  /** A queue on two brokers: {@code firstPort} first, then the test's real broker. */
  private static AmqpConfig queueBehind(int firstPort) {
    return new AmqpConfig(List.of(new AmqpConfig.Endpoint("127.0.0.1", firstPort),
        new AmqpConfig.Endpoint("127.0.0.1", TestInfra.broker().port())), null, null, "test-" + UUID.randomUUID());
  }

  /** Publishes a batch once the publisher is connected; the test ends when the subscriber got exactly it. */
  private static void deliveredWhole(Vertx vertx, VertxTestContext ctx, AmqpConfig queue, List<SecKillEvent> sent) {
    AmqpSecKillMessagePublisher publisher = AmqpSecKillMessagePublisher.create(vertx, queue);
    AmqpSecKillMessageSubscriber subscriber = AmqpSecKillMessageSubscriber.create(vertx, queue);
    subscriber.subscribe(batch -> {
      ctx.verify(() -> assertThat(batch).containsExactlyElementsOf(sent));
      ctx.completeNow();
      return Future.succeededFuture();
    });
    vertx.setPeriodic(20, id -> {
      if (publisher.isConnected()) {
        vertx.cancelTimer(id);
        publisher.publish(sent).onFailure(ctx::failNow);
      }
    });
  }

  @Test
  void aListOfBrokersIsTriedInOrderPastOneThatRefuses(Vertx vertx, VertxTestContext ctx) {
    // a slave of a master/slave group does not listen: the links go on to the next broker of the list at once
    deliveredWhole(vertx, ctx, queueBehind(TestInfra.freePort()), grabs(3));
  }

  @Test
  void aBrokerThatTakesTheConnectionAndNeverAnswersIsPassedBy(Vertx vertx, VertxTestContext ctx) {
    // a process that accepts TCP connections and says nothing (paused, or a slave listening too early)
    int silent = Async.await(vertx.createNetServer().connectHandler(socket -> { }).listen(0, "127.0.0.1"))
        .actualPort();
    deliveredWhole(vertx, ctx, queueBehind(silent), grabs(2));
  }

  @Test
  void aBatchWhoseHandlerFailsIsRedelivered(Vertx vertx, VertxTestContext ctx) {
    AmqpConfig queue = freshQueue();
    List<SecKillEvent> sent = grabs(3);
    AtomicInteger deliveries = new AtomicInteger();
    AmqpSecKillMessagePublisher publisher = AmqpSecKillMessagePublisher.create(vertx, queue);
    AmqpSecKillMessageSubscriber subscriber = AmqpSecKillMessageSubscriber.create(vertx, queue);
    subscriber.subscribe(batch -> {
      if (deliveries.incrementAndGet() == 1) {
        return Future.failedFuture("ReadDB is down");
      }
      ctx.verify(() -> assertThat(batch).containsExactlyElementsOf(sent));
      ctx.completeNow();
      return Future.succeededFuture();
    });
    vertx.setPeriodic(20, id -> {
      if (publisher.isConnected()) {
        vertx.cancelTimer(id);
        publisher.publish(sent).onFailure(ctx::failNow);
      }
    });
  }

  @Test
  void inMemoryMessagingKeepsTheSameRules(VertxTestContext ctx) {
    InMemoryMessaging broker = new InMemoryMessaging();
    List<SecKillEvent> sent = grabs(2);
    List<List<SecKillEvent>> deliveries = new ArrayList<>();
    broker.subscriber().subscribe(batch -> {
      deliveries.add(batch);
      return deliveries.size() == 1 ? Future.failedFuture("first try fails") : Future.succeededFuture();
    });
    broker.publisher().publish(sent);
    broker.redeliver();
    broker.setUp(false);
    ctx.verify(() -> {
      assertThat(deliveries).containsExactly(sent, sent);
      assertThat(broker.publisher().publish(sent).failed()).isTrue();
    });
    ctx.completeNow();
  }
}
