package io.seckill.command.domain;

import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventIds;
import io.seckill.shared.event.FinishReason;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.promotion.PromotionTerms;

import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The command side's decisions, pure: given a promotion's state and the time, which events happen. Nothing here
 * changes the state.
 *
 * <p>The one rule for applying them, everywhere on the command side (a grab, a start, a time-up, a cancel): the
 * caller applies the returned events to the state at once, when they are decided and before they are written, so
 * that the next decision (the next grab in the same group commit) is made on top of them. A write that does not
 * commit them (failed, fenced, its outcome unknown, or a start that found its row changed) puts the promotion into
 * recovery: it answers 503 until it is rebuilt from what the store holds. Nothing is undone in place.
 */
public final class GrabDecider {
  private final Supplier<UUID> eventIds;

  public GrabDecider(Supplier<UUID> eventIds) {
    this.eventIds = eventIds;
  }

  public GrabDecider() {
    this(EventIds::next);
  }

  /** Can {@code customerId} grab a coupon of {@code state} (null when unknown) at {@code now}? */
  public GrabDecision decide(PromotionState state, String customerId, Instant now) {
    if (state == null || state.status() == PromotionStatus.SCHEDULED) {
      return new GrabDecision.Rejected(Rejection.PROMOTION_NOT_ACTIVE);
    }
    if (state.status() == PromotionStatus.FINISHED) {
      if (state.hasCustomer(customerId)) {
        return new GrabDecision.Rejected(Rejection.DUPLICATE_ORDER);
      }
      return new GrabDecision.Rejected(state.finishReason() == FinishReason.SOLD_OUT
          ? Rejection.OUT_OF_STOCK : Rejection.PROMOTION_NOT_ACTIVE);
    }
    PromotionTerms terms = state.terms();
    if (now.isBefore(terms.publishTime()) || !now.isBefore(terms.finishTime())) {
      return new GrabDecision.Rejected(Rejection.PROMOTION_NOT_ACTIVE);
    }
    if (state.hasCustomer(customerId)) {
      return new GrabDecision.Rejected(Rejection.DUPLICATE_ORDER);
    }
    if (state.remaining() <= 0) {
      return new GrabDecision.Rejected(Rejection.OUT_OF_STOCK);
    }
    long sequence = state.lastSequence() + 1;
    CouponGrabbedEvent coupon = new CouponGrabbedEvent(eventIds.get(), state.promotionId(), sequence, now,
        customerId, terms.discount());
    if (state.remaining() == 1) {
      return new GrabDecision.Accepted(coupon, List.of(coupon,
          new PromotionFinishEvent(eventIds.get(), state.promotionId(), sequence + 1, now, FinishReason.SOLD_OUT)));
    }
    return new GrabDecision.Accepted(coupon, List.of(coupon));
  }

  /**
   * The start of a scheduled promotion whose publish time has come: its start event, followed by its finish
   * when the finish time has passed too (the command side was down through the whole window). Empty otherwise.
   */
  public List<SecKillEvent> start(PromotionState state, Instant now) {
    if (state.status() != PromotionStatus.SCHEDULED || now.isBefore(state.terms().publishTime())) {
      return List.of();
    }
    PromotionTerms terms = state.terms();
    PromotionStartEvent start = new PromotionStartEvent(eventIds.get(), state.promotionId(), state.lastSequence() + 1,
        now, terms.numberOfCoupons(), terms.discount(), terms.publishTime(), terms.finishTime());
    if (!now.isBefore(terms.finishTime())) {
      return List.of(start, new PromotionFinishEvent(eventIds.get(), state.promotionId(), start.sequence() + 1, now,
          FinishReason.TIME_UP));
    }
    return List.of(start);
  }

  /** The finish of an active promotion an admin cancelled (exactly one: a finished one gets none). */
  public List<SecKillEvent> cancel(PromotionState state, Instant now) {
    if (state.status() != PromotionStatus.ACTIVE) {
      return List.of();
    }
    return List.of(new PromotionFinishEvent(eventIds.get(), state.promotionId(), state.lastSequence() + 1, now,
        FinishReason.CANCELLED));
  }

  /** The time-up finish of an active promotion whose finish time has come. Empty otherwise. */
  public List<SecKillEvent> finishByTime(PromotionState state, Instant now) {
    if (state.status() != PromotionStatus.ACTIVE || now.isBefore(state.terms().finishTime())) {
      return List.of();
    }
    return List.of(new PromotionFinishEvent(eventIds.get(), state.promotionId(), state.lastSequence() + 1, now,
        FinishReason.TIME_UP));
  }
}
