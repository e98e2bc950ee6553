package io.seckill.loadtest;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

/** The requests the simulations share, with their checks. 429 out_of_stock / duplicate_order are expected outcomes. */
final class Requests {
  private Requests() {
  }

  static HttpProtocolBuilder protocol() {
    // no shareConnections(): every virtual user is a customer with its own connections, as browsers are
    HttpProtocolBuilder protocol = http.contentTypeHeader("application/json").acceptHeader("application/json");
    return Target.LOCAL_ADDRESSES.isEmpty() ? protocol : protocol.localAddresses(Target.LOCAL_ADDRESSES);
  }

  /**
   * Grabs a coupon of #{promotionId} for #{customerId} with #{credential} (a ticket, or an identity token): 200,
   * or 429 with an expected reason; the answer goes to the ledger for the final check through the query API.
   */
  static ChainBuilder grab(Ledger ledger) {
    return exec(http("grab").post(Target.COMMAND + "/command/coupons")
        .header("Authorization", "Bearer #{credential}")
        .body(StringBody("{\"promotionId\":\"#{promotionId}\"}"))
        .check(status().in(200, 429).saveAs("grabStatus"))
        .checkIf((response, session) -> response.status().code() == 429)
        .then(jsonPath("$.error").in("out_of_stock", "duplicate_order"))
        .checkIf((response, session) -> response.status().code() == 200)
        .then(jsonPath("$.customerId").isEL("#{customerId}")))
        .exec(session -> {
          if (session.contains("grabStatus")) {
            ledger.record(session.getString("promotionId"), session.getString("customerId"),
                session.getInt("grabStatus"));
          }
          return session.remove("grabStatus");
        });
  }

  static ChainBuilder myCoupons() {
    return exec(http("my coupons").get(Target.QUERY + "/query/coupons/#{customerId}")
        .header("Authorization", "Bearer #{token}").check(status().is(200)));
  }

  static ChainBuilder activePromotions() {
    return exec(http("active promotions").get(Target.QUERY + "/query/promotions").check(status().is(200)));
  }
}
