package io.seckill.shared.testing;

import io.seckill.shared.db.MultiRowInsert;
import io.seckill.shared.db.SqlTime;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.FinishReason;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.time.Duration;

/**
 * A finished sale written straight into WriteDB's event store, as the command side would have written it (the
 * promotion's row, its start, {@code grabs} coupons to customers {@code <prefix>-<n>}, its finish): a read model of
 * any size to rebuild or audit without running the sale. Nothing is published: only a rebuild projects it.
 */
public final class SyntheticEvents {
  private static final MultiRowInsert EVENTS = new MultiRowInsert("INSERT INTO events (event_id, promotion_id, sequence,"
      + " type, customer_id, occurred_at, payload) VALUES ", "(?, ?, ?, ?, ?, ?, ?)");
  private static final int ROWS = 512;

  private SyntheticEvents() {
  }

  /**
   * {@code sales} finished sales of about {@code events} events in all ({@code events / sales - 2} grabs each, customers
   * {@code <prefix>-<sale>-<n>}), written one after another; how many events were written.
   */
  public static long finishedSales(Pool writeDb, int sales, int events, String prefix) {
    int grabs = events / sales - 2;
    for (int i = 0; i < sales; i++) {
      Async.await(finishedSale(writeDb, grabs, prefix + "-" + i), Duration.ofMinutes(10));
    }
    return (long) sales * (grabs + 2);
  }

  /** Writes the sale; its promotion id. Its events are {@code grabs + 2}. */
  public static Future<UUID> finishedSale(Pool writeDb, int grabs, String prefix) {
    UUID id = UUID.randomUUID();
    Instant start = Instant.now().minusSeconds(3600).truncatedTo(ChronoUnit.MILLIS);
    Instant finish = start.plusSeconds(600);
    List<SecKillEvent> events = new ArrayList<>(grabs + 2);
    events.add(new PromotionStartEvent(UUID.randomUUID(), id, 1, start, grabs, 0.8, start, finish));
    for (int i = 0; i < grabs; i++) {
      events.add(new CouponGrabbedEvent(UUID.randomUUID(), id, i + 2, start.plusMillis(i / 1000 + 1), prefix + "-" + i,
          0.8));
    }
    events.add(new PromotionFinishEvent(UUID.randomUUID(), id, grabs + 2, start.plusSeconds(300), FinishReason.SOLD_OUT));
    Future<Void> chain = writeDb.preparedQuery("INSERT INTO promotions (promotion_id, number_of_coupons, discount,"
            + " publish_time, finish_time, status, version, created_at, updated_at) VALUES (?, ?, 0.8, ?, ?, 'finished',"
            + " 3, ?, UTC_TIMESTAMP(6))")
        .execute(Tuple.of(id.toString(), grabs, SqlTime.toDb(start), SqlTime.toDb(finish), SqlTime.toDb(start)))
        .mapEmpty();
    for (int from = 0; from < events.size(); from += ROWS) {
      List<SecKillEvent> rows = events.subList(from, Math.min(events.size(), from + ROWS));
      chain = chain.compose(v -> insert(writeDb, rows));
    }
    return chain.map(id);
  }

  private static Future<Void> insert(Pool writeDb, List<SecKillEvent> rows) {
    Future<Void> chain = Future.succeededFuture();
    for (List<SecKillEvent> statement : MultiRowInsert.statements(rows)) {
      Tuple params = Tuple.tuple();
      for (SecKillEvent event : statement) {
        params.addString(event.eventId().toString()).addString(event.promotionId().toString())
            .addLong(event.sequence()).addString(event.type())
            .addString(event instanceof CouponGrabbedEvent coupon ? coupon.customerId() : null)
            .addLocalDateTime(SqlTime.toDb(event.time()))
            .addString(event instanceof CouponGrabbedEvent ? null : EventCodec.encode(event)); // a grab: no JSON (V9)
      }
      chain = chain.compose(v -> writeDb.preparedQuery(EVENTS.sql(statement.size())).execute(params).mapEmpty());
    }
    return chain;
  }
}
