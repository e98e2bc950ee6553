package io.seckill.launcher;

import io.seckill.embedded.EmbeddedMariaDb;
import io.seckill.shared.config.Env;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import io.seckill.shared.db.Databases;

/**
 * SPEC I8 across a crash of the whole jar: the all-in-one process as README starts it (every role, its embedded
 * broker and MariaDB) is killed with -9 a second into a 1,000-coupon sale while 32 clients grab,
 * each a new customer; it is started again and the remaining customers grab. Every grab that got a 200 before the
 * kill must be in ReadDB within 5 s of the system serving again, in every one of {@code seckill.restart.runs} runs
 * (default 20: the tail this checks showed in 2 runs of 20). The times of every run are printed.
 */
@ExtendWith(VertxExtension.class)
class RestartVisibilityIT {
  private static final Logger LOG = LoggerFactory.getLogger(RestartVisibilityIT.class);
  private static final int RUNS = Integer.getInteger("seckill.restart.runs", 20);
  private static final Duration BOUND = Duration.ofSeconds(5);
  private static final Duration GIVE_UP = Duration.ofSeconds(60);
  private static final int CLIENTS = 32;
  private final List<JarProcess> started = new ArrayList<>();
  private SecKillConfig config;
  private Map<String, String> env;
  private JarProcess jar;
  private WebClient client;

  /**
   * The last jar stopped as an operator stops it (SIGTERM: it stops its MariaDB); the killed ones' mariadbd was killed
   * by the next start (its orphan check).
   */
  @AfterEach
  void stop() throws Exception {
    try {
      if (jar != null && jar.alive()) {
        jar.signal("TERM");
        jar.exitWithin(Duration.ofSeconds(60));
      }
    } finally {
      started.forEach(JarProcess::close);
      EmbeddedMariaDb.killLeftOver(Path.of("target", "restart-visibility", "mariadb"));
    }
  }

  private void start(Vertx vertx) throws Exception {
    jar = JarProcess.start("restart-visibility", env);
    started.add(jar);
    for (int port : new int[] {config.adminPort(), config.commandPort(), config.queryPort(), config.eventPort()}) {
      Async.await(jar.healthy(vertx, client, port), Duration.ofSeconds(100));
    }
  }

  @Test
  void everyGrabAcceptedBeforeAKillNineIsInReadDbWithinFiveSecondsOfTheRestart(Vertx vertx) throws Exception {
    config = TestInfra.freshConfig();
    Path data = Path.of("target", "restart-visibility");
    EmbeddedMariaDb.killLeftOver(data.resolve("mariadb")); // a run stopped before its end
    if (Files.exists(data)) {
      try (Stream<Path> paths = Files.walk(data)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    env = new HashMap<>(RunningSystem.environment(config, "all"));
    // README's start: the jar's own embedded broker and MariaDB (its mariadbd outlives the kill; the next start kills
    // that orphan and starts it again on the same data)
    env.keySet().removeIf(name -> name.equals("SECKILL_AMQP_URL") || name.startsWith("SECKILL_WRITE_DB_")
        || name.startsWith("SECKILL_READ_DB_"));
    int dbPort = TestInfra.freePort();
    env.put("SECKILL_EMBEDDED_DB_PORT", String.valueOf(dbPort));
    env.put("SECKILL_BROKER_PORT", String.valueOf(TestInfra.freePort()));
    env.put("SECKILL_DATA_DIR", data.toString());
    env.putAll(TestInfra.identityEnvironment(data));
    client = Async.client(vertx, CLIENTS * 2);
    Env embedded = new Env(Map.of());
    Pool readDb = Databases.pool(vertx, embedded.db("X_", "seckill_read", dbPort),
        "restart-visibility-read");
    Pool writeDb = Databases.pool(vertx, embedded.db("X_", "seckill_write", dbPort),
        "restart-visibility-write");
    start(vertx);

    List<String> runs = new ArrayList<>();
    List<String> late = new ArrayList<>();
    for (int run = 1; run <= RUNS; run++) {
      String promotion = createPromotion(vertx, writeDb);
      Set<String> accepted = grabThenKill(vertx, promotion, "r" + run + "-");
      long killedAt = System.nanoTime();
      start(vertx);
      long servingAt = System.nanoTime();
      Future<Set<String>> after = grabFor(vertx, promotion, "r" + run + "-after-", Duration.ofSeconds(1));
      long visibleAt = visible(vertx, readDb, promotion, accepted);
      Async.await(after, Duration.ofSeconds(30));
      double restartS = (servingAt - killedAt) / 1e9;
      double visibleS = (visibleAt - servingAt) / 1e9;
      String line = String.format("run %d: %d grabs accepted before the kill; serving again %.1f s after it; all of them"
          + " in ReadDB %.2f s after that", run, accepted.size(), restartS, visibleS);
      LOG.info(line);
      runs.add(line);
      if (visibleS > BOUND.toMillis() / 1000.0) {
        late.add(line);
      }
    }
    System.out.println("RestartVisibilityIT:\n  " + String.join("\n  ", runs));
    assertThat(late).as("runs whose accepted grabs reached ReadDB later than " + BOUND.toSeconds()
        + " s after the restart (see target/it-restart-visibility.log)").isEmpty();
  }

  private String createPromotion(Vertx vertx, Pool writeDb) {
    String id = Async.await(client.post(config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .sendJsonObject(new JsonObject().put("numberOfCoupons", 1000).put("discount", 0.5)
            .put("publishTime", Instant.now().toString()).put("finishTime", Instant.now().plusSeconds(3600).toString()))
        .map(r -> r.bodyAsJsonObject().getString("promotionId")));
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> writeDb.preparedQuery(
            "SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = 'PromotionStartEvent'").execute(Tuple.of(id))
        .map(rows -> rows.iterator().next().getInteger(0) == 1)));
    return id;
  }

  /** {@value #CLIENTS} clients grab with new customers; a second after the first 200, the jar is killed with -9. */
  private Set<String> grabThenKill(Vertx vertx, String promotion, String prefix) {
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    AtomicBoolean killed = new AtomicBoolean();
    AtomicInteger next = new AtomicInteger();
    AtomicBoolean timerSet = new AtomicBoolean();
    List<Future<Void>> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      Promise<Void> done = Promise.promise();
      clients.add(done.future());
      loop(promotion, prefix, accepted, next, killed, done, () -> {
        if (timerSet.compareAndSet(false, true)) {
          vertx.setTimer(1000, t -> {
            killed.set(true);
            jar.kill();
          });
        }
      });
    }
    Async.await(Future.join(clients), Duration.ofSeconds(60));
    return new HashSet<>(accepted);
  }

  private void loop(String promotion, String prefix, Set<String> accepted, AtomicInteger next, AtomicBoolean stop,
                    Promise<Void> done, Runnable onAccepted) {
    if (stop.get()) {
      done.complete();
      return;
    }
    String customer = prefix + next.incrementAndGet();
    Grabs.grab(client, config.commandPort(), promotion, customer).onComplete(ar -> {
      if (ar.succeeded() && ar.result().statusCode() == 200) {
        accepted.add(customer);
        onAccepted.run();
      }
      loop(promotion, prefix, accepted, next, stop, done, onAccepted);
    });
  }

  /** {@value #CLIENTS} clients grab with new customers for {@code duration}: the customers that got a 200. */
  private Future<Set<String>> grabFor(Vertx vertx, String promotion, String prefix, Duration duration) {
    Set<String> accepted = ConcurrentHashMap.newKeySet();
    AtomicBoolean stop = new AtomicBoolean();
    AtomicInteger next = new AtomicInteger();
    vertx.setTimer(duration.toMillis(), t -> stop.set(true));
    List<Future<Void>> clients = new ArrayList<>();
    for (int i = 0; i < CLIENTS; i++) {
      Promise<Void> done = Promise.promise();
      clients.add(done.future());
      loop(promotion, prefix, accepted, next, stop, done, () -> { });
    }
    return Future.join(clients).map(accepted);
  }

  /** When (System.nanoTime) every customer in {@code accepted} had their coupon in ReadDB; fails after 60 s. */
  private long visible(Vertx vertx, Pool readDb, String promotion, Set<String> accepted) {
    Async.await(Async.eventually(vertx, GIVE_UP, () -> readDb.preparedQuery(
            "SELECT customer_id FROM coupons WHERE promotion_id = ?").execute(Tuple.of(promotion)).map(rows -> {
          Set<String> read = new HashSet<>();
          for (Row row : rows) {
            read.add(row.getString(0));
          }
          return read.containsAll(accepted);
        })), GIVE_UP.plusSeconds(10));
    return System.nanoTime();
  }
}
