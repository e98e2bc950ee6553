package io.seckill.shared.identity;

import io.seckill.shared.http.HttpErrors;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;

/**
 * SPEC 2.1 in front of every service's routes, one per verticle instance: the client address's rate limit
 * (before anything else is looked at), the identity token (with this instance's own {@link TokenVerifier}),
 * then the customer's rate limit; a route gets a verified {@link Caller} from {@link #caller}, never a raw header.
 * Refusals: 401 {@code unauthorized} with {@code WWW-Authenticate: Bearer}, 403 {@code forbidden}, 429
 * {@code rate_limited} with {@code Retry-After}; none touches a database; a 429 is held for up to a second first
 * ({@link LimitHold}), the others are answered at once.
 */
public final class Guard {
  public static final String CALLER = "seckill.caller";
  private static final CharSequence WWW_AUTHENTICATE = HttpHeaders.createOptimized("WWW-Authenticate");
  private static final CharSequence BEARER = HttpHeaders.createOptimized("Bearer");
  private static final CharSequence RETRY_AFTER = HttpHeaders.createOptimized("Retry-After");
  private static final Buffer LIMITED = new JsonObject().put("error", "rate_limited")
      .put("message", "too many requests; retry after the seconds in Retry-After").toBuffer();

  private final Vertx vertx;
  private final Security security;
  private final TokenVerifier verifier;

  public Guard(Vertx vertx, Security security, Clock clock) {
    this.vertx = vertx;
    this.security = security;
    this.verifier = new TokenVerifier(vertx, security.jwks(), security.config().identity(), clock,
        security.verifiedTokens());
  }

  public Security security() {
    return security;
  }

  /** The address limit on every route mounted after this (health and metrics are mounted before it). */
  public void mountAddressLimit(Router router) {
    router.route().handler(ctx -> {
      if (addressAllowed(ctx.request())) {
        ctx.next();
      }
    });
  }

  /** A route handler: a valid identity token of anyone (a customer or an admin), within the customer limit. */
  public Handler<RoutingContext> authenticated() {
    return ctx -> identify(ctx.request()).onSuccess(caller -> pass(ctx, caller));
  }

  /** A route handler: an admin's identity token; a customer's gets 403. */
  public Handler<RoutingContext> admin() {
    return ctx -> identify(ctx.request()).onSuccess(caller -> {
      if (caller.admin()) {
        pass(ctx, caller);
      } else {
        forbidden(ctx, "this needs an admin token (role " + security.config().identity().adminRole() + ")");
      }
    });
  }

  /** On to the route with {@code caller}, if the customer is within its limit (429 otherwise). */
  private void pass(RoutingContext ctx, Caller caller) {
    if (customerAllowed(ctx.response(), caller.customerId())) {
      ctx.put(CALLER, caller);
      ctx.next();
    }
  }

  /** The caller a preceding {@link #authenticated} or {@link #admin} handler verified. */
  public static Caller caller(RoutingContext ctx) {
    Caller caller = ctx.get(CALLER);
    if (caller == null) {
      throw new IllegalStateException("route is not behind a Guard");
    }
    return caller;
  }

  /**
   * The identity token's caller; answers 401 itself (and fails) when there is none or it is not acceptable.
   */
  public Future<Caller> identify(HttpServerRequest request) {
    String token = bearer(request);
    if (token == null) {
      return Future.failedFuture("refused");
    }
    return verifier.verify(token).onFailure(e -> unauthorized(request.response(), e instanceof TokenRefused
        ? e.getMessage() : "token is not valid"));
  }

  /** The bearer token, or null after answering 401. */
  public static String bearer(HttpServerRequest request) {
    String header = request.getHeader(HttpHeaders.AUTHORIZATION);
    if (header == null || header.length() < 8 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      unauthorized(request.response(), "Authorization: Bearer <token> is required");
      return null;
    }
    return header.substring(7).trim();
  }

  /** True when the client address is within its limit; answers 429 otherwise. */
  public boolean addressAllowed(HttpServerRequest request) {
    String remote = request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    String client = security.config().trustedProxies().client(remote, request.getHeader("X-Forwarded-For"));
    long wait = security.addresses().secondsToWait(client);
    if (wait == 0) {
      return true;
    }
    security.limitedAddress.increment();
    limited(request.response(), wait);
    return false;
  }

  /** True when the customer is within its limit; answers 429 otherwise. */
  public boolean customerAllowed(HttpServerResponse response, String customerId) {
    long wait = security.customers().secondsToWait(customerId);
    if (wait == 0) {
      return true;
    }
    security.limitedCustomer.increment();
    limited(response, wait);
    return false;
  }

  public static void unauthorized(HttpServerResponse response, String message) {
    if (!response.ended() && !response.headWritten()) {
      response.headers().set(WWW_AUTHENTICATE, BEARER);
    }
    HttpErrors.send(response, 401, "unauthorized", message);
  }

  public static void forbidden(RoutingContext ctx, String message) {
    forbidden(ctx.response(), message);
  }

  public static void forbidden(HttpServerResponse response, String message) {
    HttpErrors.send(response, 403, "forbidden", message);
  }

  /**
   * 429 {@code rate_limited}, held for {@code SECKILL_RATE_LIMIT_HOLD_MS} first while fewer than
   * {@code SECKILL_RATE_LIMIT_HOLD_MAX} refusals are held in this JVM (a timer on this event loop; nothing is sent
   * when the connection went away meanwhile), else at once. {@code Retry-After} is the wait counted at the refusal.
   */
  private void limited(HttpServerResponse response, long seconds) {
    if (response.ended() || response.headWritten()) {
      return;
    }
    HeldRefusals held = security.heldRefusals();
    if (!held.tryHold()) {
      sendLimited(response, seconds);
      return;
    }
    vertx.setTimer(held.millis(), timer -> {
      held.release();
      if (!response.closed()) {
        sendLimited(response, seconds);
      }
    });
  }

  private static void sendLimited(HttpServerResponse response, long seconds) {
    if (response.ended() || response.headWritten()) {
      return;
    }
    MultiMap headers = response.headers();
    headers.set(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON);
    headers.set(RETRY_AFTER, Long.toString(seconds));
    response.setStatusCode(429).end(LIMITED);
  }
}
