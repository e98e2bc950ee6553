package io.seckill.command.http;

import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.http.ApiException;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The grab body read by the streaming parser and the 200 body written directly; no I/O. */
class GrabRequestTest {
  private static final UUID PROMOTION = UUID.fromString("6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b");

  private static GrabRequest parse(String body) {
    return GrabRequest.parse(Buffer.buffer(body));
  }

  private static void rejects(String body, String message) {
    assertThatThrownBy(() -> parse(body)).as(body).isInstanceOfSatisfying(ApiException.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.error()).isEqualTo("invalid_request");
      assertThat(e.getMessage()).contains(message);
    });
  }

  @Test
  void theTwoFieldsAreReadWhateverElseComesAlong() {
    GrabRequest request = parse("{\"extra\":{\"a\":[1,2,{\"b\":null}]},\"customerId\":\"al\\u00efce \\\"q\\\"\","
        + "\"promotionId\":\"" + PROMOTION + "\",\"n\":3}");
    assertThat(request.promotionId()).isEqualTo(PROMOTION);
    assertThat(request.customerId()).isEqualTo("al\u00efce \"q\"");
  }

  @Test
  void theCustomerIdIsOptionalTheTokenSaysWhoItIs() {
    GrabRequest request = parse("{\"promotionId\":\"" + PROMOTION + "\"}");
    assertThat(request.promotionId()).isEqualTo(PROMOTION);
    assertThat(request.customerId()).isNull();
  }

  @Test
  void badBodiesAre400sNamingTheProblem() {
    rejects("", "must be a JSON object");
    rejects("[1]", "must be a JSON object");
    rejects("nope", "not valid JSON");
    rejects("{\"promotionId\":", "not valid JSON");
    rejects("{\"promotionId\":\"" + PROMOTION + "\",\"customerId\":\"a\"} trailing", "not valid JSON");
    rejects("{\"customerId\":\"a\"}", "promotionId is required");
    rejects("{\"promotionId\":42,\"customerId\":\"a\"}", "promotionId must be a string");
    rejects("{\"promotionId\":\"not-a-uuid\",\"customerId\":\"a\"}", "promotionId must be a UUID");
    rejects("{\"promotionId\":\"" + PROMOTION + "\",\"customerId\":{}}", "customerId must be a string");
    rejects("{\"promotionId\":\"" + PROMOTION + "\",\"customerId\":\"  \"}", "customerId must be 1 to 64");
    rejects("{\"promotionId\":\"" + PROMOTION + "\",\"customerId\":\"" + "x".repeat(65) + "\"}",
        "customerId must be 1 to 64");
    // not Unicode: the database would store each as "a?" and the second would fail its whole group commit
    rejects("{\"promotionId\":\"" + PROMOTION + "\",\"customerId\":\"a\\ud800\"}", "unpaired surrogate \\ud800 at 1");
    rejects("{\"promotionId\":\"" + PROMOTION + "\",\"customerId\":\"a\\udc00b\"}", "unpaired surrogate \\udc00 at 1");
    rejects("{\"promotionId\":\"" + PROMOTION + "\",\"customerId\":\"\\udc00\\ud800\"}", "unpaired surrogate \\udc00 at 0");
  }

  @Test
  void charactersOutsideTheBasicPlaneAreCustomerIdsLikeAnyOther() {
    GrabRequest request = parse("{\"promotionId\":\"" + PROMOTION + "\",\"customerId\":\"\\ud83d\\ude00 and \ud83d\ude00\"}");
    assertThat(request.customerId()).isEqualTo("\ud83d\ude00 and \ud83d\ude00");
  }

  @Test
  void theAcceptedBodyIsTheJsonOfTheCoupon() {
    CouponGrabbedEvent coupon = new CouponGrabbedEvent(UUID.randomUUID(), PROMOTION, 7,
        Instant.parse("2026-11-28T16:00:00.123Z"), "bob \"the\" \\ buyer\u2603", 0.75);
    JsonObject body = new JsonObject(CommandRoutes.body(coupon));
    assertThat(body).isEqualTo(new JsonObject().put("promotionId", PROMOTION.toString())
        .put("customerId", "bob \"the\" \\ buyer\u2603").put("sequence", 7).put("discount", 0.75)
        .put("time", "2026-11-28T16:00:00.123Z"));
  }
}
