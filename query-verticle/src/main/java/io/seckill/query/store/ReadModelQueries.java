package io.seckill.query.store;

import io.seckill.shared.db.SqlTime;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.Optional;
import java.util.UUID;

/** The query side's SQL on ReadDB, read only. */
public final class ReadModelQueries {
  private static final String PROMOTION_COLUMNS = "promotion_id, number_of_coupons, remaining_coupons, discount,"
      + " publish_time, finish_time";
  private static final String ACTIVE = "SELECT " + PROMOTION_COLUMNS + " FROM active_promotions"
      + " ORDER BY publish_time, promotion_id";
  private static final String ONE = "SELECT " + PROMOTION_COLUMNS + " FROM active_promotions WHERE promotion_id = ?";
  private static final String COUPONS = "SELECT promotion_id, customer_id, sequence, discount, grabbed_at FROM coupons"
      + " WHERE customer_id = ? ORDER BY grabbed_at, promotion_id";

  private final Pool pool;

  public ReadModelQueries(Pool pool) {
    this.pool = pool;
  }

  public Future<JsonArray> activePromotions() {
    return pool.preparedQuery(ACTIVE).execute().map(rows -> {
      JsonArray array = new JsonArray();
      for (Row row : rows) {
        array.add(promotion(row));
      }
      return array;
    });
  }

  public Future<Optional<JsonObject>> activePromotion(UUID promotionId) {
    return pool.preparedQuery(ONE).execute(Tuple.of(promotionId.toString()))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(promotion(rows.iterator().next())));
  }

  public Future<JsonArray> coupons(String customerId) {
    return pool.preparedQuery(COUPONS).execute(Tuple.of(customerId)).map(rows -> {
      JsonArray array = new JsonArray();
      for (Row row : rows) {
        array.add(new JsonObject()
            .put("promotionId", row.getString(0))
            .put("customerId", row.getString(1))
            .put("sequence", row.getLong(2))
            .put("discount", row.getDouble(3))
            .put("time", SqlTime.fromDb(row.getLocalDateTime(4)).toString()));
      }
      return array;
    });
  }

  private static JsonObject promotion(Row row) {
    return new JsonObject()
        .put("promotionId", row.getString(0))
        .put("numberOfCoupons", row.getInteger(1))
        .put("remainingCoupons", row.getInteger(2))
        .put("discount", row.getDouble(3))
        .put("publishTime", SqlTime.fromDb(row.getLocalDateTime(4)).toString())
        .put("finishTime", SqlTime.fromDb(row.getLocalDateTime(5)).toString());
  }
}
