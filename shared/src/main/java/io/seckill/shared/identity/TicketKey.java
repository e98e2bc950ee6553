package io.seckill.shared.identity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;

/** One HS256 key of the grab tickets: its id and at least 32 bytes of secret. */
public record TicketKey(String kid, byte[] secret) {
  private static final Pattern KID = Pattern.compile("[A-Za-z0-9_-]{1,32}");
  static final String FILE = "ticket-keys";

  public TicketKey {
    if (!KID.matcher(kid).matches()) {
      throw new IllegalArgumentException("ticket key id must be 1-32 characters of A-Z a-z 0-9 _ -, got '" + kid + "'");
    }
    if (secret.length < 32) {
      throw new IllegalArgumentException("ticket key " + kid + " must have at least 32 bytes of secret");
    }
    secret = secret.clone();
  }

  /**
   * {@code SECKILL_TICKET_KEYS}: {@code kid:secret[,kid:secret]}, secrets in base64url; the first signs, the second
   * (the previous one, during a rotation) only verifies. A third is refused: a retired key must stop working.
   */
  public static List<TicketKey> parse(String spec) {
    List<TicketKey> keys = new ArrayList<>();
    for (String part : spec.split(",")) {
      String entry = part.trim();
      int colon = entry.indexOf(':');
      if (colon <= 0) {
        throw new IllegalArgumentException("SECKILL_TICKET_KEYS entries are kid:base64url-secret");
      }
      byte[] secret;
      try {
        secret = Base64.getUrlDecoder().decode(entry.substring(colon + 1).trim());
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("SECKILL_TICKET_KEYS: the secret of " + entry.substring(0, colon)
            + " is not base64url");
      }
      keys.add(new TicketKey(entry.substring(0, colon), secret));
    }
    if (keys.isEmpty() || keys.size() > 2) {
      throw new IllegalArgumentException("SECKILL_TICKET_KEYS holds the current key and at most one previous key");
    }
    if (keys.size() == 2 && keys.get(0).kid().equals(keys.get(1).kid())) {
      throw new IllegalArgumentException("SECKILL_TICKET_KEYS: the two keys need different ids");
    }
    return List.copyOf(keys);
  }

  /** The key kept in {@code dir/ticket-keys} (same format), made there on first use. */
  public static List<TicketKey> loadOrCreate(Path dir) {
    try {
      return parse(SecretFiles.readOrCreate(dir, FILE, () -> {
        SecureRandom random = new SecureRandom();
        byte[] secret = new byte[32];
        random.nextBytes(secret);
        byte[] id = new byte[6];
        random.nextBytes(id);
        return "t" + Base64Url.encode(id) + ":" + Base64Url.encode(secret) + "\n";
      }).trim());
    } catch (IOException e) {
      throw new UncheckedIOException("ticket keys in " + dir + ": " + e.getMessage(), e);
    }
  }

  @Override
  public String toString() {
    return "TicketKey[" + kid + "]";
  }
}
