package io.seckill.shared.db;

import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.sqlclient.Row;

import java.util.UUID;

/**
 * The event store's rows read back as events. A grab's row stores no JSON (WriteDB V9): its event is made from its
 * columns (event id, sequence, customer, {@code occurred_at}: its time to the millisecond both databases keep) and
 * the discount its promotion's start fixed (the command side grabs on the terms of the start). Every other event is
 * its stored JSON. Rows written before V9 still hold a grab's JSON; {@link #COLUMNS} does not read it, so every grab
 * is made the same way.
 */
public final class EventRows {
  /** The columns {@link #event} and {@link #json} read, in their order, for {@code SELECT ... FROM events}. */
  public static final String COLUMNS = "sequence, event_id, type, customer_id, occurred_at,"
      + " IF(type = '" + CouponGrabbedEvent.TYPE + "', NULL, payload)";
  /** A promotion's start, the one parameter its id: the discount of its grabs ({@link #discount}). */
  public static final String START = "SELECT payload FROM events WHERE promotion_id = ? AND customer_id IS NULL"
      + " AND type = '" + PromotionStartEvent.TYPE + "'";

  private EventRows() {
  }

  /** The discount of a promotion's grabs, from the rows of {@link #START}; null when it has not started. */
  public static Double discount(Iterable<Row> start) {
    for (Row row : start) {
      return ((PromotionStartEvent) EventCodec.decode(row.getString(0))).discount();
    }
    return null;
  }

  /** The sequence of a row of {@link #COLUMNS}. */
  public static long sequence(Row row) {
    return row.getLong(0);
  }

  /** The event of a row of {@link #COLUMNS} of {@code promotion}, whose start fixed {@code discount}. */
  public static SecKillEvent event(UUID promotion, Row row, Double discount) {
    String payload = row.getString(5);
    return payload != null ? EventCodec.decode(payload) : grab(promotion, row, discount);
  }

  /** The JSON text of that event, as the relay sends it: the stored text, or the grab's made from its columns. */
  public static String json(UUID promotion, Row row, Double discount) {
    String payload = row.getString(5);
    return payload != null ? payload : EventCodec.encode(grab(promotion, row, discount));
  }

  private static CouponGrabbedEvent grab(UUID promotion, Row row, Double discount) {
    if (!CouponGrabbedEvent.TYPE.equals(row.getString(2))) {
      throw new IllegalStateException("promotion " + promotion + " has a " + row.getString(2) + " (sequence "
          + row.getLong(0) + ") without its JSON in WriteDB");
    }
    if (discount == null) {
      throw new IllegalStateException("promotion " + promotion + " has a grab (sequence " + row.getLong(0)
          + ") but no start event in WriteDB");
    }
    return new CouponGrabbedEvent(UUID.fromString(row.getString(1)), promotion, row.getLong(0),
        SqlTime.fromDb(row.getLocalDateTime(4)), row.getString(3), discount);
  }
}
