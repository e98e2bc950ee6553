package io.seckill.event;

import io.seckill.event.audit.AuditStore;
import io.seckill.event.audit.ReadModelAuditor;
import io.seckill.event.http.ReadModelHttp;
import io.seckill.event.projection.Projection;
import io.seckill.event.rebuild.RebuildStore;
import io.seckill.event.rebuild.Rebuilder;
import io.seckill.event.store.ReadModelStore;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.identity.Security;
import io.seckill.shared.lifecycle.Closer;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;

/**
 * The event role, wiring only: the {@link Projection} of the broker's events into ReadDB, the read model's HTTP
 * port ({@link ReadModelHttp}: health, metrics, the audit and the rebuild), and their gauges
 * ({@link ReadModelGauges}). The audit and the rebuild read WriteDB's events with the event role's own (read-only)
 * WriteDB settings when it has them.
 */
public final class EventVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EventVerticle.class);
  private static final int AUDIT_CHUNK = 2000;
  private static final int AUDIT_SHOWN = 100;
  private static final long REAP_MILLIS = 5000;

  private final SecKillConfig config;
  private final boolean readsEventStore;
  private final Closer closer = new Closer();

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
    Closer.Stage connections = closer.stage();
    Closer.Stage work = closer.stage();
    Pool pool = connections.add(Databases.pool(vertx, config.readDb(), "event"), Pool::close);
    Projection projection = work.add(new Projection(vertx, config.amqp(), new ReadModelStore(pool)),
        Projection::close);
    ReadModelGauges gauges = new ReadModelGauges();
    work.run(gauges::close);
    return Migrations.migrate(vertx, pool, Migrations.READ)
        .compose(v -> projection.start())
        .compose(v -> {
          Security security = Security.shared(vertx, config.security());
          ReadModelAuditor auditor = null;
          Rebuilder rebuilder = null;
          if (readsEventStore) {
            Pool eventStore = connections.add(Databases.pool(vertx, config.writeDb(), "event-audit"), Pool::close);
            auditor = new ReadModelAuditor(new AuditStore(eventStore, config.writeDb().deadlineMillis(), pool,
                config.readDb().deadlineMillis(), AUDIT_CHUNK, AUDIT_SHOWN, Clock.systemUTC()), Clock.systemUTC(),
                gauges.audits());
            rebuilder = gauges.rebuilding(new Rebuilder(vertx, new RebuildStore(eventStore,
                config.writeDb().deadlineMillis(), pool, config.readDb().deadlineMillis()), Clock.systemUTC(),
                config.rebuildEventsPerSecond(), ReadModelGauges.rebuildOutcomes()));
            reapEvery(rebuilder, work);
          } else {
            LOG.info("no WriteDB settings for the event role: the read model's audit and rebuild answer 503 until"
                + " they are given");
          }
          // up only once it can check an admin's token for the audit and the rebuild, as admin and query are
          return ReadModelHttp.listen(vertx, config, security, Map.of(
              "readDb", HealthCheck.database(pool),
              "broker", HealthCheck.of("broker link", projection::isConnected),
              "identityKeys", HealthCheck.of("identity keys", security::hasKeys)), auditor, rebuilder);
        })
        .onSuccess(server -> LOG.info("event projector running; health on {}:{}", config.httpHost(),
            server.actualPort()));
  }

  /** What dead rebuilds left is cleaned up now and every {@value #REAP_MILLIS} ms. */
  private void reapEvery(Rebuilder rebuilder, Closer.Stage work) {
    reap(rebuilder);
    long timer = vertx.setPeriodic(REAP_MILLIS, t -> reap(rebuilder));
    work.run(() -> vertx.cancelTimer(timer));
  }

  private static void reap(Rebuilder rebuilder) {
    rebuilder.reap().onFailure(e -> LOG.warn("clean-up after dead rebuilds failed, tried again in {} s: {}",
        REAP_MILLIS / 1000, e.getMessage()));
  }

  @Override
  public Future<?> stop() {
    return closer.close();
  }
}
