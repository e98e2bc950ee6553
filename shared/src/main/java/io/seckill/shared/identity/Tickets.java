package io.seckill.shared.identity;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.List;
import java.util.UUID;
import java.util.Arrays;

/**
 * Grab tickets: short JWTs ({@code HS256}, with the key's {@code kid}) binding a customer to a promotion until
 * {@code exp}. Issued once per customer; checked on every grab, so the check costs one HMAC-SHA256 and no
 * signature verification: the header must be byte for byte one this service writes (no JSON is parsed for it),
 * the MAC is computed into per-thread buffers with a per-thread {@link Mac} and compared in constant time, and only
 * then is the small payload decoded. The first key signs; the first and the second (previous) verify.
 */
public final class Tickets {
  public static final int MAX_LENGTH = 1024;
  private static final JsonFactory JSON = new JsonFactory();
  private static final int MAC_CHARS = 43;
  private static final byte[] DECODE = new byte[128];

  static {
    Arrays.fill(DECODE, (byte) -1);
    String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    for (int i = 0; i < alphabet.length(); i++) {
      DECODE[alphabet.charAt(i)] = (byte) i;
    }
  }

  /** A checked ticket. */
  public record Ticket(String customerId, UUID promotionId, long notBefore, long expiresAt) {
  }

  private final List<TicketKey> keys;
  /** {@code base64url(header) + "."} per key, as issued. */
  private final String[] prefixes;
  private final ThreadLocal<Scratch> scratch;

  public Tickets(List<TicketKey> keys) {
    if (keys.isEmpty() || keys.size() > 2) {
      throw new IllegalArgumentException("tickets need the current key and at most one previous key");
    }
    this.keys = List.copyOf(keys);
    this.prefixes = new String[keys.size()];
    for (int i = 0; i < keys.size(); i++) {
      prefixes[i] = Base64Url.encode(("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"" + keys.get(i).kid() + "\"}")
          .getBytes(StandardCharsets.UTF_8)) + ".";
    }
    this.scratch = ThreadLocal.withInitial(() -> new Scratch(this.keys));
  }

  /** The ticket for {@code customerId} on {@code promotionId}, valid from {@code notBefore} to {@code expiresAt}. */
  public String issue(String customerId, UUID promotionId, long notBefore, long expiresAt) {
    StringBuilder payload = new StringBuilder(128).append("{\"sub\":\"");
    JsonStringEncoder.getInstance().quoteAsString(customerId, payload);
    payload.append("\",\"pid\":\"").append(promotionId).append("\",\"nbf\":").append(notBefore)
        .append(",\"exp\":").append(expiresAt).append('}');
    String input = prefixes[0] + Base64Url.encode(payload.toString().getBytes(StandardCharsets.UTF_8));
    Scratch s = scratch.get();
    byte[] in = input.getBytes(StandardCharsets.US_ASCII);
    s.macs[0].update(in, 0, in.length);
    try {
      s.macs[0].doFinal(s.mac, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    return input + "." + Base64Url.encode(s.mac);
  }

  /** True when {@code token} carries a header this service issues tickets with (it may still be forged). */
  public boolean isTicket(String token) {
    return keyIndex(token) >= 0;
  }

  private int keyIndex(String token) {
    for (int i = 0; i < prefixes.length; i++) {
      if (token.startsWith(prefixes[i])) {
        return i;
      }
    }
    return -1;
  }

  public Ticket check(String token, long nowSeconds) throws TokenRefused {
    int key = keyIndex(token);
    if (key < 0) {
      throw new TokenRefused("not a ticket of this service (unknown or retired key)");
    }
    int length = token.length();
    int payloadStart = prefixes[key].length();
    int dot = token.indexOf('.', payloadStart);
    if (length > MAX_LENGTH || dot < 0 || dot == payloadStart || length - dot - 1 != MAC_CHARS) {
      throw new TokenRefused("ticket is malformed");
    }
    Scratch s = scratch.get();
    byte[] in = s.input;
    for (int i = 0; i < dot; i++) {
      char c = token.charAt(i);
      if (c > 127) {
        throw new TokenRefused("ticket is malformed");
      }
      in[i] = (byte) c;
    }
    Mac mac = s.macs[key];
    mac.update(in, 0, dot);
    try {
      mac.doFinal(s.mac, 0);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    int encoded = Base64Url.ENCODER.encode(s.mac, s.macChars);
    int diff = encoded ^ MAC_CHARS;
    for (int i = 0; i < MAC_CHARS; i++) {
      diff |= s.macChars[i] ^ token.charAt(dot + 1 + i);
    }
    if (diff != 0) {
      throw new TokenRefused("ticket MAC is not valid");
    }
    int payloadLength = decode(token, payloadStart, dot, s.payload);
    if (payloadLength < 0) {
      throw new TokenRefused("ticket is malformed");
    }
    Ticket ticket = parse(s.payload, payloadLength);
    if (nowSeconds >= ticket.expiresAt()) {
      throw new TokenRefused("ticket expired");
    }
    return ticket;
  }

  private static Ticket parse(byte[] payload, int length) throws TokenRefused {
    String sub = null;
    String pid = null;
    long nbf = Long.MIN_VALUE;
    long exp = Long.MIN_VALUE;
    try (JsonParser parser = JSON.createParser(payload, 0, length)) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw new TokenRefused("ticket payload is malformed");
      }
      for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        switch (field) {
          case "sub" -> sub = value == JsonToken.VALUE_STRING ? parser.getText() : null;
          case "pid" -> pid = value == JsonToken.VALUE_STRING ? parser.getText() : null;
          case "nbf" -> nbf = value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : Long.MIN_VALUE;
          case "exp" -> exp = value == JsonToken.VALUE_NUMBER_INT ? parser.getLongValue() : Long.MIN_VALUE;
          default -> parser.skipChildren();
        }
      }
    } catch (IOException e) {
      throw new TokenRefused("ticket payload is malformed");
    }
    if (sub == null || pid == null || exp == Long.MIN_VALUE || nbf == Long.MIN_VALUE) {
      throw new TokenRefused("ticket payload is malformed");
    }
    try {
      return new Ticket(sub, UUID.fromString(pid), nbf, exp);
    } catch (IllegalArgumentException e) {
      throw new TokenRefused("ticket payload is malformed");
    }
  }

  /** Decodes base64url {@code s[from, to)} into {@code out}; -1 when it is not base64url or does not fit. */
  static int decode(CharSequence s, int from, int to, byte[] out) {
    int bits = 0;
    int count = 0;
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      int v = c < 128 ? DECODE[c] : -1;
      if (v < 0) {
        return -1;
      }
      bits = (bits << 6) | v;
      count += 6;
      if (count >= 8) {
        count -= 8;
        if (n == out.length) {
          return -1;
        }
        out[n++] = (byte) (bits >> count);
      }
    }
    return count >= 6 ? -1 : n;
  }

  /** One thread's MACs and buffers. */
  private static final class Scratch {
    final Mac[] macs;
    final byte[] input = new byte[MAX_LENGTH];
    final byte[] payload = new byte[MAX_LENGTH];
    final byte[] mac = new byte[32];
    final byte[] macChars = new byte[MAC_CHARS];

    Scratch(List<TicketKey> keys) {
      macs = new Mac[keys.size()];
      try {
        for (int i = 0; i < keys.size(); i++) {
          macs[i] = Mac.getInstance("HmacSHA256");
          macs[i].init(new SecretKeySpec(keys.get(i).secret(), "HmacSHA256"));
        }
      } catch (GeneralSecurityException e) {
        throw new IllegalStateException("HmacSHA256 is not available", e);
      }
    }
  }
}
