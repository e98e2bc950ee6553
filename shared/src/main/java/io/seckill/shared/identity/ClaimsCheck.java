package io.seckill.shared.identity;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Whether the claims of a token whose signature is good make it acceptable now, and for whom. Pure: the time is
 * given. Closes what vertx-auth 5.0.7 leaves open: it passes a token without {@code aud} and never expires one
 * without {@code exp}; here both are required, with at most {@code leewaySeconds} of clock skew.
 */
public final class ClaimsCheck {
  private final String issuer;
  private final String audience;
  private final String[] rolesPath;
  private final String adminRole;
  private final long leewaySeconds;

  public ClaimsCheck(String issuer, String audience, String rolesClaim, String adminRole, long leewaySeconds) {
    this.issuer = issuer;
    this.audience = audience;
    this.rolesPath = rolesClaim.split("\\.");
    this.adminRole = adminRole;
    this.leewaySeconds = leewaySeconds;
  }

  public Caller check(JsonObject claims, long nowSeconds) throws TokenRefused {
    if (claims == null) {
      throw new TokenRefused("token has no claims");
    }
    long exp = seconds(claims, "exp", true);
    if (nowSeconds - leewaySeconds >= exp) {
      throw new TokenRefused("token expired");
    }
    if (claims.containsKey("nbf") && seconds(claims, "nbf", true) > nowSeconds + leewaySeconds) {
      throw new TokenRefused("token is not valid yet (nbf)");
    }
    if (claims.containsKey("iat") && seconds(claims, "iat", true) > nowSeconds + leewaySeconds) {
      throw new TokenRefused("token was issued in the future (iat)");
    }
    if (!(claims.getValue("iss") instanceof String iss) || !iss.equals(issuer)) {
      throw new TokenRefused("token issuer is not " + issuer);
    }
    if (!audienceContains(claims.getValue("aud"))) {
      throw new TokenRefused("token audience does not contain " + audience);
    }
    if (!(claims.getValue("sub") instanceof String sub) || !CustomerIds.valid(sub)) {
      throw new TokenRefused("token sub must be a customer id of 1 to " + CustomerIds.MAX_LENGTH + " characters");
    }
    return new Caller(sub, roles(claims));
  }

  private static long seconds(JsonObject claims, String name, boolean required) throws TokenRefused {
    Object value = claims.getValue(name);
    if (value == null && required) {
      throw new TokenRefused("token has no " + name);
    }
    if (!(value instanceof Number number) || value instanceof Double || value instanceof Float) {
      throw new TokenRefused("token " + name + " must be a whole number of seconds");
    }
    return number.longValue();
  }

  private boolean audienceContains(Object aud) throws TokenRefused {
    if (aud instanceof String single) {
      return single.equals(audience);
    }
    if (aud instanceof JsonArray many) {
      boolean found = false;
      for (Object entry : many) {
        if (!(entry instanceof String s)) {
          throw new TokenRefused("token aud must be a string or an array of strings");
        }
        found |= s.equals(audience);
      }
      return found;
    }
    if (aud == null) {
      throw new TokenRefused("token has no aud");
    }
    throw new TokenRefused("token aud must be a string or an array of strings");
  }

  /** True when the roles claim (a dotted path, e.g. {@code realm_access.roles}) holds the admin role. */
  private boolean roles(JsonObject claims) throws TokenRefused {
    Object node = claims;
    for (String step : rolesPath) {
      if (!(node instanceof JsonObject object)) {
        return false;
      }
      node = object.getValue(step);
    }
    if (node == null) {
      return false;
    }
    if (!(node instanceof JsonArray roles)) {
      throw new TokenRefused("token roles claim must be an array of strings");
    }
    boolean admin = false;
    for (Object role : roles) {
      if (!(role instanceof String name)) {
        throw new TokenRefused("token roles claim must be an array of strings");
      }
      admin |= name.equals(adminRole);
    }
    return admin;
  }
}
