package io.seckill.admin.console;

import io.seckill.admin.AdminVerticle;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.identity.DevSignIn;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import java.time.Duration;

/**
 * The console's routes on a real admin verticle: its page and settings, the development sign-in and who may use it,
 * and the refusals of every call the page makes (no token, a customer's token). The browser test drives the rest.
 */
@ExtendWith(VertxExtension.class)
class ConsoleRoutesTest {
  private static SecKillConfig config;
  private static SecKillConfig closed;
  private static WebClient client;

  @BeforeAll
  static void deploy(Vertx vertx) {
    config = TestInfra.freshConfig();
    ConsoleConfig local = ConsoleConfig.local(config);
    Async.await(vertx.deployVerticle(new AdminVerticle(config, Clock.systemUTC(), new ConsoleConfig(
        local.clientId(), local.issuerUrl(), DevSignIn.LOOPBACK, TestInfra.issuer(),
        local.commandUrls(), local.queryUrl(), local.eventUrl()))));
    closed = TestInfra.freshConfig();
    ConsoleConfig off = ConsoleConfig.local(closed);
    Async.await(vertx.deployVerticle(new AdminVerticle(closed, Clock.systemUTC(), new ConsoleConfig(
        off.clientId(), off.issuerUrl(), DevSignIn.OFF, TestInfra.issuer(),
        off.commandUrls(), off.queryUrl(), off.eventUrl()))));
    client = Async.client(vertx, 8);
  }

  private static HttpResponse<Buffer> call(SecKillConfig on, HttpMethod method, String path, String token,
                                           Object body) {
    var request = client.request(method, on.adminPort(), "127.0.0.1", path);
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return Async.await(body == null ? request.send()
        : body instanceof JsonObject json ? request.sendJsonObject(json) : request.sendBuffer(Buffer.buffer((String) body)));
  }

  @Test
  void thePageComesFromTheJarWithAPolicyThatLoadsNothingFromElsewhere() {
    HttpResponse<Buffer> page = call(config, HttpMethod.GET, "/console/", null, null);
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.getHeader("Content-Type")).startsWith("text/html");
    assertThat(page.getHeader("Content-Security-Policy")).contains("default-src 'self'").contains("frame-ancestors 'none'");
    assertThat(page.bodyAsString()).contains("/console/console.js").contains("/console/vendor/uPlot.iife.min.js")
        .contains("/console/common/sign-in.js").doesNotContain("http://").doesNotContain("https://");
    for (String asset : List.of("/console/console.js", "/console/console.css", "/console/vendor/uPlot.iife.min.js",
        "/console/vendor/uPlot.min.css", "/console/common/sign-in.js")) {
      assertThat(call(config, HttpMethod.GET, asset, null, null).statusCode()).as(asset).isEqualTo(200);
    }
    assertThat(call(config, HttpMethod.GET, "/console/vendor/", null, null).statusCode()).isEqualTo(404);
    assertThat(call(config, HttpMethod.GET, "/console/common/", null, null).statusCode()).isEqualTo(404);
    HttpResponse<Buffer> bare = Async.await(client.get(config.adminPort(), "127.0.0.1", "/console")
        .followRedirects(false).send());
    assertThat(bare.statusCode()).isEqualTo(302);
    assertThat(bare.getHeader("Location")).isEqualTo("/console/");
  }

  @Test
  void theDevelopmentSignInMintsAnAdminTokenForATypedName() {
    JsonObject settings = call(config, HttpMethod.GET, "/console/config.json", null, null).bodyAsJsonObject();
    assertThat(settings.getString("signIn")).isEqualTo("development");
    HttpResponse<Buffer> signIn = call(config, HttpMethod.POST, "/console/dev-sign-in", null,
        new JsonObject().put("name", " ops "));
    assertThat(signIn.statusCode()).isEqualTo(201);
    assertThat(signIn.getHeader("Cache-Control")).isEqualTo("no-store");
    String token = signIn.bodyAsJsonObject().getString("accessToken");
    assertThat(signIn.bodyAsJsonObject().getString("name")).isEqualTo("ops");
    assertThat(call(config, HttpMethod.GET, "/admin/promotions", token, null).statusCode()).isEqualTo(200);
    for (Object bad : List.of(new JsonObject(), new JsonObject().put("name", ""), new JsonObject().put("name", 7),
        new JsonObject().put("name", "x".repeat(65)), "not json")) {
      HttpResponse<Buffer> refused = call(config, HttpMethod.POST, "/console/dev-sign-in", null, bad);
      assertThat(refused.statusCode()).as(String.valueOf(bad)).isEqualTo(400);
      assertThat(refused.bodyAsJsonObject().getString("message")).isNotBlank();
    }
  }

  @Test
  void aSystemWithTheDevelopmentSignInOffHasNone() {
    assertThat(call(closed, HttpMethod.GET, "/console/config.json", null, null).bodyAsJsonObject()
        .getString("signIn")).isEqualTo("oidc");
    HttpResponse<Buffer> refused = call(closed, HttpMethod.POST, "/console/dev-sign-in", null,
        new JsonObject().put("name", "ops"));
    assertThat(refused.statusCode()).isEqualTo(404);
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
  }

  @Test
  void everyCallOfThePageNeedsAnAdminToken() {
    String customer = TestInfra.token("console-customer");
    String promotion = UUID.randomUUID().toString();
    for (String[] route : new String[][] {{"GET", "/console/api/live/" + promotion}, {"GET", "/console/api/cluster"},
        {"GET", "/console/api/audit"}, {"GET", "/console/api/audit/" + promotion}, {"POST", "/console/api/rebuilds"},
        {"GET", "/console/api/rebuilds/" + promotion}}) {
      HttpMethod method = HttpMethod.valueOf(route[0]);
      JsonObject body = method == HttpMethod.POST ? new JsonObject() : null;
      HttpResponse<Buffer> anonymous = call(config, method, route[1], null, body);
      assertThat(anonymous.statusCode()).as(route[1]).isEqualTo(401);
      assertThat(anonymous.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
      HttpResponse<Buffer> forbidden = call(config, method, route[1], customer, body);
      assertThat(forbidden.statusCode()).as(route[1]).isEqualTo(403);
      assertThat(forbidden.bodyAsJsonObject().getString("error")).isEqualTo("forbidden");
    }
  }

  @Test
  void aServiceThatDoesNotAnswerIsNamed() {
    // nothing listens on this configuration's event port: the page shows this message
    HttpResponse<Buffer> audit = call(config, HttpMethod.GET, "/console/api/audit", TestInfra.ADMIN_TOKEN, null);
    assertThat(audit.statusCode()).isEqualTo(503);
    assertThat(audit.bodyAsJsonObject().getString("error")).isEqualTo("event_unavailable");
    assertThat(audit.bodyAsJsonObject().getString("message"))
        .startsWith("the event service at http://127.0.0.1:" + config.eventPort() + " did not answer");
  }

  @Test
  void aLiveViewOfNoPromotionIs404AndAStreamEndsWhenItsTokenExpires() {
    HttpResponse<Buffer> none = call(config, HttpMethod.GET, "/console/api/live/" + UUID.randomUUID(),
        TestInfra.ADMIN_TOKEN, null);
    assertThat(none.statusCode()).isEqualTo(404);
    assertThat(none.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
    Instant now = Instant.now();
    JsonObject created = call(config, HttpMethod.POST, "/admin/promotions", TestInfra.ADMIN_TOKEN, new JsonObject()
        .put("numberOfCoupons", 5).put("discount", 0.5).put("publishTime", now.plusSeconds(600).toString())
        .put("finishTime", now.plusSeconds(1200).toString())).bodyAsJsonObject();
    String shortLived = TestInfra.issuer().mint("brief-admin", true, 3, TestInfra.security().identity(),
        now.getEpochSecond());
    HttpResponse<Buffer> stream = Async.await(client.get(config.adminPort(), "127.0.0.1",
        "/console/api/live/" + created.getString("promotionId")).bearerTokenAuthentication(shortLived)
        .timeout(15_000).send(), Duration.ofSeconds(20));
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.getHeader("Content-Type")).startsWith("text/event-stream");
    String events = stream.bodyAsString();
    assertThat(events).contains("event: sample\ndata: {").endsWith("event: expired\ndata: {\"message\":"
        + "\"your sign-in expired; the page opens a new view\"}\n\n");
    JsonObject sample = new JsonObject(events.lines().filter(l -> l.startsWith("data: {\"at\"")).findFirst()
        .orElseThrow().substring(6));
    assertThat(sample.getString("status")).isEqualTo("scheduled");
    assertThat(sample.getLong("couponsLeft")).isEqualTo(5);
    assertThat(sample.getJsonArray("members").getJsonObject(0).getBoolean("answered")).isFalse();
  }
}
