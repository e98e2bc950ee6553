package io.seckill.command.domain;

import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.FinishReason;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.promotion.PromotionTerms;

import java.util.UUID;

/**
 * One promotion on the command side: a fold of its events ({@link #apply}). Before it starts, its terms come
 * from the admin's promotions row ({@link #scheduled}); from the start event on, only events change it.
 * Not thread-safe: owned by one event loop.
 */
public final class PromotionState {
  private final UUID promotionId;
  private PromotionTerms terms;
  private int termsVersion;
  private PromotionStatus status;
  private FinishReason finishReason;
  private long lastSequence;
  private int grabbed;
  private CustomerSet customers = CustomerSet.empty();

  private PromotionState(UUID promotionId, PromotionTerms terms, int termsVersion) {
    this.promotionId = promotionId;
    this.terms = terms;
    this.termsVersion = termsVersion;
    this.status = PromotionStatus.SCHEDULED;
  }

  /** A promotion that has no events yet, with the terms and version of its promotions row. */
  public static PromotionState scheduled(UUID promotionId, PromotionTerms terms, int termsVersion) {
    return new PromotionState(promotionId, terms, termsVersion);
  }

  /** A promotion whose first event is {@code start}; apply the rest with {@link #apply}. */
  public static PromotionState started(PromotionStartEvent start) {
    PromotionState state = new PromotionState(start.promotionId(), null, 0);
    state.apply(start);
    return state;
  }

  /**
   * A promotion restored from what its events imply without folding them one by one: its start, the customers
   * served (one coupon each), its finish if any, and its last sequence. Events are gap-free, so the last
   * sequence must be the start, the grabs and the finish counted; anything else is a broken store and throws.
   * The state takes {@code customersServed} over (a set nobody else holds).
   */
  public static PromotionState restored(PromotionStartEvent start, CustomerSet customersServed,
                                        PromotionFinishEvent finish, long lastSequence) {
    long expected = 1 + customersServed.size() + (finish == null ? 0 : 1);
    if (start.sequence() != 1 || lastSequence != expected || (finish != null && finish.sequence() != lastSequence)) {
      throw new IllegalStateException("promotion " + start.promotionId() + ": last sequence " + lastSequence
          + " does not match a start, " + customersServed.size() + " grabs and " + (finish == null ? "no" : "a")
          + " finish");
    }
    PromotionState state = started(start);
    state.customers = customersServed;
    state.grabbed = customersServed.size();
    if (finish != null) {
      state.status = PromotionStatus.FINISHED;
      state.finishReason = finish.reason();
    }
    state.lastSequence = lastSequence;
    return state;
  }

  /**
   * A finished promotion as another process answers its crowd: only what a finished promotion's decisions read
   * (its finish reason and the customers served), as its owner sent it.
   */
  public static PromotionState frozen(UUID promotionId, FinishReason reason, CustomerSet customersServed) {
    PromotionState state = new PromotionState(promotionId, null, 0);
    state.status = PromotionStatus.FINISHED;
    state.finishReason = reason;
    state.customers = customersServed;
    state.grabbed = customersServed.size();
    return state;
  }

  /** The customers served (for the frozen copy a finished promotion's owner sends: it no longer changes). */
  public CustomerSet customersServed() {
    return customers;
  }

  /** Folds one event in. Events must come in sequence order; anything else is a bug and throws. */
  public void apply(SecKillEvent event) {
    if (!event.promotionId().equals(promotionId)) {
      throw new IllegalArgumentException("event of " + event.promotionId() + " applied to " + promotionId);
    }
    if (event.sequence() != lastSequence + 1) {
      throw new IllegalStateException("promotion " + promotionId + " expected sequence " + (lastSequence + 1)
          + " but got " + event.sequence());
    }
    if (event instanceof PromotionStartEvent start) {
      terms = new PromotionTerms(start.numberOfCoupons(), start.discount(), start.publishTime(), start.finishTime());
      status = PromotionStatus.ACTIVE;
    } else if (event instanceof CouponGrabbedEvent grab) {
      grabbed++;
      customers.add(grab.customerId());
    } else if (event instanceof PromotionFinishEvent finish) {
      status = PromotionStatus.FINISHED;
      finishReason = finish.reason();
    }
    lastSequence = event.sequence();
  }

  /** New terms from the admin, allowed only before the start. */
  public void reschedule(PromotionTerms newTerms, int newVersion) {
    if (status != PromotionStatus.SCHEDULED) {
      throw new IllegalStateException("promotion " + promotionId + " has started; its terms are fixed");
    }
    this.terms = newTerms;
    this.termsVersion = newVersion;
  }

  public UUID promotionId() {
    return promotionId;
  }

  public PromotionTerms terms() {
    return terms;
  }

  public int termsVersion() {
    return termsVersion;
  }

  public PromotionStatus status() {
    return status;
  }

  public FinishReason finishReason() {
    return finishReason;
  }

  public long lastSequence() {
    return lastSequence;
  }

  public int grabbed() {
    return grabbed;
  }

  public int remaining() {
    return terms.numberOfCoupons() - grabbed;
  }

  public boolean hasCustomer(String customerId) {
    return customers.contains(customerId);
  }
}
