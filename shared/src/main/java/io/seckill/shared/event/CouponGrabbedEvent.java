package io.seckill.shared.event;

import java.time.Instant;
import java.util.UUID;

/** A customer got one coupon of a promotion. */
public record CouponGrabbedEvent(UUID eventId, UUID promotionId, long sequence, Instant time,
                                 String customerId, double discount) implements SecKillEvent {
  public static final String TYPE = "CouponGrabbedEvent";

  @Override
  public String type() {
    return TYPE;
  }
}
