package io.seckill.loadtest;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;
import java.util.ArrayList;

/**
 * The seed's scenario: an admin creates a 50-coupon promotion every 10 s for {@code duration} seconds (default 60)
 * while {@code rate} customers a second (default 50) list the active promotions, grab from one of them, wait a
 * second and read their coupons (customers pick among the promotions this run created). At the end, through the query API: no promotion gave more than 50 coupons,
 * every customer who got a 200 holds exactly one coupon of that promotion, every other none.
 */
public class AdminAndCustomers extends Simulation {
  private final int duration = Target.intProperty("duration", 60);
  private final int rate = Target.intProperty("rate", 50);
  private final int p99Millis = Target.intProperty("p99Millis", 1_000);
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final AtomicLong next = new AtomicLong();
  private final Ledger ledger = new Ledger();
  /** The promotions this run created: customers shop among these only (others may be active on the system). */
  private final Set<String> ours = ConcurrentHashMap.newKeySet();

  {
    ours.add(Target.openPromotion(50, 30));
    ScenarioBuilder admin = scenario("admin").during(Duration.ofSeconds(duration)).on(
        exec(session -> {
          Instant now = Instant.now();
          return session.set("publish", now.toString()).set("finish", now.plusSeconds(1800).toString());
        })
            .exec(http("create promotion").post(Target.ADMIN + "/admin/promotions")
                .header("Authorization", "Bearer " + Identity.ADMIN_TOKEN)
                .body(StringBody("{\"numberOfCoupons\":50,\"discount\":0.7,\"publishTime\":\"#{publish}\","
                    + "\"finishTime\":\"#{finish}\"}"))
                .check(status().is(201), jsonPath("$.promotionId").saveAs("created")))
            .exec(session -> {
              if (session.contains("created")) {
                ours.add(session.getString("created"));
              }
              return session;
            })
            .pause(Duration.ofSeconds(10)));
    // the promotions appear during the run, so these customers grab with their identity token, not a ticket
    int total = rate * duration + rate;
    List<String> ids = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      ids.add("shopper-" + run + "-" + i);
    }
    List<String> tokens = Identity.tokens(ids);
    Iterator<Map<String, Object>> customers = Stream.generate(() -> {
      int i = (int) (next.getAndIncrement() % total);
      return Map.<String, Object>of("customerId", ids.get(i), "credential", tokens.get(i), "token", tokens.get(i));
    }).iterator();
    ScenarioBuilder shoppers = scenario("customers").feed(customers)
        .exec(http("active promotions").get(Target.QUERY + "/query/promotions")
            .check(status().is(200), jsonPath("$[*].promotionId").findAll().optional().saveAs("active")))
        .exec(session -> {
          List<String> mine = session.contains("active")
              ? session.<String>getList("active").stream().filter(ours::contains).toList() : List.of();
          return mine.isEmpty() ? session
              : session.set("promotionId", mine.get(ThreadLocalRandom.current().nextInt(mine.size())));
        })
        .doIf(session -> session.contains("promotionId")).then(
            exec(Requests.grab(ledger)).pause(Duration.ofSeconds(1)).exec(Requests.myCoupons()));
    setUp(admin.injectOpen(atOnceUsers(1)),
        shoppers.injectOpen(constantUsersPerSec(rate).during(Duration.ofSeconds(duration))))
        .protocols(Requests.protocol())
        .assertions(global().failedRequests().count().is(0L),
            global().responseTime().percentile(99.0).lt(p99Millis));
  }

  @Override
  public void after() {
    if (ledger.acceptedByPromotion().isEmpty()) {
      throw new AssertionError("no grab was accepted");
    }
    ledger.acceptedByPromotion().forEach((promotion, accepted) -> {
      if (accepted > 50) {
        throw new AssertionError(accepted + " grabs of " + promotion + " got a 200 for 50 coupons");
      }
    });
    ledger.verify(Duration.ofSeconds(15));
    System.getLogger(AdminAndCustomers.class.getName()).log(System.Logger.Level.INFO, ledger.acceptedByPromotion()
        + " coupons per promotion; the query API agrees with all " + ledger.size() + " grabs");
  }
}
