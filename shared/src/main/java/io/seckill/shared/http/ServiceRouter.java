package io.seckill.shared.http;

import io.micrometer.core.instrument.Gauge;
import io.seckill.shared.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The router every service starts from: body limit, JSON errors, {@code /health}, {@code /metrics} and
 * {@code /openapi.json} with its rendering at {@code /api-docs/} (none of them behind a rate limit or a token).
 */
public final class ServiceRouter {
  public static final long BODY_LIMIT = 64 * 1024;
  private static final CharSequence PROMETHEUS = HttpHeaders.createOptimized("text/plain; version=0.0.4; charset=utf-8");

  static final long PROBE_MILLIS = 5000;
  private static final Map<String, AtomicInteger> UP = new ConcurrentHashMap<>();

  private ServiceRouter() {
  }

  /**
   * The router of {@code service} (its name in {@code seckill_dependency_up}), with {@code checks} behind
   * {@code /health} and probed every {@value #PROBE_MILLIS} ms for the metric.
   */
  public static Router create(Vertx vertx, String service, Map<String, HealthCheck> checks) {
    probe(vertx, service, checks);
    Router router = Router.router(vertx);
    router.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));
    router.get("/health").handler(ctx -> health(checks).onComplete(ar -> {
      JsonObject body = ar.result();
      boolean up = "UP".equals(body.getString("status"));
      ctx.response().setStatusCode(up ? 200 : 503)
          .putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON)
          .end(body.toBuffer());
    }));
    router.get("/metrics").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, PROMETHEUS)
        .end(Metrics.registry().scrape()));
    router.get("/openapi.json").handler(ctx -> ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON)
        .end(ApiDocument.BODY));
    ApiDocsPage.mount(router);
    router.route().failureHandler(HttpErrors.failureHandler());
    // errors the router finds before any route runs (a path that does not decode, ...) are JSON too
    router.errorHandler(400, ctx -> HttpErrors.send(ctx, 400, "invalid_request",
        "malformed request" + (ctx.failure() == null ? "" : ": " + ctx.failure().getMessage())));
    router.errorHandler(413, ctx -> HttpErrors.send(ctx, 413, "payload_too_large", "request body is over 64 KiB"));
    router.errorHandler(404, ctx -> HttpErrors.send(ctx, 404, "not_found", "no such resource: " + ctx.request().path()));
    router.errorHandler(405, ctx -> HttpErrors.send(ctx, 405, "method_not_allowed",
        ctx.request().method() + " is not allowed on " + ctx.request().path()));
    return router;
  }

  /**
   * {@code seckill_dependency_up{service, dependency}}: 1 when the last probe of the dependency (what {@code /health}
   * checks: a database, the broker link, the partition leases, the identity keys) succeeded, else 0. Probed every
   * {@value #PROBE_MILLIS} ms on the caller's context (the timer goes with the verticle); the alerts say "link down"
   * from it. Several instances of one service share the gauge: whichever probed last sets it.
   */
  private static void probe(Vertx vertx, String service, Map<String, HealthCheck> checks) {
    Map<String, AtomicInteger> states = new HashMap<>();
    checks.keySet().forEach(name -> states.put(name, UP.computeIfAbsent(service + "/" + name, key -> {
      AtomicInteger state = new AtomicInteger();
      Gauge.builder("seckill_dependency_up", state, AtomicInteger::get)
          .description("1 when the service's last probe of the dependency succeeded (every 5 s, as /health checks it)")
          .tag("service", service).tag("dependency", name).register(Metrics.registry());
      return state;
    })));
    vertx.setPeriodic(0, PROBE_MILLIS, id -> health(checks).onSuccess(body -> {
      JsonObject details = body.getJsonObject("checks");
      states.forEach((name, state) -> state.set("UP".equals(details.getString(name)) ? 1 : 0));
    }));
  }

  private static Future<JsonObject> health(Map<String, HealthCheck> checks) {
    List<String> names = new ArrayList<>(checks.keySet());
    List<Future<Void>> results = new ArrayList<>();
    for (String name : names) {
      results.add(checks.get(name).check().timeout(2, TimeUnit.SECONDS));
    }
    return Future.join(results).transform(ignored -> {
      JsonObject details = new JsonObject();
      boolean up = true;
      for (int i = 0; i < names.size(); i++) {
        Future<Void> result = results.get(i);
        if (result.succeeded()) {
          details.put(names.get(i), "UP");
        } else {
          up = false;
          details.put(names.get(i), "DOWN: " + result.cause().getMessage());
        }
      }
      return Future.succeededFuture(new JsonObject().put("status", up ? "UP" : "DOWN").put("checks", details));
    });
  }
}
