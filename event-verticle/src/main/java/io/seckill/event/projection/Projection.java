package io.seckill.event.projection;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.seckill.event.store.ReadModelStore;
import io.seckill.shared.config.AmqpConfig;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.messaging.AmqpSecKillMessageSubscriber;
import io.seckill.shared.messaging.ResendRequests;
import io.seckill.shared.messaging.SecKillMessageSubscriber;
import io.seckill.shared.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * Events from the broker projected into ReadDB, one batch per transaction, acknowledged after the commit; a gap in a
 * promotion's sequences asks the write side to resend from it. Its meters: the projection lag, events applied, and
 * duplicates skipped.
 */
public final class Projection {
  private static final Logger LOG = LoggerFactory.getLogger(Projection.class);
  private static final long GAP_PATIENCE_MILLIS = 1000;

  private final ReadModelStore store;
  private final SecKillMessageSubscriber subscriber;
  /** Resent events ({@code <queue>.replay}): apart, so that they never wait behind what their gap holds back. */
  private final SecKillMessageSubscriber replay;
  private final ResendRequests.Requester resendRequester;
  private final GapTracker gaps = new GapTracker(GAP_PATIENCE_MILLIS);
  private final Timer projectionLag;
  private final Counter applied;
  private final Counter duplicates;

  public Projection(Vertx vertx, AmqpConfig amqp, ReadModelStore store) {
    this.store = store;
    this.subscriber = AmqpSecKillMessageSubscriber.create(vertx, amqp);
    this.replay = AmqpSecKillMessageSubscriber.create(vertx, ResendRequests.replay(amqp));
    this.resendRequester = ResendRequests.Requester.create(vertx, amqp);
    this.projectionLag = Timer.builder("seckill_projection_lag")
        .description("time from an event's commit on the write side to its projection in ReadDB")
        .publishPercentiles(0.5, 0.99).register(Metrics.registry());
    this.applied = Counter.builder("seckill_projection_events_applied").register(Metrics.registry());
    this.duplicates = Counter.builder("seckill_projection_events_duplicate").register(Metrics.registry());
  }

  /** Subscribes to the events and to their resends. */
  public Future<Void> start() {
    return subscriber.subscribe(this::project).compose(v -> replay.subscribe(this::project));
  }

  /** Whether the link to the broker is up, for the health check. */
  public boolean isConnected() {
    return subscriber.isConnected();
  }

  public Future<Void> close() {
    List.of(projectionLag, applied, duplicates).forEach(Metrics.registry()::remove);
    return Future.join(subscriber.close(), replay.close(), resendRequester.close()).mapEmpty();
  }

  private Future<Void> project(List<SecKillEvent> events) {
    return store.apply(events).compose(plan -> {
      recordLag(events, plan);
      if (plan.duplicates() > 0) {
        // the relay announces its heads every 2 s (and resends after a crash): counted, not worth a line each
        LOG.debug("skipped {} events already applied", plan.duplicates());
      }
      for (ProjectionPlan.Gap gap : gaps.observe(plan, System.currentTimeMillis())) {
        LOG.warn("promotion {} misses events from sequence {} (got {}); asking the write side to resend",
            gap.promotionId(), gap.expected(), gap.received());
        resendRequester.request(gap.promotionId(), gap.expected())
            .onFailure(e -> LOG.warn("resend request for {} not sent: {}", gap.promotionId(), e.getMessage()));
      }
      // the events past a gap are not kept (their messages are accepted): the resend asked for above brings them
      // again, on the replay queue, from the gap to the newest. Released instead, they would come back first, again
      // and again, ahead of the resend that fills the gap (the nemesis found that livelock).
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
}
