package io.seckill.event.projection;

import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.FinishReason;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Given what was applied, when a batch arrives, then this is what changes. No I/O. */
class ProjectorTest {
  private static final Instant T = Instant.parse("2026-11-28T16:00:00Z");
  private final UUID p = UUID.randomUUID();
  private final UUID q = UUID.randomUUID();

  private PromotionStartEvent start(UUID promotion) {
    return new PromotionStartEvent(UUID.randomUUID(), promotion, 1, T, 10, 0.5, T, T.plusSeconds(60));
  }

  private CouponGrabbedEvent grab(UUID promotion, long sequence) {
    return new CouponGrabbedEvent(UUID.randomUUID(), promotion, sequence, T, "c" + sequence, 0.5);
  }

  private PromotionFinishEvent finish(UUID promotion, long sequence) {
    return new PromotionFinishEvent(UUID.randomUUID(), promotion, sequence, T, FinishReason.SOLD_OUT);
  }

  @Test
  void eachEventTypeHasItsEffect() {
    List<SecKillEvent> events = List.of(start(p), grab(p, 2), grab(p, 3), finish(p, 4));
    ProjectionPlan plan = Projector.plan(events, Map.of());
    assertThat(plan.started()).containsExactly((PromotionStartEvent) events.get(0));
    assertThat(plan.coupons()).extracting(CouponGrabbedEvent::customerId).containsExactly("c2", "c3");
    assertThat(plan.couponsTaken()).isEqualTo(Map.of(p, 2));
    assertThat(plan.finished()).containsExactly(p);
    assertThat(plan.lastSequences()).isEqualTo(Map.of(p, 4L));
    assertThat(plan.applied()).isEqualTo(4);
    assertThat(plan.duplicates()).isZero();
    assertThat(plan.gaps()).isEmpty();
  }

  @Test
  void eventsAlreadyAppliedChangeNothing() {
    List<SecKillEvent> events = List.of(start(p), grab(p, 2), grab(p, 3));
    ProjectionPlan again = Projector.plan(events, Map.of(p, 3L));
    assertThat(again.changesNothing()).isTrue();
    assertThat(again.duplicates()).isEqualTo(3);
    assertThat(again.coupons()).isEmpty();
  }

  @Test
  void aPartlyAppliedBatchAppliesOnlyTheRest() {
    ProjectionPlan plan = Projector.plan(List.of(grab(p, 2), grab(p, 3), grab(p, 4)), Map.of(p, 3L));
    assertThat(plan.coupons()).extracting(CouponGrabbedEvent::sequence).containsExactly(4L);
    assertThat(plan.couponsTaken()).isEqualTo(Map.of(p, 1));
    assertThat(plan.duplicates()).isEqualTo(2);
  }

  @Test
  void aGapHoldsBackThatPromotionOnly() {
    ProjectionPlan plan = Projector.plan(List.of(grab(p, 3), grab(p, 4), start(q), grab(q, 2)), Map.of(p, 1L));
    assertThat(plan.gaps()).containsExactly(new ProjectionPlan.Gap(p, 2, 3));
    assertThat(plan.lastSequences()).isEqualTo(Map.of(q, 2L));
    assertThat(plan.coupons()).extracting(CouponGrabbedEvent::promotionId).containsOnly(q);
    assertThat(plan.applied()).isEqualTo(2);
  }

  @Test
  void aGapIsRequestedAtOnceAndAgainWhileItStays() {
    GapTracker tracker = new GapTracker(1000);
    ProjectionPlan gapped = Projector.plan(List.of(grab(p, 3)), Map.of(p, 1L));
    assertThat(tracker.observe(gapped, 0)).containsExactly(new ProjectionPlan.Gap(p, 2, 3));
    assertThat(tracker.observe(gapped, 999)).isEmpty();
    assertThat(tracker.observe(gapped, 1000)).hasSize(1);
    ProjectionPlan filled = Projector.plan(List.of(grab(p, 2), grab(p, 3)), Map.of(p, 1L));
    assertThat(tracker.observe(filled, 1100)).isEmpty();
    assertThat(tracker.open()).isEmpty();
    // moved on, and a gap again further on: asked for at once
    ProjectionPlan movedOnGapped = Projector.plan(List.of(grab(p, 2), grab(p, 5)), Map.of(p, 1L));
    assertThat(tracker.observe(movedOnGapped, 1200)).containsExactly(new ProjectionPlan.Gap(p, 3, 5));
  }

  @Test
  void aBatchIsAppliedInSequenceOrderWhateverOrderItsMessagesCameIn() {
    ProjectionPlan plan = Projector.plan(List.of(grab(p, 4), grab(p, 2), grab(p, 3)), Map.of(p, 1L));
    assertThat(plan.gaps()).isEmpty();
    assertThat(plan.lastSequences()).isEqualTo(Map.of(p, 4L));
    assertThat(plan.coupons()).extracting(CouponGrabbedEvent::sequence).containsExactly(2L, 3L, 4L);
  }
}
