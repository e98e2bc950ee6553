package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.AttackTokens;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC 2.1 and I10 against the whole system as the launcher starts it: every protected endpoint refuses every
 * broken token of {@link AttackTokens} with 401 (never a 5xx), a customer's token gets 403 wherever it may not
 * go, and nothing an attack tried changed a promotion or granted a coupon.
 */
@ExtendWith(VertxExtension.class)
class IdentityAttackTest {
  private static RunningSystem system;
  private static WebClient client;
  private static String promotionId;

  /** A protected endpoint: method, port, path, body. */
  private record Endpoint(HttpMethod method, int port, String path, JsonObject body) {
    @Override
    public String toString() {
      return method + " " + path;
    }
  }

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    system = RunningSystem.start("all", Map.of());
    client = Async.client(vertx, 64);
    Instant now = Instant.now();
    HttpResponse<Buffer> created = Async.await(client.post(system.config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).sendJsonObject(new JsonObject().put("numberOfCoupons", 3)
            .put("discount", 0.5).put("publishTime", now.toString()).put("finishTime", now.plusSeconds(3600).toString())));
    assertThat(created.statusCode()).isEqualTo(201);
    promotionId = created.bodyAsJsonObject().getString("promotionId");
    Async.await(Async.eventually(vertx, Duration.ofSeconds(5), () -> client.get(system.config.adminPort(),
            "127.0.0.1", "/admin/promotions/" + promotionId).bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send()
        .map(r -> "active".equals(r.bodyAsJsonObject().getString("status")))));
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  private static List<Endpoint> protectedEndpoints() {
    Instant now = Instant.now();
    JsonObject terms = new JsonObject().put("numberOfCoupons", 1_000).put("discount", 0.01)
        .put("publishTime", now.toString()).put("finishTime", now.plusSeconds(60).toString());
    JsonObject grab = new JsonObject().put("promotionId", promotionId);
    int admin = system.config.adminPort();
    int command = system.config.commandPort();
    return List.of(
        new Endpoint(HttpMethod.GET, admin, "/admin/promotions", null),
        new Endpoint(HttpMethod.POST, admin, "/admin/promotions", terms),
        new Endpoint(HttpMethod.GET, admin, "/admin/promotions/" + promotionId, null),
        new Endpoint(HttpMethod.PUT, admin, "/admin/promotions/" + promotionId, terms),
        new Endpoint(HttpMethod.DELETE, admin, "/admin/promotions/" + promotionId, null),
        new Endpoint(HttpMethod.POST, command, "/command/coupons", grab),
        new Endpoint(HttpMethod.POST, command, "/command/tickets", grab),
        new Endpoint(HttpMethod.GET, system.config.queryPort(), "/query/coupons/attacker", null));
  }

  private static Future<HttpResponse<Buffer>> send(Endpoint endpoint, String token) {
    HttpRequest<Buffer> request = client.request(endpoint.method(), endpoint.port(), "127.0.0.1", endpoint.path());
    if (token != null) {
      request.putHeader("Authorization", "Bearer " + token);
    }
    return endpoint.body() == null ? request.send() : request.sendJsonObject(endpoint.body());
  }

  @Test
  void everyBrokenTokenIsA401AtEveryProtectedEndpoint(VertxTestContext ctx) {
    Map<String, String> attacks = AttackTokens.all();
    List<String> cases = new ArrayList<>();
    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    for (Endpoint endpoint : protectedEndpoints()) {
      for (Map.Entry<String, String> attack : attacks.entrySet()) {
        cases.add(endpoint + " with " + attack.getKey());
        answers.add(send(endpoint, attack.getValue()));
      }
      cases.add(endpoint + " with Basic credentials");
      answers.add(client.request(endpoint.method(), endpoint.port(), "127.0.0.1", endpoint.path())
          .putHeader("Authorization", "Basic YWRtaW46YWRtaW4=").send());
    }
    Future.join(new ArrayList<>(answers)).onComplete(done -> ctx.verify(() -> {
      for (int i = 0; i < answers.size(); i++) {
        assertThat(answers.get(i).succeeded()).as(cases.get(i) + " answered").isTrue();
        HttpResponse<Buffer> response = answers.get(i).result();
        assertThat(response.statusCode()).as(cases.get(i) + ": " + response.bodyAsString()).isEqualTo(401);
        assertThat(response.getHeader("WWW-Authenticate")).as(cases.get(i)).isEqualTo("Bearer");
        assertThat(response.bodyAsJsonObject().getString("error")).as(cases.get(i)).isEqualTo("unauthorized");
        assertThat(response.bodyAsJsonObject().getString("message")).as(cases.get(i)).isNotBlank();
      }
      assertThat(answers).hasSize(protectedEndpoints().size() * (attacks.size() + 1));
      ctx.completeNow();
    }));
  }

  @Test
  void nothingTheAttacksSentChangedAnything(Vertx vertx, VertxTestContext ctx) {
    // run after (or beside) the 401s: the promotion keeps its terms and no coupon went to the attacker
    List<Future<HttpResponse<Buffer>>> attempts = new ArrayList<>();
    for (String token : AttackTokens.all().values()) {
      for (Endpoint endpoint : protectedEndpoints()) {
        attempts.add(send(endpoint, token));
      }
    }
    Future.join(new ArrayList<>(attempts))
        .compose(v -> client.get(system.config.adminPort(), "127.0.0.1", "/admin/promotions")
            .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send())
        .compose(list -> client.get(system.config.queryPort(), "127.0.0.1", "/query/coupons/attacker")
            .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send().map(coupons -> List.of(list, coupons)))
        .onComplete(ctx.succeeding(both -> ctx.verify(() -> {
          assertThat(both.get(0).bodyAsJsonArray()).hasSize(1);
          JsonObject promotion = both.get(0).bodyAsJsonArray().getJsonObject(0);
          assertThat(promotion.getString("promotionId")).isEqualTo(promotionId);
          assertThat(promotion.getInteger("numberOfCoupons")).isEqualTo(3);
          assertThat(both.get(1).bodyAsJsonArray()).isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  void aCustomersTokenIsForbiddenWhereOnlyAnAdminOrAnotherCustomerMayGo(VertxTestContext ctx) {
    String mallory = TestInfra.token("mallory");
    List<Endpoint> adminOnly = protectedEndpoints().stream().filter(e -> e.path().startsWith("/admin")).toList();
    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    for (Endpoint endpoint : adminOnly) {
      answers.add(send(endpoint, mallory));
    }
    answers.add(send(new Endpoint(HttpMethod.POST, system.config.adminPort(), "/admin/promotions/" + promotionId
        + "/cancel", null), mallory));
    answers.add(send(new Endpoint(HttpMethod.GET, system.config.queryPort(), "/query/coupons/alice", null), mallory));
    answers.add(send(new Endpoint(HttpMethod.POST, system.config.commandPort(), "/command/coupons",
        new JsonObject().put("promotionId", promotionId).put("customerId", "alice")), mallory));
    answers.add(send(new Endpoint(HttpMethod.POST, system.config.commandPort(), "/command/tickets",
        new JsonObject().put("promotionId", promotionId).put("customerId", "alice")), mallory));
    Future.join(new ArrayList<>(answers)).onComplete(done -> ctx.verify(() -> {
      for (Future<HttpResponse<Buffer>> answer : answers) {
        assertThat(answer.succeeded()).isTrue();
        assertThat(answer.result().statusCode()).as(answer.result().bodyAsString()).isEqualTo(403);
        assertThat(answer.result().bodyAsJsonObject().getString("error")).isEqualTo("forbidden");
      }
      ctx.completeNow();
    }));
  }

  @Test
  void theEmbeddedIssuerPublishesItsKeyAndNoPrivatePart(VertxTestContext ctx) {
    client.get(system.config.adminPort(), "127.0.0.1", "/.well-known/jwks.json").send()
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          JsonObject key = r.bodyAsJsonObject().getJsonArray("keys").getJsonObject(0);
          assertThat(key.getString("kid")).isEqualTo(TestInfra.issuer().kid());
          assertThat(key.fieldNames()).containsExactlyInAnyOrder("kty", "use", "alg", "kid", "n", "e");
          ctx.completeNow();
        })));
  }

  @Test
  void aGrabWithAGoodTokenButAnUnknownPromotionIsStillOnlyA400(VertxTestContext ctx) {
    client.post(system.config.commandPort(), "127.0.0.1", "/command/coupons")
        .bearerTokenAuthentication(TestInfra.token("alice"))
        .sendJsonObject(new JsonObject().put("promotionId", UUID.randomUUID().toString()))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(400);
          assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("promotion_not_active");
          ctx.completeNow();
        })));
  }
}
