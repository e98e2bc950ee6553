package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC I1 and I2 under real concurrency: 5,000 distinct customers plus 1,000 repeats, all in flight at once
 * over 256 connections, against 200 coupons; with one command HTTP instance and with one per core.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
class ConcurrencyTest {
  private static final int COUPONS = 200;
  private static final int CUSTOMERS = 5_000;
  private static final int REPEATS = 1_000;

  @Test
  void oneCommandInstance(Vertx vertx, VertxTestContext ctx) throws Exception {
    crowd(vertx, ctx, 1);
  }

  @Test
  void oneCommandInstancePerCore(Vertx vertx, VertxTestContext ctx) throws Exception {
    crowd(vertx, ctx, Math.max(2, Runtime.getRuntime().availableProcessors()));
  }

  private void crowd(Vertx vertx, VertxTestContext ctx, int instances) throws Exception {
    RunningSystem system = RunningSystem.start("all", Map.of("SECKILL_COMMAND_INSTANCES", String.valueOf(instances)));
    WebClient client = Async.client(vertx, 256);
    Pool writeDb = system.writeDb(vertx);
    Pool readDb = system.readDb(vertx);
    List<String> customers = new ArrayList<>();
    for (int i = 0; i < CUSTOMERS; i++) {
      customers.add("crowd-" + i);
    }
    for (int i = 0; i < REPEATS; i++) {
      customers.add("crowd-" + (i * 5));
    }
    Collections.shuffle(customers, new Random(42));
    Instant now = Instant.now();
    String[] id = new String[1];
    List<Future<HttpResponse<Buffer>>> grabs = new ArrayList<>();
    client.post(system.config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .sendJsonObject(new JsonObject().put("numberOfCoupons", COUPONS).put("discount", 0.5)
            .put("publishTime", now.toString()).put("finishTime", now.plusSeconds(3600).toString()))
        .compose(created -> {
          id[0] = created.bodyAsJsonObject().getString("promotionId");
          return Async.eventually(vertx, Duration.ofSeconds(5), () -> count(writeDb,
              "SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = 'PromotionStartEvent'", id[0]).map(n -> n == 1));
        })
        .compose(started -> {
          for (String customer : customers) {
            grabs.add(Grabs.grab(client, system.config.commandPort(), id[0], customer));
          }
          return Future.all(grabs);
        })
        .compose(all -> Async.eventually(vertx, Duration.ofSeconds(10),
            () -> count(readDb, "SELECT COUNT(*) FROM coupons WHERE promotion_id = ?", id[0]).map(n -> n >= COUPONS)))
        .compose(projected -> Future.all(
            count(writeDb, "SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = 'CouponGrabbedEvent'", id[0]),
            count(writeDb, "SELECT COUNT(DISTINCT customer_id) FROM events WHERE promotion_id = ?", id[0]),
            count(readDb, "SELECT COUNT(*) FROM coupons WHERE promotion_id = ?", id[0]),
            count(writeDb, "SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = 'PromotionFinishEvent'", id[0])))
        .onComplete(ctx.succeeding(counts -> ctx.verify(() -> {
          Map<String, Integer> outcomes = new TreeMap<>();
          Set<String> winners = new HashSet<>();
          for (Future<HttpResponse<Buffer>> grab : grabs) {
            HttpResponse<Buffer> response = grab.result();
            JsonObject body = response.bodyAsJsonObject();
            if (response.statusCode() == 200) {
              assertThat(winners.add(body.getString("customerId"))).as("one coupon per customer").isTrue();
              outcomes.merge("200", 1, Integer::sum);
            } else {
              outcomes.merge(response.statusCode() + " " + body.getString("error"), 1, Integer::sum);
            }
          }
          assertThat(outcomes.get("200")).isEqualTo(COUPONS);
          assertThat(outcomes.keySet()).containsOnly("200", "429 out_of_stock", "429 duplicate_order");
          assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CUSTOMERS + REPEATS);
          assertThat(winners).hasSize(COUPONS);
          assertThat((Integer) counts.resultAt(0)).as("CouponGrabbed events in WriteDB").isEqualTo(COUPONS);
          assertThat((Integer) counts.resultAt(1)).as("distinct customers in WriteDB").isEqualTo(COUPONS);
          assertThat((Integer) counts.resultAt(2)).as("coupons in ReadDB").isEqualTo(COUPONS);
          assertThat((Integer) counts.resultAt(3)).as("one sold-out finish").isEqualTo(1);
          system.close();
          ctx.completeNow();
        })));
  }

  static Future<Integer> count(Pool pool, String sql, String param) {
    return pool.preparedQuery(sql).execute(Tuple.of(param)).map(rows -> rows.iterator().next().getInteger(0));
  }
}
