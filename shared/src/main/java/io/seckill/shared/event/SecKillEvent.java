package io.seckill.shared.event;

import java.time.Instant;
import java.util.UUID;

/** An immutable fact of the write side. {@code sequence} is 1, 2, 3... per promotion, without gaps. */
public sealed interface SecKillEvent permits PromotionStartEvent, CouponGrabbedEvent, PromotionFinishEvent {
  UUID eventId();

  UUID promotionId();

  long sequence();

  Instant time();

  /** The wire name of the event type, e.g. {@code CouponGrabbedEvent}. */
  String type();
}
