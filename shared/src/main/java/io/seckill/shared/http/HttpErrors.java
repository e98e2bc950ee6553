package io.seckill.shared.http;

import io.micrometer.core.instrument.Counter;
import io.seckill.shared.metrics.Metrics;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Error responses: status + {@code {"error": "...", "message": "..."}}. */
public final class HttpErrors {
  private static final Logger LOG = LoggerFactory.getLogger(HttpErrors.class);
  public static final CharSequence JSON = HttpHeaders.createOptimized("application/json; charset=utf-8");

  private static final Map<Integer, Counter> SERVER_ERRORS = new ConcurrentHashMap<>();

  static {
    // the statuses this code sends, at zero from the start: dashboards and alerts see the series before any error
    serverErrors(500);
    serverErrors(503);
  }

  private HttpErrors() {
  }

  public static void send(RoutingContext ctx, int status, String error, String message) {
    send(ctx.response(), status, error, message);
  }

  public static void send(HttpServerResponse response, int status, String error, String message) {
    if (response.ended() || response.closed()) {
      return;
    }
    if (response.headWritten()) {
      response.reset();
      return;
    }
    if (status >= 500) {
      serverErrors(status).increment();
    }
    MultiMap headers = response.headers();
    headers.set(HttpHeaders.CONTENT_TYPE, JSON);
    if (status == 503) {
      // every 503 here is momentary (a write failed, a partition changing hands): try again in a second
      headers.set(HttpHeaders.RETRY_AFTER, "1");
    }
    response.setStatusCode(status)
        .end(new JsonObject().put("error", error).put("message", message).toBuffer());
  }

  /**
   * {@code seckill_http_server_errors_total{status}}: every 5xx answer a service gave (all of them are sent here; a
   * {@code /health} 503 is a probe's answer, not an error). Counted only when one happens, so it costs the hot path
   * nothing, unlike Vert.x's per-request HTTP meters (off by default).
   */
  private static Counter serverErrors(int status) {
    return SERVER_ERRORS.computeIfAbsent(status, s -> Counter.builder("seckill_http_server_errors")
        .description("5xx answers, by status").tag("status", String.valueOf(s)).register(Metrics.registry()));
  }

  public static void send(RoutingContext ctx, ApiException e) {
    send(ctx.response(), e);
  }

  public static void send(HttpServerResponse response, ApiException e) {
    send(response, e.status(), e.error(), e.getMessage());
  }

  /** A failure no handler expected: logged with the request line, answered 500 {@code internal_error}. */
  public static void unhandled(HttpServerRequest request, Throwable failure) {
    LOG.error("unhandled failure on {} {}", request.method(), request.path(), failure);
    send(request.response(), 500, "internal_error", "the server failed to handle this request");
  }

  /** Maps every failure of a route to a JSON error: never an HTML page, never a hang. */
  public static Handler<RoutingContext> failureHandler() {
    return ctx -> {
      Throwable failure = ctx.failure();
      if (failure instanceof ApiException api) {
        send(ctx, api);
        return;
      }
      int status = ctx.statusCode();
      switch (status) {
        case 413 -> send(ctx, 413, "payload_too_large", "request body is over 64 KiB");
        case 400 -> send(ctx, 400, "invalid_request", failure == null ? "bad request" : failure.getMessage());
        case 401 -> send(ctx, 401, "unauthorized", "missing or wrong bearer token");
        case 404 -> send(ctx, 404, "not_found", "no such resource: " + ctx.request().path());
        case 405 -> send(ctx, 405, "method_not_allowed", ctx.request().method() + " is not allowed here");
        default -> {
          if (status >= 400 && status < 500) {
            send(ctx, status, "invalid_request", failure == null ? "request refused" : failure.getMessage());
          } else {
            unhandled(ctx.request(), failure);
          }
        }
      }
    };
  }
}
