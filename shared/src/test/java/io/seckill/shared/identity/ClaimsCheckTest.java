package io.seckill.shared.identity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The claims rules of SPEC 2.1, one refusal each; no I/O. */
class ClaimsCheckTest {
  private static final long NOW = 1_800_000_000L;
  private final ClaimsCheck check = new ClaimsCheck("https://idp.example/realms/shop", "seckill", "realm_access.roles",
      "seckill-admin", 5);

  private static JsonObject good() {
    return new JsonObject().put("iss", "https://idp.example/realms/shop").put("aud", new JsonArray().add("other").add("seckill"))
        .put("sub", "alice").put("exp", NOW + 60).put("iat", NOW - 1)
        .put("realm_access", new JsonObject().put("roles", new JsonArray().add("offline_access")));
  }

  private void refused(JsonObject claims, String why) {
    assertThatThrownBy(() -> check.check(claims, NOW)).isInstanceOf(TokenRefused.class).hasMessageContaining(why);
  }

  @Test
  void aGoodTokenNamesItsCustomer() throws TokenRefused {
    assertThat(check.check(good(), NOW)).isEqualTo(new Caller("alice", false));
    assertThat(check.check(good().put("aud", "seckill"), NOW)).isEqualTo(new Caller("alice", false));
  }

  @Test
  void theAdminRoleComesFromTheConfiguredClaimPath() throws TokenRefused {
    JsonObject admin = good().put("realm_access", new JsonObject().put("roles", new JsonArray().add("seckill-admin")));
    assertThat(check.check(admin, NOW).admin()).isTrue();
    // the same role at another path (a top-level "roles" claim) makes nobody an admin here
    assertThat(check.check(good().put("roles", new JsonArray().add("seckill-admin")), NOW).admin()).isFalse();
    refused(good().put("realm_access", new JsonObject().put("roles", "seckill-admin")), "roles claim");
    refused(good().put("realm_access", new JsonObject().put("roles", new JsonArray().add(1))), "roles claim");
  }

  @Test
  void expIsRequiredAndHonouredWithAFewSecondsOfLeeway() throws TokenRefused {
    refused(good().put("exp", null), "no exp");
    JsonObject noExp = good();
    noExp.remove("exp");
    refused(noExp, "no exp");
    refused(good().put("exp", NOW - 5), "expired");
    assertThat(check.check(good().put("exp", NOW - 4), NOW)).isNotNull();
    refused(good().put("exp", "" + (NOW + 60)), "exp must be a whole number");
    refused(good().put("exp", NOW + 60.5), "exp must be a whole number");
  }

  @Test
  void nbfAndIatInTheFutureAreRefused() {
    refused(good().put("nbf", NOW + 6), "nbf");
    refused(good().put("iat", NOW + 60), "iat");
    refused(good().put("nbf", "soon"), "nbf must be a whole number");
  }

  @Test
  void issuerAndAudienceMustMatch() {
    refused(good().put("iss", "https://evil.example"), "issuer");
    refused(good().put("iss", 7), "issuer");
    JsonObject noIss = good();
    noIss.remove("iss");
    refused(noIss, "issuer");
    refused(good().put("aud", "other"), "audience");
    refused(good().put("aud", new JsonArray()), "audience");
    JsonObject noAud = good();
    noAud.remove("aud");
    refused(noAud, "no aud");
    refused(good().put("aud", 5), "aud must be");
    refused(good().put("aud", new JsonArray().add("seckill").add(3)), "aud must be");
  }

  @Test
  void theSubjectIsACustomerId() {
    JsonObject noSub = good();
    noSub.remove("sub");
    refused(noSub, "sub");
    refused(good().put("sub", ""), "sub");
    refused(good().put("sub", " "), "sub");
    refused(good().put("sub", "x".repeat(65)), "sub");
    refused(good().put("sub", "\ud800"), "sub");
    refused(good().put("sub", 42), "sub");
  }
}
