package io.seckill.command.cluster;

import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.Rejection;
import io.seckill.command.domain.TicketPolicy;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventCodec;
import io.seckill.command.service.Unavailable;
import io.seckill.shared.http.ApiException;

import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The wire format of a grab or ticket routed to the owner of its partition over the event bus, in one place. A
 * request is the promotion id (36 characters) then the customer id; a decision is {@code A} and the coupon's event
 * JSON, or {@code R} and the rejection's name; a ticket's validity is {@code V<notBefore>:<expiresAt>} or {@code E}.
 * A failure's code is {@link #UNAVAILABLE} (nothing decided, ask again) or {@link #NOT_OWNER} (not held there, ask
 * whoever holds it now), and its message the error code, a newline, the message; an older member may send another
 * code, passed on as its refusal. Pure.
 */
final class GrabRouting {
  /** The receiver does not hold the partition: nothing was decided, ask whoever holds it now. */
  static final int NOT_OWNER = 421;
  /** {@link Unavailable}: nothing was decided. The number members of earlier versions send and expect. */
  static final int UNAVAILABLE = 503;

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

  static String failure(Unavailable e) {
    return "unavailable\n" + e.getMessage();
  }

  /** A holder's failure: {@link Unavailable}, or an older member's refusal with another code. */
  static RuntimeException failure(int code, String message) {
    int newline = message == null ? -1 : message.indexOf('\n');
    if (newline < 0) {
      return new Unavailable(String.valueOf(message));
    }
    String text = message.substring(newline + 1);
    return code == UNAVAILABLE ? new Unavailable(text) : new ApiException(code, message.substring(0, newline), text);
  }
}
