package io.seckill.shared.http;

import io.seckill.shared.testing.Async;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Every service renders its OpenAPI document at /api-docs/ from the Swagger UI webjar, nothing from elsewhere. */
@ExtendWith(VertxExtension.class)
class ApiDocsPageTest {

  @Test
  void theDocumentIsRenderedFromTheJarUnderAPolicyThatLoadsNothingFromElsewhere(Vertx vertx) {
    int port = Async.await(vertx.createHttpServer().requestHandler(ServiceRouter.create(vertx, "api-docs-test",
        Map.of())).listen(0, "127.0.0.1")).actualPort();
    WebClient client = WebClient.create(vertx);
    HttpResponse<Buffer> page = Async.await(client.get(port, "127.0.0.1", "/api-docs/").send());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    assertThat(page.getHeader("Content-Security-Policy")).contains("default-src 'self'").contains("script-src 'self';")
        .contains("connect-src 'self';").contains("frame-ancestors 'none'");
    assertThat(page.bodyAsString()).contains("swagger-ui-bundle.js").contains("api-docs.js")
        .doesNotContain("http://").doesNotContain("https://");
    for (String asset : List.of("swagger-ui-bundle.js", "swagger-ui.css", "api-docs.js")) {
      HttpResponse<Buffer> served = Async.await(client.get(port, "127.0.0.1", "/api-docs/" + asset).send());
      assertThat(served.statusCode()).as(asset).isEqualTo(200);
      assertThat(served.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    }
    // the page the webjar ships loads a demo document from the web: this one is served in its place
    assertThat(Async.await(client.get(port, "127.0.0.1", "/api-docs/index.html").send()).bodyAsString())
        .isEqualTo(page.bodyAsString());
    assertThat(Async.await(client.get(port, "127.0.0.1", "/api-docs/").send()).bodyAsString())
        .doesNotContain("petstore");
    HttpResponse<Buffer> bare = Async.await(client.get(port, "127.0.0.1", "/api-docs").followRedirects(false).send());
    assertThat(bare.statusCode()).isEqualTo(302);
    assertThat(bare.getHeader("Location")).isEqualTo("/api-docs/");
    HttpResponse<Buffer> missing = Async.await(client.get(port, "127.0.0.1", "/api-docs/nothing.js").send());
    assertThat(missing.statusCode()).isEqualTo(404);
    assertThat(missing.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
  }
}
