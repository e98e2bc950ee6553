package io.seckill.loadtest;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.util.UUID;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import java.time.Duration;

/** One request of each kind, zero failures allowed: the simulations keep compiling and the system answers. */
public class Smoke extends Simulation {
  private final String promotionId = Target.openPromotion(1, 10);
  private final String customer = "smoke-" + UUID.randomUUID();
  private final String token = Identity.token(customer);
  private final Ledger ledger = new Ledger();

  {
    ScenarioBuilder smoke = scenario("smoke")
        .exec(session -> session.set("promotionId", promotionId).set("customerId", customer).set("token", token))
        .exec(http("admin list").get(Target.ADMIN + "/admin/promotions")
            .header("Authorization", "Bearer " + Identity.ADMIN_TOKEN).check(status().is(200)))
        .exec(http("ticket").post(Target.COMMAND + "/command/tickets")
            .header("Authorization", "Bearer #{token}")
            .body(StringBody("{\"promotionId\":\"#{promotionId}\"}"))
            .check(status().is(201), jsonPath("$.customerId").is(customer), jsonPath("$.ticket").saveAs("ticket")))
        .exec(http("active promotion").get(Target.QUERY + "/query/promotions/#{promotionId}").check(status().is(200))
            .check(jsonPath("$.remainingCoupons").ofInt().is(1)))
        .exec(http("grab with the ticket").post(Target.COMMAND + "/command/coupons")
            .header("Authorization", "Bearer #{ticket}")
            .body(StringBody("{\"promotionId\":\"#{promotionId}\"}"))
            .check(status().is(200).saveAs("grabStatus")))
        .exec(session -> {
          if (session.contains("grabStatus")) {
            ledger.record(promotionId, customer, session.getInt("grabStatus"));
          }
          return session;
        })
        .exec(http("grab again with the identity token").post(Target.COMMAND + "/command/coupons")
            .header("Authorization", "Bearer #{token}")
            .body(StringBody(
                "{\"promotionId\":\"#{promotionId}\",\"customerId\":\"#{customerId}\"}"))
            .check(status().is(429), jsonPath("$.error").is("duplicate_order")))
        .exec(Requests.activePromotions())
        .exec(Requests.myCoupons())
        .exec(exec(http("health").get(Target.COMMAND + "/health").check(status().is(200))));
    setUp(smoke.injectOpen(atOnceUsers(1))).protocols(Requests.protocol())
        .assertions(global().failedRequests().count().is(0L));
  }

  @Override
  public void after() {
    ledger.verify(Duration.ofSeconds(10));
  }
}
