package io.seckill.event.audit;

import io.seckill.event.audit.CouponMerge.Coupon;
import io.seckill.shared.db.Databases;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.UUID;
import java.time.Instant;
import java.time.Clock;

/**
 * The audit's SQL: WriteDB's event store read with the event role's read-only account (SELECT on {@code events},
 * {@code promotions} and {@code relay_cursors}), ReadDB's tables, both by promotion, in chunks of
 * {@code chunk} rows by customer id (an index range each: {@code uk_events_promotion_customer},
 * {@code idx_coupons_promotion}), every statement bounded by {@link Databases#OFF_PATH_MILLIS} (or its database's
 * deadline, if longer). ReadDB's side of one promotion
 * is read in one transaction (one snapshot) opened before WriteDB is read, so WriteDB always has at least what that
 * snapshot shows applied.
 */
public final class AuditStore {
  private static final String PROMOTIONS_WRITTEN = "SELECT promotion_id FROM promotions";
  private static final String PROMOTIONS_READ = "SELECT promotion_id FROM projection_positions"
      + " UNION SELECT promotion_id FROM active_promotions UNION SELECT DISTINCT promotion_id FROM coupons";
  private static final String PROMOTION_EXISTS_WRITTEN = "SELECT 1 FROM promotions WHERE promotion_id = ?";
  private static final String PROMOTION_EXISTS_READ = "SELECT 1 FROM projection_positions WHERE promotion_id = ?"
      + " UNION SELECT 1 FROM active_promotions WHERE promotion_id = ?"
      + " UNION (SELECT 1 FROM coupons WHERE promotion_id = ? LIMIT 1)";
  private static final String FIRST_EVENT = "SELECT sequence, payload FROM events WHERE promotion_id = ? AND sequence = 1";
  /** The newest event; only a finish's JSON is read (a grab's row has none: {@link io.seckill.shared.db.EventRows}). */
  private static final String LAST_EVENT = "SELECT sequence, IF(type = '" + PromotionFinishEvent.TYPE + "', payload, NULL)"
      + " FROM events WHERE promotion_id = ? ORDER BY sequence DESC LIMIT 1";
  private static final String GRABS = "SELECT customer_id, sequence FROM events WHERE promotion_id = ?"
      + " AND customer_id > ? ORDER BY customer_id LIMIT ?";
  private static final String RELAY_CURSOR = "SELECT sequence FROM relay_cursors WHERE promotion_id = ?";
  private static final String POSITION = "SELECT last_sequence FROM projection_positions WHERE promotion_id = ?";
  private static final String ACTIVE = "SELECT remaining_coupons FROM active_promotions WHERE promotion_id = ?";
  private static final String COUPONS = "SELECT customer_id, sequence FROM coupons WHERE promotion_id = ?"
      + " AND customer_id > ? ORDER BY customer_id LIMIT ?";

  private final Pool writeDb;
  private final Pool readDb;
  private final long writeDeadline;
  private final long readDeadline;
  private final int chunk;
  private final int shown;
  private final Clock clock;

  public AuditStore(Pool writeDb, long writeDeadline, Pool readDb, long readDeadline, int chunk, int shown,
                    Clock clock) {
    this.clock = clock;
    this.writeDb = writeDb;
    this.readDb = readDb;
    this.writeDeadline = writeDeadline;
    this.readDeadline = readDeadline;
    this.chunk = chunk;
    this.shown = shown;
  }

  /** Every promotion either side knows, in id order. */
  public Future<List<UUID>> promotions() {
    return Future.all(write(writeDb, PROMOTIONS_WRITTEN, Tuple.tuple()), read(readDb, PROMOTIONS_READ, Tuple.tuple()))
        .map(all -> {
          TreeSet<UUID> ids = new TreeSet<>();
          for (int i = 0; i < 2; i++) {
            for (Row row : all.<RowSet<Row>>resultAt(i)) {
              ids.add(UUID.fromString(row.getString(0)));
            }
          }
          return new ArrayList<>(ids);
        });
  }

  /** Whether either side knows {@code id}. */
  public Future<Boolean> known(UUID id) {
    String key = id.toString();
    return Future.all(write(writeDb, PROMOTION_EXISTS_WRITTEN, Tuple.of(key)),
            read(readDb, PROMOTION_EXISTS_READ, Tuple.of(key, key, key)))
        .map(all -> all.<RowSet<Row>>resultAt(0).size() > 0 || all.<RowSet<Row>>resultAt(1).size() > 0);
  }

  /** Audits one promotion. */
  public Future<PromotionAudit> audit(UUID id) {
    String key = id.toString();
    return readDb.withTransaction(conn -> Future.all(read(conn, POSITION, Tuple.of(key)), read(conn, ACTIVE, Tuple.of(key)))
        .compose(positions -> {
          RowSet<Row> position = positions.resultAt(0);
          RowSet<Row> active = positions.resultAt(1);
          long at = position.size() == 0 ? 0 : position.iterator().next().getLong(0);
          PromotionAudit.Read readSide = active.size() == 0 ? new PromotionAudit.Read(at, false, 0)
              : new PromotionAudit.Read(at, true, active.iterator().next().getInteger(0));
          return written(key).compose(writtenSide -> {
            CouponMerge merge = new CouponMerge(at, shown);
            return merge(conn, key, merge, "", "")
                .compose(v -> write(writeDb, RELAY_CURSOR, Tuple.of(key)))
                .map(cursor -> PromotionAudit.judge(id, writtenSide, readSide,
                    cursor.size() == 0 ? -1 : cursor.iterator().next().getLong(0), merge, clock.instant()));
          });
        }));
  }

  private Future<PromotionAudit.Written> written(String key) {
    return Future.all(write(writeDb, FIRST_EVENT, Tuple.of(key)), write(writeDb, LAST_EVENT, Tuple.of(key)))
        .map(all -> {
          RowSet<Row> first = all.resultAt(0);
          RowSet<Row> last = all.resultAt(1);
          if (last.size() == 0) {
            return new PromotionAudit.Written(0, 0, 0, 0, null, null);
          }
          Row lastRow = last.iterator().next();
          long lastSequence = lastRow.getLong(0);
          long startSequence = 0;
          int coupons = 0;
          Instant firstAt = null;
          if (first.size() > 0) {
            SecKillEvent firstEvent = EventCodec.decode(first.iterator().next().getString(1));
            firstAt = firstEvent.time();
            if (firstEvent instanceof PromotionStartEvent start) {
              startSequence = start.sequence();
              coupons = start.numberOfCoupons();
            }
          }
          String finishJson = lastRow.getString(1);
          if (finishJson != null && EventCodec.decode(finishJson) instanceof PromotionFinishEvent finish) {
            return new PromotionAudit.Written(lastSequence, startSequence, coupons, finish.sequence(),
                finish.reason().wire(), firstAt);
          }
          return new PromotionAudit.Written(lastSequence, startSequence, coupons, 0, null, firstAt);
        });
  }

  /** Feeds the merge chunk by chunk, from whichever side it needs, until it needs nothing. */
  private Future<Void> merge(SqlClient readConn, String key, CouponMerge merge, String afterWritten, String afterRead) {
    return switch (merge.advance()) {
      case NOTHING -> Future.succeededFuture();
      case WRITTEN -> write(writeDb, GRABS, Tuple.of(key, afterWritten, chunk)).compose(rows -> {
        List<Coupon> coupons = coupons(rows);
        merge.written(coupons, coupons.size() < chunk);
        return merge(readConn, key, merge, coupons.isEmpty() ? afterWritten
            : coupons.get(coupons.size() - 1).customerId(), afterRead);
      });
      case READ -> read(readConn, COUPONS, Tuple.of(key, afterRead, chunk)).compose(rows -> {
        List<Coupon> coupons = coupons(rows);
        merge.read(coupons, coupons.size() < chunk);
        return merge(readConn, key, merge, afterWritten, coupons.isEmpty() ? afterRead
            : coupons.get(coupons.size() - 1).customerId());
      });
    };
  }

  private static List<Coupon> coupons(RowSet<Row> rows) {
    List<Coupon> coupons = new ArrayList<>(rows.size());
    for (Row row : rows) {
      coupons.add(new Coupon(row.getString(0), row.getLong(1)));
    }
    return coupons;
  }

  private Future<RowSet<Row>> write(SqlClient client, String sql, Tuple params) {
    return bounded(client, sql, params, Math.max(writeDeadline, Databases.OFF_PATH_MILLIS), "WriteDB audit read");
  }

  private Future<RowSet<Row>> read(SqlClient client, String sql, Tuple params) {
    return bounded(client, sql, params, Math.max(readDeadline, Databases.OFF_PATH_MILLIS), "ReadDB audit read");
  }

  private static Future<RowSet<Row>> bounded(SqlClient client, String sql, Tuple params, long deadline, String what) {
    return Databases.bounded(client.preparedQuery(sql).execute(params), deadline, what);
  }
}
