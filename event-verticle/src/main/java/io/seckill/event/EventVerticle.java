package io.seckill.event;

import io.seckill.event.audit.AuditRoutes;
import io.seckill.event.audit.AuditStore;
import io.seckill.event.audit.PromotionAudit;
import io.seckill.event.audit.ReadModelAuditor;
import io.seckill.event.audit.Verdict;
import io.seckill.event.projection.GapTracker;
import io.seckill.event.projection.ProjectionPlan;
import io.seckill.event.rebuild.RebuildRoutes;
import io.seckill.event.rebuild.RebuildStatus;
import io.seckill.event.rebuild.RebuildStore;
import io.seckill.event.rebuild.Rebuilder;
import io.seckill.event.store.ReadModelStore;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.http.HttpServers;
import io.seckill.shared.http.ApiDocument;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.http.ServiceRouter;
import io.seckill.shared.identity.Guard;
import io.seckill.shared.identity.Security;
import io.seckill.shared.messaging.AmqpSecKillMessageSubscriber;
import io.seckill.shared.messaging.ResendRequests;
import io.seckill.shared.messaging.SecKillMessageSubscriber;
import io.seckill.shared.metrics.Metrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.time.Clock;

/**
 * Projects events from the broker into ReadDB, one batch per transaction, acknowledging after the commit.
 * Its HTTP port serves {@code /health}, {@code /metrics} and, for admins, the read model's audit (SPEC §8), which
 * reads WriteDB's events with the event role's own (read-only) WriteDB settings when it has them.
 */
public final class EventVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EventVerticle.class);
  private static final long GAP_PATIENCE_MILLIS = 1000;

  private static final int AUDIT_CHUNK = 2000;
  private static final int AUDIT_SHOWN = 100;
  private static final long REAP_MILLIS = 5000;

  private final SecKillConfig config;
  private final boolean readsEventStore;
  private Pool pool;
  private Pool eventStore;
  private SecKillMessageSubscriber subscriber;
  /** Resent events ({@code <queue>.replay}): apart, so that they never wait behind what their gap holds back. */
  private SecKillMessageSubscriber replay;
  private ReadModelStore store;
  private ResendRequests.Requester resendRequester;
  private final GapTracker gaps = new GapTracker(GAP_PATIENCE_MILLIS);
  private final List<Meter> meters = new ArrayList<>();
  private Timer projectionLag;
  private Counter applied;
  private Counter duplicates;
  private long reapTimer = -1;

  public EventVerticle(SecKillConfig config) {
    this(config, true);
  }

  /** {@code readsEventStore}: whether {@code config}'s WriteDB settings are this role's (the audit reads with them). */
  public EventVerticle(SecKillConfig config, boolean readsEventStore) {
    this.config = config;
    this.readsEventStore = readsEventStore;
  }

  @Override
  public Future<?> start() {
    pool = Databases.pool(vertx, config.readDb(), "event");
    subscriber = AmqpSecKillMessageSubscriber.create(vertx, config.amqp());
    replay = AmqpSecKillMessageSubscriber.create(vertx, ResendRequests.replay(config.amqp()));
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
        .compose(v -> replay.subscribe(this::project))
        .compose(v -> {
          Security security = Security.shared(vertx, config.security());
          // up only once it can check an admin's token for the audit and the rebuild, as admin and query are
          Router router = ServiceRouter.create(vertx, "event", Map.of(
              "readDb", HealthCheck.database(pool),
              "broker", HealthCheck.of("broker link", subscriber::isConnected),
              "identityKeys", HealthCheck.of("identity keys", security::hasKeys)));
          Guard guard = new Guard(vertx, security, Clock.systemUTC());
          guard.mountAddressLimit(router);
          if (readsEventStore) {
            eventStore = Databases.pool(vertx, config.writeDb(), "event-audit");
          } else {
            LOG.info("no WriteDB settings for the event role: the read model's audit and rebuild answer 503 until"
                + " they are given");
          }
          new AuditRoutes(auditor(), guard).mount(router);
          new RebuildRoutes(rebuilder(), guard, AuditRoutes.NO_WRITE_DB).mount(router);
          ApiDocument.check("event", router);
          return HttpServers.create(vertx, config, router).listen(config.eventPort(), config.httpHost());
        })
        .onSuccess(server -> LOG.info("event projector running; health on {}:{}", config.httpHost(), server.actualPort()));
  }

  /**
   * The rebuild, when this role has WriteDB settings; null otherwise. What dead rebuilds left is cleaned up now and
   * every {@value #REAP_MILLIS} ms.
   */
  private Rebuilder rebuilder() {
    if (eventStore == null) {
      return null;
    }
    Rebuilder rebuilder = new Rebuilder(vertx, new RebuildStore(eventStore, config.writeDb().deadlineMillis(), pool,
        config.readDb().deadlineMillis()), Clock.systemUTC(), config.rebuildEventsPerSecond(), done -> {
          Counter.builder("seckill_read_model_rebuilds").tag("outcome", done.state().json())
              .description("rebuilds of the read model run by this process, by outcome").register(Metrics.registry())
              .increment();
        });
    meters.add(Gauge.builder("seckill_read_model_rebuild_running", rebuilder,
            r -> r.current() != null && !r.current().state().finished() ? 1 : 0)
        .description("1 while this process runs a rebuild of the read model").register(Metrics.registry()));
    meters.add(Gauge.builder("seckill_read_model_rebuild_events_applied", rebuilder,
            r -> r.current() == null ? 0 : r.current().eventsApplied())
        .description("events applied by this process's current or last rebuild").register(Metrics.registry()));
    meters.add(Gauge.builder("seckill_read_model_rebuild_events_target", rebuilder,
            r -> r.current() == null ? 0 : r.current().eventsTotal())
        // not "_total": Prometheus reserves that suffix for counters and the registry strips it from a gauge's name
        .description("events this process's current or last rebuild must apply").register(Metrics.registry()));
    meters.add(Gauge.builder("seckill_read_model_rebuild_events_per_second", rebuilder,
            r -> r.current() == null ? 0 : r.current().eventsPerSecond())
        .description("the rate of this process's current or last rebuild").register(Metrics.registry()));
    for (RebuildStatus.State outcome : new RebuildStatus.State[] {RebuildStatus.State.SWAPPED, RebuildStatus.State.FAILED}) {
      meters.add(Counter.builder("seckill_read_model_rebuilds").tag("outcome", outcome.json())
          .description("rebuilds of the read model run by this process, by outcome").register(Metrics.registry()));
    }
    reap(rebuilder);
    reapTimer = vertx.setPeriodic(REAP_MILLIS, t -> reap(rebuilder));
    return rebuilder;
  }

  private static void reap(Rebuilder rebuilder) {
    rebuilder.reap().onFailure(e -> LOG.warn("clean-up after dead rebuilds failed, tried again in {} s: {}",
        REAP_MILLIS / 1000, e.getMessage()));
  }

  /** The audit, when this role has WriteDB settings (its read-only account); null otherwise. */
  private ReadModelAuditor auditor() {
    if (eventStore == null) {
      return null;
    }
    AtomicLongArray verdicts = new AtomicLongArray(3);
    AtomicLong lastAudit = new AtomicLong();
    for (Verdict verdict : Verdict.values()) {
      meters.add(Gauge.builder("seckill_read_model_audit_promotions", verdicts, v -> v.get(verdict.ordinal()))
          .tag("verdict", verdict.json()).description("promotions by verdict in the last audit of all promotions")
          .register(Metrics.registry()));
    }
    meters.add(Gauge.builder("seckill_read_model_audit_last_seconds", lastAudit, AtomicLong::get)
        .description("when the last audit finished (Unix seconds, 0: none yet)").register(Metrics.registry()));
    AuditStore store = new AuditStore(eventStore, config.writeDb().deadlineMillis(), pool,
        config.readDb().deadlineMillis(), AUDIT_CHUNK, AUDIT_SHOWN, Clock.systemUTC());
    return new ReadModelAuditor(store, Clock.systemUTC(), (audits, all) -> {
      lastAudit.set(System.currentTimeMillis() / 1000);
      if (all) {
        long[] counts = new long[3];
        audits.forEach(a -> counts[a.verdict().ordinal()]++);
        for (int i = 0; i < 3; i++) {
          verdicts.set(i, counts[i]);
        }
      }
      for (PromotionAudit audit : audits) {
        if (audit.verdict() == Verdict.DIVERGED) {
          LOG.warn("audit: promotion {} diverged: {}", audit.promotionId(), String.join("; ", audit.reasons()));
        }
      }
    });
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

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(reapTimer);
    meters.forEach(Metrics.registry()::remove);
    return Future.join(subscriber == null ? Future.succeededFuture() : subscriber.close(),
        replay == null ? Future.succeededFuture() : replay.close(),
        resendRequester == null ? Future.succeededFuture() : resendRequester.close(),
        eventStore == null ? Future.succeededFuture() : eventStore.close(),
        pool == null ? Future.succeededFuture() : pool.close());
  }
}
