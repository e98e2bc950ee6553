package io.seckill.query.shop;

import io.seckill.query.QueryVerticle;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.config.ShopConfig;
import io.seckill.shared.identity.DevSignIn;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shop front's routes on a real query verticle: the page and its policy, its settings (the command service's
 * address, the server's clock), and the development sign-in, which gives a customer's token and nothing more. The
 * browser test (ShopBrowserIT) drives the page.
 */
@ExtendWith(VertxExtension.class)
class ShopRoutesTest {
  private static SecKillConfig config;
  private static SecKillConfig closed;
  private static WebClient client;

  @BeforeAll
  static void deploy(Vertx vertx) {
    config = TestInfra.freshConfig();
    Async.await(vertx.deployVerticle(new QueryVerticle(config, TestInfra.issuer())));
    closed = TestInfra.freshConfig().withShop(new ShopConfig(List.of(), null, "seckill-shop", null, DevSignIn.OFF));
    Async.await(vertx.deployVerticle(new QueryVerticle(closed, TestInfra.issuer())));
    client = Async.client(vertx, 8);
  }

  private static HttpResponse<Buffer> call(SecKillConfig on, HttpMethod method, String path, String token,
                                           Object body) {
    HttpRequest<Buffer> request = client.request(method, on.queryPort(), "127.0.0.1", path).followRedirects(false);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return Async.await(body == null ? request.send() : body instanceof JsonObject json ? request.sendJsonObject(json)
        : request.sendBuffer(Buffer.buffer((String) body)));
  }

  @Test
  void thePageComesFromTheJarAndMayCallOnlyThisOriginAndTheCommandService() {
    HttpResponse<Buffer> page = call(config, HttpMethod.GET, "/shop/", null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Cache-Control")).isEqualTo("no-store");
    assertThat(page.getHeader("Content-Security-Policy")).contains("default-src 'self'", "script-src 'self';",
        "worker-src 'self';", "connect-src 'self' http://127.0.0.1:" + config.commandPort() + ";",
        "frame-ancestors 'none'");
    assertThat(page.bodyAsString()).contains("/shop/shop.js").contains("/shop/common/sign-in.js")
        .doesNotContain("http://").doesNotContain("https://");
    for (String asset : List.of("/shop/shop.js", "/shop/shop.css", "/shop/pow-worker.js", "/shop/common/sign-in.js")) {
      HttpResponse<Buffer> served = call(config, HttpMethod.GET, asset, null, null);
      assertThat(served.statusCode()).as(asset).isEqualTo(200);
      assertThat(served.getHeader("X-Content-Type-Options")).isEqualTo("nosniff");
    }
    assertThat(call(config, HttpMethod.GET, "/shop/nothing.js", null, null).statusCode()).isEqualTo(404);
    HttpResponse<Buffer> bare = call(config, HttpMethod.GET, "/shop", null, null);
    assertThat(bare.statusCode()).isEqualTo(302);
    assertThat(bare.getHeader("Location")).isEqualTo("/shop/");
  }

  @Test
  void theSettingsSayWhereToGrabAndTheServersClock() {
    long before = System.currentTimeMillis();
    JsonObject settings = call(config, HttpMethod.GET, "/shop/config.json", null, null).bodyAsJsonObject();
    assertThat(settings.getString("signIn")).isEqualTo("development");
    assertThat(settings.getString("commandUrl")).isEqualTo("http://127.0.0.1:" + config.commandPort());
    assertThat(settings.getLong("serverTime")).isBetween(before - 1000, System.currentTimeMillis() + 1000);
    // the command service is found on the host the browser used; a Host that is no host name is not echoed
    HttpResponse<Buffer> named = Async.await(client.get(config.queryPort(), "127.0.0.1", "/shop/config.json")
        .putHeader("Host", "shop.example.com:8083").send());
    assertThat(named.bodyAsJsonObject().getString("commandUrl"))
        .isEqualTo("http://shop.example.com:" + config.commandPort());
    HttpResponse<Buffer> odd = Async.await(client.get(config.queryPort(), "127.0.0.1", "/shop/config.json")
        .putHeader("Host", "x\"onload=alert(1)").send());
    assertThat(odd.statusCode()).isIn(200, 400);
    if (odd.statusCode() == 200) {
      assertThat(odd.bodyAsJsonObject().getString("commandUrl")).isEqualTo("http://127.0.0.1:" + config.commandPort());
    }
  }

  @Test
  void theDevelopmentSignInGivesACustomersTokenNeverAnAdmins() {
    HttpResponse<Buffer> signIn = call(config, HttpMethod.POST, "/shop/dev-sign-in", null,
        new JsonObject().put("name", " alice "));
    assertThat(signIn.statusCode()).isEqualTo(201);
    assertThat(signIn.getHeader("Cache-Control")).isEqualTo("no-store");
    String token = signIn.bodyAsJsonObject().getString("accessToken");
    assertThat(signIn.bodyAsJsonObject().getString("name")).isEqualTo("alice");
    JsonObject claims = new JsonObject(new String(Base64.getUrlDecoder().decode(token.split("\\.")[1]),
        StandardCharsets.UTF_8));
    assertThat(claims.getString("sub")).isEqualTo("alice");
    assertThat(claims.encode()).doesNotContain("seckill-admin");
    assertThat(call(config, HttpMethod.GET, "/query/coupons/alice", token, null).statusCode()).isEqualTo(200);
    assertThat(call(config, HttpMethod.GET, "/query/coupons/bob", token, null).statusCode()).isEqualTo(403);
    for (Object bad : List.of(new JsonObject(), new JsonObject().put("name", ""), new JsonObject().put("name", 7),
        new JsonObject().put("name", "x".repeat(65)), "not json")) {
      HttpResponse<Buffer> refused = call(config, HttpMethod.POST, "/shop/dev-sign-in", null, bad);
      assertThat(refused.statusCode()).as(String.valueOf(bad)).isEqualTo(400);
      assertThat(refused.bodyAsJsonObject().getString("message")).isNotBlank();
    }
  }

  @Test
  void withTheDevelopmentSignInOffAndNoProviderUrlCustomersAreToldTheyCannotSignInHere() {
    JsonObject settings = call(closed, HttpMethod.GET, "/shop/config.json", null, null).bodyAsJsonObject();
    assertThat(settings.getString("signIn")).isEqualTo("none");
    assertThat(settings.containsKey("issuer")).isFalse();
    HttpResponse<Buffer> refused = call(closed, HttpMethod.POST, "/shop/dev-sign-in", null,
        new JsonObject().put("name", "alice"));
    assertThat(refused.statusCode()).isEqualTo(404);
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
  }
}
