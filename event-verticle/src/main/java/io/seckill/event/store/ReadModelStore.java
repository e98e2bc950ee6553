package io.seckill.event.store;

import io.seckill.event.projection.ProjectionPlan;
import io.seckill.event.projection.Projector;
import io.seckill.shared.db.MultiRowInsert;
import io.seckill.shared.db.SqlTime;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event side's SQL on ReadDB. A batch is applied in one transaction that locks the promotions' projection
 * positions, plans with {@link Projector}, writes the changes and the new positions, then commits: a
 * redelivered batch finds its events already applied and changes nothing.
 */
public final class ReadModelStore {
  private final Pool pool;
  private final ReadModelTables tables;
  private final String insertPromotion;
  private final MultiRowInsert insertCoupons;
  private final String takeCoupons;
  private final String removePromotion;
  private final String savePosition;
  private final Map<Integer, String> positionSql = new ConcurrentHashMap<>();

  /** The live read model. */
  public ReadModelStore(Pool pool) {
    this(pool, ReadModelTables.LIVE);
  }

  /** The read model in {@code tables} (a rebuild's shadow tables). */
  public ReadModelStore(Pool pool, ReadModelTables tables) {
    this.pool = pool;
    this.tables = tables;
    insertPromotion = "INSERT INTO " + tables.activePromotions() + " (promotion_id, number_of_coupons,"
        + " remaining_coupons, discount, publish_time, finish_time) VALUES (?, ?, ?, ?, ?, ?)";
    insertCoupons = new MultiRowInsert("INSERT INTO " + tables.coupons() + " (customer_id, promotion_id, sequence,"
        + " discount, grabbed_at) VALUES ", "(?, ?, ?, ?, ?)");
    takeCoupons = "UPDATE " + tables.activePromotions() + " SET remaining_coupons = remaining_coupons - ?"
        + " WHERE promotion_id = ?";
    removePromotion = "DELETE FROM " + tables.activePromotions() + " WHERE promotion_id = ?";
    savePosition = "INSERT INTO " + tables.positions() + " (promotion_id, last_sequence) VALUES (?, ?)"
        + " ON DUPLICATE KEY UPDATE last_sequence = VALUES(last_sequence)";
  }

  public ReadModelTables tables() {
    return tables;
  }

  /** Applies a batch; the future holds the plan that was committed. */
  public Future<ProjectionPlan> apply(List<SecKillEvent> events) {
    Set<UUID> ids = new LinkedHashSet<>();
    events.forEach(e -> ids.add(e.promotionId()));
    return pool.withTransaction(conn -> lockPositions(conn, new ArrayList<>(ids)).compose(last -> {
      ProjectionPlan plan = Projector.plan(events, last);
      if (plan.changesNothing()) {
        return Future.succeededFuture(plan);
      }
      return write(conn, plan).map(plan);
    }));
  }

  /**
   * Plans events whose promotions' last applied sequences the caller knows ({@code lastApplied}, updated with the
   * plan's at once): a rebuild's shadow tables, which nothing else writes, so that the next batch can be planned while
   * this one is written with {@link #write}.
   */
  public static ProjectionPlan planKnown(List<SecKillEvent> events, Map<UUID, Long> lastApplied) {
    ProjectionPlan plan = Projector.plan(events, lastApplied);
    lastApplied.putAll(plan.lastSequences());
    return plan;
  }

  private Future<Map<UUID, Long>> lockPositions(SqlConnection conn, List<UUID> ids) {
    String sql = positionSql.computeIfAbsent(ids.size(), n -> "SELECT promotion_id, last_sequence FROM "
        + tables.positions() + " WHERE promotion_id IN (" + String.join(",", Collections.nCopies(n, "?")) + ") FOR UPDATE");
    Tuple params = Tuple.tuple();
    ids.forEach(id -> params.addString(id.toString()));
    return conn.preparedQuery(sql).execute(params).map(rows -> {
      Map<UUID, Long> last = new HashMap<>();
      for (Row row : rows) {
        last.put(UUID.fromString(row.getString(0)), row.getLong(1));
      }
      return last;
    });
  }

  /** Writes a plan on {@code conn} (in the caller's transaction). */
  public Future<Void> write(SqlConnection conn, ProjectionPlan plan) {
    Future<Void> chain = Future.succeededFuture();
    if (!plan.started().isEmpty()) {
      List<Tuple> rows = new ArrayList<>();
      for (PromotionStartEvent start : plan.started()) {
        rows.add(Tuple.of(start.promotionId().toString(), start.numberOfCoupons(), start.numberOfCoupons(),
            start.discount(), SqlTime.toDb(start.publishTime()), SqlTime.toDb(start.finishTime())));
      }
      chain = chain.compose(v -> conn.preparedQuery(insertPromotion).executeBatch(rows).mapEmpty());
    }
    chain = insertCoupons(conn, chain, plan.coupons());
    if (!plan.couponsTaken().isEmpty()) {
      List<Tuple> rows = new ArrayList<>();
      plan.couponsTaken().forEach((id, count) -> rows.add(Tuple.of(count, id.toString())));
      chain = chain.compose(v -> conn.preparedQuery(takeCoupons).executeBatch(rows).mapEmpty());
    }
    if (!plan.finished().isEmpty()) {
      List<Tuple> rows = new ArrayList<>();
      plan.finished().forEach(id -> rows.add(Tuple.of(id.toString())));
      chain = chain.compose(v -> conn.preparedQuery(removePromotion).executeBatch(rows).mapEmpty());
    }
    List<Tuple> positions = new ArrayList<>();
    plan.lastSequences().forEach((id, sequence) -> positions.add(Tuple.of(id.toString(), sequence)));
    return chain.compose(v -> conn.preparedQuery(savePosition).executeBatch(positions).mapEmpty());
  }

  private Future<Void> insertCoupons(SqlConnection conn, Future<Void> chain, List<CouponGrabbedEvent> coupons) {
    for (List<CouponGrabbedEvent> statement : MultiRowInsert.statements(coupons)) {
      Tuple params = Tuple.tuple();
      for (CouponGrabbedEvent coupon : statement) {
        params.addString(coupon.customerId()).addString(coupon.promotionId().toString()).addLong(coupon.sequence())
            .addDouble(coupon.discount()).addLocalDateTime(SqlTime.toDb(coupon.time()));
      }
      chain = chain.compose(v -> conn.preparedQuery(insertCoupons.sql(statement.size())).execute(params).mapEmpty());
    }
    return chain;
  }
}
