package io.seckill.command.cluster;

import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.Rejection;
import io.seckill.command.domain.TicketPolicy;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.http.ApiException;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The wire format of a grab or ticket routed to the owner of its partition over the event bus, in one place. A
 * request is the promotion id (36 characters) then the customer id; a decision is {@code A} and the coupon's event
 * JSON, or {@code R} and the rejection's name; a ticket's validity is {@code V<notBefore>:<expiresAt>} or {@code E}.
 * A failure's code is the HTTP status ({@link #NOT_OWNER}: not held there, nothing decided) and its message the
 * error code, a newline, the message. Pure.
 */
final class GrabRouting {
  /** The receiver does not hold the partition: nothing was decided, ask whoever holds it now. */
  static final int NOT_OWNER = 421;

  private GrabRouting() {
  }

  static String grabAddress(String incarnation) {
    return "seckill.command.grab." + incarnation;
  }

  static String ticketAddress(String incarnation) {
    return "seckill.command.ticket." + incarnation;
  }

  static String request(UUID promotionId, String customerId) {
    return promotionId + customerId;
  }

  static UUID promotionOf(String request) {
    return UUID.fromString(request.substring(0, 36));
  }

  static String customerOf(String request) {
    return request.substring(36);
  }

  static String decision(GrabDecision decision) {
    return decision instanceof GrabDecision.Accepted accepted ? "A" + EventCodec.encode(accepted.coupon())
        : "R" + ((GrabDecision.Rejected) decision).rejection().name();
  }

  static GrabDecision decision(String reply) {
    if (reply.startsWith("A")) {
      CouponGrabbedEvent coupon = (CouponGrabbedEvent) EventCodec.decode(reply.substring(1));
      return new GrabDecision.Accepted(coupon, List.of(coupon));
    }
    return new GrabDecision.Rejected(Rejection.valueOf(reply.substring(1)));
  }

  static String validity(Optional<TicketPolicy.Validity> validity) {
    return validity.map(v -> "V" + v.notBefore() + ":" + v.expiresAt() + ":" + v.publishTimeMillis() + ":"
        + v.finishTimeMillis()).orElse("E");
  }

  static Optional<TicketPolicy.Validity> validity(String reply) {
    if (!reply.startsWith("V")) {
      return Optional.empty();
    }
    String[] parts = reply.substring(1).split(":");
    // a member of the version before sends no publish and finish times: 0, and the ticket's answer omits them
    return Optional.of(new TicketPolicy.Validity(Long.parseLong(parts[0]), Long.parseLong(parts[1]),
        parts.length > 3 ? Long.parseLong(parts[2]) : 0, parts.length > 3 ? Long.parseLong(parts[3]) : 0));
  }

  static String failure(ApiException e) {
    return e.error() + "\n" + e.getMessage();
  }

  static ApiException failure(int status, String message) {
    int newline = message == null ? -1 : message.indexOf('\n');
    return newline < 0 ? new ApiException(503, "unavailable", String.valueOf(message))
        : new ApiException(status, message.substring(0, newline), message.substring(newline + 1));
  }
}
