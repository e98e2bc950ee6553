package io.seckill.shared.identity.bench;

import io.seckill.shared.identity.DevIssuer;
import io.seckill.shared.identity.TicketKey;
import io.seckill.shared.identity.Tickets;
import io.seckill.shared.identity.TokenRefused;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.Signature;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import io.vertx.core.json.JsonObject;

/**
 * The CPU cost of the grab path's ticket check (one HMAC-SHA256 and a small JSON payload), beside what an RS256
 * identity-token signature check costs (the JCA verification alone, without JSON or claims), per call on one
 * thread. Run with {@code loadtest/jmh.sh} (BENCHMARKS.md).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class TicketCheckBenchmark {
  private Tickets tickets;
  private String ticket;
  private String forged;
  private long now;
  private Signature rsa;
  private byte[] signingInput;
  private byte[] signature;

  @Setup
  public void setUp() throws Exception {
    tickets = new Tickets(List.of(new TicketKey("t1", "bench-bench-bench-bench-bench-be".getBytes(StandardCharsets.US_ASCII))));
    now = System.currentTimeMillis() / 1000;
    ticket = tickets.issue("customer-000123456", UUID.randomUUID(), now, now + 3600);
    forged = ticket.substring(0, ticket.length() - 2) + (ticket.endsWith("AA") ? "BB" : "AA");
    DevIssuer issuer = DevIssuer.loadOrCreate(Files.createTempDirectory("bench-issuer"));
    String token = issuer.sign(new JsonObject().put("alg", "RS256").put("kid", issuer.kid()),
        new JsonObject().put("sub", "customer-000123456").put("exp", now + 3600));
    signingInput = token.substring(0, token.lastIndexOf('.')).getBytes(StandardCharsets.US_ASCII);
    signature = Base64.getUrlDecoder().decode(token.substring(token.lastIndexOf('.') + 1));
    rsa = Signature.getInstance("SHA256withRSA");
    rsa.initVerify(issuer.publicKey());
  }

  @Benchmark
  public Tickets.Ticket ticketCheck() throws TokenRefused {
    return tickets.check(ticket, now);
  }

  @Benchmark
  public boolean forgedTicketRefused() {
    try {
      tickets.check(forged, now);
      return true;
    } catch (TokenRefused e) {
      return false;
    }
  }

  @Benchmark
  public boolean rs256SignatureCheck() throws Exception {
    rsa.update(signingInput);
    return rsa.verify(signature);
  }
}
