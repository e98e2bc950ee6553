package io.seckill.shared.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.vertx.core.json.JsonObject;
import org.altcha.altcha.Altcha;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;

/**
 * {@code SECKILL_TICKET_CHALLENGE=pow}: a proof of work (ALTCHA's SHA-256 scheme, with its Java library) before a
 * grab ticket, so that a bot pays CPU for every customer id it tries. A challenge is HMAC-signed with a key derived
 * from the current ticket key, names the customer it was made for and when it expires (both in its salt, so both
 * are covered by the signature), and is good for one ticket. Closes what the library leaves to its caller: it
 * checks the expiry only when the salt carries one (here it must), and it does not remember spent solutions (here
 * they are kept until they expire). One per JVM (held by {@link Security}), so that a solution spent on one event
 * loop is spent on all of them.
 */
public final class TicketChallenge {
  public static final long EXPIRES_SECONDS = 300;
  private static final int MAX_HEADER = 2048;

  private final String hmacKey;
  private final long maxNumber;
  private final Cache<String, Boolean> spent = Caffeine.newBuilder()
      .expireAfterWrite(Duration.ofSeconds(EXPIRES_SECONDS + 60)).maximumSize(500_000).build();

  TicketChallenge(byte[] ticketSecret, long maxNumber) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(ticketSecret, "HmacSHA256"));
      this.hmacKey = HexFormat.of().formatHex(mac.doFinal("seckill ticket challenge".getBytes(StandardCharsets.US_ASCII)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    this.maxNumber = maxNumber;
  }

  /** The HMAC key of the challenges (tests make challenges of their own with it). */
  String hmacKey() {
    return hmacKey;
  }

  /** A new challenge for {@code customerId}: {algorithm, challenge, maxnumber, salt, signature}. */
  public JsonObject create(String customerId, long nowSeconds) {
    try {
      Altcha.Challenge challenge = Altcha.createChallenge(new Altcha.ChallengeOptions()
          .setHmacKey(hmacKey).setMaxNumber(maxNumber).setExpires(nowSeconds + EXPIRES_SECONDS)
          .setSecureRandomNumber(true).addParam("sub", customerId));
      return new JsonObject().put("algorithm", challenge.algorithm).put("challenge", challenge.challenge)
          .put("maxnumber", challenge.maxnumber).put("salt", challenge.salt).put("signature", challenge.signature);
    } catch (Exception e) {
      throw new IllegalStateException("cannot make a challenge", e);
    }
  }

  /** Null when {@code header} (base64 of the solved challenge) is a fresh solution for {@code customerId}; else why not. */
  public String refusal(String header, String customerId, long nowSeconds) {
    if (header == null || header.isBlank()) {
      return "this service asks for a solved proof-of-work challenge: GET /command/challenge, then send the"
          + " solution as X-Altcha";
    }
    if (header.length() > MAX_HEADER) {
      return "X-Altcha is too long";
    }
    Altcha.Payload payload = new Altcha.Payload();
    Map<String, String> params;
    try {
      // decoded once here, verified as it stands (the library's base64 entry point would decode it again)
      JsonObject solved = new JsonObject(new String(Base64.getDecoder().decode(header), StandardCharsets.UTF_8));
      payload.algorithm = solved.getString("algorithm");
      payload.challenge = solved.getString("challenge");
      payload.number = solved.getLong("number");
      payload.salt = solved.getString("salt");
      payload.signature = solved.getString("signature");
      if (!Altcha.verifySolution(payload, hmacKey, true)) {
        return "X-Altcha is not a solution of a challenge of this service (or it expired)";
      }
      params = Altcha.extractParams(payload.salt);
    } catch (Exception e) {
      return "X-Altcha is malformed";
    }
    String expires = params.get("expires");
    if (expires == null || !expires.chars().allMatch(Character::isDigit) || expires.length() > 12
        || Long.parseLong(expires) < nowSeconds) {
      return "the challenge expired; get a new one";
    }
    if (!customerId.equals(params.get("sub"))) {
      return "the challenge was made for another customer";
    }
    if (spent.asMap().putIfAbsent(payload.salt, Boolean.TRUE) != null) {
      return "the challenge was used already; get a new one";
    }
    return null;
  }
}
