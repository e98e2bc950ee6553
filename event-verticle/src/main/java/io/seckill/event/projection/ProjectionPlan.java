package io.seckill.event.projection;

import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.PromotionStartEvent;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * What one batch of events does to the read model: promotions that become active, coupons issued, coupons
 * taken off each promotion's remaining count, promotions that leave the active list, and the new last applied
 * sequence per promotion. Events already applied are counted in {@code duplicates}; events after a hole in a
 * promotion's sequence are held back and reported in {@code gaps}.
 */
public record ProjectionPlan(
    List<PromotionStartEvent> started,
    List<CouponGrabbedEvent> coupons,
    Map<UUID, Integer> couponsTaken,
    Set<UUID> finished,
    Map<UUID, Long> lastSequences,
    int applied,
    int duplicates,
    List<Gap> gaps) {

  /** A promotion whose next expected sequence did not come; {@code received} came instead. */
  public record Gap(UUID promotionId, long expected, long received) {
  }

  public boolean changesNothing() {
    return lastSequences.isEmpty();
  }
}
