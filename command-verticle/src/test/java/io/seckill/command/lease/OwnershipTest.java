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
import java.util.concurrent.atomic.AtomicBoolean;
import io.seckill.shared.config.DbConfig;

/** {@link Ownership} against WriteDB's leases (a real MariaDB), with short leases: what it learns from each renew. */
@ExtendWith(VertxExtension.class)
class OwnershipTest {
  private final LeaseConfig lease = new LeaseConfig("node-1", 16, 400, 100);
  private Pool pool;
  private DbConfig writeDb;
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
    writeDb = config.writeDb();
    pool = Databases.pool(vertx, writeDb, "ownership-test");
    Async.await(Migrations.migrate(vertx, pool, Migrations.WRITE));
  }

  private Ownership started(Vertx vertx, LeaseStore store, IntPredicate wanted) {
    return started(vertx, store, placement(wanted, p -> false, false));
  }

  private Ownership started(Vertx vertx, LeaseStore store, Placement placement) {
    Ownership ownership = new Ownership(vertx, store, lease, placement);
    Async.await(ownership.start(listener));
    return ownership;
  }

  static Placement placement(IntPredicate wants, IntPredicate handsOver, boolean orphans) {
    return new Placement() {
      @Override
      public boolean wants(int partition) {
        return wants.test(partition);
      }

      @Override
      public boolean handsOver(int partition) {
        return handsOver.test(partition);
      }

      @Override
      public boolean adoptsOrphans() {
        return orphans;
      }
    };
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
    new Ownership(vertx, new LeaseStore(pool, other, UUID.randomUUID().toString()), other, Placement.everything()).start(listener)
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

  /**
   * A partition the placement hands over stops being served here, is released, and the member that should hold it
   * claims it on its next renew; the routes of both say who serves it.
   */
  @Test
  void aHandedOverPartitionIsReleasedAndClaimedByTheMemberThatShouldHoldIt(Vertx vertx, VertxTestContext ctx) {
    AtomicBoolean joined = new AtomicBoolean();
    LeaseStore first = new LeaseStore(pool, lease, UUID.randomUUID().toString());
    // before the second member is ready the first wants everything; then partitions 8-15 are the second's
    Ownership holder = started(vertx, first, placement(p -> !joined.get() || p < 8, p -> joined.get() && p >= 8, true));
    assertThat(holder.held()).isEqualTo(16);
    LeaseStore second = new LeaseStore(pool, lease.asNode("node-2"), UUID.randomUUID().toString());
    Ownership other = started(vertx, second, placement(p -> p >= 8, p -> false, true));
    assertThat(other.held()).as("nothing is free yet").isZero();
    joined.set(true);
    Async.eventually(vertx, Duration.ofSeconds(5), () -> Future.succeededFuture(other.held() == 8
            && other.routes().holder(3) != null))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          assertThat(holder.held()).isEqualTo(8);
          assertThat(lost).contains(Set.of(8, 9, 10, 11, 12, 13, 14, 15));
          assertThat(other.routes().here(12)).isTrue();
          assertThat(other.routes().holder(3)).isEqualTo(first.incarnation());
          assertThat(holder.routes().here(3)).isTrue();
          ctx.completeNow();
        })));
  }

  /**
   * A partition whose holder vanished and whose wanted owner never claims it (membership still believes in a member
   * that is gone) is adopted by another member once it has had no holder for a whole lease length.
   */
  @Test
  void anOrphanedPartitionIsAdoptedAfterAWholeLeaseLength(Vertx vertx, VertxTestContext ctx) {
    LeaseStore gone = new LeaseStore(pool, lease.asNode("node-gone"), UUID.randomUUID().toString());
    Async.await(gone.ensure());
    long before = Async.await(gone.claim(5, false));
    assertThat(before).isPositive();
    long began = System.nanoTime();
    Ownership adopter = started(vertx, new LeaseStore(pool, lease, UUID.randomUUID().toString()),
        placement(p -> false, p -> false, true));
    Async.eventually(vertx, Duration.ofSeconds(5), () -> Future.succeededFuture(adopter.epoch(5) > before))
        .onComplete(ctx.succeeding(v -> ctx.verify(() -> {
          // the lease (400 ms) ended, then a whole lease length more passed before anyone not wanting it took it
          assertThat(Duration.ofNanos(System.nanoTime() - began)).isGreaterThanOrEqualTo(Duration.ofMillis(700));
          assertThat(adopter.held()).as("every partition was an orphan: nobody ever held the others").isEqualTo(16);
          ctx.completeNow();
        })));
  }

  /**
   * WriteDB away past every lease: when it is back, every lease ended long ago, and WriteDB's grace calls every
   * partition an orphan. Each member claims its own share; none adopts the other's (it would load them all and hand
   * them back a renew later: the sale's grabs wait for both loads).
   */
  @Test
  void afterEveryLeaseEndedEachMemberClaimsItsOwnShareAndAdoptsNoneOfTheOthers(Vertx vertx) {
    LeaseStore gone = new LeaseStore(pool, lease.asNode("node-gone"), UUID.randomUUID().toString());
    Async.await(gone.ensure());
    for (int p = 0; p < lease.partitions(); p++) {
      assertThat(Async.await(gone.claim(p, false))).isPositive();
    }
    Async.await(Async.eventually(vertx, Duration.ofSeconds(5), () -> pool.query("SELECT COUNT(*) FROM partition_leases"
        + " WHERE lease_until < DATE_SUB(UTC_TIMESTAMP(6), INTERVAL 800000 MICROSECOND)").execute()
        .map(rows -> rows.iterator().next().getLong(0) == lease.partitions())));
    List<Integer> claimedByEven = new CopyOnWriteArrayList<>();
    List<Integer> claimedByOdd = new CopyOnWriteArrayList<>();
    Ownership even = new Ownership(vertx, new LeaseStore(pool, lease, UUID.randomUUID().toString()), lease,
        placement(p -> p % 2 == 0, p -> p % 2 == 1, true));
    LeaseConfig second = lease.asNode("node-2");
    Ownership odd = new Ownership(vertx, new LeaseStore(pool, second, UUID.randomUUID().toString()), second,
        placement(p -> p % 2 == 1, p -> p % 2 == 0, true));
    Async.await(Future.all(even.start(into(claimedByEven)), odd.start(into(claimedByOdd))));
    Async.await(Async.eventually(vertx, Duration.ofSeconds(5),
        () -> Future.succeededFuture(even.held() == 8 && odd.held() == 8)));
    assertThat(claimedByEven).as("partitions the even member claimed").allMatch(p -> p % 2 == 0).hasSize(8);
    assertThat(claimedByOdd).as("partitions the odd member claimed").allMatch(p -> p % 2 == 1).hasSize(8);
    Async.await(Future.all(even.stop(), odd.stop()));
  }

  private static Ownership.Listener into(List<Integer> claims) {
    return new Ownership.Listener() {
      @Override
      public Future<Void> claimed(Set<Integer> partitions) {
        claims.addAll(partitions);
        return Future.succeededFuture();
      }

      @Override
      public void lost(Set<Integer> partitions) {
      }
    };
  }

  /**
   * The members of a new cluster start together on a fresh WriteDB: whichever makes the partition rows, the others
   * must see none or all of them, never a part (which reads as "WriteDB was made with another number" and refuses).
   */
  @Test
  void membersStartingAtOnceOnAFreshWriteDbAllStart(Vertx vertx, VertxTestContext ctx) {
    LeaseConfig many = new LeaseConfig("node-1", 4096, 400, 100);
    Pool other = Databases.pool(vertx, writeDb, "ownership-test-2");
    Future<Void> rounds = Future.succeededFuture();
    for (int round = 0; round < 10; round++) {
      rounds = rounds.compose(v -> pool.query("DELETE FROM partition_leases").execute())
          .compose(v -> Future.all(new LeaseStore(pool, many, UUID.randomUUID().toString()).ensure(),
              new LeaseStore(other, many.asNode("node-2"), UUID.randomUUID().toString()).ensure()))
          .mapEmpty();
    }
    rounds.onComplete(ctx.succeedingThenComplete());
  }
}
