package io.seckill.command.store;

import io.seckill.shared.config.LeaseConfig;
import io.vertx.core.Future;
import io.vertx.mysqlclient.MySQLClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The partition leases in WriteDB (table {@code partition_leases}, all their SQL but the fence, which runs inside
 * each append: {@link EventStore}). Times are the database's: no node's clock decides when a lease ends. A claim
 * bumps the epoch with one statement that waits for the row lock any in-flight append of that partition holds.
 */
public final class LeaseStore {
  private static final String COUNT = "SELECT COUNT(*) FROM partition_leases";
  private static final String CREATE = "INSERT IGNORE INTO partition_leases (partition_id, epoch) VALUES (?, 0)";
  private static final String SET = " SET epoch = LAST_INSERT_ID(epoch + 1), owner_node = ?, owner_incarnation = ?,"
      + " lease_until = DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND), claimed_at = UTC_TIMESTAMP(6)";
  /** Nobody holds the partition: released, or its lease ended. */
  private static final String FREE = "owner_incarnation IS NULL OR lease_until < UTC_TIMESTAMP(6)";
  static final String CLAIM_FREE = "UPDATE partition_leases" + SET + " WHERE partition_id = ? AND (" + FREE + ")";
  /** At start: also what an earlier incarnation of this node held (this start is its restart). */
  static final String CLAIM_FREE_OR_OWN_NODE = "UPDATE partition_leases" + SET + " WHERE partition_id = ? AND ("
      + FREE + " OR owner_node = ?)";
  private static final String RENEW = "UPDATE partition_leases"
      + " SET lease_until = DATE_ADD(UTC_TIMESTAMP(6), INTERVAL ? MICROSECOND) WHERE owner_incarnation = ?"
      + " AND lease_until >= UTC_TIMESTAMP(6)";
  /** Leases that ended are not held, even if nobody claimed them yet: a holder that paused past them steps down. */
  private static final String HELD = "SELECT partition_id, epoch FROM partition_leases WHERE owner_incarnation = ?"
      + " AND lease_until >= UTC_TIMESTAMP(6)";
  private static final String RELEASE = "UPDATE partition_leases SET owner_node = NULL, owner_incarnation = NULL,"
      + " lease_until = NULL WHERE partition_id = ? AND owner_incarnation = ?";

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
      List<Tuple> rows = IntStream.range(0, lease.partitions()).mapToObj(Tuple::of).collect(Collectors.toList());
      return pool.preparedQuery(CREATE).executeBatch(rows).compose(v -> count()).compose(made -> made
          == lease.partitions() ? Future.<Void>succeededFuture() : Future.failedFuture(mismatch(made)));
    });
  }

  private IllegalStateException mismatch(long existing) {
    return new IllegalStateException("WriteDB has " + existing + " partitions, SECKILL_PARTITIONS says "
        + lease.partitions() + ": the number of partitions is fixed when WriteDB is made");
  }

  private Future<Long> count() {
    return pool.query(COUNT).execute().map(rows -> rows.iterator().next().getLong(0));
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
    return pool.preparedQuery(atStart ? CLAIM_FREE_OR_OWN_NODE : CLAIM_FREE).execute(params).map(rows -> {
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
    return pool.preparedQuery(RENEW).execute(Tuple.of(lease.leaseMillis() * 1000, incarnation)).compose(v -> held());
  }

  /** What this incarnation holds (partition -> epoch). */
  public Future<Map<Integer, Long>> held() {
    return pool.preparedQuery(HELD).execute(Tuple.of(incarnation)).map(rows -> {
      Map<Integer, Long> held = new HashMap<>();
      for (Row row : rows) {
        held.put(row.getInteger(0), row.getLong(1));
      }
      return held;
    });
  }

  /** Gives partitions up (orderly shutdown): another node may claim them at once. */
  public Future<Void> release(List<Integer> partitions) {
    if (partitions.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Tuple> rows = new ArrayList<>(partitions.size());
    partitions.forEach(p -> rows.add(Tuple.of(p, incarnation)));
    return pool.preparedQuery(RELEASE).executeBatch(rows).mapEmpty();
  }
}
