package io.seckill.launcher;

import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.GaleraCluster;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
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

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC §10 and I11 on a real three-node Galera cluster: WriteDB and ReadDB are each given as the three nodes (ReadDB in
 * another order, so that it starts on another node), the whole system runs beside it, and customers grab all along.
 * <ol>
 *   <li>the node WriteDB is written through is killed with -9: grabs sent after it are answered 200 again within
 *   5 s, through the next node; it is started again and rejoins by IST while the crowd grabs;</li>
 *   <li>the same with the node written through now;</li>
 *   <li>the node written through is cut off from the other two (Galera's {@code gmcast.isolate}, both ways): the
 *   process moves to a node of the primary component; the cut is mended and the node rejoins;</li>
 *   <li>a nemesis: faults drawn from a seed ({@code -Dseckill.galera.seed}, printed; {@code -Dseckill.galera.faults},
 *   6 by default), one node at a time, killed or cut off for 0.5-5 s, then healed, and the cluster settled whole
 *   again before the next ({@link GaleraCluster#waitWhole}); grabs are answered 200 again within 10 s of each fault's
 *   start;</li>
 *   <li>the whole cluster is stopped and started again (bootstrapped from the node marked safe, else the one with the highest seqno): grabs answer 503
 *   meanwhile, and 200 again once it is back.</li>
 * </ol>
 * Then the ledger is exact: every 200 in WriteDB and ReadDB once, nothing over the stock, one coupon per customer,
 * dense sequences, one start and one finish.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.MINUTES)
class GaleraFailoverIT {
  private static final Logger LOG = LoggerFactory.getLogger(GaleraFailoverIT.class);
  private static final int COUPONS = 500_000;
  private GaleraCluster cluster;
  private RunningSystem system;

  @AfterEach
  void stop() {
    if (system != null) {
      system.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  @Test
  void grabsComeBackThroughAnotherNodeAndTheLedgerIsExact(Vertx vertx) throws Exception {
    cluster = GaleraCluster.start(List.of("w_galera", "r_galera"));
    SecKillConfig base = TestInfra.freshConfig();
    SecKillConfig config = base.withDatabases(new DbConfig(cluster.hosts(0, 1, 2), 3306, "w_galera", "root", "", 4),
        new DbConfig(cluster.hosts(1, 2, 0), 3306, "r_galera", "root", "", 4));
    system = RunningSystem.start(config, "admin,command,event,query", Map.of());
    WebClient client = Async.client(vertx, 64);
    String promotionId = system.openPromotion(vertx, client, COUPONS);
    Crowd crowd = new Crowd(vertx, client, () -> List.of(config.commandPort()), promotionId, "g-", 16, 2_000_000);
    crowd.untilFirst200After(System.nanoTime(), Duration.ofSeconds(30));
    flowFor(vertx, Duration.ofSeconds(3));

    Map<String, Long> firstOk = new LinkedHashMap<>();
    List<Long> nemesis = new ArrayList<>();
    for (int written : new int[] {0, 1}) {
      int before = crowd.accepted.size();
      cluster.kill(written);
      long killed = System.nanoTime();
      Duration first = crowd.untilFirst200After(killed, Duration.ofSeconds(30));
      firstOk.put("node " + (written + 1) + " killed", first.toMillis());
      LOG.info("node {} (written through) killed: first 200 {} ms after", written + 1, first.toMillis());
      flowFor(vertx, Duration.ofSeconds(2));
      long rejoin = System.nanoTime();
      cluster.startNode(written, false);
      cluster.waitWhole(Duration.ofSeconds(120));
      LOG.info("node {} rejoined in {} ms under load ({} grabs accepted since the kill)", written + 1,
          Duration.ofNanos(System.nanoTime() - rejoin).toMillis(), crowd.accepted.size() - before);
      assertThat(cluster.status(written, "wsrep_last_committed")).isNotNull();
      flowFor(vertx, Duration.ofSeconds(2));
    }

    // the node written through now (the third) is cut off from the other two: it leaves the primary component
    int written = 2;
    cluster.cut(written, true);
    long cut = System.nanoTime();
    try {
      Duration first = crowd.untilFirst200After(cut, Duration.ofSeconds(30));
      firstOk.put("node 3 cut off", first.toMillis());
      LOG.info("node 3 (written through) cut off: first 200 {} ms after", first.toMillis());
      flowFor(vertx, Duration.ofSeconds(2));
    } finally {
      cluster.cut(written, false);
    }
    cluster.waitWhole(Duration.ofSeconds(120));
    flowFor(vertx, Duration.ofSeconds(2));

    // the nemesis: faults drawn from a seed, one node at a time (a node killed or cut off, for 0.5-5 s), each healed
    // (restarted or mended) and the cluster settled whole again before the next
    long seed = Long.getLong("seckill.galera.seed", System.nanoTime());
    Random random = new Random(seed);
    int faults = Integer.getInteger("seckill.galera.faults", 6);
    LOG.info("Galera nemesis: {} faults from seed {} (replay with -Dseckill.galera.seed={})", faults, seed, seed);
    List<String> schedule = new ArrayList<>();
    for (int f = 0; f < faults; f++) {
      int node = random.nextInt(GaleraCluster.NODES);
      boolean kill = random.nextBoolean();
      long downMillis = 500 + random.nextInt(4500);
      String fault = (kill ? "kill" : "cut") + " node " + (node + 1) + " for " + downMillis + " ms";
      LOG.info("Galera nemesis (seed {}), fault {}: {}", seed, f + 1, fault);
      long at = System.nanoTime();
      if (kill) {
        cluster.kill(node);
      } else {
        cluster.cut(node, true);
      }
      try {
        flowFor(vertx, Duration.ofMillis(downMillis));
        Duration first;
        try {
          first = crowd.untilFirst200After(at, Duration.ofSeconds(30));
        } catch (IllegalStateException e) {
          throw new AssertionError("no grab answered 200 within 30 s of fault " + (f + 1) + " (" + fault
              + ") of the nemesis; replay with -Dseckill.galera.seed=" + seed + "; before it: " + schedule, e);
        }
        schedule.add(fault + ": first 200 " + first.toMillis() + " ms after");
        nemesis.add(first.toMillis());
      } finally {
        if (kill) {
          cluster.startNode(node, false);
        } else {
          cluster.cut(node, false);
        }
      }
      cluster.waitWhole(Duration.ofSeconds(120));
      flowFor(vertx, Duration.ofSeconds(1));
    }
    LOG.info("Galera nemesis (seed {}, replay with -Dseckill.galera.seed={}): {}", seed, seed, schedule);

    // the whole cluster stopped, in order, and started again from the node safe to bootstrap (the last stopped)
    for (int node = 0; node < GaleraCluster.NODES; node++) {
      cluster.stop(node);
    }
    int bootstrapped = cluster.restartAll();
    LOG.info("whole cluster started again from node {}", bootstrapped + 1);
    long back = System.nanoTime();
    Duration afterRestart = crowd.untilFirst200After(back, Duration.ofSeconds(30));
    firstOk.put("whole cluster restarted (after its return)", afterRestart.toMillis());
    flowFor(vertx, Duration.ofSeconds(2));
    crowd.stop();
    LOG.info("Galera faults: first 200 after each {}; {} requests, {} accepted, {} answered 503, {} unanswered",
        firstOk, crowd.requests.get(), crowd.accepted.size(), crowd.unavailable.get(), crowd.noAnswer.get());
    List<Row> events = Consistency.cancelAndCheckLedger(vertx, system, client, crowd, COUPONS);
    // every node holds the same events (nothing committed on one node only)
    for (int node = 0; node < GaleraCluster.NODES; node++) {
      assertThat(cluster.sql(node, "SELECT COUNT(*) FROM w_galera.events WHERE promotion_id = '" + promotionId + "'")
          .trim()).as("events on node %d", node + 1).isEqualTo(String.valueOf(events.size()));
    }
    assertThat(firstOk.get("node 1 killed")).as("first 200 after the written node's kill").isLessThanOrEqualTo(5000);
    assertThat(firstOk.get("node 2 killed")).as("first 200 after the written node's kill").isLessThanOrEqualTo(5000);
    assertThat(firstOk.get("node 3 cut off")).as("first 200 after the written node was cut off")
        .isLessThanOrEqualTo(10_000);
    assertThat(afterRestart.toMillis()).as("first 200 after the cluster's return").isLessThanOrEqualTo(5000);
    assertThat(nemesis).as("first 200 after each fault of the nemesis (seed " + seed + ")")
        .allMatch(ms -> ms <= 10_000);
  }

  /** Lets the crowd grab for a while (bounded: a wait on the clock, not on the system). */
  private static void flowFor(Vertx vertx, Duration duration) {
    long until = System.nanoTime() + duration.toNanos();
    Async.await(Async.eventually(vertx, duration.plusSeconds(5), () -> Future.succeededFuture(
        System.nanoTime() > until)));
  }
}
