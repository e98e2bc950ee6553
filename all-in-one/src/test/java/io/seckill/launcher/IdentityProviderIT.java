package io.seckill.launcher;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real identity provider's contract (SPEC 2.1), with the jar configured by {@code SECKILL_OIDC_*} as in
 * production: an in-test JWKS server on 127.0.0.1 (a Keycloak-like realm: roles under {@code realm_access.roles}),
 * tokens minted with Nimbus JOSE+JWT (RS256 and ES256), a key rotation during the test, and a flood of unknown key
 * ids that must not flood the JWKS endpoint.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IdentityProviderIT {
  private static final String ISSUER = "https://idp.test/realms/shop";
  private static final String AUDIENCE = "seckill-api";
  private static final int REFRESH_SECONDS = 2;
  private static final AtomicInteger FETCHES = new AtomicInteger();
  private static final AtomicReference<String> JWKS = new AtomicReference<>();
  private static RSAKey rsa1;
  private static ECKey ec1;
  private static RSAKey rotated;
  private static RSAKey stranger;
  private static HttpServer jwksServer;
  private static JarProcess jar;
  private static SecKillConfig config;
  private static WebClient client;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    rsa1 = new RSAKeyGenerator(2048).keyID("rsa-1").generate();
    ec1 = new ECKeyGenerator(Curve.P_256).keyID("ec-1").generate();
    rotated = new RSAKeyGenerator(2048).keyID("rsa-2").generate();
    stranger = new RSAKeyGenerator(2048).keyID("stranger").generate();
    serve(rsa1, ec1);
    jwksServer = Async.await(vertx.createHttpServer().requestHandler(request -> {
      FETCHES.incrementAndGet();
      request.response().putHeader("Content-Type", "application/json").end(JWKS.get());
    }).listen(0, "127.0.0.1"));
    // every role from the jar (on this JVM's MariaDB and broker), pointed at the provider
    config = TestInfra.freshConfig();
    Map<String, String> env = new HashMap<>(RunningSystem.environment(config, "admin,command,event,query"));
    env.put("SECKILL_DATA_DIR", "target/it-idp-data");
    env.put("SECKILL_OIDC_JWKS_URL", "http://127.0.0.1:" + jwksServer.actualPort() + "/realms/shop/protocol/openid-connect/certs");
    env.put("SECKILL_OIDC_ISSUER", ISSUER);
    env.put("SECKILL_OIDC_AUDIENCE", AUDIENCE);
    env.put("SECKILL_OIDC_ROLES_CLAIM", "realm_access.roles");
    env.put("SECKILL_OIDC_JWKS_REFRESH_SECONDS", String.valueOf(REFRESH_SECONDS));
    jar = JarProcess.start("identity-provider", env);
    client = Async.client(vertx, 64);
    Async.await(Future.all(jar.healthy(vertx, client, config.adminPort()), jar.healthy(vertx, client, config.commandPort()),
        jar.healthy(vertx, client, config.queryPort())));
  }

  @AfterAll
  static void stop() {
    if (jar != null) {
      jar.close();
    }
  }

  private static void serve(JWK... keys) {
    JWKS.set(new JWKSet(List.of(keys)).toPublicJWKSet().toString());
  }

  private static String token(JWK key, String subject, boolean admin) throws JOSEException {
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(ISSUER).audience(List.of(AUDIENCE, "account"))
        .subject(subject).issueTime(Date.from(now)).expirationTime(Date.from(now.plusSeconds(600)))
        .claim("realm_access", Map.of("roles", admin ? List.of("offline_access", "seckill-admin") : List.of("offline_access")))
        .claim("azp", "shop-frontend").build();
    JWSAlgorithm alg = key instanceof ECKey ? JWSAlgorithm.ES256 : JWSAlgorithm.RS256;
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(alg).keyID(key.getKeyID()).build(), claims);
    jwt.sign(key instanceof ECKey ec ? new ECDSASigner(ec) : new RSASSASigner((RSAKey) key));
    return jwt.serialize();
  }

  private static Future<HttpResponse<Buffer>> createPromotion(String token) {
    Instant now = Instant.now();
    return client.post(config.adminPort(), "127.0.0.1", "/admin/promotions").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("numberOfCoupons", 10).put("discount", 0.5)
            .put("publishTime", now.toString()).put("finishTime", now.plusSeconds(3600).toString()));
  }

  private static Future<HttpResponse<Buffer>> grab(String token, String promotionId) {
    return client.post(config.commandPort(), "127.0.0.1", "/command/coupons").bearerTokenAuthentication(token)
        .sendJsonObject(new JsonObject().put("promotionId", promotionId));
  }

  private static Future<HttpResponse<Buffer>> listAsAdmin(String token) {
    return client.get(config.adminPort(), "127.0.0.1", "/admin/promotions").bearerTokenAuthentication(token).send();
  }

  private static String promotionId;

  @Test
  @Order(1)
  void theProvidersRs256AndEs256TokensAreAcceptedItsAdminRoleToo(Vertx vertx) throws Exception {
    HttpResponse<Buffer> created = Async.await(createPromotion(token(rsa1, "shop-admin", true)));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    promotionId = created.bodyAsJsonObject().getString("promotionId");
    String es = token(ec1, "erin", false);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(5), () -> client.post(config.commandPort(), "127.0.0.1",
        "/command/tickets").bearerTokenAuthentication(es).sendJsonObject(new JsonObject().put("promotionId", promotionId))
        .map(r -> r.statusCode() == 201)));
    HttpResponse<Buffer> ticket = Async.await(client.post(config.commandPort(), "127.0.0.1", "/command/tickets")
        .bearerTokenAuthentication(es).sendJsonObject(new JsonObject().put("promotionId", promotionId)));
    HttpResponse<Buffer> byTicket = Async.await(grab(ticket.bodyAsJsonObject().getString("ticket"), promotionId));
    assertThat(byTicket.statusCode()).isEqualTo(200);
    assertThat(byTicket.bodyAsJsonObject().getString("customerId")).isEqualTo("erin");
    HttpResponse<Buffer> byToken = Async.await(grab(token(rsa1, "ralf", false), promotionId));
    assertThat(byToken.statusCode()).isEqualTo(200);
    HttpResponse<Buffer> coupons = Async.await(client.get(config.queryPort(), "127.0.0.1", "/query/coupons/erin")
        .bearerTokenAuthentication(token(ec1, "erin", false)).send());
    assertThat(coupons.statusCode()).isEqualTo(200);
  }

  @Test
  @Order(2)
  void theDevelopmentKeyAndRolesElsewhereAreNotAccepted() throws Exception {
    // a system pointed at an external issuer never accepts the development issuer's tokens
    HttpResponse<Buffer> dev = Async.await(listAsAdmin(TestInfra.ADMIN_TOKEN));
    assertThat(dev.statusCode()).isEqualTo(401);
    // the admin role must be under realm_access.roles, not in a claim of the attacker's choosing
    Instant now = Instant.now();
    SignedJWT elsewhere = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("mallory").expirationTime(
            Date.from(now.plusSeconds(600))).claim("roles", List.of("seckill-admin")).build());
    elsewhere.sign(new RSASSASigner(rsa1));
    assertThat(Async.await(listAsAdmin(elsewhere.serialize())).statusCode()).isEqualTo(403);
    // a token for another audience of the same provider
    SignedJWT otherAudience = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("rsa-1").build(),
        new JWTClaimsSet.Builder().issuer(ISSUER).audience("account").subject("mallory").expirationTime(
            Date.from(now.plusSeconds(600))).build());
    otherAudience.sign(new RSASSASigner(rsa1));
    assertThat(Async.await(listAsAdmin(otherAudience.serialize())).statusCode()).isEqualTo(401);
  }

  @Test
  @Order(3)
  void aRotatedKeyIsAcceptedAfterOneRefresh(Vertx vertx) throws Exception {
    serve(rsa1, ec1, rotated);
    String fresh = token(rotated, "rosa", true);
    int before = FETCHES.get();
    // the throttle may still hold back a refresh that another test triggered: at most one window
    Async.await(Async.eventually(vertx, Duration.ofSeconds(REFRESH_SECONDS * 3L), () -> listAsAdmin(fresh)
        .map(r -> r.statusCode() == 200)));
    assertThat(FETCHES.get() - before).isBetween(1, 2);
    // and it keeps working without another fetch
    int after = FETCHES.get();
    for (int i = 0; i < 20; i++) {
      assertThat(Async.await(listAsAdmin(fresh)).statusCode()).isEqualTo(200);
    }
    assertThat(FETCHES.get()).isEqualTo(after);
  }

  @Test
  @Order(4)
  void aFloodOfUnknownKeyIdsDoesNotFloodTheProvider(Vertx vertx) throws Exception {
    List<String> flood = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      Instant now = Instant.now();
      SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID("kid-" + UUID.randomUUID()).build(),
          new JWTClaimsSet.Builder().issuer(ISSUER).audience(AUDIENCE).subject("bot-" + i)
              .expirationTime(Date.from(now.plusSeconds(600))).build());
      forged.sign(new RSASSASigner(stranger));
      flood.add(forged.serialize());
    }
    int before = FETCHES.get();
    long began = System.nanoTime();
    List<Future<HttpResponse<Buffer>>> answers = new ArrayList<>();
    for (String token : flood) {
      answers.add(grab(token, promotionId));
    }
    Async.await(Future.join(new ArrayList<>(answers)));
    double seconds = (System.nanoTime() - began) / 1e9;
    for (Future<HttpResponse<Buffer>> answer : answers) {
      assertThat(answer.result().statusCode()).isEqualTo(401);
    }
    // one refresh per throttle window at the most (plus the window already open when the flood began)
    assertThat(FETCHES.get() - before).isLessThanOrEqualTo((int) Math.ceil(seconds / REFRESH_SECONDS) + 1);
  }

  @Test
  @Order(5)
  void aKeyTheProviderRetiredStopsWorkingAfterTheNextRefresh(Vertx vertx) throws Exception {
    serve(ec1, rotated);
    String old = token(rsa1, "shop-admin", true);
    String unknown = token(stranger, "nobody", false);
    // an unknown kid triggers the refresh (once the throttle lets it); after it, rsa-1 is gone
    Async.await(Async.eventually(vertx, Duration.ofSeconds(REFRESH_SECONDS * 4L), () -> grab(unknown, promotionId)
        .compose(r -> listAsAdmin(old)).map(r -> r.statusCode() == 401)));
    assertThat(Async.await(listAsAdmin(token(rotated, "rosa", true))).statusCode()).isEqualTo(200);
  }
}
