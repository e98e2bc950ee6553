package io.seckill.shared.event;

import java.time.Instant;
import java.util.UUID;

/** Grabbing opens. Carries the promotion's terms as they were at start, so replay needs nothing else. */
public record PromotionStartEvent(UUID eventId, UUID promotionId, long sequence, Instant time,
                                  int numberOfCoupons, double discount, Instant publishTime, Instant finishTime)
    implements SecKillEvent {
  public static final String TYPE = "PromotionStartEvent";

  @Override
  public String type() {
    return TYPE;
  }
}
