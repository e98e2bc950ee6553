package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The broker as a master/slave group (SPEC I5, I8; [S15]): two broker processes of the jar on one shared KahaDB
 * store, the system's links given both ({@code SECKILL_AMQP_URL} a list), customers grabbing throughout. Rounds of
 * faults on whichever broker is the master: {@code kill -9} (the slave takes the store's lock and serves; the
 * killed one is started again and waits as the new slave), then {@code kill -STOP} for 5 s and {@code -CONT} (the
 * lock stays with the paused master: the group waits for it). Each round must see ReadDB current again (within 1 s
 * of WriteDB, on events written after the fault, which went through the broker serving after it) within 10 s of the
 * kill, or of the resume; at the end every 200 is in WriteDB and in ReadDB once.
 *
 * <p>{@code -Dseckill.failover.rounds=N} (default 3: kill, pause, kill) runs more; {@code loadtest/failover.sh}
 * runs 20 for BENCHMARKS.md and prints the table this test logs.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.MINUTES)
class BrokerFailoverIT {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerFailoverIT.class);
  /** ReadDB caught up within this of a master's kill, or of a paused master's resume. */
  private static final Duration CAUGHT_UP = Duration.ofSeconds(10);
  private static final Duration PAUSE = Duration.ofSeconds(5);
  private final List<JarProcess> processes = new ArrayList<>();
  private RunningSystem system;

  /** One broker of the pair: its port and environment are kept across restarts. */
  private static final class Broker {
    final String name;
    final int port;
    final Map<String, String> env;
    JarProcess process;
    int starts;

    Broker(String name, int port, Map<String, String> env) {
      this.name = name;
      this.port = port;
      this.env = env;
    }

    String log() {
      return "target/it-" + name + "-" + starts + ".log";
    }
  }

  @AfterEach
  void stop() {
    if (system != null) {
      system.close();
    }
    processes.forEach(JarProcess::close);
  }

  private void start(Broker broker) throws IOException {
    broker.starts++;
    broker.process = JarProcess.start(broker.name + "-" + broker.starts, broker.env);
    processes.add(broker.process);
  }

  /** Waits until {@code broker} says it waits on the store's lock: it is the slave, and does not listen. */
  private static void awaitSlave(Vertx vertx, Broker broker) {
    Async.await(Async.eventually(vertx, Duration.ofSeconds(60), () -> {
      try {
        Path log = Path.of(broker.log());
        return Future.succeededFuture(Files.exists(log) && Files.readString(log).contains("waiting for its lock"));
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
    }));
  }

  @Test
  void theSlaveTakesOverAKilledMasterAndReadDbCatchesUpWithin10s(Vertx vertx) throws Exception {
    int rounds = Integer.getInteger("seckill.failover.rounds", 3);
    String suffix = UUID.randomUUID().toString().substring(0, 8);
    String store = "target/it-broker-store-" + suffix;
    List<Broker> pair = new ArrayList<>();
    for (String name : List.of("failover-broker-a", "failover-broker-b")) {
      int port = TestInfra.freePort();
      pair.add(new Broker(name, port, Map.of("SECKILL_ROLES", "broker", "SECKILL_BROKER_PORT", String.valueOf(port),
          "SECKILL_BROKER_STORE", store, "SECKILL_DATA_DIR", "target/it-" + name + "-" + suffix)));
    }
    Broker master = pair.get(0);
    Broker slave = pair.get(1);
    start(master);
    Async.await(master.process.listening(vertx, master.port));
    start(slave);
    awaitSlave(vertx, slave);
    WebClient client = Async.client(vertx, 64);
    assertThat(Async.await(vertx.createNetClient().connect(slave.port, "127.0.0.1").map(true).otherwise(false)))
        .as("the slave listens before it holds the store's lock").isFalse();

    // the slave first: every link must go past a live slave (which does not listen) to the master
    Map<String, String> amqp = Map.of("SECKILL_AMQP_URL",
        "amqp://127.0.0.1:" + slave.port + ",amqp://127.0.0.1:" + master.port);
    system = RunningSystem.start("admin,command,event,query", amqp);
    String promotionId = system.openPromotion(vertx, client, 1_000_000);
    Pool writeDb = system.writeDb(vertx);
    Pool readDb = system.readDb(vertx);
    Load load = Load.start(client, system.config.commandPort(), promotionId, "failover-" + suffix + "-", 16,
        5_000_000);
    // times from the fault; "after heal": from the kill, or from the paused master's resume
    StringBuilder table = new StringBuilder(String.format("%n  %5s %-6s %-20s %14s %14s %16s %16s", "round", "fault",
        "master", "caught up ms", "current ms", "caught up/heal", "current/heal"));
    List<String> broken = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      int acceptedBefore = load.accepted.size();
      Async.await(Async.eventually(vertx, Duration.ofSeconds(60),
          () -> Future.succeededFuture(load.accepted.size() >= acceptedBefore + 300)));
      boolean kill = round % 2 == 1;
      long written = Async.await(Positions.written(writeDb, promotionId));
      long faultAt = System.nanoTime();
      AtomicLong healAt = new AtomicLong(faultAt);
      String was = master.name + "-" + master.starts;
      if (kill) {
        master.process.kill();
      } else {
        JarProcess paused = master.process;
        paused.signal("STOP");
        healAt.set(Long.MAX_VALUE);
        vertx.setTimer(PAUSE.toMillis(), t -> vertx.executeBlocking(() -> {
          paused.signal("CONT");
          healAt.set(System.nanoTime());
          return null;
        }));
      }
      // caught up: every event written before the fault applied; current: ReadDB within 1 s of WriteDB again, on
      // events written after the fault (those went through the broker that serves after it)
      List<long[]> writes = new ArrayList<>();
      long[] caughtUp = {-1};
      long current = millisUntil(vertx, faultAt, CAUGHT_UP.plus(PAUSE).plusSeconds(20), () -> Future.all(
          Positions.written(writeDb, promotionId), Positions.projected(readDb, promotionId)).map(both -> {
            long now = System.nanoTime();
            long position = both.resultAt(1);
            writes.add(new long[] {now, both.resultAt(0)});
            if (caughtUp[0] < 0 && position >= written) {
              caughtUp[0] = (now - faultAt) / 1_000_000;
            }
            long secondAgo = now - 1_000_000_000L;
            long due = writes.stream().filter(w -> w[0] <= secondAgo && w[0] >= faultAt).mapToLong(w -> w[1]).max()
                .orElse(Long.MAX_VALUE);
            return position >= due && healAt.get() != Long.MAX_VALUE;
          }));
      long healedAfter = (healAt.get() - faultAt) / 1_000_000;
      table.append(String.format("%n  %5d %-6s %-20s %14d %14d %16d %16d", round, kill ? "kill" : "pause", was,
          caughtUp[0], current, caughtUp[0] - healedAfter, current - healedAfter));
      if (current - healedAfter > CAUGHT_UP.toMillis()) {
        broken.add("round " + round + " (" + (kill ? "kill -9" : "pause") + " of " + was + "): ReadDB current again "
            + (current - healedAfter) + " ms after the " + (kill ? "kill" : "resume") + ", bound "
            + CAUGHT_UP.toMillis() + " ms");
      }
      if (kill) {
        Broker dead = master;
        master = slave;
        slave = dead;
        Async.await(master.process.listening(vertx, master.port));
        start(slave);
        awaitSlave(vertx, slave);
      }
    }
    Async.await(load.stop());
    Broker waiting = slave;
    assertThat(Async.await(vertx.createNetClient().connect(waiting.port, "127.0.0.1").map(true).otherwise(false)))
        .as("the slave, waiting on the lock for a while now, takes no connection (a client trying it first would hang)")
        .isFalse();
    LOG.info("broker failover, {} rounds under load ({} grabs accepted):{}", rounds, load.accepted.size(), table);
    Async.await(Consistency.check(vertx, writeDb, readDb, promotionId, load.accepted, 1_000_000,
        Duration.ofSeconds(60)));
    assertThat(broken).as("rounds past the bound" + table).isEmpty();
  }

  /** Milliseconds from {@code from} (nanoTime) until {@code condition} holds, checked every 25 ms. */
  private static long millisUntil(Vertx vertx, long from, Duration bound,
                                  Supplier<Future<Boolean>> condition) {
    Async.await(Async.eventually(vertx, bound, condition), bound.plusSeconds(5));
    return (System.nanoTime() - from) / 1_000_000;
  }
}
