package io.seckill.launcher;

import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.messaging.AmqpSecKillMessageSubscriber;
import io.seckill.shared.messaging.SecKillMessageSubscriber;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The lost tail (SPEC I5, I12): every message of a sale, its last ones included, consumed and acknowledged by
 * something that is not the projection (a stray consumer, a purge), after the broker accepted them. No later event
 * of the sale will ever reveal the hole; the relay's announcements of its newest event do, and the projection asks
 * for the rest: ReadDB holds the whole sale within 10 s of the projection's start, without a person.
 */
@ExtendWith(VertxExtension.class)
class LostTailTest {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(LostTailTest.class);
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  @Test
  void aSaleWhoseMessagesWereAllLostReachesReadDbWithinTenSeconds(Vertx vertx) throws Exception {
    RunningSystem front = RunningSystem.start("admin,command,query", Map.of());
    toClose.add(front);
    String id = lostSale(vertx, front);
    projectedWithinTenSeconds(vertx, front, id);
  }

  /**
   * The same, and the command role is restarted before the projection starts (as a crash of the whole jar does): the
   * relay's announcements were in its memory, its cursor says the broker accepted everything, and the sale is over.
   * The restarted relay announces the heads of the promotions it claims from the store.
   */
  @Test
  void aLostSaleStillReachesReadDbWhenTheRelayWasRestartedMeanwhile(Vertx vertx) throws Exception {
    RunningSystem front = RunningSystem.start("admin,command,query", Map.of());
    toClose.add(front); // closed below; a second close does nothing
    String id = lostSale(vertx, front);
    Pool writeDb = front.writeDb(vertx);
    toClose.add(() -> writeDb.close());
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> writeDb.preparedQuery(
            "SELECT sequence FROM relay_cursors WHERE promotion_id = ?").execute(Tuple.of(id))
        .map(rows -> rows.size() == 1 && rows.iterator().next().getLong(0) == 5)));
    front.close();
    RunningSystem restarted = RunningSystem.start(front.config, "admin,command,query", Map.of());
    toClose.add(restarted);
    projectedWithinTenSeconds(vertx, restarted, id);
  }

  /** A sold-out sale (start, three grabs, the finish) whose every message a thief consumed; its id. */
  private String lostSale(Vertx vertx, RunningSystem front) throws Exception {
    WebClient client = Async.client(vertx, 8);
    List<SecKillEvent> stolen = new CopyOnWriteArrayList<>();
    SecKillMessageSubscriber thief = AmqpSecKillMessageSubscriber.create(vertx, front.config.amqp());
    Async.await(thief.subscribe(batch -> {
      stolen.addAll(batch);
      return Future.succeededFuture();
    }));
    Instant now = Instant.now();
    HttpResponse<Buffer> created = Async.await(front.admin(client, HttpMethod.POST, "/admin/promotions",
        new JsonObject().put("numberOfCoupons", 3).put("discount", 0.5).put("publishTime", now.toString())
            .put("finishTime", now.plusSeconds(3600).toString())));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getString("promotionId");
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> Grabs.grab(client, front.config.commandPort(),
        id, "tail-1").map(r -> r.statusCode() == 200)));
    for (String customer : List.of("tail-2", "tail-3")) {
      assertThat(Async.await(Grabs.grab(client, front.config.commandPort(), id, customer)).statusCode()).isEqualTo(200);
    }
    // start, three grabs, and the finish the last coupon brings: all taken by the thief, acknowledged, gone
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> Future.succeededFuture(stolen.stream()
        .filter(e -> e.promotionId().toString().equals(id)).map(SecKillEvent::sequence).distinct().count() == 5)));
    Async.await(thief.close());
    return id;
  }

  private void projectedWithinTenSeconds(Vertx vertx, RunningSystem front, String id) throws Exception {
    long projectionStarted = System.nanoTime();
    RunningSystem projection = RunningSystem.start(front.config, "event", Map.of());
    toClose.add(projection);
    Pool readDb = front.readDb(vertx);
    toClose.add(() -> readDb.close());
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> readDb.preparedQuery(
            "SELECT (SELECT last_sequence FROM projection_positions WHERE promotion_id = ?),"
                + " (SELECT COUNT(*) FROM coupons WHERE promotion_id = ?),"
                + " (SELECT COUNT(*) FROM active_promotions WHERE promotion_id = ?)")
        .execute(Tuple.of(id, id, id)).map(rows -> {
          var row = rows.iterator().next();
          return Long.valueOf(5).equals(row.getLong(0)) && row.getLong(1) == 3 && row.getLong(2) == 0;
        })), Duration.ofSeconds(15));
    LOG.info("lost tail repaired {} ms after the projection started", (System.nanoTime() - projectionStarted) / 1_000_000);
  }
}
