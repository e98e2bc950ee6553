package io.seckill.command.store;

import io.seckill.command.lease.Partitions;
import io.seckill.shared.config.LeaseConfig;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Transaction;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.ArrayList;

/**
 * The fence alone (SPEC I9), on one real MariaDB with two connections, with the statements the code runs: the
 * claim of a partition and an append of its events, in both orders, one of them held open while the other is sent.
 */
@ExtendWith(VertxExtension.class)
class FenceTest {
  private final Partitions partitions = new Partitions(64);
  private final UUID promotion = UUID.randomUUID();
  private final int partition = partitions.of(promotion);
  private SecKillConfig config;
  private Pool pool;
  private EventStore store;
  private LeaseStore owner;
  private LeaseStore successor;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    config = TestInfra.freshConfig();
    pool = Databases.pool(vertx, config.writeDb(), "fence-test");
    LeaseConfig lease = config.lease();
    owner = new LeaseStore(pool, lease, UUID.randomUUID().toString());
    // the same node restarted: it may claim at once, so nothing here waits for a lease to end
    successor = new LeaseStore(pool, lease, UUID.randomUUID().toString());
    Async.await(Migrations.migrate(vertx, pool, Migrations.WRITE));
    store = new EventStore(pool, new WriterConnection(vertx, config.writeDb()), false);
    Async.await(owner.ensure());
  }

  private SecKillEvent grab(long sequence, String customer) {
    return new CouponGrabbedEvent(UUID.randomUUID(), promotion, sequence, Instant.now().truncatedTo(ChronoUnit.MILLIS),
        customer, 0.5);
  }

  private Fence at(long epoch) {
    return new Fence(partitions, Map.of(partition, epoch));
  }

  /**
   * Succeeds once a statement starting with {@code sql} is running on another connection: the held transaction's
   * connection is idle, so a statement of the other side still running is one waiting for its row lock.
   */
  private Future<Void> waiting(Vertx vertx, String sql) {
    String prefix = sql.substring(0, 40);
    return Async.eventually(vertx, Duration.ofSeconds(10), () -> pool.preparedQuery(
            "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE CONCAT(?, '%')").execute(Tuple.of(prefix))
        .map(rows -> rows.iterator().next().getLong(0) > 0));
  }

  private Future<List<Long>> storedEpochs() {
    return pool.preparedQuery("SELECT writer_epoch FROM events WHERE promotion_id = ? ORDER BY sequence")
        .execute(Tuple.of(promotion.toString()))
        .map(rows -> {
          List<Long> epochs = new ArrayList<>();
          rows.forEach(row -> epochs.add(row.getLong(0)));
          return epochs;
        });
  }

  /** One server is not Galera: its fence is the row lock ({@link EventStore#FENCE_LOCK}). */
  @Test
  void oneServerIsNotGalera() {
    assertThat(Async.await(EventStore.galera(pool, config.writeDb()))).isFalse();
  }

  /**
   * A batch holds its fence (and so the partition's row) until it commits: a claim sent meanwhile waits, and lands
   * after it; the batch is stored wholly, at the old epoch, and the next batch at that epoch writes nothing.
   */
  @Test
  void aClaimDuringAnOpenBatchLandsAfterIt(Vertx vertx, VertxTestContext ctx) {
    long epoch = Async.await(owner.claim(partition, true));
    SqlConnection batch = Async.await(pool.getConnection());
    Transaction tx = Async.await(batch.begin());
    assertThat(Async.await(batch.preparedQuery(EventStore.FENCE_LOCK).execute(Tuple.of(partition, epoch))).rowCount())
        .isEqualTo(1);
    Async.await(batch.preparedQuery("INSERT INTO events (event_id, promotion_id, sequence, type, customer_id,"
            + " occurred_at, payload, writer_epoch) VALUES (?, ?, 1, 'CouponGrabbedEvent', 'open', UTC_TIMESTAMP(3),"
            + " '{}', ?)")
        .execute(Tuple.of(UUID.randomUUID().toString(), promotion.toString(), epoch)));
    Future<Long> claim = successor.claim(partition, true);
    waiting(vertx, LeaseStore.CLAIM_FREE_OR_OWN_NODE)
        .compose(waiting -> {
          ctx.verify(() -> assertThat(claim.isComplete()).as("the claim waits for the batch").isFalse());
          return tx.commit();
        })
        .compose(committed -> claim)
        .compose(newEpoch -> {
          ctx.verify(() -> assertThat(newEpoch).isEqualTo(epoch + 1));
          return store.append(List.of(grab(2, "late")), at(epoch)).transform(ar -> {
            ctx.verify(() -> assertThat(ar.cause()).isInstanceOf(FencedException.class));
            return storedEpochs();
          });
        })
        .onComplete(ctx.succeeding(epochs -> ctx.verify(() -> {
          assertThat(epochs).containsExactly(epoch); // the open batch, at the old epoch; nothing of the late one
          batch.close();
          ctx.completeNow();
        })));
  }

  /**
   * The other order: a claim not yet committed holds the row, an append sent meanwhile waits for it, then finds its
   * epoch stale and writes nothing; the successor's append at the new epoch is stored.
   */
  @Test
  void aBatchDuringAnOpenClaimIsFencedOnceTheClaimCommits(Vertx vertx, VertxTestContext ctx) {
    long epoch = Async.await(owner.claim(partition, true));
    SqlConnection claimer = Async.await(pool.getConnection());
    Transaction tx = Async.await(claimer.begin());
    LeaseConfig next = config.lease();
    Async.await(claimer.preparedQuery(LeaseStore.CLAIM_FREE_OR_OWN_NODE).execute(Tuple.of(next.nodeId(),
        UUID.randomUUID().toString(), next.leaseMillis() * 1000, partition, next.nodeId())));
    Future<List<EventStore.Sequenced>> stale = store.append(List.of(grab(1, "stale")), at(epoch));
    waiting(vertx, EventStore.FENCE_LOCK)
        .compose(waiting -> {
          ctx.verify(() -> assertThat(stale.isComplete()).as("the append waits for the claim").isFalse());
          return tx.commit();
        })
        .compose(committed -> stale.transform(ar -> {
          ctx.verify(() -> assertThat(ar.cause()).isInstanceOf(FencedException.class)
              .hasMessageContaining("partition " + partition));
          return store.append(List.of(grab(1, "fresh")), at(epoch + 1));
        }))
        .compose(stored -> storedEpochs())
        .onComplete(ctx.succeeding(epochs -> ctx.verify(() -> {
          assertThat(epochs).containsExactly(epoch + 1);
          claimer.close();
          ctx.completeNow();
        })));
  }

  /** Claims respect a held lease (another node gets nothing), a released one is claimed at once, epochs only rise. */
  @Test
  void aHeldLeaseIsNotClaimedByAnotherNodeAndAReleasedOneIs(Vertx vertx, VertxTestContext ctx) {
    LeaseStore otherNode = new LeaseStore(pool, config.lease().asNode("other-node"), UUID.randomUUID().toString());
    long epoch = Async.await(owner.claim(partition, true));
    assertThat(Async.await(otherNode.claim(partition, false))).isEqualTo(-1);
    assertThat(Async.await(otherNode.claim(partition, true))).as("at start too: it is not this node's").isEqualTo(-1);
    assertThat(Async.await(owner.renew())).containsExactly(Map.entry(partition, epoch));
    Async.await(owner.release(List.of(partition)));
    assertThat(Async.await(owner.held())).isEmpty();
    long claimed = Async.await(otherNode.claim(partition, false));
    assertThat(claimed).isEqualTo(epoch + 1);
    assertThat(Async.await(owner.renew())).as("the old holder renews nothing").isEmpty();
    ctx.completeNow();
  }
}
