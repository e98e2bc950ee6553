package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.SyntheticEvents;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.HashMap;
import java.time.Instant;
import java.nio.charset.StandardCharsets;
import java.io.PrintStream;
import java.io.ByteArrayOutputStream;
import io.seckill.shared.config.Env;

/**
 * W7 (SPEC §5): the read model rebuilt from {@code seckill.w7.events} events (default 100,000; the benchmark in
 * BENCHMARKS.md uses 1,000,000), written straight into WriteDB as ten finished sales. Three phases, figures printed:
 * the rebuild alone (events per second); queries alone for {@code seckill.w7.seconds} (W3-like: {@code GET
 * /query/coupons/{customer}} from 32 clients, throughput and p99); queries during a second rebuild (the same, for as
 * long as the rebuild runs), with the ratios. It checks what it can check without timing: both rebuilds swapped, ReadDB
 * holds every event's coupon, no query answered anything but 200.
 */
class RebuildBenchIT {
  private static final int SALES = 10;
  private static final int CLIENTS = 32;
  private static final int CUSTOMERS_QUERIED = 2000;
  private final Closer toClose = new Closer();

  @AfterEach
  void stop() throws Exception {
    toClose.close();
  }

  @Test
  void w7() throws Exception {
    int events = Integer.getInteger("seckill.w7.events", 100_000);
    int seconds = Integer.getInteger("seckill.w7.seconds", 10);
    Vertx vertx = toClose.vertx();
    RunningSystem system = toClose.add(RunningSystem.start("admin,query,event", Map.of()));
    WebClient client = Async.client(vertx, CLIENTS);
    Pool writeDb = system.writeDb(vertx);
    Pool readDb = system.readDb(vertx);

    int perSale = events / SALES - 2;
    long writing = System.nanoTime();
    long total = SyntheticEvents.finishedSales(writeDb, SALES, events, "w7");
    System.out.printf("W7: %,d events written into WriteDB in %.1f s%n", total, (System.nanoTime() - writing) / 1e9);

    JsonObject alone = rebuild(vertx, client, system, null);
    double aloneRate = alone.getLong("eventsApplied") * 1000.0 / millis(alone);
    System.out.printf("W7 rebuild alone: %,d events in %.2f s = %,.0f events/s%n", alone.getLong("eventsApplied"),
        millis(alone) / 1000.0, aloneRate);
    assertThat(count(readDb, "SELECT COUNT(*) FROM coupons")).isEqualTo((long) SALES * perSale);

    String[] customers = new String[CUSTOMERS_QUERIED];
    String[] tokens = new String[CUSTOMERS_QUERIED];
    for (int i = 0; i < CUSTOMERS_QUERIED; i++) {
      customers[i] = "w7-" + (i % SALES) + "-" + ThreadLocalRandom.current().nextInt(perSale);
      tokens[i] = TestInfra.token(customers[i]);
    }
    TimedLoops warm = queries(client, system, customers, tokens);
    Async.await(vertx.timer(3000));
    warm.stop();
    TimedLoops quiet = queries(client, system, customers, tokens);
    Async.await(vertx.timer(seconds * 1000L));
    quiet.stop();
    TimedLoops during = queries(client, system, customers, tokens);
    JsonObject busy = rebuild(vertx, client, system, during);
    during.stop();
    System.out.printf("W7 rebuild during queries: %,d events in %.2f s = %,.0f events/s (%.2fx alone)%n",
        busy.getLong("eventsApplied"), millis(busy) / 1000.0, busy.getLong("eventsApplied") * 1000.0 / millis(busy),
        busy.getLong("eventsApplied") * 1000.0 / millis(busy) / aloneRate);
    System.out.printf("W7 queries alone: %s%n", quiet.figures("queries"));
    System.out.printf("W7 queries during the rebuild: %s%n", during.figures("queries"));
    System.out.printf("W7 ratio during/alone: throughput %.2fx, p99 %.2fx%n", during.perSecond() / quiet.perSecond(),
        during.percentile(0.99) / quiet.percentile(0.99));
    int pace = Integer.getInteger("seckill.w7.pace", 0);
    if (pace > 0) {
      // the operator's way, paced: `SECKILL_REBUILD_EVENTS_PER_SECOND=<pace> java -jar seckill.jar rebuild`
      Map<String, String> env = new HashMap<>(system.env);
      env.put("SECKILL_REBUILD_EVENTS_PER_SECOND", String.valueOf(pace));
      TimedLoops paced = queries(client, system, customers, tokens);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int exit = RebuildCommand.run(new String[0], new Env(env),
          new PrintStream(out, true, StandardCharsets.UTF_8), System.out, false);
      paced.stop();
      assertThat(exit).isEqualTo(RebuildCommand.SWAPPED);
      JsonObject result = new JsonObject(out.toString(StandardCharsets.UTF_8));
      System.out.printf("W7 rebuild paced at %,d/s during queries: %,d events in %.2f s = %,.0f events/s%n", pace,
          result.getLong("eventsApplied"), millis(result) / 1000.0, result.getLong("eventsApplied") * 1000.0
              / millis(result));
      System.out.printf("W7 queries during the paced rebuild: %s%n", paced.figures("queries"));
      System.out.printf("W7 ratio paced/alone: throughput %.2fx, p99 %.2fx%n", paced.perSecond() / quiet.perSecond(),
          paced.percentile(0.99) / quiet.percentile(0.99));
      assertThat(paced.failures.get()).as("queries not answered 200").isZero();
    }
    assertThat(quiet.failures.get() + during.failures.get()).as("queries not answered 200").isZero();
    assertThat(during.done.get()).as("queries answered during the rebuild").isPositive();
    assertThat(count(readDb, "SELECT COUNT(*) FROM coupons")).isEqualTo((long) SALES * perSale);
  }

  private static long millis(JsonObject status) {
    return Duration.between(Instant.parse(status.getString("startedAt")),
        Instant.parse(status.getString("finishedAt"))).toMillis();
  }

  private static long count(Pool pool, String sql) {
    return Async.await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  /** Starts a rebuild of everything and waits for its swap; {@code during}'s window (if any) is the rebuild's. */
  static JsonObject rebuild(Vertx vertx, WebClient client, RunningSystem system, TimedLoops during) {
    HttpResponse<Buffer> started = Async.await(client.post(system.config.eventPort(), "127.0.0.1", "/read-model/rebuilds")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).sendJsonObject(new JsonObject()));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    if (during != null) {
      during.reset();
    }
    JsonObject[] last = new JsonObject[1];
    Async.await(Async.eventually(vertx, Duration.ofMinutes(10), () -> client.get(system.config.eventPort(), "127.0.0.1",
            started.getHeader("Location")).bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send().map(r -> {
      last[0] = r.bodyAsJsonObject();
      if ("failed".equals(last[0].getString("state"))) {
        throw new Async.GiveUp("rebuild failed: " + last[0].encode());
      }
      return "swapped".equals(last[0].getString("state"));
    })), Duration.ofMinutes(11));
    if (during != null) {
      during.stop();
    }
    return last[0];
  }

  /** {@value #CLIENTS} clients querying known customers' coupons back to back. */
  private static TimedLoops queries(WebClient client, RunningSystem system, String[] customers, String[] tokens) {
    return new TimedLoops(CLIENTS, () -> {
      int i = ThreadLocalRandom.current().nextInt(customers.length);
      return client.get(system.config.queryPort(), "127.0.0.1", "/query/coupons/" + customers[i])
          .bearerTokenAuthentication(tokens[i]).send().map(HttpResponse::statusCode);
    }, 200);
  }
}
