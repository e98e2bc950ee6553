package io.seckill.loadtest;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import java.util.ArrayList;

/**
 * Sustained traffic: {@code rate} new customers a second (default 500) for {@code duration} seconds (default 30)
 * grab (each with a ticket fetched before the run) from a promotion with {@code coupons} (default 10,000,000), while {@code readRate} readers a second (default
 * 500) list the active promotions and read a customer's coupons. At the end, through the query API: every
 * customer who got a 200 holds exactly one coupon, every other none, and no more 200s than coupons.
 */
public class Sustained extends Simulation {
  private final int rate = Target.intProperty("rate", 500);
  private final int readRate = Target.intProperty("readRate", 500);
  private final int duration = Target.intProperty("duration", 30);
  private final int coupons = Target.intProperty("coupons", 10_000_000);
  private final int p99Millis = Target.intProperty("p99Millis", 500);
  private final String run = UUID.randomUUID().toString().substring(0, 8);
  private final String promotionId = Target.openPromotion(coupons, 60);
  private final AtomicLong next = new AtomicLong();
  private final Ledger ledger = new Ledger();

  {
    int total = rate * duration + rate;
    List<String> ids = new ArrayList<>(total);
    for (int i = 0; i < total; i++) {
      ids.add("steady-" + run + "-" + i);
    }
    List<String> tokens = Identity.tokens(ids);
    List<String> tickets = Identity.tickets(promotionId, ids);
    Iterator<Map<String, Object>> customers = Stream.generate(() -> {
      int i = (int) (next.getAndIncrement() % total);
      return Map.<String, Object>of("customerId", ids.get(i), "promotionId", promotionId,
          "credential", tickets.get(i), "token", tokens.get(i));
    }).iterator();
    AtomicLong nextReader = new AtomicLong();
    Iterator<Map<String, Object>> readerFeed = Stream.generate(() -> {
      int i = (int) (nextReader.getAndIncrement() % total);
      return Map.<String, Object>of("customerId", ids.get(i), "token", tokens.get(i));
    }).iterator();
    ScenarioBuilder grabbers = scenario("grabbers").feed(customers).exec(Requests.grab(ledger));
    ScenarioBuilder readers = scenario("readers").feed(readerFeed)
        .exec(Requests.activePromotions())
        .exec(Requests.myCoupons());
    setUp(grabbers.injectOpen(constantUsersPerSec(rate).during(Duration.ofSeconds(duration))),
        readers.injectOpen(constantUsersPerSec(readRate).during(Duration.ofSeconds(duration))))
        .protocols(Requests.protocol())
        .assertions(global().failedRequests().count().is(0L),
            global().responseTime().percentile(99.0).lt(p99Millis));
  }

  @Override
  public void after() {
    long accepted = ledger.accepted(promotionId);
    if (accepted > coupons) {
      throw new AssertionError(accepted + " grabs of " + promotionId + " got a 200 for " + coupons + " coupons");
    }
    ledger.verify(Duration.ofSeconds(30));
    System.getLogger(Sustained.class.getName()).log(System.Logger.Level.INFO, "promotion " + promotionId + ": "
        + accepted + " coupons for " + ledger.size() + " customers; the query API agrees with every answer");
  }
}
