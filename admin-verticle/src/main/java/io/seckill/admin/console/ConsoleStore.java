package io.seckill.admin.console;

import io.seckill.shared.db.Databases;
import io.seckill.shared.db.SqlTime;
import io.seckill.shared.event.PromotionFinishEvent;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Instant;
import java.time.LocalDateTime;
import java.util.Optional;
import java.util.UUID;
import java.time.Duration;

/** The console's reads of WriteDB: a promotion's event store head, and the partition leases. */
public final class ConsoleStore {
  private static final long DEADLINE_MILLIS = 2_000;
  private static final String PROMOTION = "SELECT number_of_coupons, status FROM promotions"
      + " WHERE promotion_id = ? AND status <> 'deleted'";
  private static final String LAST_EVENT = "SELECT sequence, type, occurred_at, payload FROM events"
      + " WHERE promotion_id = ? ORDER BY sequence DESC LIMIT 1";
  private static final String OCCURRED = "SELECT occurred_at FROM events WHERE promotion_id = ? AND sequence = ?";
  private static final String LEASES = "SELECT partition_id, epoch, owner_node, owner_incarnation, claimed_at,"
      + " lease_until, UTC_TIMESTAMP(6) AS now FROM partition_leases ORDER BY partition_id";

  private final Pool pool;

  public ConsoleStore(Pool pool) {
    this.pool = pool;
  }

  /**
   * What WriteDB says of {@code promotionId}: its coupons, status, the grabs committed (sequence 1 is the start, each
   * grab one more, the finish the last) and the finish. Empty when there is no such promotion.
   */
  public Future<Optional<LiveFigures.WriteSide>> writeSide(UUID promotionId) {
    String id = promotionId.toString();
    return bounded(pool.preparedQuery(PROMOTION).execute(Tuple.of(id))).compose(promotions -> {
      if (promotions.size() == 0) {
        return Future.succeededFuture(Optional.empty());
      }
      Row promotion = promotions.iterator().next();
      return bounded(pool.preparedQuery(LAST_EVENT).execute(Tuple.of(id))).map(events -> {
        long granted = 0;
        Instant finishedAt = null;
        String reason = null;
        if (events.size() > 0) {
          Row last = events.iterator().next();
          long sequence = last.getLong("sequence");
          boolean finished = PromotionFinishEvent.TYPE.equals(last.getString("type"));
          granted = Math.max(0, sequence - 1 - (finished ? 1 : 0));
          if (finished) {
            finishedAt = SqlTime.fromDb(last.getLocalDateTime("occurred_at"));
            reason = new JsonObject(last.getString("payload")).getString("reason");
          }
        }
        return Optional.of(new LiveFigures.WriteSide(promotion.getInteger("number_of_coupons"),
            promotion.getString("status"), granted, finishedAt, reason));
      });
    });
  }

  /** When the grab with {@code sequence} happened (sequence 2 is the first grab); null when there is none. */
  public Future<Instant> occurredAt(UUID promotionId, long sequence) {
    return bounded(pool.preparedQuery(OCCURRED).execute(Tuple.of(promotionId.toString(), sequence)))
        .map(rows -> rows.size() == 0 ? null : SqlTime.fromDb(rows.iterator().next().getLocalDateTime("occurred_at")));
  }

  /**
   * Every partition's lease by WriteDB's clock (the clock the leases are taken by): holder, epoch, how long ago it
   * was claimed, how long it has left (negative: expired, the holder stopped renewing).
   */
  public Future<JsonObject> leases() {
    return bounded(pool.preparedQuery(LEASES).execute(Tuple.tuple())).map(rows -> {
      JsonArray partitions = new JsonArray();
      LocalDateTime now = null;
      for (Row row : rows) {
        now = row.getLocalDateTime("now");
        LocalDateTime claimed = row.getLocalDateTime("claimed_at");
        LocalDateTime until = row.getLocalDateTime("lease_until");
        partitions.add(new JsonObject()
            .put("partition", row.getInteger("partition_id"))
            .put("epoch", row.getLong("epoch"))
            .put("holder", row.getString("owner_incarnation") == null ? null : row.getString("owner_node"))
            .put("claimedAt", claimed == null ? null : SqlTime.fromDb(claimed).toString())
            .put("heldForMs", claimed == null ? null : millisBetween(claimed, now))
            .put("leaseLeftMs", until == null ? null : millisBetween(now, until)));
      }
      return new JsonObject().put("databaseTime", now == null ? null : SqlTime.fromDb(now).toString())
          .put("partitions", partitions);
    });
  }

  private static long millisBetween(LocalDateTime from, LocalDateTime to) {
    return Duration.between(from, to).toMillis();
  }

  private static <T> Future<T> bounded(Future<T> query) {
    return Databases.bounded(query, DEADLINE_MILLIS, "console");
  }
}
