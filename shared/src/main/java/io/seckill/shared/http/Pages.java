package io.seckill.shared.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;

/** What the pages the services serve from the jar (the console, the shop front, the API docs) have in common. */
public final class Pages {
  private Pages() {
  }

  /** A file of the jar, read once at start. */
  public static Buffer resource(String name) {
    try (InputStream in = Pages.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException(name + " is not in the jar");
      }
      return Buffer.buffer(in.readAllBytes());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Serves the scripts the pages share (the identity provider's sign-in: {@code pages-common/sign-in.js}) under the
   * page's own path, {@code <pagePath>common/}, where the page's policy ({@code script-src 'self'}) takes them.
   */
  public static void mountCommon(Router router, String pagePath) {
    router.route(pagePath + "common/*").handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff");
      ctx.next();
    });
    router.route(pagePath + "common/*")
        .handler(StaticHandler.create("pages-common").setDirectoryListing(false).setCachingEnabled(false));
  }

  /** {@code scheme://host[:port]} of a URL: what a Content-Security-Policy names. */
  public static String origin(String url) {
    URI uri = URI.create(url);
    return uri.getScheme() + "://" + uri.getHost() + (uri.getPort() < 0 ? "" : ":" + uri.getPort());
  }

  /** Sends an HTML page with its policy; no sniffing, no referrer. */
  public static void send(RoutingContext ctx, Buffer page, String policy, String cacheControl) {
    ctx.response()
        .putHeader(HttpHeaders.CONTENT_TYPE, "text/html; charset=utf-8")
        .putHeader(HttpHeaders.CACHE_CONTROL, cacheControl)
        .putHeader("Content-Security-Policy", policy)
        .putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("Referrer-Policy", "no-referrer")
        .end(page);
  }
}
