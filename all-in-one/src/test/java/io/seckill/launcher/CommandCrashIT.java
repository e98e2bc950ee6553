package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Promise;
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
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.HashSet;
import io.vertx.sqlclient.RowSet;
import io.vertx.core.CompositeFuture;

/**
 * SPEC I4 and I6 with real processes: the command role runs in its own JVM from the jar and is killed with -9
 * while grabbing, then restarted. Admin, event and query run in this JVM. After the restart every coupon also
 * reaches ReadDB exactly once (the relay resends what it had not recorded as relayed; the projection skips it).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
class CommandCrashIT {
  private RunningSystem system;
  private Map<String, String> commandEnv;
  private JarProcess command;
  private WebClient client;
  private Pool writeDb;
  private Pool readDb;

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    system = RunningSystem.start("admin,event,query", Map.of());
    commandEnv = new HashMap<>(RunningSystem.environment(system.config, "command"));
    client = Async.client(vertx, 64);
    writeDb = system.writeDb(vertx);
    readDb = system.readDb(vertx);
    command = JarProcess.start("command", commandEnv);
    Async.await(command.healthy(vertx, client, system.config.commandPort()));
  }

  @AfterEach
  void stop() {
    command.close();
    system.close();
  }

  private Future<String> createPromotion(Vertx vertx, int coupons, Instant finish) {
    return client.post(system.config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .sendJsonObject(new JsonObject().put("numberOfCoupons", coupons).put("discount", 0.5)
            .put("publishTime", Instant.now().toString()).put("finishTime", finish.toString()))
        .map(r -> r.bodyAsJsonObject().getString("promotionId"))
        .compose(id -> Async.eventually(vertx, Duration.ofSeconds(5),
            () -> count(id, "PromotionStartEvent").map(n -> n == 1)).map(id));
  }

  private Future<HttpResponse<Buffer>> grab(String promotionId, String customer) {
    return Grabs.grab(client, system.config.commandPort(), promotionId, customer);
  }

  private Future<Integer> count(String promotionId, String type) {
    return writeDb.preparedQuery("SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = ?")
        .execute(Tuple.of(promotionId, type)).map(rows -> rows.iterator().next().getInteger(0));
  }

  private Future<Void> restart(Vertx vertx) {
    try {
      command = JarProcess.start("command", commandEnv);
    } catch (Exception e) {
      return Future.failedFuture(e);
    }
    return command.healthy(vertx, client, system.config.commandPort());
  }

  /**
   * 32 clients grab with new customers in a loop; once {@code killAfter} grabs got a 200, the command JVM is
   * killed with -9. The future holds the customers that got a 200.
   */
  private Future<Set<String>> grabUntilKilled(String promotionId, int killAfter) {
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean killed = new AtomicBoolean();
    List<Future<Void>> clients = new ArrayList<>();
    for (int i = 0; i < 32; i++) {
      Promise<Void> done = Promise.promise();
      clients.add(done.future());
      loop(promotionId, accepted, next, killed, killAfter, done);
    }
    return Future.join(clients).map(accepted);
  }

  private void loop(String promotionId, Set<String> accepted, AtomicInteger next, AtomicBoolean killed, int killAfter,
                    Promise<Void> done) {
    if (killed.get()) {
      done.complete();
      return;
    }
    String customer = "crash-" + next.incrementAndGet();
    grab(promotionId, customer).onComplete(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 200) {
        accepted.add(customer);
        if (accepted.size() >= killAfter && killed.compareAndSet(false, true)) {
          command.kill();
        }
      }
      loop(promotionId, accepted, next, killed, killAfter, done);
    });
  }

  @Test
  void everyGrabThatGotA200SurvivesKillNineAndTheStockStaysExact(Vertx vertx, VertxTestContext ctx) {
    int coupons = 400;
    String[] id = new String[1];
    Set<String> acceptedBeforeKill = ConcurrentHashMap.newKeySet();
    createPromotion(vertx, coupons, Instant.now().plusSeconds(3600))
        .compose(promotionId -> {
          id[0] = promotionId;
          return grabUntilKilled(promotionId, 150);
        })
        .compose(accepted -> {
          acceptedBeforeKill.addAll(accepted);
          return restart(vertx);
        })
        .compose(restarted -> {
          List<Future<HttpResponse<Buffer>>> again = new ArrayList<>();
          acceptedBeforeKill.forEach(customer -> again.add(grab(id[0], customer)));
          return Future.all(again).map(again);
        })
        .compose(again -> {
          ctx.verify(() -> {
            for (Future<HttpResponse<Buffer>> response : again) {
              assertThat(response.result().statusCode()).isEqualTo(429);
              assertThat(response.result().bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
            }
          });
          return writeDb.preparedQuery("SELECT customer_id FROM events WHERE promotion_id = ? AND type = 'CouponGrabbedEvent'")
              .execute(Tuple.of(id[0]));
        })
        .compose(rows -> {
          Set<String> stored = new HashSet<>();
          for (Row row : rows) {
            stored.add(row.getString(0));
          }
          ctx.verify(() -> assertThat(stored).as("every 200 is in WriteDB").containsAll(acceptedBeforeKill));
          List<Future<HttpResponse<Buffer>>> fresh = new ArrayList<>();
          for (int i = 0; i < coupons; i++) {
            fresh.add(grab(id[0], "after-" + i));
          }
          return Future.all(fresh).map(all -> new Object[]{stored.size(), fresh});
        })
        .compose(result -> Async.eventually(vertx, Duration.ofSeconds(10), () -> readDb.preparedQuery(
                "SELECT COUNT(*) FROM coupons WHERE promotion_id = ?").execute(Tuple.of(id[0]))
                .map(rows -> rows.iterator().next().getInteger(0) == coupons))
            .map(result))
        .compose(result -> Future.all(count(id[0], "CouponGrabbedEvent"), count(id[0], "PromotionStartEvent"),
                count(id[0], "PromotionFinishEvent"))
            .map(counts -> new Object[]{result[0], result[1], counts}))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          int storedBeforeRestart = (Integer) result[0];
          @SuppressWarnings("unchecked") List<Future<HttpResponse<Buffer>>> fresh = (List<Future<HttpResponse<Buffer>>>) result[1];
          long acceptedAfter = fresh.stream().filter(f -> f.result().statusCode() == 200).count();
          assertThat(acceptedAfter).as("remaining stock after restart").isEqualTo(coupons - storedBeforeRestart);
          var counts = (CompositeFuture) result[2];
          assertThat((Integer) counts.resultAt(0)).isEqualTo(coupons);
          assertThat((Integer) counts.resultAt(1)).as("start events").isEqualTo(1);
          assertThat((Integer) counts.resultAt(2)).as("finish events").isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void aPromotionWhoseFinishPassedWhileDownGetsExactlyOneFinish(Vertx vertx, VertxTestContext ctx) {
    Instant finish = Instant.now().plusSeconds(3);
    String[] id = new String[1];
    createPromotion(vertx, 10, finish)
        .compose(promotionId -> {
          id[0] = promotionId;
          return grab(promotionId, "before-crash");
        })
        .compose(granted -> {
          ctx.verify(() -> assertThat(granted.statusCode()).isEqualTo(200));
          command.kill();
          return Async.eventually(vertx, Duration.ofSeconds(10), () -> Future.succeededFuture(Instant.now().isAfter(finish)));
        })
        .compose(finishPassed -> restart(vertx))
        .compose(restarted -> Async.eventually(vertx, Duration.ofSeconds(5),
            () -> count(id[0], "PromotionFinishEvent").map(n -> n >= 1)))
        .compose(finished -> {
          command.kill();
          return restart(vertx);
        })
        .compose(restartedAgain -> Future.all(grab(id[0], "after-finish"), count(id[0], "PromotionStartEvent"),
            count(id[0], "PromotionFinishEvent"), count(id[0], "CouponGrabbedEvent"),
            writeDb.preparedQuery("SELECT payload FROM events WHERE promotion_id = ? AND type = 'PromotionFinishEvent'")
                .execute(Tuple.of(id[0]))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          HttpResponse<Buffer> late = all.resultAt(0);
          assertThat(late.statusCode()).isEqualTo(400);
          assertThat(late.bodyAsJsonObject().getString("error")).isEqualTo("promotion_not_active");
          assertThat((Integer) all.resultAt(1)).isEqualTo(1);
          assertThat((Integer) all.resultAt(2)).isEqualTo(1);
          assertThat((Integer) all.resultAt(3)).isEqualTo(1);
          RowSet<Row> finishes = all.resultAt(4);
          assertThat(new JsonObject(finishes.iterator().next().getString(0)).getString("reason")).isEqualTo("time_up");
          ctx.completeNow();
        })));
  }
}
