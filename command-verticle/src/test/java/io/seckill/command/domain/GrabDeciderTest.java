package io.seckill.command.domain;

import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.FinishReason;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.promotion.PromotionTerms;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Given events, when a command, then events (whole, compared with equals: the decider's event ids come from a
 * counter here) or a rejection. No I/O.
 */
class GrabDeciderTest {
  private static final Instant PUBLISH = Instant.parse("2026-11-28T16:00:00Z");
  private static final Instant FINISH = Instant.parse("2026-11-28T17:00:00Z");
  private static final Instant DURING = PUBLISH.plusSeconds(60);
  private final UUID promotion = UUID.randomUUID();
  private int issued;
  private final GrabDecider decider = new GrabDecider(() -> id(++issued));

  /** The {@code n}th event id the decider issues. */
  private static UUID id(int n) {
    return new UUID(0, n);
  }

  private static PromotionFinishEvent finish(UUID eventId, UUID promotionId, long sequence, Instant time,
                                             FinishReason reason) {
    return new PromotionFinishEvent(eventId, promotionId, sequence, time, reason);
  }

  private PromotionStartEvent start(int coupons) {
    return new PromotionStartEvent(UUID.randomUUID(), promotion, 1, PUBLISH, coupons, 0.5, PUBLISH, FINISH);
  }

  private CouponGrabbedEvent grabbed(long sequence, String customer) {
    return new CouponGrabbedEvent(UUID.randomUUID(), promotion, sequence, DURING, customer, 0.5);
  }

  private PromotionState given(SecKillEvent... events) {
    PromotionState state = PromotionState.started((PromotionStartEvent) events[0]);
    for (int i = 1; i < events.length; i++) {
      state.apply(events[i]);
    }
    return state;
  }

  private static Rejection rejection(GrabDecision decision) {
    assertThat(decision).isInstanceOf(GrabDecision.Rejected.class);
    return ((GrabDecision.Rejected) decision).rejection();
  }

  @Test
  void anActivePromotionWithStockGivesTheNextCoupon() {
    GrabDecision decision = decider.decide(given(start(3), grabbed(2, "a")), "b", DURING);
    CouponGrabbedEvent coupon = new CouponGrabbedEvent(id(1), promotion, 3, DURING, "b", 0.5);
    assertThat(decision).isEqualTo(new GrabDecision.Accepted(coupon, List.of(coupon)));
  }

  @Test
  void theLastCouponAlsoFinishesThePromotionAsSoldOut() {
    GrabDecision decision = decider.decide(given(start(2), grabbed(2, "a")), "b", DURING);
    CouponGrabbedEvent coupon = new CouponGrabbedEvent(id(1), promotion, 3, DURING, "b", 0.5);
    assertThat(decision).isEqualTo(new GrabDecision.Accepted(coupon, List.of(coupon,
        finish(id(2), promotion, 4, DURING, FinishReason.SOLD_OUT))));
  }

  @Test
  void aSoldOutPromotionRefusesWithOutOfStock() {
    PromotionState state = given(start(1), grabbed(2, "a"),
        new PromotionFinishEvent(UUID.randomUUID(), promotion, 3, DURING, FinishReason.SOLD_OUT));
    assertThat(rejection(decider.decide(state, "b", DURING))).isEqualTo(Rejection.OUT_OF_STOCK);
    assertThat(state.remaining()).isZero();
  }

  @Test
  void noStockLeftIsOutOfStockEvenBeforeTheFinishIsApplied() {
    assertThat(rejection(decider.decide(given(start(1), grabbed(2, "a")), "b", DURING)))
        .isEqualTo(Rejection.OUT_OF_STOCK);
  }

  @Test
  void oneCouponPerCustomer() {
    assertThat(rejection(decider.decide(given(start(5), grabbed(2, "a")), "a", DURING)))
        .isEqualTo(Rejection.DUPLICATE_ORDER);
  }

  @Test
  void aCustomerWhoGotOneOfASoldOutPromotionHearsDuplicate() {
    PromotionState state = given(start(1), grabbed(2, "a"),
        new PromotionFinishEvent(UUID.randomUUID(), promotion, 3, DURING, FinishReason.SOLD_OUT));
    assertThat(rejection(decider.decide(state, "a", DURING))).isEqualTo(Rejection.DUPLICATE_ORDER);
  }

  @Test
  void beforePublishOrUnknownIsNotActive() {
    PromotionState scheduled = PromotionState.scheduled(promotion, new PromotionTerms(5, 0.5, PUBLISH, FINISH), 1);
    assertThat(rejection(decider.decide(scheduled, "a", PUBLISH.minusSeconds(1)))).isEqualTo(Rejection.PROMOTION_NOT_ACTIVE);
    assertThat(rejection(decider.decide(scheduled, "a", DURING))).isEqualTo(Rejection.PROMOTION_NOT_ACTIVE);
    assertThat(rejection(decider.decide(null, "a", DURING))).isEqualTo(Rejection.PROMOTION_NOT_ACTIVE);
  }

  @Test
  void atOrAfterFinishTimeIsNotActiveEvenBeforeTheFinishEvent() {
    PromotionState state = given(start(5));
    assertThat(rejection(decider.decide(state, "a", FINISH))).isEqualTo(Rejection.PROMOTION_NOT_ACTIVE);
    assertThat(decider.decide(state, "a", FINISH.minusMillis(1))).isInstanceOf(GrabDecision.Accepted.class);
  }

  @Test
  void finishedByTimeWithStockLeftIsNotActive() {
    PromotionState state = given(start(5),
        new PromotionFinishEvent(UUID.randomUUID(), promotion, 2, FINISH, FinishReason.TIME_UP));
    assertThat(rejection(decider.decide(state, "a", DURING))).isEqualTo(Rejection.PROMOTION_NOT_ACTIVE);
  }

  @Test
  void aScheduledPromotionStartsAtItsPublishTimeOnlyOnce() {
    PromotionState state = PromotionState.scheduled(promotion, new PromotionTerms(5, 0.5, PUBLISH, FINISH), 1);
    assertThat(decider.start(state, PUBLISH.minusMillis(1))).isEmpty();
    List<SecKillEvent> events = decider.start(state, PUBLISH);
    assertThat(events).containsExactly(
        new PromotionStartEvent(id(1), promotion, 1, PUBLISH, 5, 0.5, PUBLISH, FINISH));
    events.forEach(state::apply);
    assertThat(state.status()).isEqualTo(PromotionStatus.ACTIVE);
    assertThat(decider.start(state, DURING)).isEmpty();
  }

  @Test
  void aPromotionWhoseWholeWindowPassedStartsAndFinishesAtOnce() {
    PromotionState state = PromotionState.scheduled(promotion, new PromotionTerms(5, 0.5, PUBLISH, FINISH), 1);
    Instant late = FINISH.plusSeconds(5);
    assertThat(decider.start(state, late)).containsExactly(
        new PromotionStartEvent(id(1), promotion, 1, late, 5, 0.5, PUBLISH, FINISH),
        finish(id(2), promotion, 2, late, FinishReason.TIME_UP));
  }

  @Test
  void finishByTimeHappensAtFinishTimeOnceWithStockLeft() {
    PromotionState state = given(start(5), grabbed(2, "a"));
    assertThat(decider.finishByTime(state, FINISH.minusMillis(1))).isEmpty();
    List<SecKillEvent> events = decider.finishByTime(state, FINISH);
    assertThat(events).containsExactly(finish(id(1), promotion, 3, FINISH, FinishReason.TIME_UP));
    events.forEach(state::apply);
    assertThat(decider.finishByTime(state, FINISH.plusSeconds(1))).isEmpty();
  }

  @Test
  void aCancelledPromotionFinishesOnceAndThenRefusesAsNotActive() {
    PromotionState state = given(start(5), grabbed(2, "a"));
    List<SecKillEvent> events = decider.cancel(state, DURING);
    assertThat(events).containsExactly(finish(id(1), promotion, 3, DURING, FinishReason.CANCELLED));
    events.forEach(state::apply);
    assertThat(decider.cancel(state, DURING)).isEmpty();
    assertThat(decider.finishByTime(state, FINISH)).isEmpty();
    assertThat(rejection(decider.decide(state, "b", DURING))).isEqualTo(Rejection.PROMOTION_NOT_ACTIVE);
    assertThat(rejection(decider.decide(state, "a", DURING))).isEqualTo(Rejection.DUPLICATE_ORDER);
    PromotionState scheduled = PromotionState.scheduled(promotion, new PromotionTerms(5, 0.5,
        PUBLISH, FINISH), 1);
    assertThat(decider.cancel(scheduled, DURING)).isEmpty();
  }

  @Test
  void termsChangeOnlyBeforeTheStartAndEventsOnlyInSequence() {
    PromotionState scheduled = PromotionState.scheduled(promotion, new PromotionTerms(5, 0.5, PUBLISH, FINISH), 1);
    scheduled.reschedule(new PromotionTerms(7, 0.4, PUBLISH, FINISH), 2);
    assertThat(scheduled.terms().numberOfCoupons()).isEqualTo(7);
    PromotionState started = given(start(5));
    assertThatThrownBy(() -> started.reschedule(new PromotionTerms(7, 0.4, PUBLISH, FINISH), 2))
        .isInstanceOf(IllegalStateException.class);
    assertThatThrownBy(() -> started.apply(grabbed(3, "x"))).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void replayingTheEventsGivesTheSameState() {
    PromotionState state = given(start(3), grabbed(2, "a"), grabbed(3, "b"));
    assertThat(state.remaining()).isEqualTo(1);
    assertThat(state.grabbed()).isEqualTo(2);
    assertThat(state.hasCustomer("a")).isTrue();
    assertThat(state.hasCustomer("c")).isFalse();
    assertThat(state.lastSequence()).isEqualTo(3);
  }

  @Test
  void aRestoredPromotionEqualsTheFoldOfItsEvents() {
    PromotionState folded = given(start(3), grabbed(2, "a"), grabbed(3, "b"));
    PromotionState restored = PromotionState.restored(start(3), CustomerSet.of("a", "b"), null, 3);
    assertThat(restored.status()).isEqualTo(folded.status());
    assertThat(restored.remaining()).isEqualTo(folded.remaining());
    assertThat(restored.lastSequence()).isEqualTo(folded.lastSequence());
    assertThat(rejection(decider.decide(restored, "a", DURING))).isEqualTo(Rejection.DUPLICATE_ORDER);
    CouponGrabbedEvent coupon = new CouponGrabbedEvent(id(1), promotion, 4, DURING, "c", 0.5);
    assertThat(decider.decide(restored, "c", DURING)).isEqualTo(new GrabDecision.Accepted(coupon, List.of(coupon,
        finish(id(2), promotion, 5, DURING, FinishReason.SOLD_OUT))));

    PromotionFinishEvent finish = new PromotionFinishEvent(UUID.randomUUID(), promotion, 3, DURING,
        FinishReason.SOLD_OUT);
    PromotionState soldOut = PromotionState.restored(start(1), CustomerSet.of("a"), finish, 3);
    assertThat(soldOut.status()).isEqualTo(PromotionStatus.FINISHED);
    assertThat(rejection(decider.decide(soldOut, "z", DURING))).isEqualTo(Rejection.OUT_OF_STOCK);
  }

  @Test
  void aStoreWhoseSequencesDoNotAddUpIsRefused() {
    assertThatThrownBy(() -> PromotionState.restored(start(3), CustomerSet.of("a"), null, 3))
        .isInstanceOf(IllegalStateException.class);
    PromotionFinishEvent early = new PromotionFinishEvent(UUID.randomUUID(), promotion, 2, DURING,
        FinishReason.TIME_UP);
    assertThatThrownBy(() -> PromotionState.restored(start(3), CustomerSet.of("a"), early, 3))
        .isInstanceOf(IllegalStateException.class);
  }
}
