package io.seckill.shared.identity;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

import java.util.Set;

/**
 * The checks a token passes before any key is looked at: compact JWS form (exactly three non-empty base64url
 * segments), a bounded size, a JSON header naming an allowed asymmetric algorithm. This is what keeps
 * {@code alg: none}, HMAC with a public key (algorithm confusion), {@code crit} extensions and garbage away from
 * the signature check, and an unknown algorithm from triggering a key refresh. Pure.
 */
public final class TokenShape {
  public static final int MAX_LENGTH = 8192;
  public static final Set<String> IDENTITY_ALGORITHMS = Set.of("RS256", "ES256");

  private TokenShape() {
  }

  /** The decoded header of a well-formed identity token. */
  public static JsonObject header(String token) throws TokenRefused {
    if (token == null || token.isEmpty()) {
      throw new TokenRefused("bearer token is empty");
    }
    if (token.length() > MAX_LENGTH) {
      throw new TokenRefused("bearer token is over " + MAX_LENGTH + " characters");
    }
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (first <= 0 || second < 0 || token.indexOf('.', second + 1) >= 0 || second == first + 1
        || second == token.length() - 1) {
      throw new TokenRefused("bearer token is not a signed JWT (header.payload.signature)");
    }
    if (!Base64Url.alphabet(token, 0, first) || !Base64Url.alphabet(token, first + 1, second)
        || !Base64Url.alphabet(token, second + 1, token.length())) {
      throw new TokenRefused("bearer token is not base64url");
    }
    JsonObject header;
    try {
      header = new JsonObject(Buffer.buffer(Base64Url.DECODER.decode(token.substring(0, first))));
    } catch (IllegalArgumentException | DecodeException | ClassCastException e) {
      throw new TokenRefused("token header is not a JSON object");
    }
    Object alg = header.getValue("alg");
    if (!(alg instanceof String name) || !IDENTITY_ALGORITHMS.contains(name)) {
      throw new TokenRefused("token algorithm must be one of " + IDENTITY_ALGORITHMS);
    }
    Object kid = header.getValue("kid");
    if (kid != null && !(kid instanceof String)) {
      throw new TokenRefused("token kid must be a string");
    }
    if (header.containsKey("crit") || header.containsKey("jku") || header.containsKey("x5u")
        || header.containsKey("jwk") || header.containsKey("x5c")) {
      throw new TokenRefused("token header names keys or extensions this service does not accept");
    }
    return header;
  }
}
