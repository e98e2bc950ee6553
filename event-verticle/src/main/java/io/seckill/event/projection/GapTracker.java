package io.seckill.event.projection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Decides when to ask the write side for a resend: at once when a gap is seen (the events past it are not kept:
 * the resend brings them again, from the gap to the newest), again every {@code patienceMillis} while it stays, and at
 * once again after the promotion moved on (a resend fills at most so much; what follows it is asked for next). Pure:
 * time is given.
 */
public final class GapTracker {
  private final long patienceMillis;
  private final Map<UUID, Long> firstSeen = new HashMap<>();
  private final Map<UUID, Long> lastRequested = new HashMap<>();

  public GapTracker(long patienceMillis) {
    this.patienceMillis = patienceMillis;
  }

  /** Takes a batch's outcome; returns the gaps to request a resend for now. */
  public List<ProjectionPlan.Gap> observe(ProjectionPlan plan, long nowMillis) {
    plan.lastSequences().keySet().forEach(this::filled);
    List<ProjectionPlan.Gap> due = new ArrayList<>();
    for (ProjectionPlan.Gap gap : plan.gaps()) {
      firstSeen.putIfAbsent(gap.promotionId(), nowMillis);
      Long requested = lastRequested.get(gap.promotionId());
      if (requested == null || nowMillis - requested >= patienceMillis) {
        lastRequested.put(gap.promotionId(), nowMillis);
        due.add(gap);
      }
    }
    return due;
  }

  private void filled(UUID promotionId) {
    firstSeen.remove(promotionId);
    lastRequested.remove(promotionId);
  }

  /** Promotions with an open gap. */
  public Set<UUID> open() {
    return Set.copyOf(firstSeen.keySet());
  }
}
