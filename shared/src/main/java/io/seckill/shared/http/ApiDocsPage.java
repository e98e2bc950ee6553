package io.seckill.shared.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.StaticHandler;

/**
 * {@code /api-docs/}: the OpenAPI document every service serves at {@code /openapi.json}, rendered by Swagger UI (its
 * webjar, no CDN). The page takes the document from the service that serves it, and tries requests against that
 * service. Scripts and styles from this origin only.
 */
final class ApiDocsPage {
  static final String SWAGGER_UI = "META-INF/resources/webjars/swagger-ui/5.35.0";
  // Swagger UI sets styles inline on its elements; its images are data: URLs
  private static final String POLICY = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline';"
      + " img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none';"
      + " form-action 'none'";
  private static final Buffer PAGE = Pages.resource("api-docs/index.html");

  private ApiDocsPage() {
  }

  static void mount(Router router) {
    // "/api-docs" matches "/api-docs/" too (Vert.x ignores a trailing slash): the bare path moves to the page's URL
    router.get("/api-docs").handler(ctx -> {
      if (!ctx.request().path().endsWith("/")) {
        ctx.redirect("/api-docs/");
        return;
      }
      Pages.send(ctx, PAGE, POLICY, "no-cache");
    });
    router.route("/api-docs/*").handler(ctx -> {
      ctx.response().putHeader("X-Content-Type-Options", "nosniff").putHeader("Content-Security-Policy", POLICY);
      ctx.next();
    });
    // this page's own files first: its index.html, not the webjar's (which loads a demo document from the web)
    router.route("/api-docs/*").handler(StaticHandler.create("api-docs").setDirectoryListing(false));
    router.route("/api-docs/*").handler(StaticHandler.create(SWAGGER_UI).setDirectoryListing(false));
  }
}
