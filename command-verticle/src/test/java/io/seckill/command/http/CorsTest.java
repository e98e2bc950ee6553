package io.seckill.command.http;

import io.seckill.shared.http.ServiceRouter;
import io.seckill.shared.testing.Async;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The command service answers browsers of the listed origins only (the shop front's by default): a preflight from
 * another origin is refused, and no answer ever allows credentials (the page sends its token in a header, never a
 * cookie).
 */
@ExtendWith(VertxExtension.class)
class CorsTest {
  private static final String SHOP = "http://127.0.0.1:8083";

  private static int serve(Vertx vertx) {
    Router router = ServiceRouter.create(vertx, "cors-test", Map.of());
    router.route("/command/*").handler(CommandHttpVerticle.cors(List.of(SHOP, "http://localhost:8083")));
    router.post("/command/coupons").handler(ctx -> ctx.response().putHeader("Retry-After", "1").end("{}"));
    return Async.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")).actualPort();
  }

  private static HttpResponse<Buffer> preflight(WebClient client, int port, String origin, String headers) {
    return Async.await(client.request(HttpMethod.OPTIONS, port, "127.0.0.1", "/command/coupons")
        .putHeader("Origin", origin).putHeader("Access-Control-Request-Method", "POST")
        .putHeader("Access-Control-Request-Headers", headers).send());
  }

  @Test
  void theShopFrontsOriginMayGrabFromABrowser(Vertx vertx) {
    int port = serve(vertx);
    WebClient client = WebClient.create(vertx);
    HttpResponse<Buffer> allowed = preflight(client, port, SHOP, "authorization,content-type");
    assertThat(allowed.statusCode()).isIn(200, 204);
    assertThat(allowed.getHeader("Access-Control-Allow-Origin")).isEqualTo(SHOP);
    assertThat(allowed.getHeader("Access-Control-Allow-Headers")).containsIgnoringCase("authorization");
    assertThat(allowed.getHeader("Access-Control-Allow-Credentials")).isNull();
    HttpResponse<Buffer> grab = Async.await(client.post(port, "127.0.0.1", "/command/coupons")
        .putHeader("Origin", SHOP).sendBuffer(Buffer.buffer("{}")));
    assertThat(grab.getHeader("Access-Control-Allow-Origin")).isEqualTo(SHOP);
    assertThat(grab.getHeader("Access-Control-Expose-Headers")).containsIgnoringCase("Retry-After");
  }

  @Test
  void anotherOriginIsRefused(Vertx vertx) {
    int port = serve(vertx);
    WebClient client = WebClient.create(vertx);
    for (String origin : List.of("https://evil.example", "http://127.0.0.1:8084", "null", "http://127.0.0.1:8083.evil")) {
      HttpResponse<Buffer> refused = preflight(client, port, origin, "authorization,content-type");
      assertThat(refused.statusCode()).as(origin).isEqualTo(403);
      assertThat(refused.getHeader("Access-Control-Allow-Origin")).as(origin).isNull();
      HttpResponse<Buffer> grab = Async.await(client.post(port, "127.0.0.1", "/command/coupons")
          .putHeader("Origin", origin).sendBuffer(Buffer.buffer("{}")));
      assertThat(grab.getHeader("Access-Control-Allow-Origin")).as(origin).isNull();
    }
    // a header the page does not send is not allowed either
    HttpResponse<Buffer> header = preflight(client, port, SHOP, "x-admin-override");
    assertThat(header.getHeader("Access-Control-Allow-Headers")).doesNotContainIgnoringCase("x-admin-override");
  }
}
