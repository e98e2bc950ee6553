package io.seckill.event.http;

import io.seckill.event.audit.AuditRoutes;
import io.seckill.event.audit.ReadModelAuditor;
import io.seckill.event.rebuild.RebuildRoutes;
import io.seckill.event.rebuild.Rebuilder;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.http.ApiDocument;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.http.HttpServers;
import io.seckill.shared.http.ServiceRouter;
import io.seckill.shared.identity.Guard;
import io.seckill.shared.identity.Security;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.ext.web.Router;

import java.time.Clock;
import java.util.Map;

/**
 * The event role's HTTP port: {@code /health}, {@code /metrics} and, for admins, the read model's audit and rebuild
 * (SPEC §8), which answer 503 when the role has no WriteDB settings ({@code auditor} and {@code rebuilder} null).
 */
public final class ReadModelHttp {
  private ReadModelHttp() {
  }

  public static Future<HttpServer> listen(Vertx vertx, SecKillConfig config, Security security,
                                          Map<String, HealthCheck> checks, ReadModelAuditor auditor,
                                          Rebuilder rebuilder) {
    Router router = ServiceRouter.create(vertx, "event", checks);
    Guard guard = new Guard(vertx, security, Clock.systemUTC());
    guard.mountAddressLimit(router);
    new AuditRoutes(auditor, guard).mount(router);
    new RebuildRoutes(rebuilder, guard, AuditRoutes.NO_WRITE_DB).mount(router);
    ApiDocument.check("event", router);
    return HttpServers.create(vertx, config, router).listen(config.eventPort(), config.httpHost());
  }
}
