package io.seckill.query.store;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.seckill.shared.db.SqlTime;
import io.seckill.shared.event.InstantText;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** The query side's SQL on ReadDB, read only. */
public final class ReadModelQueries {
  private static final String PROMOTION_COLUMNS = "promotion_id, number_of_coupons, remaining_coupons, discount,"
      + " publish_time, finish_time";
  private static final String ACTIVE = "SELECT " + PROMOTION_COLUMNS + " FROM active_promotions"
      + " ORDER BY publish_time, promotion_id";
  private static final String ONE = "SELECT " + PROMOTION_COLUMNS + " FROM active_promotions WHERE promotion_id = ?";
  private static final String COUPONS_HEAD = "SELECT promotion_id, customer_id, sequence, discount, grabbed_at"
      + " FROM coupons WHERE customer_id IN (";
  private static final String COUPONS_TAIL = ") ORDER BY grabbed_at, promotion_id";
  /** Most customers in one lookup; sizes are powers of two so a few prepared statements serve all. */
  private static final int MAX_BATCH = 256;
  /** How long the active list may be served from memory; far below the read side's 1 s lag budget. */
  private static final long ACTIVE_CACHE_MILLIS = 100;

  private static final Buffer NO_COUPONS = Buffer.buffer("[]");

  private record Lookup(String customerId, Promise<Buffer> promise) {
  }

  private final ArrayDeque<Lookup> waiting = new ArrayDeque<>();
  private final Map<Integer, String> couponSql = new HashMap<>();
  private boolean lookupInFlight;
  private Future<Buffer> activeCache;
  private long activeCachedAt;

  private final Pool pool;

  public ReadModelQueries(Pool pool) {
    this.pool = pool;
  }

  /**
   * The active promotions as the JSON body of the answer, read and encoded at most every
   * {@value #ACTIVE_CACHE_MILLIS} ms by this instance (a crowd refreshing the list costs no DB read and no encoding).
   */
  public Future<Buffer> activePromotions() {
    long now = System.currentTimeMillis();
    if (activeCache == null || now - activeCachedAt > ACTIVE_CACHE_MILLIS
        || activeCache.failed()) {
      activeCachedAt = now;
      activeCache = readActivePromotions();
    }
    return activeCache;
  }

  private Future<Buffer> readActivePromotions() {
    return pool.preparedQuery(ACTIVE).execute().map(rows -> {
      JsonArray array = new JsonArray();
      for (Row row : rows) {
        array.add(promotion(row));
      }
      return array.toBuffer();
    });
  }

  public Future<Optional<JsonObject>> activePromotion(UUID promotionId) {
    return pool.preparedQuery(ONE).execute(Tuple.of(promotionId.toString()))
        .map(rows -> rows.size() == 0 ? Optional.empty() : Optional.of(promotion(rows.iterator().next())));
  }

  /**
   * A customer's coupons, as the JSON body of the answer (an array, written directly: no JSON objects are built for
   * a customer polling their page). Lookups that arrive while one is in flight wait and go together in the next
   * {@code customer_id IN (...)} query (like group commit, on the read side): one round trip for many requests.
   * Use from one event loop (each query verticle instance has its own).
   */
  public Future<Buffer> coupons(String customerId) {
    Promise<Buffer> promise = Promise.promise();
    waiting.add(new Lookup(customerId, promise));
    drain();
    return promise.future();
  }

  private void drain() {
    if (lookupInFlight || waiting.isEmpty()) {
      return;
    }
    lookupInFlight = true;
    Map<String, List<Promise<Buffer>>> batch = new LinkedHashMap<>();
    while (!waiting.isEmpty() && batch.size() < MAX_BATCH) {
      Lookup lookup = waiting.poll();
      batch.computeIfAbsent(lookup.customerId(), id -> new ArrayList<>()).add(lookup.promise());
    }
    List<String> customers = new ArrayList<>(batch.keySet());
    int size = Integer.highestOneBit(customers.size());
    size = size == customers.size() ? size : size * 2;
    Tuple params = Tuple.tuple();
    for (int i = 0; i < size; i++) {
      params.addString(customers.get(Math.min(i, customers.size() - 1)));
    }
    String sql = couponSql.computeIfAbsent(size, n -> COUPONS_HEAD + String.join(",", Collections.nCopies(n, "?"))
        + COUPONS_TAIL);
    pool.preparedQuery(sql).execute(params).onComplete(ar -> {
      lookupInFlight = false;
      if (ar.failed()) {
        batch.values().forEach(promises -> promises.forEach(p -> p.fail(ar.cause())));
      } else {
        Map<String, StringBuilder> found = new HashMap<>();
        for (Row row : ar.result()) {
          StringBuilder coupons = found.get(row.getString(1));
          if (coupons == null) {
            coupons = new StringBuilder(256).append('[');
            found.put(row.getString(1), coupons);
          } else {
            coupons.append(',');
          }
          coupon(coupons, row);
        }
        batch.forEach((customer, promises) -> {
          StringBuilder coupons = found.get(customer);
          Buffer body = coupons == null ? NO_COUPONS : Buffer.buffer(coupons.append(']').toString());
          promises.forEach(p -> p.complete(body));
        });
      }
      drain();
    });
  }

  /** One coupon, as {@code JsonObject} would write it: promotionId, customerId, sequence, discount, time. */
  private static void coupon(StringBuilder json, Row row) {
    json.append("{\"promotionId\":\"").append(row.getString(0)).append("\",\"customerId\":\""); // a UUID: no escapes
    JsonStringEncoder.getInstance().quoteAsString(row.getString(1), json);
    json.append("\",\"sequence\":").append(row.getLong(2)).append(",\"discount\":").append(row.getDouble(3))
        .append(",\"time\":\"");
    InstantText.append(json, SqlTime.fromDb(row.getLocalDateTime(4))).append("\"}");
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
