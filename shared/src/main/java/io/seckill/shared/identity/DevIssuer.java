package io.seckill.shared.identity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.Signature;
import java.security.interfaces.RSAPrivateCrtKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.Base64;

/**
 * The embedded development identity provider: an RSA key generated into the data dir on first use
 * ({@code identity/dev-issuer-key.pem}, owner-readable only), its public JWKS, and RS256 tokens minted with it.
 * Used when no {@code SECKILL_OIDC_JWKS_URL} is set; a system pointed at a real issuer never loads it.
 */
public final class DevIssuer {
  static final String FILE = "dev-issuer-key.pem";
  private final RSAPrivateCrtKey privateKey;
  private final RSAPublicKey publicKey;
  private final String kid;

  private DevIssuer(RSAPrivateCrtKey privateKey) throws GeneralSecurityException {
    this.privateKey = privateKey;
    this.publicKey = (RSAPublicKey) KeyFactory.getInstance("RSA")
        .generatePublic(new RSAPublicKeySpec(privateKey.getModulus(), privateKey.getPublicExponent()));
    this.kid = "dev-" + Base64Url.encode(MessageDigest.getInstance("SHA-256").digest(publicKey.getEncoded()))
        .substring(0, 16);
  }

  /** The key kept in {@code dir}, made there first if there is none (written atomically, never replaced). */
  public static DevIssuer loadOrCreate(Path dir) {
    Path file = dir.resolve(FILE);
    try {
      String pem = SecretFiles.readOrCreate(dir, FILE, DevIssuer::newKeyPem);
      String body = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
      return new DevIssuer((RSAPrivateCrtKey) KeyFactory.getInstance("RSA")
          .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(body))));
    } catch (IOException e) {
      throw new UncheckedIOException("development issuer key in " + dir + ": " + e.getMessage(), e);
    } catch (GeneralSecurityException | IllegalArgumentException | ClassCastException e) {
      throw new IllegalStateException("development issuer key " + file + " is not an RSA private key", e);
    }
  }

  private static String newKeyPem() {
    try {
      KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
      byte[] pkcs8 = generator.generateKeyPair().getPrivate().getEncoded();
      return "-----BEGIN PRIVATE KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
          .encodeToString(pkcs8) + "\n-----END PRIVATE KEY-----\n";
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot make an RSA key", e);
    }
  }

  public String kid() {
    return kid;
  }

  public JsonObject jwk() {
    return new JsonObject().put("kty", "RSA").put("use", "sig").put("alg", "RS256").put("kid", kid)
        .put("n", Base64Url.encode(unsigned(publicKey.getModulus())))
        .put("e", Base64Url.encode(unsigned(publicKey.getPublicExponent())));
  }

  public JsonObject jwks() {
    return new JsonObject().put("keys", new JsonArray().add(jwk()));
  }

  /**
   * An RS256 identity token for {@code subject}, valid from now for {@code ttlSeconds}, with the admin role under
   * {@code rolesClaim} (a dotted path) when {@code admin}.
   */
  public String mint(String subject, boolean admin, long ttlSeconds, IdentityConfig config, long nowSeconds) {
    JsonObject claims = new JsonObject().put("iss", config.issuer()).put("aud", config.audience())
        .put("sub", subject).put("iat", nowSeconds).put("exp", nowSeconds + ttlSeconds);
    JsonArray roles = admin ? new JsonArray().add(config.adminRole()) : new JsonArray();
    String[] path = config.rolesClaim().split("\\.");
    JsonObject node = claims;
    for (int i = 0; i < path.length - 1; i++) {
      JsonObject next = new JsonObject();
      node.put(path[i], next);
      node = next;
    }
    node.put(path[path.length - 1], roles);
    return sign(new JsonObject().put("alg", "RS256").put("typ", "JWT").put("kid", kid), claims);
  }

  /** Signs any header and claims with this key (tests use it to make tokens that are wrong on purpose). */
  public String sign(JsonObject header, JsonObject claims) {
    String input = Base64Url.encode(header.encode().getBytes(StandardCharsets.UTF_8)) + "."
        + Base64Url.encode(claims.encode().getBytes(StandardCharsets.UTF_8));
    try {
      Signature signature = Signature.getInstance("SHA256withRSA");
      signature.initSign(privateKey);
      signature.update(input.getBytes(StandardCharsets.US_ASCII));
      return input + "." + Base64Url.encode(signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
  }

  /** The public key (the algorithm-confusion test MACs with its encoding). */
  public RSAPublicKey publicKey() {
    return publicKey;
  }

  private static byte[] unsigned(BigInteger value) {
    byte[] bytes = value.toByteArray();
    if (bytes.length > 1 && bytes[0] == 0) {
      byte[] trimmed = new byte[bytes.length - 1];
      System.arraycopy(bytes, 1, trimmed, 0, trimmed.length);
      return trimmed;
    }
    return bytes;
  }
}
