package io.seckill.command.store;

import io.seckill.shared.db.SqlTime;
import io.seckill.shared.promotion.PromotionTerms;
import io.seckill.shared.db.Databases;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The {@link PromotionCatalog} on WriteDB's promotions table. */
public final class PromotionCatalogStore implements PromotionCatalog {
  private static final String COLUMNS = "promotion_id, number_of_coupons, discount, publish_time, finish_time,"
      + " status, version, updated_at, cancel_requested_at IS NOT NULL AS cancel_requested";

  private final Pool pool;

  private final long deadlineMillis;

  public PromotionCatalogStore(Pool pool, long deadlineMillis) {
    this.deadlineMillis = deadlineMillis;
    this.pool = pool;
  }

  @Override
  public Future<List<PromotionRow>> changedSince(LocalDateTime since) {
    return bounded(pool.preparedQuery("SELECT " + COLUMNS
            + " FROM promotions WHERE updated_at >= ? ORDER BY updated_at LIMIT 5000")
        .execute(Tuple.of(since))).map(PromotionCatalogStore::toRows);
  }

  @Override
  public Future<List<PromotionRow>> scheduled() {
    return bounded(pool.preparedQuery("SELECT " + COLUMNS + " FROM promotions WHERE status = 'scheduled'"
            + " OR (status = 'active' AND cancel_requested_at IS NOT NULL)")
        .execute()).map(PromotionCatalogStore::toRows);
  }

  @Override
  public Future<List<PromotionRow>> find(UUID promotionId) {
    return bounded(pool.preparedQuery("SELECT " + COLUMNS + " FROM promotions WHERE promotion_id = ?")
        .execute(Tuple.of(promotionId.toString()))).map(PromotionCatalogStore::toRows);
  }

  @Override
  public Future<LocalDateTime> now() {
    return bounded(pool.query("SELECT UTC_TIMESTAMP(6)").execute())
        .map(rows -> rows.iterator().next().getLocalDateTime(0));
  }

  private static List<PromotionRow> toRows(RowSet<Row> rows) {
    List<PromotionRow> result = new ArrayList<>(rows.size());
    for (Row row : rows) {
      result.add(new PromotionRow(
          UUID.fromString(row.getString("promotion_id")),
          new PromotionTerms(row.getInteger("number_of_coupons"), row.getDouble("discount"),
              SqlTime.fromDb(row.getLocalDateTime("publish_time")), SqlTime.fromDb(row.getLocalDateTime("finish_time"))),
          row.getString("status"),
          row.getInteger("version"),
          row.getLocalDateTime("updated_at"),
          row.getBoolean("cancel_requested")));
    }
    return result;
  }

  /** A read of the promotions gives up after the WriteDB deadline. */
  private <T> Future<T> bounded(Future<T> operation) {
    return Databases.bounded(operation, deadlineMillis, "promotions");
  }
}
