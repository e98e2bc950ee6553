package io.seckill.admin.store;

import io.seckill.admin.domain.Promotion;
import io.seckill.shared.db.SqlTime;
import io.seckill.shared.promotion.PromotionTerms;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The admin's SQL on WriteDB's {@code promotions} table. Changes bump {@code version} and
 * {@code updated_at} (DB clock), which is how the command side notices them. Only a scheduled promotion
 * may change; the command side moves status on to active / finished.
 */
public final class PromotionStore {
  /** What an update or delete found. */
  public enum ChangeOutcome { CHANGED, NOT_FOUND, ALREADY_STARTED }

  /** What a cancel did: deleted before the start, requested from the command side, or nothing (finished, unknown). */
  public enum CancelOutcome { DELETED, REQUESTED, ALREADY_FINISHED, NOT_FOUND }

  private static final String COLUMNS = "promotion_id, number_of_coupons, discount, publish_time, finish_time, status";
  private static final String INSERT = "INSERT INTO promotions (promotion_id, number_of_coupons, discount, publish_time,"
      + " finish_time, status, version, created_at, updated_at)"
      + " VALUES (?, ?, ?, ?, ?, 'scheduled', 1, UTC_TIMESTAMP(3), UTC_TIMESTAMP(6))";
  private static final String UPDATE = "UPDATE promotions SET number_of_coupons = ?, discount = ?, publish_time = ?,"
      + " finish_time = ?, version = version + 1, updated_at = UTC_TIMESTAMP(6)"
      + " WHERE promotion_id = ? AND status = 'scheduled'";
  private static final String DELETE = "UPDATE promotions SET status = 'deleted', version = version + 1,"
      + " updated_at = UTC_TIMESTAMP(6) WHERE promotion_id = ? AND status = 'scheduled'";
  private static final String REQUEST_CANCEL = "UPDATE promotions SET cancel_requested_at ="
      + " COALESCE(cancel_requested_at, UTC_TIMESTAMP(6)), version = version + 1, updated_at = UTC_TIMESTAMP(6)"
      + " WHERE promotion_id = ? AND status = 'active'";
  private static final String FIND = "SELECT " + COLUMNS + " FROM promotions WHERE promotion_id = ? AND status <> 'deleted'";
  private static final String LIST = "SELECT " + COLUMNS + " FROM promotions WHERE status <> 'deleted'"
      + " ORDER BY publish_time, promotion_id";

  private final Pool pool;

  public PromotionStore(Pool pool) {
    this.pool = pool;
  }

  public Future<Promotion> create(PromotionTerms terms) {
    UUID id = UUID.randomUUID();
    return pool.preparedQuery(INSERT)
        .execute(Tuple.of(id.toString(), terms.numberOfCoupons(), terms.discount(),
            SqlTime.toDb(terms.publishTime()), SqlTime.toDb(terms.finishTime())))
        .map(rows -> new Promotion(id, terms, "scheduled"));
  }

  public Future<ChangeOutcome> update(UUID id, PromotionTerms terms) {
    return pool.preparedQuery(UPDATE)
        .execute(Tuple.of(terms.numberOfCoupons(), terms.discount(), SqlTime.toDb(terms.publishTime()),
            SqlTime.toDb(terms.finishTime()), id.toString()))
        .compose(rows -> outcome(id, rows));
  }

  public Future<ChangeOutcome> delete(UUID id) {
    return pool.preparedQuery(DELETE).execute(Tuple.of(id.toString())).compose(rows -> outcome(id, rows));
  }

  private Future<ChangeOutcome> outcome(UUID id, RowSet<Row> rows) {
    if (rows.rowCount() == 1) {
      return Future.succeededFuture(ChangeOutcome.CHANGED);
    }
    return find(id).map(found -> found.isPresent() ? ChangeOutcome.ALREADY_STARTED : ChangeOutcome.NOT_FOUND);
  }

  /**
   * Stops a promotion: a scheduled one is deleted; for an active one the request is recorded (the command side
   * writes the finish, once); a finished one is left as it is.
   */
  public Future<CancelOutcome> cancel(UUID id) {
    return delete(id).compose(deleted -> switch (deleted) {
      case CHANGED -> Future.succeededFuture(CancelOutcome.DELETED);
      case NOT_FOUND -> Future.succeededFuture(CancelOutcome.NOT_FOUND);
      case ALREADY_STARTED -> pool.preparedQuery(REQUEST_CANCEL).execute(Tuple.of(id.toString()))
          .compose(rows -> rows.rowCount() == 1
              ? Future.succeededFuture(CancelOutcome.REQUESTED)
              : find(id).map(found -> found.isEmpty() ? CancelOutcome.NOT_FOUND : CancelOutcome.ALREADY_FINISHED));
    });
  }

  public Future<Optional<Promotion>> find(UUID id) {
    return pool.preparedQuery(FIND).execute(Tuple.of(id.toString()))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(toPromotion(rows.iterator().next())));
  }

  public Future<List<Promotion>> list() {
    return pool.preparedQuery(LIST).execute().map(rows -> {
      List<Promotion> promotions = new ArrayList<>(rows.size());
      for (Row row : rows) {
        promotions.add(toPromotion(row));
      }
      return promotions;
    });
  }

  private static Promotion toPromotion(Row row) {
    return new Promotion(
        UUID.fromString(row.getString("promotion_id")),
        new PromotionTerms(row.getInteger("number_of_coupons"), row.getDouble("discount"),
            SqlTime.fromDb(row.getLocalDateTime("publish_time")), SqlTime.fromDb(row.getLocalDateTime("finish_time"))),
        row.getString("status"));
  }
}
