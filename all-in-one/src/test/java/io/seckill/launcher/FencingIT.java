package io.seckill.launcher;

import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import java.io.IOException;

/**
 * SPEC I9 with real processes: two command JVMs of two nodes on one WriteDB. The holder is paused
 * ({@code kill -STOP}) past its lease with grabs sent to it in flight; the other claims the partitions and commits;
 * the holder is woken ({@code kill -CONT}) and commits nothing more: its in-flight and later grabs are refused (503),
 * it logs that it stepped down, and along the promotion's sequence the writer epoch never goes down.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
class FencingIT {
  private RunningSystem system;
  private JarProcess holder;
  private JarProcess successor;
  private int holderPort;
  private int successorPort;
  private WebClient client;
  private Pool writeDb;

  /** The system's databases and broker. */
  SecKillConfig config() {
    return TestInfra.freshConfig();
  }

  /** What the holder's ({@code 0}) or the successor's ({@code 1}) environment adds to the system's. */
  Map<String, String> member(int which) {
    return Map.of();
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    system = RunningSystem.start(config(), "admin,event,query", Map.of());
    client = Async.client(vertx, 64);
    writeDb = system.writeDb(vertx);
    Map<String, String> base = RunningSystem.environment(system.config, "command");
    holderPort = system.config.commandPort();
    successorPort = TestInfra.freePort();
    Map<String, String> a = new HashMap<>(base);
    a.put("SECKILL_NODE_ID", "node-a");
    a.putAll(member(0));
    Map<String, String> b = new HashMap<>(base);
    b.put("SECKILL_NODE_ID", "node-b");
    b.put("SECKILL_COMMAND_PORT", String.valueOf(successorPort));
    b.putAll(member(1));
    holder = JarProcess.start("fence-holder", a);
    Async.await(holder.healthy(vertx, client, holderPort));
    successor = JarProcess.start("fence-successor", b);
    Async.await(successor.healthy(vertx, client, successorPort));
  }

  @AfterEach
  void stop() throws Exception {
    holder.signal("CONT");
    holder.close();
    successor.close();
    system.close();
  }

  private Future<String> createPromotion(Vertx vertx, int coupons) {
    return client.post(system.config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .sendJsonObject(new JsonObject().put("numberOfCoupons", coupons).put("discount", 0.5)
            .put("publishTime", Instant.now().toString()).put("finishTime", Instant.now().plusSeconds(3600).toString()))
        .map(r -> r.bodyAsJsonObject().getString("promotionId"))
        .compose(id -> Async.eventually(vertx, Duration.ofSeconds(10),
            () -> Grabs.grab(client, holderPort, id, "probe").map(r -> r.statusCode() == 200)).map(id));
  }

  private Future<List<HttpResponse<Buffer>>> grabs(int port, String promotion, String prefix, int count) {
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      all.add(Grabs.grab(client, port, promotion, prefix + i));
    }
    return Future.all(all).map(done -> {
      List<HttpResponse<Buffer>> replies = new ArrayList<>();
      all.forEach(f -> replies.add(f.result()));
      return replies;
    });
  }

  @Test
  void aPausedHolderWakesUpFencedAndCommitsNothing(Vertx vertx, VertxTestContext ctx) throws Exception {
    String id = Async.await(createPromotion(vertx, 1000));
    List<HttpResponse<Buffer>> before = Async.await(grabs(holderPort, id, "before-", 20));
    assertThat(before).allMatch(r -> r.statusCode() == 200);
    HttpResponse<Buffer> waiting = Async.await(Grabs.grab(client, successorPort, id, "too-early"));
    assertThat(waiting.statusCode()).as("the other node holds nothing yet").isEqualTo(503);

    holder.signal("STOP");
    // grabs sent to the paused holder: they wait in its socket buffers until it wakes up
    Future<List<HttpResponse<Buffer>>> inFlight = grabs(holderPort, id, "in-flight-", 10);
    AtomicInteger attempt = new AtomicInteger();
    Set<String> successorAccepted = new HashSet<>();
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> {
      String customer = "after-" + attempt.getAndIncrement();
      return Grabs.grab(client, successorPort, id, customer).map(r -> {
        if (r.statusCode() == 200) {
          successorAccepted.add(customer);
        }
        return r.statusCode() == 200;
      });
    }));
    List<HttpResponse<Buffer>> more = Async.await(grabs(successorPort, id, "successor-", 20));
    assertThat(more).allMatch(r -> r.statusCode() == 200);
    for (int i = 0; i < 20; i++) {
      successorAccepted.add("successor-" + i);
    }

    holder.signal("CONT");
    List<HttpResponse<Buffer>> woken = Async.await(inFlight);
    List<HttpResponse<Buffer>> later = Async.await(grabs(holderPort, id, "later-", 10));
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> {
      try {
        return Future.succeededFuture(holder.log().contains("stepped down"));
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
    }));
    List<Row> events = new ArrayList<>();
    Async.await(writeDb.preparedQuery("SELECT sequence, writer_epoch, customer_id FROM events WHERE promotion_id = ?"
        + " ORDER BY sequence").execute(Tuple.of(id))).forEach(events::add);

    ctx.verify(() -> {
      assertThat(woken).as("grabs in flight at the pause").allMatch(r -> r.statusCode() == 503);
      assertThat(later).as("grabs after the wake-up").allMatch(r -> r.statusCode() == 503);
      Consistency.denseWithEpochsNeverDown(events, 0, 1);
      Set<String> stored = new HashSet<>();
      for (Row row : events) {
        if (row.getString(2) != null) {
          stored.add(row.getString(2));
        }
      }
      Set<String> expected = new HashSet<>(successorAccepted);
      expected.add("probe");
      for (int i = 0; i < 20; i++) {
        expected.add("before-" + i);
      }
      assertThat(stored).as("exactly the 200s: nothing of the woken holder").isEqualTo(expected);
    });
    ctx.completeNow();
  }
}
