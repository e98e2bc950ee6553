package io.seckill.event.projection;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * Decides when a gap has lasted long enough to ask the write side for a resend: a gap that the broker's own
 * redelivery fills quickly (a released message coming back) needs nothing; one that persists for
 * {@code patienceMillis} is requested, and again every {@code patienceMillis} until it is filled. Pure: time is given.
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
      long since = firstSeen.computeIfAbsent(gap.promotionId(), id -> nowMillis);
      Long requested = lastRequested.get(gap.promotionId());
      if (nowMillis - since >= patienceMillis && (requested == null || nowMillis - requested >= patienceMillis)) {
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
