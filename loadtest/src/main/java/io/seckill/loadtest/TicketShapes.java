package io.seckill.loadtest;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;

/**
 * {@code ticket-shapes COUNT PROMOTION OUT_FILE}: COUNT grab tickets as the command side issues them (an HS256 JWT
 * with a 9-character {@code kid}, {@code sub} b0, b1, ..., {@code pid}, {@code nbf}, {@code exp}), signed with a
 * throwaway key, one per line. The HTTP ceiling is loaded with them through the same wrk script as W1's crowd, so
 * that the load generator does the same work per request in both runs (it shares the two cores with the server):
 * the ceiling checks none of them. The format is written out again here, after
 * {@code io.seckill.shared.identity.Tickets#issue} and {@code TicketKey}'s key ids, because this module depends on
 * no production module (it talks to the system over HTTP only): a change to the ticket's format belongs in both.
 */
final class TicketShapes {
  private static final Base64.Encoder URL = Base64.getUrlEncoder().withoutPadding();

  private TicketShapes() {
  }

  static void run(String[] args) throws Exception {
    int count = Integer.parseInt(args[1]);
    String promotion = args[2];
    SecureRandom random = new SecureRandom();
    byte[] secret = new byte[32];
    random.nextBytes(secret);
    byte[] id = new byte[6];
    random.nextBytes(id);
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(secret, "HmacSHA256"));
    String header = encode("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"t" + URL.encodeToString(id) + "\"}") + ".";
    long now = Instant.now().getEpochSecond();
    try (BufferedWriter out = Files.newBufferedWriter(Path.of(args[3]), StandardCharsets.US_ASCII)) {
      for (int i = 0; i < count; i++) {
        String input = header + encode("{\"sub\":\"b" + i + "\",\"pid\":\"" + promotion + "\",\"nbf\":" + now
            + ",\"exp\":" + (now + 3600) + "}");
        out.write(input);
        out.write('.');
        out.write(URL.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII))));
        out.newLine();
      }
    }
  }

  private static String encode(String json) {
    return URL.encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }
}
