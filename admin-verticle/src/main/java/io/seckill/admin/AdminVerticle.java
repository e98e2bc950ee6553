package io.seckill.admin;

import io.seckill.admin.console.ConsoleConfig;
import io.seckill.admin.console.ConsoleRoutes;
import io.seckill.admin.console.ConsoleStore;
import io.seckill.admin.http.AdminRoutes;
import io.seckill.admin.store.PromotionStore;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.http.HttpServers;
import io.seckill.shared.http.ApiDocument;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.http.HttpErrors;
import io.seckill.shared.identity.Guard;
import io.seckill.shared.identity.IdentityConfig;
import io.seckill.shared.identity.Security;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.seckill.shared.http.ServiceRouter;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.ext.web.Router;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.Map;

/** Promotions CRUD on WriteDB and the operator console. Wiring only: migrations, then routes, then listen. */
public final class AdminVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(AdminVerticle.class);

  private final SecKillConfig config;
  private final Clock clock;
  private final ConsoleConfig console;
  private Pool pool;

  public AdminVerticle(SecKillConfig config, Clock clock) {
    this(config, clock, ConsoleConfig.local(config));
  }

  public AdminVerticle(SecKillConfig config, Clock clock, ConsoleConfig console) {
    this.config = config;
    this.clock = clock;
    this.console = console;
  }

  @Override
  public Future<?> start() {
    pool = Databases.pool(vertx, config.writeDb(), "admin");
    return Migrations.migrate(vertx, pool, Migrations.WRITE).compose(v -> {
      Security security = Security.shared(vertx, config.security());
      Router router = ServiceRouter.create(vertx, "admin", Map.of("writeDb", HealthCheck.database(pool),
          "identityKeys", HealthCheck.of("identity keys", security::hasKeys)));
      Guard guard = new Guard(vertx, security, clock);
      guard.mountAddressLimit(router);
      IdentityConfig identity = config.security().identity();
      if (identity.embedded()) {
        // the development issuer's public key, for the other processes of a split deployment
        Buffer jwks = new JsonObject().put("keys", new JsonArray(identity.localJwks())).toBuffer();
        router.get("/.well-known/jwks.json").handler(ctx -> ctx.response()
            .putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(jwks));
      }
      new AdminRoutes(new PromotionStore(pool), clock, guard).mount(router);
      new ConsoleRoutes(vertx, console, identity, new ConsoleStore(pool), guard, clock).mount(router);
      ApiDocument.check("admin", router);
      return security.ready().compose(ready ->
          HttpServers.create(vertx, config, router).listen(config.adminPort(), config.httpHost()));
    }).onSuccess(server -> LOG.info("admin API listening on {}:{}", config.httpHost(), server.actualPort()));
  }

  @Override
  public Future<?> stop() {
    return pool == null ? Future.succeededFuture() : pool.close();
  }
}
