package io.seckill.query.shop;

import io.seckill.shared.config.ShopConfig;
import io.seckill.shared.http.ApiException;
import io.seckill.shared.http.Bodies;
import io.seckill.shared.http.HttpErrors;
import io.seckill.shared.identity.CustomerIds;
import io.seckill.shared.identity.DevIssuer;
import io.seckill.shared.identity.DevSignIn;
import io.seckill.shared.identity.IdentityConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Clock;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The shop front: the customer's page at {@code /shop/} (plain JavaScript from the jar), its settings (how it signs
 * in, where the command service is, the server's clock) and the development sign-in for customers (embedded issuer
 * only). The page reads the query API on this origin and calls the command service cross-origin, which answers the
 * origins of {@code SECKILL_CORS_ORIGINS} only.
 */
public final class ShopRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(ShopRoutes.class);
  static final long DEV_TOKEN_SECONDS = 900;
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]");

  private final ShopConfig shop;
  private final IdentityConfig identity;
  private final DevIssuer devIssuer;
  private final int commandPort;
  private final Clock clock;
  private final Buffer page;

  /** {@code devIssuer}: the embedded issuer's key, null when the system signs in through a provider. */
  public ShopRoutes(ShopConfig shop, IdentityConfig identity, DevIssuer devIssuer, int commandPort, Clock clock) {
    this.shop = shop;
    this.identity = identity;
    this.devIssuer = identity.embedded() ? devIssuer : null;
    this.commandPort = commandPort;
    this.clock = clock;
    this.page = resource("shop/index.html");
  }

  public void mount(Router router) {
    // "/shop" matches "/shop/" too (Vert.x ignores a trailing slash): the bare path moves to the page's URL
    router.get("/shop").handler(ctx -> {
      if (!ctx.request().path().endsWith("/")) {
        ctx.redirect("/shop/");
        return;
      }
      page(ctx);
    });
    router.get("/shop/config.json").handler(this::settings);
    router.post("/shop/dev-sign-in").handler(this::devSignIn);
    router.route("/shop/*").handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    router.route("/shop/*").handler(StaticHandler.create("shop").setDirectoryListing(false).setCachingEnabled(false));
  }

  private boolean devSignInOffered() {
    return devIssuer != null && shop.devSignIn() != DevSignIn.OFF;
  }

  /**
   * Whether the page can sign in at a provider: the issuer is a URL. Not so behind another service's development
   * issuer (compose without Keycloak: the issuer is "seckill-dev", the key in the admin container), where the page
   * says that customers cannot sign in here.
   */
  private boolean providerUrl() {
    String issuer = issuer();
    return issuer.startsWith("https://") || issuer.startsWith("http://");
  }

  private String issuer() {
    return shop.issuerUrl() != null ? shop.issuerUrl() : identity.issuer();
  }

  /** Where this browser reaches the command service: the configured URL, or the page's host on the command port. */
  private String commandUrl(RoutingContext ctx) {
    if (shop.commandUrl() != null) {
      return shop.commandUrl();
    }
    HostAndPort authority = ctx.request().authority();
    String host = authority == null || !HOST.matcher(authority.host()).matches() ? "127.0.0.1" : authority.host();
    return (ctx.request().isSSL() ? "https://" : "http://") + host + ":" + commandPort;
  }

  private void page(RoutingContext ctx) {
    String idp = devSignInOffered() || !providerUrl() ? "" : " " + origin(issuer());
    String policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; worker-src 'self';"
        + " connect-src 'self' " + commandUrl(ctx) + idp + "; form-action 'self'" + idp
        + "; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .putHeader("Content-Security-Policy", policy)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(page);
  }

  /** How the page signs in, where it grabs, and the server's clock (the page counts down by it, not by its own). */
  private void settings(RoutingContext ctx) {
    JsonObject settings = new JsonObject()
        .put("signIn", devSignInOffered() ? "development" : providerUrl() ? "oidc" : "none")
        .put("commandUrl", commandUrl(ctx))
        .put("serverTime", clock.millis());
    if (!devSignInOffered() && providerUrl()) {
      settings.put("issuer", issuer()).put("clientId", shop.clientId());
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(settings.toBuffer());
  }

  /**
   * A customer's token for a typed name, signed by the embedded development issuer: offered only when the system is
   * its own issuer, and by default only to callers on this machine (SECKILL_SHOP_DEV_SIGNIN). Never an admin's.
   */
  private void devSignIn(RoutingContext ctx) {
    if (!devSignInOffered()) {
      HttpErrors.send(ctx, 404, "not_found", "there is no development sign-in: this system signs in through "
          + issuer());
      return;
    }
    String remote = ctx.request().remoteAddress() == null ? null : ctx.request().remoteAddress().hostAddress();
    if (!shop.devSignIn().allows(remote)) {
      HttpErrors.send(ctx, 403, "forbidden", "the development sign-in is open to callers on this machine only"
          + " (SECKILL_SHOP_DEV_SIGNIN=" + shop.devSignIn().name().toLowerCase(Locale.ROOT) + ")");
      return;
    }
    JsonObject body = Bodies.jsonObject(ctx, "invalid_request");
    Object name = body.getValue("name");
    if (!(name instanceof String typed) || typed.isBlank() || !CustomerIds.valid(typed.strip())) {
      throw new ApiException(400, "invalid_request", "name must be 1 to " + CustomerIds.MAX_LENGTH + " characters");
    }
    String subject = typed.strip();
    String token = devIssuer.mint(subject, false, DEV_TOKEN_SECONDS, identity, clock.millis() / 1000);
    LOG.info("shop: development sign-in of '{}' from {}", subject, remote);
    ctx.response().setStatusCode(201).putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON)
        .putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(new JsonObject().put("accessToken", token).put("tokenType", "Bearer")
            .put("expiresIn", DEV_TOKEN_SECONDS).put("name", subject).toBuffer());
  }

  private static String origin(String url) {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getRawAuthority();
  }

  private static Buffer resource(String name) {
    try (InputStream in = ShopRoutes.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not on the classpath");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
