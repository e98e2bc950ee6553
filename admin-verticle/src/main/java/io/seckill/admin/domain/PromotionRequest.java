package io.seckill.admin.domain;

import io.seckill.shared.http.ApiException;
import io.seckill.shared.http.Bodies;
import io.seckill.shared.promotion.PromotionTerms;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Validates the body of a create or update: every rule of SPEC §1, with the field named in the 400. */
public final class PromotionRequest {
  public static final String ERROR = "invalid_promotion";

  private PromotionRequest() {
  }

  public static PromotionTerms parse(JsonObject body, Instant now) {
    int coupons = coupons(body);
    double discount = discount(body);
    Instant publish = Bodies.instant(body, "publishTime", ERROR).truncatedTo(ChronoUnit.MILLIS);
    Instant finish = Bodies.instant(body, "finishTime", ERROR).truncatedTo(ChronoUnit.MILLIS);
    if (!finish.isAfter(publish)) {
      throw ApiException.badRequest(ERROR, "finishTime must be after publishTime");
    }
    if (!finish.isAfter(now)) {
      throw ApiException.badRequest(ERROR, "finishTime must be in the future");
    }
    return new PromotionTerms(coupons, discount, publish, finish);
  }

  private static int coupons(JsonObject body) {
    Object value = body.getValue("numberOfCoupons");
    if (value == null) {
      throw ApiException.badRequest(ERROR, "numberOfCoupons is required");
    }
    if (!(value instanceof Number number) || number.doubleValue() != Math.rint(number.doubleValue())) {
      throw ApiException.badRequest(ERROR, "numberOfCoupons must be a whole number");
    }
    double coupons = number.doubleValue();
    if (coupons < 1 || coupons > PromotionTerms.MAX_COUPONS) {
      throw ApiException.badRequest(ERROR, "numberOfCoupons must be between 1 and " + PromotionTerms.MAX_COUPONS);
    }
    return (int) coupons;
  }

  private static double discount(JsonObject body) {
    Object value = body.getValue("discount");
    if (value == null) {
      throw ApiException.badRequest(ERROR, "discount is required");
    }
    if (!(value instanceof Number number)) {
      throw ApiException.badRequest(ERROR, "discount must be a number");
    }
    double discount = number.doubleValue();
    if (!(discount > 0 && discount <= 1)) {
      throw ApiException.badRequest(ERROR, "discount must be greater than 0 and at most 1");
    }
    return discount;
  }
}
