package io.seckill.command.store;

import io.seckill.shared.config.LeaseConfig;
import io.seckill.shared.db.Databases;
import io.vertx.core.Future;
import io.vertx.mysqlclient.MySQLClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;

/**
 * The partition leases in WriteDB (table {@code partition_leases}, all their SQL but the fence, which runs inside
 * each append: {@link EventStore}). Times are the database's: no node's clock decides when a lease ends. A claim
 * bumps the epoch with one statement that waits for the row lock any in-flight append of that partition holds.
 */
public final class LeaseStore {
  private static final String COUNT = "SELECT COUNT(*) FROM partition_leases";
  private static final String CREATE = "INSERT IGNORE INTO partition_leases (partition_id, epoch) VALUES ";
  private static final String SET = " SET epoch = LAST_INSERT_ID(epoch + 1), owner_node = ?, owner_incarnation = ?,"
      + " lease_until = DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND), claimed_at = UTC_TIMESTAMP(6)";
  /** Nobody holds the partition: released, or its lease ended. */
  private static final String FREE = "owner_incarnation IS NULL OR lease_until < UTC_TIMESTAMP(6)";
  static final String CLAIM_FREE = "UPDATE partition_leases" + SET + " WHERE partition_id = ? AND (" + FREE + ")";
  /** At start: also what an earlier incarnation of this node held (this start is its restart). */
  static final String CLAIM_FREE_OR_OWN_NODE = "UPDATE partition_leases" + SET + " WHERE partition_id = ? AND ("
      + FREE + " OR owner_node = ?)";
  /**
   * A partition nobody has served for a whole lease length after its lease ended or was released: any member may
   * take it, whoever membership says should (that one may be gone without membership knowing yet).
   */
  static final String CLAIM_ORPHAN = "UPDATE partition_leases" + SET + " WHERE partition_id = ? AND (" + FREE
      + ") AND (lease_until IS NULL OR lease_until < DATE_SUB(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND))";
  /** Who holds each partition now, for routing: a lease that ended has no holder. */
  private static final String HOLDERS = "SELECT partition_id, owner_node, owner_incarnation FROM partition_leases"
      + " WHERE owner_incarnation IS NOT NULL AND lease_until >= UTC_TIMESTAMP(6)";
  private static final String RENEW = "UPDATE partition_leases"
      + " SET lease_until = DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND) WHERE owner_incarnation = ?"
      + " AND lease_until >= UTC_TIMESTAMP(6)";
  /** Leases that ended are not held, even if nobody claimed them yet: a holder that paused past them steps down. */
  private static final String HELD = "SELECT partition_id, epoch FROM partition_leases WHERE owner_incarnation = ?"
      + " AND lease_until >= UTC_TIMESTAMP(6)";
  /** lease_until keeps the time of the release: a partition released and then not claimed becomes an orphan. */
  private static final String RELEASE = "UPDATE partition_leases SET owner_node = NULL, owner_incarnation = NULL,"
      + " lease_until = UTC_TIMESTAMP(6) WHERE partition_id = ? AND owner_incarnation = ?";

  private final Pool pool;
  private final LeaseConfig lease;
  private final String incarnation;

  /** @param incarnation this start of the node: fresh each time (a UUID) */
  public LeaseStore(Pool pool, LeaseConfig lease, String incarnation) {
    this.pool = pool;
    this.lease = lease;
    this.incarnation = incarnation;
  }

  public String incarnation() {
    return incarnation;
  }

  /** Makes the partition rows on first use; refuses a WriteDB made with another number of partitions. */
  public Future<Void> ensure() {
    return count().compose(existing -> {
      if (existing == lease.partitions()) {
        return Future.succeededFuture();
      }
      if (existing != 0) {
        return Future.failedFuture(mismatch(existing));
      }
      // one statement, so atomic: a member starting at the same moment sees no rows or all of them, never a part
      Tuple ids = Tuple.tuple();
      IntStream.range(0, lease.partitions()).forEach(ids::addInteger);
      String sql = CREATE + String.join(",", Collections.nCopies(lease.partitions(), "(?, 0)"));
      return bounded(pool.preparedQuery(sql).execute(ids)).compose(v -> count()).compose(made -> made
          == lease.partitions() ? Future.<Void>succeededFuture() : Future.failedFuture(mismatch(made)));
    });
  }

  private IllegalStateException mismatch(long existing) {
    return new IllegalStateException("WriteDB has " + existing + " partitions, SECKILL_PARTITIONS says "
        + lease.partitions() + ": the number of partitions is fixed when WriteDB is made");
  }

  private Future<Long> count() {
    return bounded(pool.query(COUNT).execute()).map(rows -> rows.iterator().next().getLong(0));
  }

  /**
   * Claims a partition if nobody holds it ({@code atStart}: or an earlier incarnation of this node does); the
   * future holds the new epoch, or -1 when another holds it.
   */
  public Future<Long> claim(int partition, boolean atStart) {
    Tuple params = Tuple.of(lease.nodeId(), incarnation, lease.leaseMillis() * 1000, partition);
    if (atStart) {
      params.addString(lease.nodeId());
    }
    return claim(atStart ? CLAIM_FREE_OR_OWN_NODE : CLAIM_FREE, partition, params);
  }

  /** Claims a partition that has had no holder for a whole lease length; as {@link #claim}. */
  public Future<Long> claimOrphan(int partition) {
    Tuple params = Tuple.of(lease.nodeId(), incarnation, lease.leaseMillis() * 1000, partition,
        lease.leaseMillis() * 1000);
    return claim(CLAIM_ORPHAN, partition, params);
  }

  private Future<Long> claim(String sql, int partition, Tuple params) {
    return bounded(pool.preparedQuery(sql).execute(params)).map(rows -> {
      if (rows.rowCount() != 1) {
        return -1L;
      }
      Long epoch = rows.property(MySQLClient.LAST_INSERTED_ID);
      if (epoch == null || epoch <= 0) {
        throw new IllegalStateException("claim of partition " + partition + " returned no epoch");
      }
      return epoch;
    });
  }

  /**
   * Extends every lease this incarnation holds; the future holds what it holds then (partition -> epoch): a lease
   * missing from it was claimed by another after it ended, one more is a claim whose answer was lost.
   */
  public Future<Map<Integer, Long>> renew() {
    return bounded(pool.preparedQuery(RENEW).execute(Tuple.of(lease.leaseMillis() * 1000, incarnation)))
        .compose(v -> held());
  }

  /** What this incarnation holds (partition -> epoch). */
  public Future<Map<Integer, Long>> held() {
    return bounded(pool.preparedQuery(HELD).execute(Tuple.of(incarnation))).map(rows -> {
      Map<Integer, Long> held = new HashMap<>();
      for (Row row : rows) {
        held.put(row.getInteger(0), row.getLong(1));
      }
      return held;
    });
  }

  /** A partition's current holder. */
  public record Holder(String node, String incarnation) {
  }

  /** Who holds each partition whose lease has not ended (partition -> holder). */
  public Future<Map<Integer, Holder>> holders() {
    return bounded(pool.query(HOLDERS).execute()).map(rows -> {
      Map<Integer, Holder> holders = new HashMap<>();
      for (Row row : rows) {
        holders.put(row.getInteger(0), new Holder(row.getString(1), row.getString(2)));
      }
      return holders;
    });
  }

  /** Gives partitions up (orderly shutdown, rebalance): another node may claim them at once. */
  public Future<Void> release(List<Integer> partitions) {
    if (partitions.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>(partitions.size());
    partitions.forEach(p -> rows.add(Tuple.of(p, incarnation)));
    return bounded(pool.preparedQuery(RELEASE).executeBatch(rows)).mapEmpty();
  }

  /** A lease statement gives up after a lease length: a renew that late is of no use. */
  private <T> Future<T> bounded(Future<T> operation) {
    return Databases.bounded(operation, lease.leaseMillis(), "partition leases");
  }
}
