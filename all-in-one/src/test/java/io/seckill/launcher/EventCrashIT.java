package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/**
 * SPEC I5 with the projector killed with -9 five times in a row while events flow: the event role runs in its own
 * JVM from the jar; each time ReadDB has moved on since the last restart, it is killed in the middle of its work
 * and started again. Afterwards ReadDB holds exactly WriteDB's coupons.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
class EventCrashIT {
  private static final Logger LOG = LoggerFactory.getLogger(EventCrashIT.class);
  private JarProcess event;
  private RunningSystem system;

  @AfterEach
  void stop() {
    if (event != null) {
      event.close();
    }
    if (system != null) {
      system.close();
    }
  }

  @Test
  void fiveKillsOfTheProjectorMidBatchLoseAndDuplicateNothing(Vertx vertx, VertxTestContext ctx) throws Exception {
    system = RunningSystem.start("admin,command,query", Map.of());
    WebClient client = Async.client(vertx, 64);
    Pool writeDb = system.writeDb(vertx);
    Pool readDb = system.readDb(vertx);
    Map<String, String> eventEnv = RunningSystem.environment(system.config, "event");
    event = JarProcess.start("event", eventEnv);
    Async.await(event.healthy(vertx, client, system.config.eventPort()));
    Instant now = Instant.now();
    String promotionId = Async.await(client.post(system.config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .sendJsonObject(new JsonObject().put("numberOfCoupons", 1_000_000).put("discount", 0.5)
            .put("publishTime", now.toString()).put("finishTime", now.plusSeconds(3600).toString()))
        .map(r -> r.bodyAsJsonObject().getString("promotionId")));
    Async.await(Async.eventually(vertx, Duration.ofSeconds(5), () -> projected(readDb, promotionId).map(n -> n >= 0)
        .compose(x -> Grabs.grab(client, system.config.commandPort(), promotionId, "probe")
            .map(r -> r.statusCode() == 200))));
    Load load = Load.start(client, system.config.commandPort(), promotionId, "evcrash-", 16, 2_000_000);
    Future<Void> kills = Future.succeededFuture();
    for (int i = 1; i <= 5; i++) {
      int round = i;
      kills = kills.compose(v -> projected(readDb, promotionId))
          .compose(before -> Async.eventually(vertx, Duration.ofSeconds(30),
              () -> projected(readDb, promotionId).map(n -> n > before + 50)))
          .compose(moving -> {
            event.kill();
            LOG.info("projector killed with -9 ({} of 5)", round);
            try {
              event = JarProcess.start("event", eventEnv);
            } catch (Exception e) {
              return Future.failedFuture(e);
            }
            return event.healthy(vertx, client, system.config.eventPort());
          });
    }
    kills.compose(v -> load.stop())
        .compose(stopped -> Consistency.check(vertx, writeDb, readDb, promotionId, load.accepted, 1_000_000,
            Duration.ofSeconds(60)))
        .onComplete(ctx.succeeding(report -> {
          LOG.info("after 5 projector kills: {} grabs accepted, WriteDB {}, ReadDB {}", report.accepted(),
              report.inWriteDb(), report.inReadDb());
          ctx.completeNow();
        }));
  }

  private static Future<Integer> projected(Pool readDb, String promotionId) {
    return readDb.preparedQuery("SELECT COUNT(*) FROM coupons WHERE promotion_id = ?").execute(Tuple.of(promotionId))
        .map(rows -> rows.iterator().next().getInteger(0));
  }
}
