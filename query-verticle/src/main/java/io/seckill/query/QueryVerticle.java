package io.seckill.query;

import io.seckill.query.http.QueryRoutes;
import io.seckill.query.shop.ShopRoutes;
import io.seckill.query.store.ReadModelQueries;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.http.HttpServers;
import io.seckill.shared.http.ApiDocument;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.identity.DevIssuer;
import io.seckill.shared.identity.Guard;
import io.seckill.shared.identity.Security;
import io.seckill.shared.http.ServiceRouter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;

/** Serves the read model from ReadDB. Stateless: deploy as many instances as there are cores. */
public final class QueryVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(QueryVerticle.class);

  private final SecKillConfig config;
  private final DevIssuer devIssuer;
  private Pool pool;

  public QueryVerticle(SecKillConfig config) {
    this(config, null);
  }

  /** {@code devIssuer}: the embedded issuer's key, for the shop front's development sign-in (null: none). */
  public QueryVerticle(SecKillConfig config, DevIssuer devIssuer) {
    this.config = config;
    this.devIssuer = devIssuer;
  }

  @Override
  public Future<?> start() {
    pool = Databases.pool(vertx, config.readDb(), "query");
    return Migrations.migrate(vertx, pool, Migrations.READ).compose(v -> {
      Security security = Security.shared(vertx, config.security());
      Router router = ServiceRouter.create(vertx, "query", Map.of("readDb", HealthCheck.database(pool),
          "identityKeys", HealthCheck.of("identity keys", security::hasKeys)));
      Guard guard = new Guard(vertx, security, Clock.systemUTC());
      guard.mountAddressLimit(router);
      new QueryRoutes(new ReadModelQueries(pool), guard).mount(router);
      new ShopRoutes(config.shop(), config.security().identity(), devIssuer, config.commandPort(), Clock.systemUTC())
          .mount(router);
      ApiDocument.check("query", router);
      return security.ready().compose(ready ->
          HttpServers.create(vertx, config, router).listen(config.queryPort(), config.httpHost()));
    }).onSuccess(server -> LOG.info("query API listening on {}:{}", config.httpHost(), server.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
