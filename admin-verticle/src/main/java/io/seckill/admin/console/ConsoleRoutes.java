package io.seckill.admin.console;

import io.seckill.shared.http.ApiException;
import io.seckill.shared.http.HttpErrors;
import io.seckill.shared.http.Pages;
import io.seckill.shared.identity.DevSignInRoute;
import io.seckill.shared.identity.Guard;
import io.seckill.shared.identity.IdentityConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.Optional;
import java.time.Instant;
import io.vertx.core.json.JsonArray;
import io.seckill.shared.metrics.LatencyBuckets;

/**
 * The operator console (SPEC §9): its page and assets from the jar, its sign-in settings, the development sign-in
 * (embedded issuer only), and the few reads the page needs that no other API gives in one call: a live view of a
 * sale as a stream of server-sent events, the cluster's leases, and the read model's audit and rebuilds (passed to
 * the event service with the caller's own token). Everything but the page, its assets and its settings is for admins.
 */
public final class ConsoleRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ConsoleRoutes.class);
  private static final long SAMPLE_MILLIS = 1_000;
  private static final int PROXY_MILLIS = 35_000;
  private static final long[] BUCKETS_MS = LatencyBuckets.millis();

  private final Vertx vertx;
  private final ConsoleConfig config;
  private final IdentityConfig identity;
  private final ConsoleStore store;
  private final Guard guard;
  private final Clock clock;
  private final HttpClient client;
  private final Buffer page;
  private final String policy;
  private final DevSignInRoute devSignIn;

  public ConsoleRoutes(Vertx vertx, ConsoleConfig config, IdentityConfig identity, ConsoleStore store, Guard guard,
                       Clock clock) {
    this.vertx = vertx;
    this.config = config;
    this.identity = identity;
    this.store = store;
    this.guard = guard;
    this.clock = clock;
    this.client = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(1_000).setKeepAlive(true));
    this.page = Pages.resource("console/index.html");
    this.devSignIn = new DevSignInRoute("console", "SECKILL_CONSOLE_DEV_SIGNIN", config.devSignIn(),
        config.devIssuer(), config.issuerUrl(), identity, clock, true);
    String idp = config.devSignInOffered() ? "" : " " + Pages.origin(config.issuerUrl());
    this.policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'"
        + idp + "; form-action 'self'" + idp + "; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
  }

  public void mount(Router router) {
    // a person types the host first: the admin service's root is the console
    router.get("/").handler(ctx -> ctx.redirect("/console/"));
    // "/console" matches "/console/" too (Vert.x ignores a trailing slash): the bare path moves to the page's URL
    router.get("/console").handler(ctx -> {
      if (!ctx.request().path().endsWith("/")) {
        ctx.redirect("/console/");
        return;
      }
      page(ctx);
    });
    router.get("/console/config.json").handler(this::settings);
    router.post("/console/dev-sign-in").handler(devSignIn::handle);
    router.get("/console/api/live/:promotionId").handler(guard.admin()).handler(this::live);
    router.get("/console/api/cluster").handler(guard.admin()).handler(this::cluster);
    router.get("/console/api/audit").handler(guard.admin()).handler(ctx -> toEvent(ctx, "/read-model/audit"));
    router.get("/console/api/audit/:promotionId").handler(guard.admin())
        .handler(ctx -> toEvent(ctx, "/read-model/audit/" + promotionId(ctx)));
    router.post("/console/api/rebuilds").handler(guard.admin()).handler(ctx -> toEvent(ctx, "/read-model/rebuilds"));
    router.get("/console/api/rebuilds/:rebuildId").handler(guard.admin())
        .handler(ctx -> toEvent(ctx, "/read-model/rebuilds/" + uuid(ctx.pathParam("rebuildId"), "rebuild")));
    router.route("/console/*").handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    router.route("/console/vendor/*")
        .handler(StaticHandler.create("META-INF/resources/webjars/uplot/1.6.30/dist").setDirectoryListing(false));
    Pages.mountCommon(router, "/console/");
    router.route("/console/*")
        .handler(StaticHandler.create("console").setDirectoryListing(false).setCachingEnabled(false));
  }

  /** The page itself, with its policy. */
  private void page(RoutingContext ctx) {
    Pages.send(ctx, page, policy, "no-store");
  }

  /** What the page needs to sign in: the development sign-in, or the identity provider and the console's client. */
  private void settings(RoutingContext ctx) {
    JsonObject settings = new JsonObject()
        .put("signIn", config.devSignInOffered() ? "development" : "oidc")
        .put("rolesClaim", identity.rolesClaim())
        .put("adminRole", identity.adminRole());
    if (!config.devSignInOffered()) {
      settings.put("issuer", config.issuerUrl()).put("clientId", config.clientId());
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(settings.toBuffer());
  }

  /**
   * {@code text/event-stream}: a {@code sample} event about every second until the caller's token expires (then an
   * {@code expired} event, and the page opens a new stream with its refreshed token) or the caller goes.
   */
  private void live(RoutingContext ctx) {
    UUID promotionId = uuid(ctx.pathParam("promotionId"), "promotion");
    String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    long expiresAtMillis = expiry(authorization.substring(7).trim());
    store.writeSide(promotionId).onComplete(found -> {
      if (found.failed()) {
        HttpErrors.send(ctx, 503, "unavailable", "WriteDB did not answer: " + found.cause().getMessage());
        return;
      }
      if (found.result().isEmpty()) {
        HttpErrors.send(ctx, 404, "not_found", "no promotion " + promotionId);
        return;
      }
      HttpServerResponse response = ctx.response().setChunked(true)
          .putHeader(HttpHeaders.CONTENT_TYPE, "text/event-stream; charset=utf-8")
          .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
          .putHeader("X-Accel-Buffering", "no");
      EventStream stream = new EventStream(response);
      stream.comment("live view of " + promotionId);
      new LiveStream(promotionId, authorization, expiresAtMillis, stream).next();
    });
  }

  /** One open live view: samples one after another, never two at once. */
  private final class LiveStream {
    private final UUID promotionId;
    private final String authorization;
    private final long expiresAtMillis;
    private final EventStream stream;
    private final LiveFigures figures = new LiveFigures();

    LiveStream(UUID promotionId, String authorization, long expiresAtMillis, EventStream stream) {
      this.promotionId = promotionId;
      this.authorization = authorization;
      this.expiresAtMillis = expiresAtMillis;
      this.stream = stream;
    }

    void next() {
      if (stream.closed()) {
        return;
      }
      if (clock.millis() >= expiresAtMillis) {
        stream.event("expired", new JsonObject().put("message", "your sign-in expired; the page opens a new view"));
        stream.end();
        return;
      }
      long began = clock.millis();
      sample().onComplete(ar -> {
        if (ar.succeeded()) {
          stream.event("sample", ar.result());
        } else {
          stream.event("failure", new JsonObject().put("message", ar.cause().getMessage()));
        }
        long wait = Math.max(1, SAMPLE_MILLIS - (clock.millis() - began));
        vertx.setTimer(wait, id -> next());
      });
    }

    private Future<JsonObject> sample() {
      Future<Optional<LiveFigures.WriteSide>> write = store.writeSide(promotionId);
      Future<Integer> read = readRemaining(promotionId);
      Future<Map<String, JsonObject>> members = memberTallies(promotionId, authorization);
      return Future.all(write, read, members).compose(all -> {
        if (write.result().isEmpty()) {
          return Future.failedFuture("promotion " + promotionId + " was deleted");
        }
        LiveFigures.WriteSide side = write.result().get();
        Integer remaining = read.result();
        long readGranted = remaining == null ? side.granted() : side.numberOfCoupons() - remaining;
        Future<Instant> oldest = readGranted < side.granted()
            ? store.occurredAt(promotionId, readGranted + 2) : Future.succeededFuture(null);
        return oldest.map(at -> figures.next(clock.instant(), side, remaining, at, members.result(),
            BUCKETS_MS).put("promotionId", promotionId.toString()));
      });
    }
  }

  /** ReadDB's remaining coupons through the query service; null when it does not list the promotion as active. */
  private Future<Integer> readRemaining(UUID promotionId) {
    return get(config.queryUrl() + "/query/promotions/" + promotionId, null).map(reply -> reply.status() == 200
        ? new JsonObject(reply.body()).getInteger("remainingCoupons") : null).otherwise((Integer) null);
  }

  /** A member's tally of the promotion, with the connections its process refused over a cap (all promotions'). */
  private static JsonObject tally(JsonObject stats, UUID promotionId) {
    JsonObject tally = stats.getJsonObject("promotions").getJsonObject(promotionId.toString());
    return tally == null ? null : tally.put("connections_refused", stats.getLong("connectionsRefused", 0L));
  }

  /** Each command member's tally of the promotion, null for a member that did not answer. */
  private Future<Map<String, JsonObject>> memberTallies(UUID promotionId, String authorization) {
    List<Future<JsonObject>> asks = new ArrayList<>();
    for (String url : config.commandUrls()) {
      asks.add(get(url + "/command/stats?promotionId=" + promotionId, authorization)
          .map(reply -> reply.status() == 200 ? tally(new JsonObject(reply.body()), promotionId) : null)
          .otherwise((JsonObject) null));
    }
    // each ask turns its failure into null, so the join always succeeds
    return Future.join(asks).map(v -> {
      Map<String, JsonObject> tallies = new LinkedHashMap<>();
      for (int i = 0; i < asks.size(); i++) {
        tallies.put(config.commandUrls().get(i), asks.get(i).result());
      }
      return tallies;
    });
  }

  /** The leases, and which command members answer. */
  private void cluster(RoutingContext ctx) {
    List<Future<JsonObject>> members = new ArrayList<>();
    for (String url : config.commandUrls()) {
      members.add(get(url + "/health", null).map(reply -> {
        JsonObject member = new JsonObject().put("url", url).put("answered", true).put("healthy", reply.status() == 200);
        try {
          member.put("health", new JsonObject(reply.body()));
        } catch (RuntimeException notJson) {
          member.put("health", null);
        }
        return member;
      }).otherwise(e -> new JsonObject().put("url", url).put("answered", false).put("healthy", false)
          .put("error", e.getMessage())));
    }
    Future<JsonObject> leases = store.leases();
    List<Future<?>> all = new ArrayList<>(members);
    all.add(leases);
    Future.join(all).onComplete(done -> {
      if (leases.failed()) {
        HttpErrors.send(ctx, 503, "unavailable", "WriteDB did not answer: " + leases.cause().getMessage());
        return;
      }
      JsonArray answered = new JsonArray();
      members.forEach(m -> answered.add(m.result()));
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON)
          .end(leases.result().put("members", answered).toBuffer());
    });
  }

  /** Passes the call to the event service with the caller's token; its answer (or a 503 naming it) goes back. */
  private void toEvent(RoutingContext ctx, String path) {
    String authorization = ctx.request().getHeader(HttpHeaders.AUTHORIZATION);
    HttpMethod method = ctx.request().method();
    Buffer body = method == HttpMethod.POST ? (ctx.body().buffer() == null ? Buffer.buffer("{}") : ctx.body().buffer())
        : null;
    String query = ctx.request().query();
    RequestOptions options = new RequestOptions().setMethod(method)
        .setAbsoluteURI(config.eventUrl() + path + (query == null ? "" : "?" + query)).setIdleTimeout(PROXY_MILLIS)
        .putHeader(HttpHeaders.AUTHORIZATION, authorization);
    if (body != null) {
      options.putHeader(HttpHeaders.CONTENT_TYPE, "application/json");
    }
    client.request(options)
        .compose(request -> body == null ? request.send() : request.send(body))
        .compose(response -> response.body().map(b -> new Reply(response.statusCode(),
            response.getHeader(HttpHeaders.CONTENT_TYPE), b)))
        .onComplete(ar -> {
          if (ar.failed()) {
            HttpErrors.send(ctx, 503, "event_unavailable", "the event service at " + config.eventUrl()
                + " did not answer: " + ar.cause().getMessage());
            return;
          }
          Reply reply = ar.result();
          ctx.response().setStatusCode(reply.status())
              .putHeader(HttpHeaders.CONTENT_TYPE, reply.type() == null ? HttpErrors.JSON.toString() : reply.type())
              .end(reply.body());
        });
  }

  private record Reply(int status, String type, Buffer body) {
  }

  private Future<Reply> get(String url, String authorization) {
    RequestOptions options = new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setIdleTimeout(1_000);
    if (authorization != null) {
      options.putHeader(HttpHeaders.AUTHORIZATION, authorization);
    }
    return client.request(options).compose(request -> request.send())
        .compose(response -> response.body().map(b -> new Reply(response.statusCode(), null, b)));
  }

  /** The token's {@code exp} in milliseconds (the guard has verified it already). */
  static long expiry(String jwt) {
    String[] parts = jwt.split("\\.");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(parts[1]), StandardCharsets.UTF_8));
    return claims.getLong("exp") * 1000;
  }

  private static String promotionId(RoutingContext ctx) {
    return uuid(ctx.pathParam("promotionId"), "promotion").toString();
  }

  private static UUID uuid(String raw, String what) {
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new ApiException(404, "not_found", "no " + what + " " + raw);
    }
  }
}
