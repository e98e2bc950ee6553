package io.seckill.command.domain;

import io.seckill.shared.promotion.PromotionTerms;

import java.time.Instant;
import java.util.Optional;

/**
 * Whether a grab ticket may be issued for a promotion now, and for how long (SPEC 2.1): from {@code leadSeconds}
 * before its publish time until its finish time, never once it has finished; valid from now until its finish time
 * or {@code ttlSeconds} from now, whichever is first. Pure.
 */
public final class TicketPolicy {
  /**
   * A ticket's validity, in epoch seconds: {@code notBefore <= t < expiresAt}; and when its promotion opens and
   * closes (epoch milliseconds), so that a page holding the ticket counts down by the server's clock.
   */
  public record Validity(long notBefore, long expiresAt, long publishTimeMillis, long finishTimeMillis) {
  }

  private final long leadSeconds;
  private final long ttlSeconds;

  public TicketPolicy(long leadSeconds, long ttlSeconds) {
    this.leadSeconds = leadSeconds;
    this.ttlSeconds = ttlSeconds;
  }

  public long leadSeconds() {
    return leadSeconds;
  }

  /** Empty when no ticket may be issued ({@code state} null: an unknown promotion). */
  public Optional<Validity> issue(PromotionState state, Instant now) {
    if (state == null || state.status() == PromotionStatus.FINISHED) {
      return Optional.empty();
    }
    PromotionTerms terms = state.terms();
    if (now.isBefore(terms.publishTime().minusSeconds(leadSeconds)) || !now.isBefore(terms.finishTime())) {
      return Optional.empty();
    }
    long nowSeconds = now.getEpochSecond();
    long finish = Math.floorDiv(terms.finishTime().toEpochMilli() + 999, 1000);
    return Optional.of(new Validity(nowSeconds, Math.min(finish, nowSeconds + ttlSeconds),
        terms.publishTime().toEpochMilli(), terms.finishTime().toEpochMilli()));
  }
}
