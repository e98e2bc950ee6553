package io.seckill.shared.identity;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import javax.crypto.spec.SecretKeySpec;
import javax.crypto.Mac;

/** Grab tickets: round trip, every tampering, expiry and key rotation; no I/O. */
class TicketsTest {
  private static final UUID PROMOTION = UUID.fromString("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");
  private static final long NOW = 1_800_000_000L;
  private static final TicketKey K1 = new TicketKey("k1", "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
  private static final TicketKey K2 = new TicketKey("k2", "fedcba9876543210fedcba9876543210".getBytes(StandardCharsets.US_ASCII));
  private static final TicketKey K0 = new TicketKey("k0", "retired-retired-retired-retired!".getBytes(StandardCharsets.US_ASCII));

  private static void refused(Tickets tickets, String ticket, String why) {
    assertThatThrownBy(() -> tickets.check(ticket, NOW)).as(ticket).isInstanceOf(TokenRefused.class)
        .hasMessageContaining(why);
  }

  @Test
  void aTicketNamesItsCustomerAndPromotion() throws TokenRefused {
    Tickets tickets = new Tickets(List.of(K1));
    for (String customer : List.of("alice", "\"q\"\\ \u00e9\u00e8 \ud83d\ude00", "x".repeat(64))) {
      String ticket = tickets.issue(customer, PROMOTION, NOW, NOW + 60);
      assertThat(tickets.isTicket(ticket)).isTrue();
      assertThat(tickets.check(ticket, NOW)).isEqualTo(new Tickets.Ticket(customer, PROMOTION, NOW, NOW + 60));
    }
  }

  @Test
  void anExpiredTicketIsRefused() {
    Tickets tickets = new Tickets(List.of(K1));
    refused(tickets, tickets.issue("alice", PROMOTION, NOW - 60, NOW), "expired");
  }

  @Test
  void anyChangeToATicketBreaksItsMac() {
    Tickets tickets = new Tickets(List.of(K1));
    String ticket = tickets.issue("alice", PROMOTION, NOW, NOW + 60);
    String[] parts = ticket.split("\\.");
    String forged = Base64.getUrlEncoder().withoutPadding().encodeToString(
        ("{\"sub\":\"mallory\",\"pid\":\"" + PROMOTION + "\",\"nbf\":" + NOW + ",\"exp\":" + (NOW + 60) + "}")
            .getBytes(StandardCharsets.UTF_8));
    refused(tickets, parts[0] + "." + forged + "." + parts[2], "MAC");
    char last = parts[2].charAt(0);
    refused(tickets, parts[0] + "." + parts[1] + "." + (last == 'A' ? 'B' : 'A') + parts[2].substring(1), "MAC");
    refused(tickets, parts[0] + "." + parts[1] + "." + parts[2].substring(1), "malformed");
    refused(tickets, parts[0] + "." + parts[1], "malformed");
    refused(tickets, parts[0] + "." + parts[1] + "." + parts[2] + ".x", "malformed");
    refused(tickets, parts[0] + ".." + parts[2], "malformed");
    refused(tickets, parts[0] + "." + parts[1] + "\u00e9." + parts[2], "malformed");
  }

  @Test
  void theCurrentAndThePreviousKeyVerifyARetiredOneDoesNot() throws TokenRefused {
    String byK1 = new Tickets(List.of(K1)).issue("alice", PROMOTION, NOW, NOW + 60);
    String byK0 = new Tickets(List.of(K0)).issue("alice", PROMOTION, NOW, NOW + 60);
    Tickets rotated = new Tickets(List.of(K2, K1));
    assertThat(rotated.check(byK1, NOW).customerId()).isEqualTo("alice");
    String byK2 = rotated.issue("bob", PROMOTION, NOW, NOW + 60);
    assertThat(byK2).startsWith(Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k2\"}".getBytes(StandardCharsets.UTF_8)));
    assertThat(rotated.check(byK2, NOW).customerId()).isEqualTo("bob");
    refused(rotated, byK0, "unknown or retired key");
    assertThat(rotated.isTicket(byK0)).isFalse();
    // the same kid with another secret: the MAC does not match
    Tickets impostor = new Tickets(List.of(new TicketKey("k1", "another-secret-another-secret-!!".getBytes(StandardCharsets.US_ASCII))));
    refused(rotated, impostor.issue("alice", PROMOTION, NOW, NOW + 60), "MAC");
  }

  /** A ticket with any payload, MACed with K1 as the service would. */
  private static String maced(String payload) throws Exception {
    String input = Base64.getUrlEncoder().withoutPadding().encodeToString(
        "{\"alg\":\"HS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}".getBytes(StandardCharsets.UTF_8)) + "."
        + Base64.getUrlEncoder().withoutPadding().encodeToString(payload.getBytes(StandardCharsets.UTF_8));
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(K1.secret(), "HmacSHA256"));
    return input + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
        mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
  }

  @Test
  void aCorrectlyMacedPayloadOfTheWrongShapeIsRefused() throws Exception {
    Tickets tickets = new Tickets(List.of(K1));
    assertThat(tickets.check(maced("{\"sub\":\"a\",\"pid\":\"" + PROMOTION + "\",\"nbf\":1,\"exp\":" + (NOW + 1) + "}"), NOW)
        .customerId()).isEqualTo("a");
    for (String payload : List.of("[]", "nope", "{}", "{\"sub\":5,\"pid\":\"" + PROMOTION + "\",\"nbf\":1,\"exp\":" + (NOW + 1) + "}",
        "{\"sub\":\"a\",\"pid\":\"not-a-uuid\",\"nbf\":1,\"exp\":" + (NOW + 1) + "}",
        "{\"sub\":\"a\",\"pid\":\"" + PROMOTION + "\",\"nbf\":1}",
        "{\"sub\":\"a\",\"pid\":\"" + PROMOTION + "\",\"nbf\":1,\"exp\":\"" + (NOW + 1) + "\"}",
        "{\"sub\":\"a\",\"pid\":\"" + PROMOTION + "\",\"nbf\":1,\"exp\":" + (NOW + 1))) {
      refused(tickets, maced(payload), "malformed");
    }
    // an identity token (RS256) is not a ticket
    assertThat(tickets.isTicket("eyJhbGciOiJSUzI1NiJ9.e30.c2ln")).isFalse();
  }

  @Test
  void ticketKeysAreParsedAndBounded() {
    assertThat(TicketKey.parse("a:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY, b:ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA"))
        .extracting(TicketKey::kid).containsExactly("a", "b");
    assertThatThrownBy(() -> TicketKey.parse("a:c2hvcnQ")).hasMessageContaining("32 bytes");
    assertThatThrownBy(() -> TicketKey.parse("a:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY,b:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY,"
        + "c:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY")).hasMessageContaining("at most one previous");
    assertThatThrownBy(() -> TicketKey.parse("no-colon")).hasMessageContaining("kid:");
    assertThatThrownBy(() -> TicketKey.parse("a b:MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY")).hasMessageContaining("key id");
    assertThat(K1.toString()).doesNotContain("0123456789abcdef");
  }
}
