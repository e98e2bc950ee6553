package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.UUID;
import java.util.ArrayList;
import io.vertx.core.http.HttpMethod;

/**
 * SPEC 2.2's cancel, through the whole system: a running sale that an admin cancels gets one PromotionFinishEvent
 * with reason {@code cancelled} within a second, later grabs are 400 {@code promotion_not_active}, a second cancel is
 * 409, the read side drops it; a scheduled one is deleted instead.
 */
@ExtendWith(VertxExtension.class)
class CancelTest {
  private static RunningSystem system;
  private static WebClient client;
  private static Pool writeDb;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    system = RunningSystem.start("all", Map.of());
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

  private static JsonObject terms(Instant publish) {
    return new JsonObject().put("numberOfCoupons", 10).put("discount", 0.9).put("publishTime", publish.toString())
        .put("finishTime", publish.plusSeconds(3600).toString());
  }

  private static Future<List<String>> finishes(String id) {
    return writeDb.preparedQuery("SELECT JSON_VALUE(payload, '$.reason') FROM events WHERE promotion_id = ?"
            + " AND type = 'PromotionFinishEvent'").execute(Tuple.of(id))
        .map(rows -> {
          List<String> reasons = new ArrayList<>();
          rows.forEach(row -> reasons.add(row.getString(0)));
          return reasons;
        });
  }

  @Test
  void aRunningSaleCancelledFinishesOnceWithinASecond(Vertx vertx, VertxTestContext ctx) {
    String[] id = new String[1];
    long[] cancelledAt = new long[1];
    admin(HttpMethod.POST, "/admin/promotions", terms(Instant.now()))
        .compose(created -> {
          id[0] = created.bodyAsJsonObject().getString("promotionId");
          return Async.eventually(vertx, Duration.ofSeconds(5), () -> Grabs.grab(client, system.config.commandPort(),
              id[0], "before-cancel").map(r -> r.statusCode() == 200));
        })
        .compose(v -> {
          cancelledAt[0] = System.nanoTime();
          return admin(HttpMethod.POST, "/admin/promotions/" + id[0] + "/cancel", null);
        })
        .compose(accepted -> {
          ctx.verify(() -> {
            assertThat(accepted.statusCode()).isEqualTo(202);
            assertThat(accepted.bodyAsJsonObject().getString("status")).isEqualTo("cancelling");
          });
          return Async.eventually(vertx, Duration.ofSeconds(1), () -> finishes(id[0]).map(f -> f.size() == 1));
        })
        .compose(v -> {
          long millis = (System.nanoTime() - cancelledAt[0]) / 1_000_000;
          ctx.verify(() -> assertThat(millis).isLessThanOrEqualTo(1000));
          return Future.all(List.of(Grabs.grab(client, system.config.commandPort(), id[0], "after-cancel"),
              admin(HttpMethod.POST, "/admin/promotions/" + id[0] + "/cancel", null),
              Async.eventually(vertx, Duration.ofSeconds(5), () -> client.get(system.config.queryPort(), "127.0.0.1",
                  "/query/promotions/" + id[0]).send().map(r -> r.statusCode() == 404)).map((HttpResponse<Buffer>) null)));
        })
        .compose(all -> Async.eventually(vertx, Duration.ofSeconds(5), () -> admin(HttpMethod.GET,
                "/admin/promotions/" + id[0], null).map(r -> "finished".equals(r.bodyAsJsonObject().getString("status"))))
            .compose(v -> finishes(id[0])).map(reasons -> {
              ctx.verify(() -> {
                HttpResponse<Buffer> late = all.resultAt(0);
                assertThat(late.statusCode()).isEqualTo(400);
                assertThat(late.bodyAsJsonObject().getString("error")).isEqualTo("promotion_not_active");
                HttpResponse<Buffer> again = all.resultAt(1);
                assertThat(again.statusCode()).isEqualTo(409);
                assertThat(again.bodyAsJsonObject().getString("error")).isEqualTo("already_finished");
                assertThat(reasons).containsExactly("cancelled");
              });
              return null;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aScheduledSaleCancelledIsDeletedAndAnUnknownOneIs404(VertxTestContext ctx) {
    admin(HttpMethod.POST, "/admin/promotions", terms(Instant.now().plusSeconds(3600)))
        .compose(created -> {
          String id = created.bodyAsJsonObject().getString("promotionId");
          return admin(HttpMethod.POST, "/admin/promotions/" + id + "/cancel", null)
              .compose(cancelled -> admin(HttpMethod.GET, "/admin/promotions/" + id, null)
                  .map(after -> List.of(cancelled, after)));
        })
        .compose(pair -> admin(HttpMethod.POST, "/admin/promotions/" + UUID.randomUUID()
            + "/cancel", null).map(unknown -> List.of(pair.get(0), pair.get(1), unknown)))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.get(0).statusCode()).isEqualTo(204);
          assertThat(r.get(1).statusCode()).isEqualTo(404);
          assertThat(r.get(2).statusCode()).isEqualTo(404);
          assertThat(r.get(2).bodyAsJsonObject().getString("error")).isEqualTo("not_found");
          ctx.completeNow();
        })));
  }
}
