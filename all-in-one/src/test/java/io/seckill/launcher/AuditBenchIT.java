package io.seckill.launcher;

import io.seckill.shared.identity.Tickets;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.SyntheticEvents;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the read model's audit costs a running sale (SPEC §8, issue [S11]): WriteDB holds {@code seckill.audit.events}
 * events of ten finished sales (default 100,000; BENCHMARKS.md uses 1,000,000) and ReadDB their projection (a rebuild
 * makes it), and a live sale of 10,000,000 coupons takes W2-like grabs (a new customer per grab, each with its grab
 * ticket, {@value #CLIENTS} clients, every grab accepted) through the same process. After a warm-up of
 * {@code seckill.audit.warmup} seconds (default 15: the JIT and the pools settle; one audit alone runs first, for its
 * time), three windows of
 * {@code seckill.audit.seconds} each: grabs alone, grabs while audits of every promotion run back to back (the last
 * one finishes inside the window), grabs alone again; it prints accepts per second and p99 of each, the audits' rate
 * in events read per second, and the ratios of the middle window to the mean of the other two. It checks what it can
 * without timing: every grab accepted, no audit says diverged, WriteDB holds exactly the accepted grabs.
 */
class AuditBenchIT {
  private static final int SALES = 10;
  private static final int CLIENTS = 64;
  private final Closer toClose = new Closer();

  @AfterEach
  void stop() throws Exception {
    toClose.close();
  }

  @Test
  void w2BesideTheAudit() throws Exception {
    int events = Integer.getInteger("seckill.audit.events", 100_000);
    int seconds = Integer.getInteger("seckill.audit.seconds", 8);
    int warmup = Integer.getInteger("seckill.audit.warmup", 15);
    Vertx vertx = toClose.vertx();
    RunningSystem system = toClose.add(RunningSystem.start("admin,command,query,event", Map.of()));
    WebClient client = Async.client(vertx, CLIENTS);
    Pool writeDb = system.writeDb(vertx);

    long history = SyntheticEvents.finishedSales(writeDb, SALES, events, "audit");
    RebuildBenchIT.rebuild(vertx, client, system, null);
    System.out.printf("W2 beside the audit: %,d events of %d finished sales in WriteDB and ReadDB%n", history, SALES);
    Audits alone = new Audits(client, system);
    Async.await(alone.stop(), Duration.ofMinutes(10));
    System.out.printf("Audit alone: %s%n", alone.figures());
    assertThat(alone.diverged).as("promotions the audit called diverged").isEmpty();

    UUID sale = UUID.fromString(Async.await(client.post(system.config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .sendJsonObject(new JsonObject().put("numberOfCoupons", 10_000_000).put("discount", 0.5)
            .put("publishTime", Instant.now().toString())
            .put("finishTime", Instant.now().plusSeconds(3600).toString()))
        .map(r -> r.bodyAsJsonObject().getString("promotionId"))));
    Async.await(Async.eventually(vertx, Duration.ofSeconds(15),
        () -> Grabs.grab(client, system.config.commandPort(), sale, "probe").map(r -> r.statusCode() == 200)));

    Tickets tickets = new Tickets(TestInfra.security().ticketKeys());
    AtomicInteger customers = new AtomicInteger();
    Map<String, Boolean> accepted = new ConcurrentHashMap<>();
    TimedLoops warm = grabs(client, system, sale, tickets, customers, accepted);
    Async.await(vertx.timer(warmup * 1000L));
    warm.stop();

    TimedLoops before = grabs(client, system, sale, tickets, customers, accepted);
    Async.await(vertx.timer(seconds * 1000L));
    before.stop();
    TimedLoops during = grabs(client, system, sale, tickets, customers, accepted);
    Audits audits = new Audits(client, system);
    Async.await(vertx.timer(seconds * 1000L));
    Async.await(audits.stop(), Duration.ofMinutes(10));
    during.stop();
    TimedLoops after = grabs(client, system, sale, tickets, customers, accepted);
    Async.await(vertx.timer(seconds * 1000L));
    after.stop();

    double quietRate = (before.perSecond() + after.perSecond()) / 2;
    double quietP99 = (before.percentile(0.99) + after.percentile(0.99)) / 2;
    System.out.printf("W2 alone (before): %s%n", before.figures("accepted grabs"));
    System.out.printf("W2 during the audits: %s%n", during.figures("accepted grabs"));
    System.out.printf("W2 alone (after): %s%n", after.figures("accepted grabs"));
    System.out.printf("Audits during W2: %s%n", audits.figures());
    System.out.printf("W2 ratio during/alone: throughput %.2fx, p99 %.2fx%n", during.perSecond() / quietRate,
        during.percentile(0.99) / quietP99);

    assertThat(audits.completed.get()).as("audits of everything finished during the middle window").isPositive();
    assertThat(audits.diverged).as("promotions an audit called diverged during the sale").isEmpty();
    assertThat(warm.failures.get() + before.failures.get() + during.failures.get() + after.failures.get())
        .as("grabs not answered 200").isZero();
    long written = Async.await(writeDb.preparedQuery(
            "SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = 'CouponGrabbedEvent'")
        .execute(Tuple.of(sale.toString()))).iterator().next().getLong(0);
    assertThat(written).as("grabs in WriteDB: the probe and every accepted one").isEqualTo(accepted.size() + 1L);
  }

  /** W2's crowd: a new customer per grab, with a ticket of the sale (HS256 under the test's ticket key). */
  private static TimedLoops grabs(WebClient client, RunningSystem system, UUID sale, Tickets tickets,
                                  AtomicInteger customers, Map<String, Boolean> accepted) {
    return new TimedLoops(CLIENTS, () -> {
      String customer = "w2-" + customers.incrementAndGet();
      long now = Instant.now().getEpochSecond();
      return client.post(system.config.commandPort(), "127.0.0.1", "/command/coupons")
          .bearerTokenAuthentication(tickets.issue(customer, sale, now - 1, now + 60))
          .sendJsonObject(new JsonObject().put("promotionId", sale.toString()))
          .map(r -> {
            if (r.statusCode() == 200) {
              accepted.put(customer, Boolean.TRUE);
            }
            return r.statusCode();
          });
    }, 200);
  }

  /** Audits of every promotion, one after another, as an operator's cron would run them back to back. */
  private static final class Audits {
    final AtomicInteger completed = new AtomicInteger();
    final List<String> diverged = new ArrayList<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Promise<Void> finished = Promise.promise();
    private long eventsRead;
    private long millis;

    Audits(WebClient client, RunningSystem system) {
      next(client, system);
    }

    private void next(WebClient client, RunningSystem system) {
      if (!running.get()) {
        finished.complete();
        return;
      }
      long sent = System.nanoTime();
      client.get(system.config.eventPort(), "127.0.0.1", "/read-model/audit")
          .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).timeout(600_000).send()
          .onComplete(ar -> {
            if (ar.failed() || ar.result().statusCode() != 200) {
              finished.tryFail("audit: " + (ar.failed() ? ar.cause() : ar.result().statusCode() + " "
                  + ar.result().bodyAsString()));
              return;
            }
            record(ar.result(), (System.nanoTime() - sent) / 1_000_000);
            next(client, system);
          });
    }

    private synchronized void record(HttpResponse<Buffer> answer, long took) {
      JsonObject report = answer.bodyAsJsonObject();
      for (Object p : report.getJsonArray("promotions")) {
        JsonObject promotion = (JsonObject) p;
        eventsRead += promotion.getJsonObject("writeDb").getLong("lastSequence");
        if ("diverged".equals(promotion.getString("verdict"))) {
          diverged.add(promotion.encode());
        }
      }
      millis += took;
      completed.incrementAndGet();
    }

    /** Lets the audit under way finish, then stops. */
    Future<Void> stop() {
      running.set(false);
      return finished.future();
    }

    synchronized String figures() {
      return String.format("%d audits of everything in %.1f s, %,d events read = %,.0f events/s", completed.get(),
          millis / 1000.0, eventsRead, eventsRead * 1000.0 / Math.max(1, millis));
    }
  }
}
