package io.seckill.query.shop;

import io.seckill.shared.config.ShopConfig;
import io.seckill.shared.http.HttpErrors;
import io.seckill.shared.http.Pages;
import io.seckill.shared.identity.DevIssuer;
import io.seckill.shared.identity.DevSignInRoute;
import io.seckill.shared.identity.IdentityConfig;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.HostAndPort;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.time.Clock;
import java.util.regex.Pattern;

/**
 * The shop front: the customer's page at {@code /shop/} (plain JavaScript from the jar), its settings (how it signs
 * in, where the command service is, the server's clock) and the development sign-in for customers (embedded issuer
 * only). The page reads the query API on this origin and calls the command service cross-origin, which answers the
 * origins of {@code SECKILL_CORS_ORIGINS} only.
 */
public final class ShopRoutes {
  private static final Pattern HOST = Pattern.compile("[A-Za-z0-9.-]{1,253}|\\[[0-9A-Fa-f:.]{2,45}]");

  private final ShopConfig shop;
  private final IdentityConfig identity;
  private final int commandPort;
  private final Clock clock;
  private final Buffer page;
  private final DevSignInRoute devSignIn;

  /** {@code devIssuer}: the embedded issuer's key, null when the system signs in through a provider. */
  public ShopRoutes(ShopConfig shop, IdentityConfig identity, DevIssuer devIssuer, int commandPort, Clock clock) {
    this.shop = shop;
    this.identity = identity;
    this.commandPort = commandPort;
    this.clock = clock;
    this.page = Pages.resource("shop/index.html");
    this.devSignIn = new DevSignInRoute("shop", "SECKILL_SHOP_DEV_SIGNIN", shop.devSignIn(),
        identity.embedded() ? devIssuer : null, issuer(), identity, clock, false);
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
    router.post("/shop/dev-sign-in").handler(devSignIn::handle);
    Pages.mountCommon(router, "/shop/");
    router.route("/shop/*").handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    router.route("/shop/*").handler(StaticHandler.create("shop").setDirectoryListing(false).setCachingEnabled(false));
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
    String idp = devSignIn.offered() || !providerUrl() ? "" : " " + Pages.origin(issuer());
    String policy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; worker-src 'self';"
        + " connect-src 'self' " + commandUrl(ctx) + idp + "; form-action 'self'" + idp
        + "; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
    Pages.send(ctx, page, policy, "no-store");
  }

  /** How the page signs in, where it grabs, and the server's clock (the page counts down by it, not by its own). */
  private void settings(RoutingContext ctx) {
    JsonObject settings = new JsonObject()
        .put("signIn", devSignIn.offered() ? "development" : providerUrl() ? "oidc" : "none")
        .put("commandUrl", commandUrl(ctx))
        .put("serverTime", clock.millis());
    if (!devSignIn.offered() && providerUrl()) {
      settings.put("issuer", issuer()).put("clientId", shop.clientId());
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).putHeader(HttpHeaders.CACHE_CONTROL, "no-store")
        .end(settings.toBuffer());
  }
}
