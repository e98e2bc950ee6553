package io.seckill.launcher;

import io.seckill.shared.db.SqlTime;
import io.seckill.shared.testing.Async;
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
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import java.time.temporal.ChronoUnit;
import io.vertx.core.http.HttpMethod;

/**
 * SPEC I7 without restarts: promotions made or changed through the admin API start within 1 s of their
 * publish time and finish at their finish time, one start and one finish each, many at once.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
class LifecycleTest {
  private static RunningSystem system;
  private static WebClient client;
  private static Pool writeDb;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    system = RunningSystem.start("admin,command", Map.of());
    client = Async.client(vertx, 16);
    writeDb = system.writeDb(vertx);
  }

  @AfterAll
  static void stop() {
    system.close();
  }

  private static Future<HttpResponse<Buffer>> admin(HttpMethod method, String path, JsonObject body) {
    return system.admin(client, method, path, body);
  }

  private static JsonObject terms(Instant publish, Instant finish) {
    return new JsonObject().put("numberOfCoupons", 10).put("discount", 0.9)
        .put("publishTime", publish.toString()).put("finishTime", finish.toString());
  }

  /** Per promotion: its publish and finish times and the times of its start and finish events. */
  private static Future<Map<String, List<Row>>> lifecycle() {
    return writeDb.query("SELECT p.promotion_id, p.publish_time, p.finish_time, e.type, e.occurred_at, e.payload"
        + " FROM promotions p JOIN events e ON e.promotion_id = p.promotion_id ORDER BY e.position").execute().map(rows -> {
          Map<String, List<Row>> byPromotion = new HashMap<>();
          rows.forEach(row -> byPromotion.computeIfAbsent(row.getString(0), k -> new ArrayList<>()).add(row));
          return byPromotion;
        });
  }

  @Test
  void fiftyStaggeredPromotionsEachStartAndFinishOnTime(Vertx vertx, VertxTestContext ctx) {
    Instant base = Instant.now().plusSeconds(2);
    List<Future<HttpResponse<Buffer>>> created = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      Instant publish = base.plusMillis(100L * i);
      created.add(admin(HttpMethod.POST, "/admin/promotions", terms(publish, publish.plusSeconds(3))));
    }
    List<String> ids = new ArrayList<>();
    Future.all(created)
        .compose(all -> {
          created.forEach(f -> ids.add(f.result().bodyAsJsonObject().getString("promotionId")));
          return Async.eventually(vertx, Duration.ofSeconds(20), () -> lifecycle().map(byPromotion ->
              ids.stream().allMatch(id -> byPromotion.getOrDefault(id, List.of()).size() == 2)));
        })
        .compose(done -> lifecycle())
        .onComplete(ctx.succeeding(byPromotion -> ctx.verify(() -> {
          for (String id : ids) {
            List<Row> events = byPromotion.get(id);
            assertThat(events).extracting(r -> r.getString(3))
                .containsExactly("PromotionStartEvent", "PromotionFinishEvent");
            Instant publish = SqlTime.fromDb(events.get(0).getLocalDateTime(1));
            Instant finish = SqlTime.fromDb(events.get(0).getLocalDateTime(2));
            Instant started = SqlTime.fromDb(events.get(0).getLocalDateTime(4));
            Instant finished = SqlTime.fromDb(events.get(1).getLocalDateTime(4));
            assertThat(Duration.between(publish, started)).isBetween(Duration.ZERO, Duration.ofSeconds(1));
            assertThat(Duration.between(finish, finished)).isBetween(Duration.ZERO, Duration.ofSeconds(1));
            assertThat(new JsonObject(events.get(1).getString(5)).getString("reason")).isEqualTo("time_up");
          }
          ctx.completeNow();
        })));
  }

  @Test
  void aPromotionMovedEarlierThroughTheAdminApiStartsAtItsNewTime(Vertx vertx, VertxTestContext ctx) {
    Instant now = Instant.now();
    Instant newPublish = now.plusSeconds(1);
    String[] id = new String[1];
    admin(HttpMethod.POST, "/admin/promotions", terms(now.plusSeconds(3600), now.plusSeconds(7200)))
        .compose(created -> {
          id[0] = created.bodyAsJsonObject().getString("promotionId");
          return admin(HttpMethod.PUT, "/admin/promotions/" + id[0],
              terms(newPublish, now.plusSeconds(7200)));
        })
        .compose(updated -> Async.eventually(vertx, Duration.ofSeconds(5),
            () -> lifecycle().map(byPromotion -> byPromotion.containsKey(id[0]))))
        .compose(started -> lifecycle())
        .onComplete(ctx.succeeding(byPromotion -> ctx.verify(() -> {
          List<Row> events = byPromotion.get(id[0]);
          assertThat(events).hasSize(1);
          Instant started = SqlTime.fromDb(events.get(0).getLocalDateTime(4));
          assertThat(Duration.between(newPublish.truncatedTo(ChronoUnit.MILLIS), started))
              .isBetween(Duration.ZERO, Duration.ofSeconds(1));
          ctx.completeNow();
        })));
  }
}
