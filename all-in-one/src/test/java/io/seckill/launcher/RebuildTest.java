package io.seckill.launcher;

import io.seckill.event.rebuild.RebuildStatus;
import io.seckill.event.rebuild.RebuildStore;
import io.seckill.event.rebuild.Rebuilder;
import io.seckill.shared.db.Databases;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.SyntheticEvents;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import io.seckill.shared.config.Env;

/**
 * The read model rebuilt from the events (SPEC §8, I12), online, over the launcher's roles: under grabs and queries
 * after ReadDB's tables were truncated, and after the whole ReadDB was dropped and created again empty; one promotion
 * alone; one at a time (409); the refusals; and a rebuild whose process died mid-way. Each ends with the audit saying
 * {@code consistent}: ReadDB holds exactly WriteDB's coupons.
 */
@ExtendWith(VertxExtension.class)
class RebuildTest {
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  /** Grabs by new customers, each followed by its customer's query, from {@code clients} clients at once. */
  private static final class Load {
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicInteger next = new AtomicInteger();
    final Map<Integer, AtomicInteger> grabs = new ConcurrentHashMap<>();
    final Map<Integer, AtomicInteger> queries = new ConcurrentHashMap<>();
    final Set<String> servedFromDeadTables = ConcurrentHashMap.newKeySet();
    final List<Future<Void>> clients = new ArrayList<>();
    volatile boolean countQueries5xx = true;
    final AtomicInteger queries5xx = new AtomicInteger();

    Load(WebClient client, RunningSystem front, String promotion, int clients) {
      for (int i = 0; i < clients; i++) {
        this.clients.add(loop(client, front, promotion));
      }
    }

    /** One client's loop; its future completes once it stops (no chain of futures grows with the requests). */
    private Future<Void> loop(WebClient client, RunningSystem front, String promotion) {
      Promise<Void> finished = Promise.promise();
      next(client, front, promotion, finished);
      return finished.future();
    }

    private void next(WebClient client, RunningSystem front, String promotion, Promise<Void> finished) {
      if (!running.get()) {
        finished.complete();
        return;
      }
      String customer = "load-" + next.getAndIncrement();
      Grabs.grab(client, front.config.commandPort(), promotion, customer)
          .compose(r -> {
            grabs.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
            return Grabs.coupons(client, front.config.queryPort(), customer);
          })
          .onComplete(ar -> {
            int status = ar.succeeded() ? ar.result().statusCode() : 599;
            queries.computeIfAbsent(status, s -> new AtomicInteger()).incrementAndGet();
            if (status >= 500 && countQueries5xx) {
              queries5xx.incrementAndGet();
              servedFromDeadTables.add(ar.succeeded() ? ar.result().bodyAsString() : ar.cause().toString());
            }
            next(client, front, promotion, finished);
          });
    }

    void stop() {
      running.set(false);
      Async.await(Future.all(clients));
    }
  }

  private static Future<HttpResponse<Buffer>> post(WebClient client, RunningSystem system, String body, String token) {
    var request = client.post(system.config.eventPort(), "127.0.0.1", "/read-model/rebuilds");
    if (token != null) {
      request.bearerTokenAuthentication(token);
    }
    return body == null ? request.send() : request.putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body));
  }

  private static Future<JsonObject> status(WebClient client, RunningSystem system, String location) {
    return client.get(system.config.eventPort(), "127.0.0.1", location).bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .send().map(r -> {
          assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(200);
          return r.bodyAsJsonObject();
        });
  }

  /** Polls a rebuild until it swapped (failing on failed), noting the states it was seen in. */
  private static JsonObject awaitSwapped(Vertx vertx, WebClient client, RunningSystem system, String location,
                                         Set<String> seen, Duration bound) {
    JsonObject[] last = new JsonObject[1];
    Async.await(Async.eventually(vertx, bound, () -> status(client, system, location).map(s -> {
      last[0] = s;
      seen.add(s.getString("state"));
      if ("failed".equals(s.getString("state"))) {
        throw new Async.GiveUp("the rebuild failed: " + s.encode());
      }
      return "swapped".equals(s.getString("state"));
    })), bound.plusSeconds(5));
    return last[0];
  }

  private static Future<Boolean> consistent(WebClient client, RunningSystem system) {
    return client.get(system.config.eventPort(), "127.0.0.1", "/read-model/audit")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send()
        .map(r -> r.statusCode() == 200 && "consistent".equals(r.bodyAsJsonObject().getString("verdict")));
  }

  private static String sale(Vertx vertx, WebClient client, RunningSystem front, int coupons) {
    Instant now = Instant.now();
    HttpResponse<Buffer> created = Async.await(front.admin(client, HttpMethod.POST, "/admin/promotions",
        new JsonObject().put("numberOfCoupons", coupons).put("discount", 0.5).put("publishTime", now.toString())
            .put("finishTime", now.plusSeconds(3600).toString())));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getString("promotionId");
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> Grabs.grab(client, front.config.commandPort(),
        id, "first").map(r -> r.statusCode() == 200)));
    return id;
  }

  private static long count(Pool pool, String sql, Object... params) {
    Row row = Async.await(pool.preparedQuery(sql).execute(Tuple.from(params))).iterator().next();
    return row.getLong(0);
  }

  /** The projection's applied-events counter, from the event service's /metrics. */
  private static double projected(WebClient client, RunningSystem system) {
    String metrics = Async.await(client.get(system.config.eventPort(), "127.0.0.1", "/metrics").send()).bodyAsString();
    return metrics.lines().filter(l -> l.startsWith("seckill_projection_events_applied_total"))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
  }

  private record Systems(RunningSystem front, RunningSystem projection, WebClient client, Pool writeDb, Pool readDb) {
  }

  private Systems systems(Vertx vertx) throws Exception {
    RunningSystem front = RunningSystem.start("admin,command,query", Map.of());
    toClose.add(front);
    RunningSystem projection = RunningSystem.start(front.config, "event", Map.of());
    toClose.add(projection);
    WebClient client = Async.client(vertx, 32);
    Pool writeDb = front.writeDb(vertx);
    Pool readDb = front.readDb(vertx);
    toClose.add(writeDb::close);
    toClose.add(readDb::close);
    return new Systems(front, projection, client, writeDb, readDb);
  }

  @Test
  void truncatedUnderLoadTheRebuildBringsBackExactlyTheEventsCouponsWhileQueriesAndTheProjectionGoOn(Vertx vertx)
      throws Exception {
    Systems s = systems(vertx);
    String promotion = sale(vertx, s.client, s.front, 1_000_000);
    Load load = new Load(s.client, s.front, promotion, 16);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(60), () -> Future.succeededFuture(load.next.get() > 2000)));

    for (String table : List.of("coupons", "active_promotions", "projection_positions")) {
      Async.await(s.readDb.query("TRUNCATE TABLE " + table).execute());
    }
    double projectedBefore = projected(s.client, s.projection);
    // two at once: one runs, the other is told so
    List<HttpResponse<Buffer>> both = Async.await(Future.all(post(s.client, s.projection, "{}", TestInfra.ADMIN_TOKEN),
        post(s.client, s.projection, null, TestInfra.ADMIN_TOKEN))).list();
    assertThat(both).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(202, 409);
    HttpResponse<Buffer> started = both.stream().filter(r -> r.statusCode() == 202).findFirst().orElseThrow();
    HttpResponse<Buffer> refused = both.stream().filter(r -> r.statusCode() == 409).findFirst().orElseThrow();
    assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("rebuild_running");
    String location = started.getHeader("Location");
    assertThat(location).isEqualTo("/read-model/rebuilds/" + started.bodyAsJsonObject().getString("rebuildId"));
    assertThat(started.bodyAsJsonObject().getString("state")).isEqualTo("running");

    Set<String> seen = new LinkedHashSet<>();
    JsonObject done = awaitSwapped(vertx, s.client, s.projection, location, seen, Duration.ofSeconds(60));
    assertThat(done.getLong("eventsApplied")).isPositive();
    assertThat(done.getString("finishedAt")).isNotNull();
    assertThat(projected(s.client, s.projection)).as("the live projection went on during the rebuild")
        .isGreaterThan(projectedBefore);
    // a little more load on the new tables, then quiet: ReadDB holds exactly WriteDB's coupons
    int after = load.next.get();
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> Future.succeededFuture(load.next.get() > after + 200)));
    load.stop();
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> consistent(s.client, s.projection)));
    long written = count(s.writeDb, "SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = 'CouponGrabbedEvent'",
        promotion);
    assertThat(count(s.readDb, "SELECT COUNT(*) FROM coupons WHERE promotion_id = ?", promotion)).isEqualTo(written);
    assertThat(load.grabs.keySet()).as("grabs answered").containsOnly(200);
    assertThat(load.queries5xx.get()).as("queries answered 5xx: " + load.servedFromDeadTables).isZero();
    assertThat(count(s.readDb, "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
        + " AND (table_name LIKE '%\\_rb\\_%' OR table_name LIKE '%\\_old\\_%')")).as("rebuild tables left").isZero();

    // the refusals
    assertThat(Async.await(post(s.client, s.projection, "{}", TestInfra.token("load-1"))).statusCode()).isEqualTo(403);
    assertThat(Async.await(post(s.client, s.projection, "{}", null)).statusCode()).isEqualTo(401);
    HttpResponse<Buffer> unknown = Async.await(post(s.client, s.projection,
        new JsonObject().put("promotionId", UUID.randomUUID().toString()).encode(), TestInfra.ADMIN_TOKEN));
    assertThat(unknown.statusCode()).as(unknown.bodyAsString()).isEqualTo(404);
    for (String bad : List.of("{\"promotionId\": 7}", "{\"promotionId\": \"nope\"}", "[]", "{\"all\": true}", "{")) {
      HttpResponse<Buffer> refusedBody = Async.await(post(s.client, s.projection, bad, TestInfra.ADMIN_TOKEN));
      assertThat(refusedBody.statusCode()).as(bad).isEqualTo(400);
      assertThat(refusedBody.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
    }
    HttpResponse<Buffer> noSuchRebuild = Async.await(s.client.get(s.projection.config.eventPort(), "127.0.0.1",
        "/read-model/rebuilds/" + UUID.randomUUID()).bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send());
    assertThat(noSuchRebuild.statusCode()).isEqualTo(404);
  }

  @Test
  void readDbDroppedAndCreatedAgainEmptyIsRebuiltWhileGrabsGoOn(Vertx vertx) throws Exception {
    Systems s = systems(vertx);
    String promotion = sale(vertx, s.client, s.front, 1_000_000);
    Load load = new Load(s.client, s.front, promotion, 8);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(60), () -> Future.succeededFuture(load.next.get() > 1000)));
    String database = s.front.config.readDb().database();
    load.countQueries5xx = false;
    // from a connection of its own: the session that drops a database is left with none selected (the services'
    // sessions keep its name, and find the new one under it)
    Pool dropper = Databases.pool(vertx, s.front.config.readDb(), "test-dropper");
    Async.await(dropper.withConnection(conn -> conn.query("DROP DATABASE " + database).execute()
        .compose(v -> conn.query("CREATE DATABASE " + database).execute())));
    Async.await(dropper.close());

    HttpResponse<Buffer> started = Async.await(post(s.client, s.projection, "{}", TestInfra.ADMIN_TOKEN));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    // from here the schema is back: queries answer (from the new tables once swapped)
    load.countQueries5xx = true;
    awaitSwapped(vertx, s.client, s.projection, started.getHeader("Location"), new LinkedHashSet<>(),
        Duration.ofSeconds(60));
    load.stop();
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> consistent(s.client, s.projection)));
    long written = count(s.writeDb, "SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = 'CouponGrabbedEvent'",
        promotion);
    assertThat(count(s.readDb, "SELECT COUNT(*) FROM coupons WHERE promotion_id = ?", promotion)).isEqualTo(written);
    assertThat(load.queries5xx.get()).as("queries answered 5xx after the rebuild started: "
        + load.servedFromDeadTables).isZero();
  }

  @Test
  void onePromotionIsRebuiltAloneAndTheOthersAreLeftAsTheyAre(Vertx vertx) throws Exception {
    Systems s = systems(vertx);
    String damaged = sale(vertx, s.client, s.front, 100);
    String other = sale(vertx, s.client, s.front, 100);
    for (String customer : List.of("a", "b", "c")) {
      for (String id : List.of(damaged, other)) {
        assertThat(Async.await(Grabs.grab(s.client, s.front.config.commandPort(), id, customer)).statusCode())
            .isEqualTo(200);
      }
    }
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> consistent(s.client, s.projection)));
    Async.await(s.readDb.preparedQuery("DELETE FROM coupons WHERE promotion_id = ? AND customer_id = 'b'")
        .execute(Tuple.of(damaged)));
    Async.await(s.readDb.preparedQuery("UPDATE coupons SET sequence = 99 WHERE promotion_id = ? AND customer_id = 'a'")
        .execute(Tuple.of(other)));

    HttpResponse<Buffer> started = Async.await(post(s.client, s.projection,
        new JsonObject().put("promotionId", damaged).encode(), TestInfra.ADMIN_TOKEN));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    assertThat(started.bodyAsJsonObject().getString("promotionId")).isEqualTo(damaged);
    JsonObject done = awaitSwapped(vertx, s.client, s.projection, started.getHeader("Location"), new LinkedHashSet<>(),
        Duration.ofSeconds(30));
    assertThat(done.getLong("eventsApplied")).isEqualTo(5);
    assertThat(count(s.readDb, "SELECT COUNT(*) FROM coupons WHERE promotion_id = ?", damaged)).isEqualTo(4);
    assertThat(count(s.readDb, "SELECT remaining_coupons FROM active_promotions WHERE promotion_id = ?", damaged))
        .isEqualTo(96);
    // the other promotion was not touched: its damage is still there
    assertThat(count(s.readDb, "SELECT sequence FROM coupons WHERE promotion_id = ? AND customer_id = 'a'", other))
        .isEqualTo(99);
  }

  @Test
  void aRebuildWhoseProcessDiesLeavesTheOldTablesInServiceAndItsShadowTablesAreCleanedUp(Vertx vertx) throws Exception {
    Systems s = systems(vertx);
    String live = sale(vertx, s.client, s.front, 100);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> consistent(s.client, s.projection)));
    UUID big = Async.await(SyntheticEvents.finishedSale(s.writeDb, 300_000, "dead"), Duration.ofMinutes(3));

    // another process (as `java -jar seckill.jar rebuild` is) starts a rebuild, and dies while it runs
    Vertx other = Vertx.vertx();
    Pool otherWrite = Databases.pool(other, s.front.config.writeDb(), "dying-write");
    Pool otherRead = Databases.pool(other, s.front.config.readDb(), "dying-read");
    Rebuilder dying = new Rebuilder(other, new RebuildStore(otherWrite, 2000, otherRead, 2000), Clock.systemUTC(), 0,
        done -> { });
    Promise<RebuildStatus> first = Promise.promise();
    other.getOrCreateContext().runOnContext(v -> dying.start(null).onComplete(first));
    UUID dead = Async.await(first.future()).rebuildId();
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> Future.succeededFuture(
        dying.current().eventsApplied() > 10_000)));
    assertThat(dying.current().state()).isEqualTo(RebuildStatus.State.RUNNING);
    assertThat(Async.await(shadowTables(s.readDb))).isEqualTo(3);
    Async.await(other.close());

    // meanwhile: another rebuild is refused, the old tables serve
    HttpResponse<Buffer> refused = Async.await(post(s.client, s.projection, "{}", TestInfra.ADMIN_TOKEN));
    assertThat(refused.statusCode()).as(refused.bodyAsString()).isEqualTo(409);
    assertThat(Async.await(Grabs.coupons(s.client, s.front.config.queryPort(), "first")).bodyAsString()).contains(live);
    // the event service's clean-up: the dead rebuild marked failed once its heartbeat is old, its tables dropped
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> shadowTables(s.readDb).map(n -> n == 0)));
    JsonObject deadStatus = Async.await(status(s.client, s.projection, "/read-model/rebuilds/" + dead));
    assertThat(deadStatus.getString("state")).isEqualTo("failed");
    assertThat(deadStatus.getString("error")).contains("heartbeat");
    assertThat(count(s.readDb, "SELECT COUNT(*) FROM coupons WHERE promotion_id = ?", big)).isZero();

    // a new rebuild succeeds, by the command line this time
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = RebuildCommand.run(new String[0], new Env(s.projection.env),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false);
    assertThat(exit).as(err.toString(StandardCharsets.UTF_8)).isEqualTo(RebuildCommand.SWAPPED);
    assertThat(new JsonObject(out.toString(StandardCharsets.UTF_8)).getString("state")).isEqualTo("swapped");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("100%");
    assertThat(count(s.readDb, "SELECT COUNT(*) FROM coupons WHERE promotion_id = ?", big)).isEqualTo(300_000);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> consistent(s.client, s.projection)));
    assertThat(RebuildCommand.run(new String[] {"--promotion", "nope"}, new Env(s.projection.env),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8), false))
        .isEqualTo(RebuildCommand.NOT_STARTED);
  }

  private static Future<Long> shadowTables(Pool readDb) {
    return readDb.query("SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = DATABASE()"
        + " AND table_name LIKE '%\\_rb\\_%'").execute().map(rows -> rows.iterator().next().getLong(0));
  }
}
