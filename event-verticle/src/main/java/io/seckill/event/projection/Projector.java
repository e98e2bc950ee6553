package io.seckill.event.projection;

import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.Comparator;

/**
 * The read side's decision, pure: given a batch of events and the last sequence already applied for each
 * promotion, what changes. Applying the same events twice changes nothing; a promotion's events are applied
 * only in unbroken sequence order.
 */
public final class Projector {
  private Projector() {
  }

  public static ProjectionPlan plan(List<SecKillEvent> events, Map<UUID, Long> lastApplied) {
    Map<UUID, Long> last = new HashMap<>(lastApplied);
    List<PromotionStartEvent> started = new ArrayList<>();
    List<CouponGrabbedEvent> coupons = new ArrayList<>();
    Map<UUID, Integer> taken = new LinkedHashMap<>();
    Set<UUID> finished = new HashSet<>();
    Map<UUID, Long> newLast = new LinkedHashMap<>();
    Set<UUID> blocked = new HashSet<>();
    List<ProjectionPlan.Gap> gaps = new ArrayList<>();
    int duplicates = 0;
    int applied = 0;
    // messages of one promotion may come out of order (a resend, an announcement, a redelivery): in sequence order
    List<SecKillEvent> ordered = new ArrayList<>(events);
    ordered.sort(Comparator.comparingLong(SecKillEvent::sequence));
    for (SecKillEvent event : ordered) {
      UUID id = event.promotionId();
      long expected = last.getOrDefault(id, 0L) + 1;
      if (event.sequence() < expected) {
        duplicates++;
        continue;
      }
      if (blocked.contains(id) || event.sequence() > expected) {
        if (blocked.add(id)) {
          gaps.add(new ProjectionPlan.Gap(id, expected, event.sequence()));
        }
        continue;
      }
      if (event instanceof PromotionStartEvent start) {
        started.add(start);
      } else if (event instanceof CouponGrabbedEvent coupon) {
        coupons.add(coupon);
        taken.merge(id, 1, Integer::sum);
      } else if (event instanceof PromotionFinishEvent) {
        finished.add(id);
      }
      last.put(id, event.sequence());
      newLast.put(id, event.sequence());
      applied++;
    }
    return new ProjectionPlan(started, coupons, taken, finished, newLast, applied, duplicates, gaps);
  }
}
