package io.seckill.admin;

import io.seckill.admin.http.AdminRoutes;
import io.seckill.admin.store.PromotionStore;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.http.ServiceRouter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;

/** Promotions CRUD on WriteDB. Wiring only: migrations, then routes, then listen. */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);

  private final SecKillConfig config;
  private final Clock clock;
  private Pool pool;

  public AdminVerticle(SecKillConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    pool = Databases.pool(vertx, config.writeDb(), "admin");
    return Migrations.migrate(vertx, pool, Migrations.WRITE).compose(v -> {
      Router router = ServiceRouter.create(vertx, Map.of("writeDb", HealthCheck.database(pool)));
      new AdminRoutes(new PromotionStore(pool), clock, config.adminToken()).mount(router);
      return vertx.createHttpServer().requestHandler(router).listen(config.adminPort(), config.httpHost());
    }).onSuccess(server -> LOG.info("admin API listening on {}:{}", config.httpHost(), server.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
