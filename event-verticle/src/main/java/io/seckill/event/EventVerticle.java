package io.seckill.event;

import io.seckill.event.projection.ProjectionPlan;
import io.seckill.event.store.ReadModelStore;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.http.ServiceRouter;
import io.seckill.shared.messaging.AmqpSecKillMessageSubscriber;
import io.seckill.shared.messaging.SecKillMessageSubscriber;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;

/**
 * Projects events from the broker into ReadDB, one batch per transaction, acknowledging after the commit.
 * Its HTTP port serves only {@code /health} and {@code /metrics}.
 */
public final class EventVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(EventVerticle.class);

  private final SecKillConfig config;
  private Pool pool;
  private SecKillMessageSubscriber subscriber;
  private ReadModelStore store;

  public EventVerticle(SecKillConfig config) {
    this.config = config;
  }

  @Override
  public Future<?> start() {
    pool = Databases.pool(vertx, config.readDb(), "event");
    subscriber = AmqpSecKillMessageSubscriber.create(vertx, config.amqp());
    store = new ReadModelStore(pool);
    return Migrations.migrate(vertx, pool, Migrations.READ)
        .compose(v -> subscriber.subscribe(this::project))
        .compose(v -> vertx.createHttpServer()
            .requestHandler(ServiceRouter.create(vertx, Map.of(
                "readDb", HealthCheck.database(pool),
                "broker", HealthCheck.of("broker link", subscriber::isConnected))))
            .listen(config.eventPort(), config.httpHost()))
        .onSuccess(server -> LOG.info("event projector running; health on {}:{}", config.httpHost(), server.actualPort()));
  }

  private Future<Void> project(List<SecKillEvent> events) {
    return store.apply(events).compose(plan -> {
      if (plan.duplicates() > 0) {
        LOG.info("skipped {} events already applied", plan.duplicates());
      }
      if (!plan.gaps().isEmpty()) {
        ProjectionPlan.Gap gap = plan.gaps().get(0);
        return Future.failedFuture("sequence gap in promotion " + gap.promotionId() + ": expected "
            + gap.expected() + ", got " + gap.received() + " (" + plan.gaps().size() + " promotions held back)");
      }
      return Future.succeededFuture();
    });
  }

  @Override
  public Future<?> stop() {
    return Future.join(subscriber == null ? Future.succeededFuture() : subscriber.close(),
        pool == null ? Future.succeededFuture() : pool.close());
  }
}
