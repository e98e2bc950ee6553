package io.seckill.command.lease;

import io.seckill.command.store.LeaseStore;
import io.seckill.shared.config.LeaseConfig;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.IntPredicate;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Ownership} against WriteDB's leases (a real MariaDB), with short leases: what it learns from each renew. */
@ExtendWith(VertxExtension.class)
class OwnershipTest {
  private final LeaseConfig lease = new LeaseConfig("node-1", 16, 400, 100);
  private Pool pool;
  private final List<Set<Integer>> claimed = new CopyOnWriteArrayList<>();
  private final List<Set<Integer>> lost = new CopyOnWriteArrayList<>();

  private final Ownership.Listener listener = new Ownership.Listener() {
    @Override
    public Future<Void> claimed(Set<Integer> partitions) {
      claimed.add(partitions);
      return Future.succeededFuture();
    }

    @Override
    public void lost(Set<Integer> partitions) {
      lost.add(partitions);
    }
  };

  @BeforeEach
  void setUp(Vertx vertx) {
    SecKillConfig config = TestInfra.freshConfig();
    pool = Databases.pool(vertx, config.writeDb(), "ownership-test");
    Async.await(Migrations.migrate(vertx, pool, Migrations.WRITE));
  }

  private Ownership started(Vertx vertx, LeaseStore store, IntPredicate wanted) {
    Ownership ownership = new Ownership(vertx, store, lease, wanted);
    Async.await(ownership.start(listener));
    return ownership;
  }

  /** A claim that committed while its answer was lost: the next renew finds the lease and takes it as claimed. */
  @Test
  void aLeaseHeldWithoutKnowingIsTakenAsClaimed(Vertx vertx, VertxTestContext ctx) {
    LeaseStore store = new LeaseStore(pool, lease, UUID.randomUUID().toString());
    Ownership ownership = started(vertx, store, p -> false);
    assertThat(ownership.held()).isZero();
    long epoch = Async.await(store.claim(7, false));
    Async.eventually(vertx, Duration.ofSeconds(5), () -> Future.succeededFuture(ownership.epoch(7) == epoch))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(claimed).contains(Set.of(7));
          ctx.completeNow();
        })));
  }

  /** Another incarnation of the node takes a partition: the holder's next renew comes back short; it steps down. */
  @Test
  void aShortRenewStepsDownFromWhatWasLost(Vertx vertx, VertxTestContext ctx) {
    Ownership ownership = started(vertx, new LeaseStore(pool, lease, UUID.randomUUID().toString()), p -> p < 4);
    assertThat(ownership.held()).isEqualTo(4);
    long taken = Async.await(new LeaseStore(pool, lease, UUID.randomUUID().toString()).claim(2, true));
    assertThat(taken).as("the new incarnation's claim").isPositive();
    Async.eventually(vertx, Duration.ofSeconds(5), () -> Future.succeededFuture(ownership.epoch(2) == -1))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(lost).containsExactly(Set.of(2));
          assertThat(ownership.held()).isEqualTo(3);
          ctx.completeNow();
        })));
  }

  /** The number of partitions is fixed when WriteDB is made: a process configured otherwise refuses to start. */
  @Test
  void aProcessWithAnotherNumberOfPartitionsRefusesToStart(Vertx vertx, VertxTestContext ctx) {
    Async.await(new LeaseStore(pool, lease, UUID.randomUUID().toString()).ensure());
    LeaseConfig other = new LeaseConfig("node-2", 32, 400, 100);
    new Ownership(vertx, new LeaseStore(pool, other, UUID.randomUUID().toString()), other, p -> true).start(listener)
        .onComplete(ctx.failing(e -> ctx.verify(() -> {
          assertThat(e).hasMessageContaining("WriteDB has 16 partitions, SECKILL_PARTITIONS says 32");
          assertThat(claimed).isEmpty();
          ctx.completeNow();
        })));
  }

  /** An orderly stop gives every lease back: another node claims them at once, without waiting for them to end. */
  @Test
  void stopReleasesEveryLease(Vertx vertx, VertxTestContext ctx) {
    Ownership ownership = started(vertx, new LeaseStore(pool, lease, UUID.randomUUID().toString()), p -> true);
    assertThat(ownership.held()).isEqualTo(16);
    Async.await(ownership.stop());
    LeaseStore other = new LeaseStore(pool, lease.asNode("node-2"), UUID.randomUUID().toString());
    for (int p = 0; p < 16; p++) {
      assertThat(Async.await(other.claim(p, false))).as("partition " + p).isPositive();
    }
    ctx.completeNow();
  }
}
