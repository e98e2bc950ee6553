package io.seckill.shared.identity;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ticket check under Jazzer: any string is either refused (TokenRefused) or is exactly a ticket this key issued
 * (issuing the same fields gives the same string back); nothing else is thrown. The fuzzer is also handed a real
 * ticket to mutate. {@code mvn test} replays the saved inputs; {@code JAZZER_FUZZ=1} fuzzes (docs/testing.md).
 */
class TicketsFuzzTest {
  private static final TicketKey KEY = new TicketKey("k1", "fuzz-fuzz-fuzz-fuzz-fuzz-fuzz-fu".getBytes(StandardCharsets.US_ASCII));
  private static final Tickets TICKETS = new Tickets(List.of(KEY));
  private static final long NOW = 1_800_000_000L;
  private static final String REAL = TICKETS.issue("alice", UUID.fromString("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b"),
      NOW, NOW + 60);

  @FuzzTest(maxDuration = "60s")
  void check(FuzzedDataProvider data) {
    String token = data.consumeBoolean()
        ? REAL.substring(0, data.consumeInt(0, REAL.length())) + data.consumeString(200)
        : data.consumeRemainingAsString();
    Tickets.Ticket ticket;
    try {
      ticket = TICKETS.check(token, NOW);
    } catch (TokenRefused e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    assertThat(TICKETS.issue(ticket.customerId(), ticket.promotionId(), ticket.notBefore(), ticket.expiresAt()))
        .isEqualTo(token);
  }
}
