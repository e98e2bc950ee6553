package io.seckill.shared.event;

import java.time.Instant;
import java.util.UUID;

/** Grabbing closes for good. */
public record PromotionFinishEvent(UUID eventId, UUID promotionId, long sequence, Instant time, FinishReason reason)
    implements SecKillEvent {
  public static final String TYPE = "PromotionFinishEvent";

  @Override
  public String type() {
    return TYPE;
  }
}
