package io.seckill.shared.identity;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.ShiftedClock;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.impl.jose.JWT;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import java.time.Duration;

/**
 * The verifier over vertx-auth 5.0.7, and the trap of an empty key set: the library alone, holding no key, accepts
 * an {@code alg: none} token (as Vert.x's own {@code testAlgNone} shows); the verifier holding no key refuses every
 * token and says so, it never calls the provider for a malformed one.
 */
@ExtendWith(VertxExtension.class)
class TokenVerifierTest {
  private static String b64(JsonObject json) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  private static String algNone() {
    long now = System.currentTimeMillis() / 1000;
    return b64(new JsonObject().put("alg", "none").put("typ", "JWT")) + "." + b64(new JsonObject()
        .put("iss", "seckill-dev").put("aud", "seckill").put("sub", "mallory").put("exp", now + 600)
        .put("roles", List.of(IdentityConfig.ADMIN_ROLE)));
  }

  @Test
  void theLibraryWithoutKeysAcceptsAlgNone() throws Exception {
    // the trap this project closes: an unkeyed io.vertx.ext.auth JWT decodes an unsigned token as valid
    assertThat(new JWT().decode(algNone()).getString("sub")).isEqualTo("mallory");
  }

  @Test
  void aVerifierHoldingNoKeyRefusesEveryTokenAndFetchesNothingForAMalformedOne(Vertx vertx) {
    // a JWKS URL nobody answers: no key is ever loaded
    JwksSource none = JwksSource.remote(vertx, "http://127.0.0.1:" + TestInfra.freePort() + "/jwks", 3600, 3600);
    Async.await(none.start());
    assertThat(none.hasKeys()).isFalse();
    int fetches = none.fetches();
    IdentityConfig identity = TestInfra.security().identity();
    TokenVerifier verifier = new TokenVerifier(vertx, none, identity, Clock.systemUTC());
    for (String token : List.of(algNone(), algNone() + ".", TestInfra.ADMIN_TOKEN, "garbage")) {
      Throwable refused = Async.await(verifier.verify(token).map(caller -> (Throwable) null).otherwise(e -> e));
      assertThat(refused).as(token).isInstanceOf(TokenRefused.class);
    }
    assertThat(none.fetches()).isEqualTo(fetches);
  }

  @Test
  void theEmbeddedIssuersTokensAreAcceptedWithTheirRoles(Vertx vertx) {
    IdentityConfig identity = TestInfra.security().identity();
    TokenVerifier verifier = new TokenVerifier(vertx, JwksSource.fixed(vertx, identity.localJwks()), identity,
        Clock.systemUTC());
    assertThat(Async.await(verifier.verify(TestInfra.ADMIN_TOKEN))).isEqualTo(new Caller("test-admin", true));
    assertThat(Async.await(verifier.verify(TestInfra.token("zed")))).isEqualTo(new Caller("zed", false));
  }

  @Test
  void aCachedTokenIsServedOnlyUntilItsOwnExpiry(Vertx vertx) {
    IdentityConfig identity = TestInfra.security().identity();
    long now = System.currentTimeMillis() / 1000;
    ShiftedClock moving = new ShiftedClock();
    TokenVerifier verifier = new TokenVerifier(vertx, JwksSource.fixed(vertx, identity.localJwks()), identity, moving,
        TokenVerifier.cache(identity));
    String shortLived = TestInfra.issuer().mint("brief", false, 10, identity, now);
    assertThat(Async.await(verifier.verify(shortLived)).customerId()).isEqualTo("brief");
    // valid until exp + leeway = now + 15 s (now truncated to the second: a margin of two seconds either way)
    moving.shift(Duration.ofSeconds(10 + identity.leewaySeconds() - 2));
    assertThat(Async.await(verifier.verify(shortLived)).customerId()).isEqualTo("brief");
    moving.shift(Duration.ofSeconds(3));
    Throwable refused = Async.await(verifier.verify(shortLived).map(c -> (Throwable) null).otherwise(e -> e));
    assertThat(refused).isInstanceOf(TokenRefused.class);
  }
}
