package io.seckill.command.service;

import io.seckill.command.domain.GrabDecider;
import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.PromotionState;
import io.seckill.command.lease.Partitions;
import io.seckill.command.store.GroupCommitter;
import io.seckill.command.store.InMemoryWriteDb;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.promotion.PromotionTerms;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.ShiftedClock;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * A {@link CommandService} on its own context over {@link InMemoryWriteDb}, with a real {@link GroupCommitter} and
 * real timers: the write path without a database. The test thread waits on the context's answers (bounded); the
 * service and the database are touched only on the context.
 */
final class Harness implements AutoCloseable {
  static final int PARTITIONS = 4;

  final Vertx vertx = Vertx.vertx();
  final Context context = vertx.getOrCreateContext();
  final Partitions partitions = new Partitions(PARTITIONS);
  final InMemoryWriteDb db = new InMemoryWriteDb(partitions);
  final Map<Integer, Long> epochs = new ConcurrentHashMap<>();
  final List<Set<Integer>> fencedOut = new CopyOnWriteArrayList<>();
  final List<UUID> finished = new CopyOnWriteArrayList<>();
  volatile boolean leasesCurrent = true;
  /** The real time, moved forward by a test (the service's timers are real: they fire on the real time). */
  final ShiftedClock clock = new ShiftedClock();
  final CommandService service;

  Harness() {
    service = on(() -> {
      GroupCommitter committer = new GroupCommitter(db, 100, partitions, p -> epochs.getOrDefault(p, -1L));
      CommandService created = new CommandService(vertx, clock, new GrabDecider(), db, db, committer, 50, 2,
          partitions, fencedOut::add, () -> leasesCurrent);
      created.onFinished(state -> finished.add(state.promotionId()));
      return created.start().map(created);
    });
  }

  /** Runs {@code work} on the service's context and waits (at most 10 s) for its answer. */
  <T> T on(Supplier<Future<T>> work) {
    return Async.await(start(work), Duration.ofSeconds(10));
  }

  /** Runs {@code work} on the service's context, not waiting. */
  <T> Future<T> start(Supplier<Future<T>> work) {
    Promise<T> promise = Promise.promise();
    context.runOnContext(v -> work.get().onComplete(promise));
    return promise.future();
  }

  /** Runs {@code action} on the service's context and waits for it. */
  void run(Runnable action) {
    on(() -> {
      action.run();
      return Future.succeededFuture();
    });
  }

  /** This process claims every partition (at epoch 1) and loads them. */
  void claimAll() {
    Set<Integer> all = Set.of(0, 1, 2, 3);
    all.forEach(p -> epochs.put(p, 1L));
    on(() -> service.claimed(all));
  }

  GrabDecision grab(UUID promotion, String customer) {
    return on(() -> service.grab(promotion, customer));
  }

  /** Why the grab was not decided. */
  Throwable refused(UUID promotion, String customer) {
    return failure(start(() -> service.grab(promotion, customer)));
  }

  <T> T await(Future<T> future) {
    return Async.await(future, Duration.ofSeconds(10));
  }

  /** Why {@code future} failed (waiting for it); an error when it succeeds. */
  Throwable failure(Future<?> future) {
    Object result;
    try {
      result = await(future);
    } catch (IllegalStateException e) {
      return e.getCause();
    }
    throw new AssertionError("expected a failure, got " + result);
  }

  List<SecKillEvent> events(UUID promotion) {
    return on(() -> Future.succeededFuture(db.events(promotion)));
  }

  PromotionState state(UUID promotion) {
    return on(() -> Future.succeededFuture(service.promotion(promotion)));
  }

  /** Waits (at most 5 s, polling on the context) until {@code condition}, run on the context, holds. */
  void eventually(BooleanSupplier condition) {
    Async.await(Async.eventually(vertx, Duration.ofSeconds(5),
        () -> start(() -> Future.succeededFuture(condition.getAsBoolean()))), Duration.ofSeconds(10));
  }

  /** A promotion that started a minute ago with {@code coupons}, finishing in an hour, its row and events stored. */
  UUID running(int coupons) {
    UUID id = UUID.randomUUID();
    Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    PromotionTerms terms = new PromotionTerms(coupons, 0.5, now.minusSeconds(60), now.plusSeconds(3600));
    run(() -> {
      db.started(id, terms);
      db.given(new PromotionStartEvent(UUID.randomUUID(), id, 1, now.minusSeconds(60), coupons, 0.5,
          terms.publishTime(), terms.finishTime()));
    });
    return id;
  }

  /** A promotion the admin scheduled, opening in {@code opens} and closing {@code lasts} later. */
  UUID scheduled(int coupons, Duration opens, Duration lasts) {
    UUID id = UUID.randomUUID();
    Instant publish = Instant.now().plus(opens).truncatedTo(ChronoUnit.MILLIS);
    run(() -> db.schedule(id, new PromotionTerms(coupons, 0.5, publish, publish.plus(lasts))));
    return id;
  }

  @Override
  public void close() {
    run(service::stop);
    Async.await(vertx.close());
  }
}
