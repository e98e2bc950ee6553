package io.seckill.event;

import io.seckill.event.projection.GapTracker;
import io.seckill.event.projection.ProjectionPlan;
import io.seckill.event.store.ReadModelStore;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.http.HttpServers;
import io.seckill.shared.http.ApiDocument;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.http.ServiceRouter;
import io.seckill.shared.messaging.AmqpSecKillMessageSubscriber;
import io.seckill.shared.messaging.ResendRequests;
import io.seckill.shared.messaging.SecKillMessageSubscriber;
import io.seckill.shared.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Timer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Projects events from the broker into ReadDB, one batch per transaction, acknowledging after the commit.
 * Its HTTP port serves only {@code /health} and {@code /metrics}.
 */
public final class EventVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EventVerticle.class);
  private static final long GAP_PATIENCE_MILLIS = 1000;

  private final SecKillConfig config;
  private Pool pool;
  private SecKillMessageSubscriber subscriber;
  private ReadModelStore store;
  private ResendRequests.Requester resendRequester;
  private final GapTracker gaps = new GapTracker(GAP_PATIENCE_MILLIS);
  private final List<Meter> meters = new ArrayList<>();
  private Timer projectionLag;
  private Counter applied;
  private Counter duplicates;

  public EventVerticle(SecKillConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    pool = Databases.pool(vertx, config.readDb(), "event");
    subscriber = AmqpSecKillMessageSubscriber.create(vertx, config.amqp());
    store = new ReadModelStore(pool);
    resendRequester = ResendRequests.Requester.create(vertx, config.amqp());
    projectionLag = Timer.builder("seckill_projection_lag")
        .description("time from an event's commit on the write side to its projection in ReadDB")
        .publishPercentiles(0.5, 0.99).register(Metrics.registry());
    applied = Counter.builder("seckill_projection_events_applied").register(Metrics.registry());
    duplicates = Counter.builder("seckill_projection_events_duplicate").register(Metrics.registry());
    meters.addAll(List.of(projectionLag, applied, duplicates));
    return Migrations.migrate(vertx, pool, Migrations.READ)
        .compose(v -> subscriber.subscribe(this::project))
        .compose(v -> {
          Router router = ServiceRouter.create(vertx, Map.of(
              "readDb", HealthCheck.database(pool),
              "broker", HealthCheck.of("broker link", subscriber::isConnected)));
          ApiDocument.check("event", router);
          return HttpServers.create(vertx, config, router).listen(config.eventPort(), config.httpHost());
        })
        .onSuccess(server -> LOG.info("event projector running; health on {}:{}", config.httpHost(), server.actualPort()));
  }

  private Future<Void> project(List<SecKillEvent> events) {
    return store.apply(events).compose(plan -> {
      recordLag(events, plan);
      if (plan.duplicates() > 0) {
        LOG.info("skipped {} events already applied", plan.duplicates());
      }
      for (ProjectionPlan.Gap gap : gaps.observe(plan, System.currentTimeMillis())) {
        LOG.warn("promotion {} misses events from sequence {}; asking the write side to resend", gap.promotionId(),
            gap.expected());
        resendRequester.request(gap.promotionId(), gap.expected())
            .onFailure(e -> LOG.warn("resend request for {} not sent: {}", gap.promotionId(), e.getMessage()));
      }
      if (!plan.gaps().isEmpty()) {
        ProjectionPlan.Gap gap = plan.gaps().get(0);
        return Future.failedFuture("sequence gap in promotion " + gap.promotionId() + ": expected "
            + gap.expected() + ", got " + gap.received() + " (" + plan.gaps().size() + " promotions held back)");
      }
      return Future.succeededFuture();
    });
  }

  private void recordLag(List<SecKillEvent> events, ProjectionPlan plan) {
    applied.increment(plan.applied());
    duplicates.increment(plan.duplicates());
    if (plan.applied() > 0) {
      Instant now = Instant.now();
      SecKillEvent newest = events.get(events.size() - 1);
      SecKillEvent oldest = events.get(0);
      projectionLag.record(Duration.between(oldest.time(), now));
      if (newest != oldest) {
        projectionLag.record(Duration.between(newest.time(), now));
      }
    }
  }

  @Override
  public Future<?> stop() {
    meters.forEach(Metrics.registry()::remove);
    return Future.join(subscriber == null ? Future.succeededFuture() : subscriber.close(),
        resendRequester == null ? Future.succeededFuture() : resendRequester.close(),
        pool == null ? Future.succeededFuture() : pool.close());
  }
}
