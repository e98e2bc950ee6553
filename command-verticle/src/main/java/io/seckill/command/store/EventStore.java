package io.seckill.command.store;

import io.seckill.shared.db.SqlTime;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.messaging.EncodedEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The event store in WriteDB (all the command side's SQL). Appends are multi-row
 * {@code INSERT ... VALUES (...),(...)} statements in one transaction; the row counts used are powers of two up
 * to {@value #MAX_ROWS}, so a handful of prepared statements serve every batch size.
 */
public final class EventStore {
  static final int MAX_ROWS = 512;
  private static final String INSERT_HEAD = "INSERT INTO events"
      + " (event_id, promotion_id, sequence, type, customer_id, occurred_at, payload) VALUES ";
  private static final String ROW = "(?, ?, ?, ?, ?, ?, ?)";
  private static final String CLOSE_PROMOTION = "UPDATE promotions SET status = 'finished',"
      + " updated_at = UTC_TIMESTAMP(6) WHERE promotion_id = ?";
  private static final String START_PROMOTION = "UPDATE promotions SET status = ?, updated_at = UTC_TIMESTAMP(6)"
      + " WHERE promotion_id = ? AND status = 'scheduled' AND version = ?";
  private static final String READ_PAGE = "SELECT position, event_id, type, payload FROM events WHERE position > ?"
      + " ORDER BY position LIMIT ?";
  /** Grabs replay from their columns alone: only starts and finishes carry a payload to decode. */
  private static final String REPLAY_PAGE = "SELECT position, promotion_id, sequence, customer_id,"
      + " CASE WHEN customer_id IS NULL THEN payload END FROM events WHERE position > ? ORDER BY position LIMIT ?";
  private static final int REPLAY_PAGE_ROWS = 50_000;
  private static final String READ_PROMOTION = "SELECT payload FROM events WHERE promotion_id = ? AND sequence >= ?"
      + " ORDER BY sequence LIMIT ?";

  /** What a replay feeds: starts and finishes as events, grabs as their bare facts (no JSON to decode). */
  public interface ReplaySink {
    void event(SecKillEvent event);

    void grab(String promotionId, long sequence, String customerId);
  }

  /** A stored event, as its JSON text, with its global position in the store. */
  public record Positioned(long position, EncodedEvent event) {
  }

  private final Pool pool;
  private final ConcurrentHashMap<Integer, String> insertSql = new ConcurrentHashMap<>();

  public EventStore(Pool pool) {
    this.pool = pool;
  }

  /** Appends events in one transaction; a finish event also marks its promotions row finished. */
  public Future<Void> append(List<SecKillEvent> events) {
    return pool.withTransaction(conn -> insert(conn, events).compose(v -> closeFinished(conn, events)));
  }

  /**
   * Appends a promotion's start (and maybe its finish) if its promotions row is still scheduled at
   * {@code version}; false, with nothing written, when the admin changed or deleted it in the meantime.
   */
  public Future<Boolean> appendStart(UUID promotionId, int version, List<SecKillEvent> events) {
    boolean finishesToo = events.stream().anyMatch(e -> e instanceof PromotionFinishEvent);
    return pool.withTransaction(conn -> conn.preparedQuery(START_PROMOTION)
        .execute(Tuple.of(finishesToo ? "finished" : "active", promotionId.toString(), version))
        .compose(rows -> rows.rowCount() == 1
            ? insert(conn, events).map(true)
            : Future.succeededFuture(false)));
  }

  private Future<Void> insert(SqlConnection conn, List<SecKillEvent> events) {
    Future<Void> chain = Future.succeededFuture();
    int offset = 0;
    while (offset < events.size()) {
      int size = Integer.highestOneBit(Math.min(events.size() - offset, MAX_ROWS));
      List<SecKillEvent> chunk = events.subList(offset, offset + size);
      chain = chain.compose(v -> conn.preparedQuery(insertSql(chunk.size())).execute(rows(chunk)).mapEmpty());
      offset += size;
    }
    return chain;
  }

  private String insertSql(int rows) {
    return insertSql.computeIfAbsent(rows, n -> INSERT_HEAD + String.join(",", java.util.Collections.nCopies(n, ROW)));
  }

  private static Tuple rows(List<SecKillEvent> events) {
    Tuple tuple = Tuple.tuple();
    for (SecKillEvent event : events) {
      tuple.addString(event.eventId().toString())
          .addString(event.promotionId().toString())
          .addLong(event.sequence())
          .addString(event.type())
          .addString(event instanceof CouponGrabbedEvent grab ? grab.customerId() : null)
          .addLocalDateTime(SqlTime.toDb(event.time()))
          .addString(EventCodec.encode(event));
    }
    return tuple;
  }

  private Future<Void> closeFinished(SqlConnection conn, List<SecKillEvent> events) {
    List<Tuple> finished = new ArrayList<>();
    for (SecKillEvent event : events) {
      if (event instanceof PromotionFinishEvent) {
        finished.add(Tuple.of(event.promotionId().toString()));
      }
    }
    return finished.isEmpty() ? Future.succeededFuture()
        : conn.preparedQuery(CLOSE_PROMOTION).executeBatch(finished).mapEmpty();
  }

  /** Feeds every stored event to {@code sink}, in position order, page by page; the count of events. */
  public Future<Long> replay(ReplaySink sink) {
    return replayFrom(0, 0, sink);
  }

  private Future<Long> replayFrom(long position, long count, ReplaySink sink) {
    return pool.preparedQuery(REPLAY_PAGE).execute(Tuple.of(position, REPLAY_PAGE_ROWS)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(count);
      }
      long last = position;
      for (Row row : rows) {
        last = row.getLong(0);
        String customerId = row.getString(3);
        if (customerId != null) {
          sink.grab(row.getString(1), row.getLong(2), customerId);
        } else {
          sink.event(EventCodec.decode(row.getString(4)));
        }
      }
      return replayFrom(last, count + rows.size(), sink);
    });
  }

  /** One promotion's events in sequence order. */
  public Future<List<SecKillEvent>> readPromotion(UUID promotionId) {
    return readPromotion(promotionId, 1, Integer.MAX_VALUE);
  }

  /** Up to {@code limit} of a promotion's events from {@code fromSequence} on, in sequence order. */
  public Future<List<SecKillEvent>> readPromotion(UUID promotionId, long fromSequence, int limit) {
    return pool.preparedQuery(READ_PROMOTION).execute(Tuple.of(promotionId.toString(), fromSequence, limit)).map(rows -> {
      List<SecKillEvent> events = new ArrayList<>(rows.size());
      for (Row row : rows) {
        events.add(EventCodec.decode(row.getString(0)));
      }
      return events;
    });
  }

  /** Up to {@code limit} events after {@code position}, in position order: what the relay sends next. */
  public Future<List<Positioned>> readAfter(long position, int limit) {
    return pool.preparedQuery(READ_PAGE).execute(Tuple.of(position, limit)).map(rows -> {
      List<Positioned> events = new ArrayList<>(rows.size());
      for (Row row : rows) {
        events.add(new Positioned(row.getLong(0), new EncodedEvent(row.getString(1), row.getString(2), row.getString(3))));
      }
      return events;
    });
  }

  public Future<Long> relayedPosition() {
    return pool.query("SELECT position FROM relay_position WHERE id = 1").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

  public Future<Void> saveRelayedPosition(long position) {
    return pool.preparedQuery("UPDATE relay_position SET position = ? WHERE id = 1 AND position < ?")
        .execute(Tuple.of(position, position)).mapEmpty();
  }

  /** The position of the newest event (0 when empty). */
  public Future<Long> headPosition() {
    return pool.query("SELECT COALESCE(MAX(position), 0) FROM events").execute()
        .map(rows -> rows.iterator().next().getLong(0));
  }

}
