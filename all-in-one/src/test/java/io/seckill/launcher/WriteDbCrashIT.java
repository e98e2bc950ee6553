package io.seckill.launcher;

import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.CrashableMariaDb;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import io.vertx.core.Future;

/**
 * SPEC I11 with WriteDB (and ReadDB: one server) crashed: {@code kill -9} of {@code mariadbd} while customers grab,
 * down for 0.5-5 s (past the leases' length in some rounds), started again; half the crashes with the group commit's
 * connection idle (the crowd paused and nothing in flight), half under load. After every return a grab sent after it is
 * answered 200 within 2 s; no grab waits without an answer; /health says DOWN while WriteDB is gone and UP once it is
 * back (first four crashes); at the end the ledger is exact.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.MINUTES)
class WriteDbCrashIT {
  private static final Logger LOG = LoggerFactory.getLogger(WriteDbCrashIT.class);
  private static final int CRASHES = Integer.getInteger("seckill.dbcrash.rounds", 20);
  private static final int COUPONS = 200_000;
  private CrashableMariaDb db;
  private RunningSystem system;

  @AfterEach
  void stop() {
    if (system != null) {
      system.close();
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void aCrashedDatabaseHangsNoGrabAndGrabsAreAcceptedWithinTwoSecondsOfItsReturn(Vertx vertx) throws Exception {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    db = CrashableMariaDb.start(Path.of("target", "crash-mariadb-" + suffix), List.of("w_crash", "r_crash"));
    SecKillConfig base = TestInfra.freshConfig();
    SecKillConfig config = base.withDatabases(new DbConfig("127.0.0.1", db.port(), "w_crash", "root", "", 4),
        new DbConfig("127.0.0.1", db.port(), "r_crash", "root", "", 4));
    system = RunningSystem.start(config, "admin,command,event,query", Map.of());
    WebClient client = Async.client(vertx, 64);
    String promotionId = system.openPromotion(vertx, client, COUPONS);
    Crowd crowd = new Crowd(vertx, client, () -> List.of(config.commandPort()), promotionId, "c-", 16, 1_000_000);
    crowd.untilFirst200After(System.nanoTime(), Duration.ofSeconds(30));

    long seed = Long.getLong("seckill.dbcrash.seed", System.nanoTime());
    Random random = new Random(seed);
    List<Long> idle = new ArrayList<>();
    List<Long> busy = new ArrayList<>();
    for (int round = 0; round < CRASHES; round++) {
      boolean idleCommitter = round % 2 == 0;
      long downMillis = 500 + random.nextInt(4500);
      if (idleCommitter) {
        Async.await(crowd.pause());
      }
      db.kill();
      long killedAt = System.nanoTime();
      if (idleCommitter) {
        crowd.resume();
      }
      if (round < 4) {
        // /health answers, and says DOWN while grabs cannot be committed
        Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> client.get(config.commandPort(),
            "127.0.0.1", "/health").timeout(5_000).send().map(r -> r.statusCode() == 503)));
      }
      Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> Future.succeededFuture(
          System.nanoTime() - killedAt >= downMillis * 1_000_000)));
      db.restart();
      long back = System.nanoTime();
      Duration first = crowd.untilFirst200After(back, Duration.ofSeconds(30));
      (idleCommitter ? idle : busy).add(first.toMillis());
      if (round < 4) {
        Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> client.get(config.commandPort(),
            "127.0.0.1", "/health").timeout(5_000).send().map(r -> r.statusCode() == 200)));
      }
      // the load flows a while before the next crash: the committer is busy again
      long settled = System.nanoTime() + Duration.ofMillis(1500).toNanos();
      Async.await(Async.eventually(vertx, Duration.ofSeconds(5), () -> Future.succeededFuture(
          System.nanoTime() > settled)));
      LOG.info("crash {} ({} committer, down {} ms): first 200 {} ms after the database's return", round + 1,
          idleCommitter ? "idle" : "busy", downMillis, first.toMillis());
    }
    crowd.stop();
    LOG.info("database crashes (seed {}): first 200 after the return, idle committer {} ms, busy committer {} ms;"
            + " {} requests, {} answered 503, {} unanswered", seed, idle, busy, crowd.requests.get(),
        crowd.unavailable.get(), crowd.noAnswer.get());
    List<Row> events = Consistency.cancelAndCheckLedger(vertx, system, client, crowd, COUPONS);
    List<Long> all = new ArrayList<>(idle);
    all.addAll(busy);
    assertThat(all).as("first 200 within 2 s of every return (seed " + seed + ")").allMatch(ms -> ms <= 2000);
  }
}
