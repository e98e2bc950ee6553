package io.seckill.shared.promotion;

import java.time.Instant;

/** What an admin sets for a promotion: how many coupons, at what discount, open from publish to finish. */
public record PromotionTerms(int numberOfCoupons, double discount, Instant publishTime, Instant finishTime) {
  public static final int MAX_COUPONS = 10_000_000;
}
