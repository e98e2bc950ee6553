package io.seckill.admin.domain;

import io.seckill.shared.promotion.PromotionTerms;
import io.vertx.core.json.JsonObject;

import java.util.UUID;

/** A promotion as the admin API shows it; status is scheduled, active or finished. */
public record Promotion(UUID promotionId, PromotionTerms terms, String status) {

  public JsonObject toJson() {
    return new JsonObject()
        .put("promotionId", promotionId.toString())
        .put("numberOfCoupons", terms.numberOfCoupons())
        .put("discount", terms.discount())
        .put("publishTime", terms.publishTime().toString())
        .put("finishTime", terms.finishTime().toString())
        .put("status", status);
  }
}
