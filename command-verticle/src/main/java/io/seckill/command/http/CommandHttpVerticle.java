package io.seckill.command.http;

import io.seckill.command.service.GrabService;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.http.HttpServers;
import io.seckill.shared.http.ApiDocument;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.http.ServiceRouter;
import io.seckill.shared.identity.Guard;
import io.seckill.shared.identity.Security;
import io.seckill.shared.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.CorsHandler;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** One HTTP server instance of the command API; deploy one per core, they share the port. */
public final class CommandHttpVerticle extends VerticleBase {
  private final SecKillConfig config;
  private final Clock clock;
  private final GrabService gateway;
  private final Map<String, HealthCheck> checks;

  public CommandHttpVerticle(SecKillConfig config, Clock clock, GrabService gateway, Map<String, HealthCheck> checks) {
    this.config = config;
    this.clock = clock;
    this.gateway = gateway;
    this.checks = checks;
  }

  @Override
  public Future<?> start() {
    Router router = ServiceRouter.create(vertx, "command", checks);
    Guard guard = new Guard(vertx, Security.shared(vertx, config.security()), clock);
    // before the address limit, so that its 429 reaches the page with its Retry-After (not as a failed fetch)
    router.route("/command/*").handler(cors(config.shop().allowedOrigins(config.queryPort())));
    guard.mountAddressLimit(router);
    CommandRoutes routes = new CommandRoutes(gateway, guard, clock, Metrics.registry(), GrabTallies.of(vertx));
    routes.mount(router);
    ApiDocument.check("command", router);
    return HttpServers.create(vertx, config, routes.grabsFirst(router))
        .listen(config.commandPort(), config.httpHost());
  }

  /**
   * Pages of the listed origins (the shop front) may call tickets, challenges and grabs from a browser: with the
   * identity token in {@code Authorization}, never with cookies. A preflight from another origin gets 403, and a
   * browser keeps that origin's page from reading any answer.
   */
  static CorsHandler cors(List<String> origins) {
    return CorsHandler.create().addOrigins(origins)
        .allowedMethods(Set.of(HttpMethod.GET, HttpMethod.POST))
        .allowedHeaders(Set.of("Authorization", "Content-Type", "X-Altcha"))
        .exposedHeaders(Set.of("Retry-After"))
        .allowCredentials(false)
        .maxAgeSeconds(600);
  }
}
