package io.seckill.shared.identity;

import io.vertx.core.json.JsonObject;

import java.util.List;

/**
 * Who issues identity tokens and what they must say. {@code jwksUrl} null means the embedded development issuer:
 * its public key is {@code localJwks} (from the data dir) and no key is ever fetched.
 */
public record IdentityConfig(String jwksUrl, List<JsonObject> localJwks, String issuer, String audience,
                             String rolesClaim, String adminRole, int leewaySeconds, int jwksRefreshSeconds,
                             int jwksMaxAgeSeconds, int tokenCacheSeconds) {
  public static final String ADMIN_ROLE = "seckill-admin";
  public static final String DEV_ISSUER = "seckill-dev";
  public static final String DEFAULT_AUDIENCE = "seckill";

  public IdentityConfig {
    localJwks = localJwks == null ? List.of() : List.copyOf(localJwks);
    if (jwksUrl == null && localJwks.isEmpty()) {
      throw new IllegalArgumentException("no identity keys: set SECKILL_OIDC_JWKS_URL or use the development issuer");
    }
    if (tokenCacheSeconds < 0 || tokenCacheSeconds > 300) {
      throw new IllegalArgumentException("SECKILL_OIDC_TOKEN_CACHE_SECONDS must be 0 to 300, got " + tokenCacheSeconds);
    }
    if (leewaySeconds < 0 || leewaySeconds > 30) {
      throw new IllegalArgumentException("SECKILL_OIDC_LEEWAY_SECONDS must be 0 to 30, got " + leewaySeconds);
    }
  }

  public boolean embedded() {
    return jwksUrl == null;
  }

  public ClaimsCheck claimsCheck() {
    return new ClaimsCheck(issuer, audience, rolesClaim, adminRole, leewaySeconds);
  }
}
