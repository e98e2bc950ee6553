package io.seckill.command.store;

import io.seckill.command.lease.Partitions;
import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.LeaseConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.GaleraCluster;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import static org.assertj.core.api.Assertions.assertThat;
import java.time.Duration;

/**
 * The fence (SPEC I9) on a real three-node Galera cluster, with the stale owner and the new owner writing through
 * different nodes. The race the fence must close: the new owner's claim is committed through node B, and the stale
 * owner's append runs through node A before A has applied that claim, so its fence still finds the old epoch. A's
 * applier is kept busy for a moment by a large transaction committed through B just before the claim, so that the
 * race happens every time (the test checks that it did: the fence matched).
 *
 * <p>With the fence that only matches the row ({@link #MATCH_ONLY_FENCE}, one server's, and the only one before V8) the
 * stale append is committed on every node: the test shows it. With {@link EventStore#FENCE_WRITE}, a real write of the
 * lease row, its COMMIT fails with 1213 and nothing of it is stored, through three pairs of nodes; so does the whole
 * append of the code ({@link EventStore#append} on Galera, retries included). The other order too: the stale append
 * open when the claim commits.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 5, timeUnit = TimeUnit.MINUTES)
class GaleraFenceIT {
  private static final Logger LOG = LoggerFactory.getLogger(GaleraFenceIT.class);
  /** The fence of one server: it changes no row, so Galera certifies nothing of it. */
  static final String MATCH_ONLY_FENCE = EventStore.FENCE_LOCK;
  private static final String INSERT = "INSERT INTO events (event_id, promotion_id, sequence, type, customer_id,"
      + " occurred_at, payload, writer_epoch) VALUES (?, ?, ?, 'CouponGrabbedEvent', ?, UTC_TIMESTAMP(3), '{}', ?)";
  private static final int ATTEMPTS = 6;
  private static GaleraCluster cluster;
  private static Vertx vertx;
  private static final List<Pool> nodes = new ArrayList<>();
  private static DbConfig[] configs;
  private final Partitions partitions = new Partitions(64);
  private final LeaseConfig lease = new LeaseConfig("galera-fence", 64, 3000, 1000);

  @BeforeAll
  static void startCluster() {
    cluster = GaleraCluster.start(List.of("w_fence"));
    vertx = Vertx.vertx();
    configs = new DbConfig[GaleraCluster.NODES];
    for (int i = 0; i < GaleraCluster.NODES; i++) {
      configs[i] = new DbConfig("127.0.0.1", cluster.port(i), "w_fence", "root", "", 4);
      nodes.add(Databases.pool(vertx, configs[i], "galera-fence-" + i));
    }
    Async.await(Migrations.migrate(vertx, nodes.get(0), Migrations.WRITE));
    Async.await(new LeaseStore(nodes.get(0), new LeaseConfig("galera-fence", 64, 3000, 1000), "setup").ensure());
    Async.await(nodes.get(0).query("CREATE TABLE ballast (id INT AUTO_INCREMENT PRIMARY KEY, pad CHAR(200))")
        .execute());
  }

  @AfterAll
  static void stopCluster() {
    if (vertx != null) {
      Async.await(vertx.close());
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The outcome of one stale append: whether its fence matched (the race happened) and what its COMMIT did. */
  private record Stale(boolean fenceMatched, Throwable commitFailure, String promotion, long epoch) {
  }

  /** A promotion whose partition an owner claimed through node {@code a}, seen by every node. */
  private record Owned(UUID promotion, int partition, long epoch, LeaseStore successor) {
  }

  /** The owner's claim through {@code a}, seen everywhere; the successor will claim through {@code b}. */
  private Owned owned(int a, int b) {
    UUID promotion = UUID.randomUUID();
    int partition = partitions.of(promotion);
    LeaseStore owner = new LeaseStore(nodes.get(a), lease, UUID.randomUUID().toString());
    long epoch = Async.await(owner.claim(partition, true));
    awaitEverywhere("SELECT COUNT(*) FROM partition_leases WHERE partition_id = " + partition + " AND epoch = "
        + epoch);
    return new Owned(promotion, partition, epoch, new LeaseStore(nodes.get(b), lease, UUID.randomUUID().toString()));
  }

  /**
   * The successor's claim through {@code b} against the owner's append through {@code a}: committed first, just after a
   * large transaction through b that keeps a's applier busy ({@code claimFirst}), or while that append is open (its
   * fence run); then the append's COMMIT.
   */
  private Stale race(String fenceSql, int a, int b, boolean claimFirst) {
    Owned owned = owned(a, b);
    Supplier<Future<Void>> claim = () -> owned.successor().claim(owned.partition(), true).map(claimed -> {
      assertThat(claimed).isEqualTo(owned.epoch() + 1);
      return null;
    });
    SqlConnection stale = Async.await(nodes.get(a).getConnection());
    try {
      if (!claimFirst) {
        return staleAppend(stale, fenceSql, owned, claim);
      }
      Async.await(nodes.get(b).query("INSERT INTO ballast (pad) SELECT REPEAT('x', 200) FROM seq_1_to_40000")
          .execute());
      Async.await(claim.get());
      return staleAppend(stale, fenceSql, owned, Future::succeededFuture);
    } finally {
      stale.close();
    }
  }

  /** BEGIN, the fence, an INSERT; then {@code between}; then COMMIT. */
  private Stale staleAppend(SqlConnection conn, String fenceSql, Owned owned, Supplier<Future<Void>> between) {
    String promotion = owned.promotion().toString();
    long epoch = owned.epoch();
    Async.await(conn.query("BEGIN").execute());
    boolean matched;
    try {
      matched = Async.await(conn.preparedQuery(fenceSql).execute(Tuple.of(owned.partition(), epoch))).rowCount() == 1;
      Async.await(conn.preparedQuery(INSERT).execute(Tuple.of(UUID.randomUUID().toString(), promotion, 1L, "stale",
          epoch)));
      Async.await(between.get());
    } catch (RuntimeException e) {
      conn.query("ROLLBACK").execute();
      return new Stale(true, e, promotion, epoch);
    }
    if (!matched) {
      Async.await(conn.query("ROLLBACK").execute());
      return new Stale(false, null, promotion, epoch);
    }
    Throwable failure = null;
    try {
      Async.await(conn.query("COMMIT").execute());
    } catch (RuntimeException e) {
      failure = e;
    }
    return new Stale(true, failure, promotion, epoch);
  }

  /** Runs a race until it happened (the fence matched the old epoch): bounded. */
  private Stale raced(Supplier<Stale> race) {
    for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
      Stale stale = race.get();
      if (stale.fenceMatched()) {
        LOG.info("race hit at attempt {}: commit {}", attempt, stale.commitFailure() == null ? "succeeded"
            : stale.commitFailure().getMessage());
        return stale;
      }
    }
    throw new AssertionError("the stale owner's node applied the claim first in all " + ATTEMPTS + " attempts");
  }

  /** A 1213, itself or as the cause of a failed wait. */
  private static boolean is1213(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (Databases.conflict(t)) {
        return true;
      }
    }
    return false;
  }

  /** Events of {@code promotion} on every node, once they agree (bounded). */
  private long storedEverywhere(String promotion) {
    String sql = "SELECT COUNT(*) FROM events WHERE promotion_id = '" + promotion + "'";
    awaitEverywhereEqual(sql);
    return count(nodes.get(0), sql);
  }

  private static long count(Pool pool, String sql) {
    return Async.await(pool.query(sql).execute()).iterator().next().getLong(0);
  }

  private void awaitEverywhere(String countSql) {
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> Future.all(nodes.stream()
            .map(pool -> pool.query(countSql).execute().map(rows -> rows.iterator().next().getLong(0))).toList())
        .map(all -> all.<Long>list().stream().allMatch(n -> n == 1))));
  }

  private void awaitEverywhereEqual(String countSql) {
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> Future.all(nodes.stream()
            .map(pool -> pool.query(countSql).execute().map(rows -> rows.iterator().next().getLong(0))).toList())
        .map(all -> all.<Long>list().stream().distinct().count() == 1)));
  }

  @Test
  void theFenceThatOnlyMatchedLetsAStaleOwnerCommitThroughAnotherNode() {
    Stale stale = raced(() -> race(MATCH_ONLY_FENCE, 0, 1, true));
    assertThat(stale.commitFailure()).as("Galera certified nothing of a fence that changed no row").isNull();
    assertThat(storedEverywhere(stale.promotion())).as("the stale append is on every node").isEqualTo(1);
  }

  @Test
  void aStaleOwnersAppendIsRefusedWhenItsNodeHasNotAppliedTheClaim() {
    for (int[] pair : new int[][] {{0, 1}, {1, 2}, {2, 0}}) {
      Stale stale = raced(() -> race(EventStore.FENCE_WRITE, pair[0], pair[1], true));
      assertThat(stale.commitFailure()).as("through node %d, claimed through node %d", pair[0] + 1, pair[1] + 1)
          .matches(GaleraFenceIT::is1213, "a 1213 (certification failed)");
      assertThat(storedEverywhere(stale.promotion())).as("nothing of the stale append is stored").isZero();
    }
  }

  @Test
  void aStaleOwnersAppendOpenWhenTheClaimCommitsIsRefused() {
    for (int[] pair : new int[][] {{0, 1}, {2, 1}}) {
      Stale stale = race(EventStore.FENCE_WRITE, pair[0], pair[1], false);
      assertThat(stale.fenceMatched()).isTrue();
      assertThat(stale.commitFailure()).as("through node %d, claimed through node %d", pair[0] + 1, pair[1] + 1)
          .matches(GaleraFenceIT::is1213, "a 1213");
      assertThat(storedEverywhere(stale.promotion())).as("nothing of the stale append is stored").isZero();
    }
  }

  /** One node's address alone (as behind a proxy) is still seen as Galera: its fence writes. */
  @Test
  void aSingleAddressOfAClusterIsSeenAsGalera() {
    for (int i = 0; i < GaleraCluster.NODES; i++) {
      assertThat(Async.await(EventStore.galera(nodes.get(i), configs[i]))).as("node %d", i + 1).isTrue();
    }
  }

  /** The code's own append (pipelined, retried on 1213) through the stale node, right after the claim elsewhere. */
  @Test
  void theEventStoresAppendThroughTheStaleNodeStoresNothing() {
    WriterConnection writer = new WriterConnection(vertx, configs[0]);
    EventStore store = new EventStore(nodes.get(0), writer, true);
    try {
      for (int attempt = 0; attempt < 3; attempt++) {
        Owned owned = owned(0, 1);
        UUID promotion = owned.promotion();
        int partition = owned.partition();
        long epoch = owned.epoch();
        Async.await(store.append(List.of(grab(promotion, 1, "before")), new Fence(partitions, Map.of(partition,
            epoch))));
        Async.await(nodes.get(1).query("INSERT INTO ballast (pad) SELECT REPEAT('x', 200) FROM seq_1_to_40000")
            .execute());
        Async.await(owned.successor().claim(partition, true));
        Throwable refused = Async.await(store.append(List.of(grab(promotion, 2, "stale")), new Fence(partitions,
            Map.of(partition, epoch))).transform(ar -> Future.succeededFuture(ar.cause())));
        assertThat(refused).as("the stale append fails").isNotNull()
            .matches(e -> e instanceof FencedException || is1213(e), "fenced, or refused by certification");
        assertThat(storedEverywhere(promotion.toString())).as("only the append before the claim").isEqualTo(1);
      }
    } finally {
      writer.close();
    }
  }

  private static CouponGrabbedEvent grab(UUID promotion, long sequence, String customer) {
    return new CouponGrabbedEvent(UUID.randomUUID(), promotion, sequence, Instant.now().truncatedTo(ChronoUnit.MILLIS),
        customer, 0.5);
  }
}
