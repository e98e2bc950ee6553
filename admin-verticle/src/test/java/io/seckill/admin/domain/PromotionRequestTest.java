package io.seckill.admin.domain;

import io.seckill.shared.http.ApiException;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PromotionRequestTest {
  private static final Instant NOW = Instant.parse("2026-11-28T16:00:00Z");

  private static JsonObject valid() {
    return new JsonObject().put("numberOfCoupons", 100).put("discount", 0.8)
        .put("publishTime", "2026-11-28T17:00:00Z").put("finishTime", "2026-11-28T18:00:00Z");
  }

  private static void refused(JsonObject body, String field) {
    assertThatThrownBy(() -> PromotionRequest.parse(body, NOW))
        .isInstanceOfSatisfying(ApiException.class, e -> {
          assertThat(e.status()).isEqualTo(400);
          assertThat(e.error()).isEqualTo("invalid_promotion");
          assertThat(e.getMessage()).contains(field);
        });
  }

  @Test
  void aValidBodyGivesTheTerms() {
    var terms = PromotionRequest.parse(valid(), NOW);
    assertThat(terms.numberOfCoupons()).isEqualTo(100);
    assertThat(terms.discount()).isEqualTo(0.8);
    assertThat(terms.publishTime()).isEqualTo(Instant.parse("2026-11-28T17:00:00Z"));
  }

  @Test
  void epochMillisAreAcceptedToo() {
    var body = valid().put("publishTime", NOW.toEpochMilli()).put("finishTime", NOW.toEpochMilli() + 60_000);
    assertThat(PromotionRequest.parse(body, NOW).finishTime()).isEqualTo(NOW.plusSeconds(60));
  }

  @Test
  void numberOfCouponsMustBeAWholeNumberInRange() {
    refused(valid().put("numberOfCoupons", 0), "numberOfCoupons");
    refused(valid().put("numberOfCoupons", 10_000_001), "numberOfCoupons");
    refused(valid().put("numberOfCoupons", 1.5), "numberOfCoupons");
    refused(valid().put("numberOfCoupons", "10"), "numberOfCoupons");
    refused(valid().putNull("numberOfCoupons"), "numberOfCoupons");
    assertThat(PromotionRequest.parse(valid().put("numberOfCoupons", 10_000_000), NOW).numberOfCoupons())
        .isEqualTo(10_000_000);
  }

  @Test
  void discountMustBeAboveZeroAndAtMostOne() {
    refused(valid().put("discount", 0), "discount");
    refused(valid().put("discount", 1.01), "discount");
    refused(valid().put("discount", "half"), "discount");
    refused(withoutDiscount(), "discount");
    assertThat(PromotionRequest.parse(valid().put("discount", 1), NOW).discount()).isEqualTo(1.0);
  }

  private static JsonObject withoutDiscount() {
    JsonObject body = valid();
    body.remove("discount");
    return body;
  }

  @Test
  void timesMustBeInstantsInOrderAndFinishInTheFuture() {
    refused(valid().put("publishTime", "tomorrow"), "publishTime");
    refused(valid().put("finishTime", true), "finishTime");
    refused(valid().put("finishTime", "2026-11-28T17:00:00Z"), "finishTime must be after publishTime");
    refused(valid().put("publishTime", "2026-11-28T14:00:00Z").put("finishTime", "2026-11-28T15:00:00Z"),
        "finishTime must be in the future");
  }
}
