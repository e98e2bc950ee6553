package io.seckill.shared.testing;

import io.seckill.shared.identity.DevIssuer;
import io.seckill.shared.identity.IdentityConfig;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.io.IOException;

/**
 * Bearer tokens that must all be refused with 401 (SPEC 2.1), after vertx-auth's own JWT tests and OWASP API2
 * (broken authentication): each is the test issuer's good admin token broken in one way. A null value means "no
 * Authorization header at all".
 */
public final class AttackTokens {
  private AttackTokens() {
  }

  private static String b64(byte[] bytes) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  private static String b64(JsonObject json) {
    return b64(json.encode().getBytes(StandardCharsets.UTF_8));
  }

  /** Good admin claims of the test issuer, valid for an hour. */
  public static JsonObject claims() {
    IdentityConfig identity = TestInfra.security().identity();
    long now = System.currentTimeMillis() / 1000;
    return new JsonObject().put("iss", identity.issuer()).put("aud", identity.audience()).put("sub", "attacker")
        .put("iat", now).put("exp", now + 3600).put("roles", new JsonArray().add(IdentityConfig.ADMIN_ROLE));
  }

  private static JsonObject header() {
    return new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", TestInfra.issuer().kid());
  }

  private static String signed(JsonObject claims) {
    return TestInfra.issuer().sign(header(), claims);
  }

  private static String hs256(byte[] key, JsonObject header, JsonObject claims) {
    try {
      String input = b64(header) + "." + b64(claims);
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      return input + "." + b64(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  /** name -> token; every one is refused with 401. */
  public static Map<String, String> all() {
    Map<String, String> tokens = new LinkedHashMap<>();
    long now = System.currentTimeMillis() / 1000;
    String good = signed(claims());
    tokens.put("no Authorization header", null);
    tokens.put("empty bearer token", "");
    tokens.put("garbage", "garbage");
    tokens.put("more than two dots", good + ".e30");
    tokens.put("two segments", good.substring(0, good.lastIndexOf('.')));
    tokens.put("empty signature", good.substring(0, good.lastIndexOf('.') + 1));
    tokens.put("alg none, empty signature", b64(new JsonObject().put("alg", "none").put("typ", "JWT")) + "."
        + b64(claims()) + ".");
    tokens.put("alg none, signature kept", b64(new JsonObject().put("alg", "none").put("typ", "JWT")) + "."
        + b64(claims()) + good.substring(good.lastIndexOf('.')));
    JsonObject hsHeader = new JsonObject().put("alg", "HS256").put("typ", "JWT").put("kid", TestInfra.issuer().kid());
    tokens.put("HS256 MACed with the RSA public key (DER)",
        hs256(TestInfra.issuer().publicKey().getEncoded(), hsHeader, claims()));
    String pem = "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(TestInfra.issuer().publicKey().getEncoded()) + "\n-----END PUBLIC KEY-----\n";
    tokens.put("HS256 MACed with the RSA public key (PEM)", hs256(pem.getBytes(StandardCharsets.US_ASCII), hsHeader,
        claims()));
    DevIssuer other = otherIssuer();
    tokens.put("another key, the issuer's kid", other.sign(header(), claims()));
    tokens.put("another key, its own kid", other.mint("attacker", true, 3600, TestInfra.security().identity(), now));
    tokens.put("signature of another token", good.substring(0, good.lastIndexOf('.'))
        + signed(claims().put("sub", "someone")).substring(good.lastIndexOf('.')));
    tokens.put("payload changed after signing", good.substring(0, good.indexOf('.') + 1)
        + b64(claims().put("sub", "victim")) + good.substring(good.lastIndexOf('.')));
    tokens.put("expired", signed(claims().put("iat", now - 7200).put("exp", now - 3600)));
    tokens.put("nbf in the future", signed(claims().put("nbf", now + 3600)));
    JsonObject noExp = claims();
    noExp.remove("exp");
    tokens.put("no exp", signed(noExp));
    tokens.put("wrong iss", signed(claims().put("iss", "https://evil.example")));
    JsonObject noIss = claims();
    noIss.remove("iss");
    tokens.put("no iss", signed(noIss));
    tokens.put("wrong aud", signed(claims().put("aud", "another-service")));
    JsonObject noAud = claims();
    noAud.remove("aud");
    tokens.put("no aud", signed(noAud));
    tokens.put("exp of the wrong type", signed(claims().put("exp", String.valueOf(now + 3600))));
    tokens.put("aud of the wrong type", signed(claims().put("aud", 42)));
    tokens.put("sub of the wrong type", signed(claims().put("sub", 42)));
    tokens.put("sub too long", signed(claims().put("sub", "x".repeat(65))));
    tokens.put("roles of the wrong type", signed(claims().put("roles", IdentityConfig.ADMIN_ROLE)));
    tokens.put("header with its own key (jwk)", TestInfra.issuer().sign(header().put("jwk",
        TestInfra.issuer().jwk()), claims()));
    return tokens;
  }

  private static DevIssuer otherIssuer() {
    try {
      Path dir = Files.createTempDirectory(Path.of("target"), "other-issuer");
      return DevIssuer.loadOrCreate(dir);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
