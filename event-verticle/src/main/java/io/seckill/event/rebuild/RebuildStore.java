package io.seckill.event.rebuild;

import io.seckill.event.store.ReadModelTables;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.EventRows;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;
import java.time.Instant;
import io.vertx.mysqlclient.MySQLException;

/**
 * The rebuild's SQL (SPEC §8). WriteDB is only read ({@code events}, {@code promotions}: the event role's read-only
 * account); on ReadDB it keeps the {@code read_model_rebuilds} rows, creates and drops a rebuild's tables, and swaps
 * them in. Statements that touch a few rows are bounded by their database's deadline; the bulk ones (a promotion's
 * rows moved in one statement at the swap, a DDL waiting for the tables' metadata locks) by {@link #BULK_MILLIS}.
 */
public final class RebuildStore {
  /** A rebuild whose heartbeat stopped this long ago (by ReadDB's clock) died with its process. */
  public static final int STALE_SECONDS = 10;
  static final long BULK_MILLIS = 120_000;
  private static final String COUPONS_BY_PROMOTION = "idx_coupons_promotion";
  /** How long the swap's RENAME waits for the tables' metadata locks (a long query on them) before it gives up. */
  static final int RENAME_LOCK_WAIT_SECONDS = 10;

  private static final String REAP = "UPDATE read_model_rebuilds SET state = 'failed', running = NULL,"
      + " finished_at = UTC_TIMESTAMP(3), error = ? WHERE running = 1"
      + " AND heartbeat_at < UTC_TIMESTAMP(3) - INTERVAL " + STALE_SECONDS + " SECOND";
  private static final String REGISTER = "INSERT INTO read_model_rebuilds (rebuild_id, promotion_id, state, running,"
      + " started_at, heartbeat_at) VALUES (?, ?, 'running', 1, ?, UTC_TIMESTAMP(3))";
  private static final String RUNNING = "SELECT rebuild_id FROM read_model_rebuilds WHERE running = 1";
  private static final String HEARTBEAT = "UPDATE read_model_rebuilds SET state = ?, events_applied = ?,"
      + " events_total = ?, events_per_second = ?, heartbeat_at = UTC_TIMESTAMP(3) WHERE rebuild_id = ? AND running = 1";
  private static final String FINISH = "UPDATE read_model_rebuilds SET state = ?, events_applied = ?, events_total = ?,"
      + " events_per_second = ?, finished_at = ?, error = ?, running = NULL WHERE rebuild_id = ?";
  private static final String FIND = "SELECT rebuild_id, promotion_id, state, events_applied, events_total,"
      + " events_per_second, started_at, finished_at, error FROM read_model_rebuilds WHERE rebuild_id = ?";
  private static final String LEFTOVERS = "SELECT table_name FROM information_schema.tables"
      + " WHERE table_schema = DATABASE() AND (table_name LIKE '%\\_rb\\_%' OR table_name LIKE '%\\_old\\_%')";
  private static final String PROMOTION_WRITTEN = "SELECT 1 FROM promotions WHERE promotion_id = ?";
  private static final String PROMOTIONS = "SELECT promotion_id FROM promotions";
  private static final String HEAD = "SELECT promotion_id, MAX(sequence) FROM events WHERE promotion_id = ?"
      + " GROUP BY promotion_id";
  /** A page of events ({@link EventRows}: a grab's event is made from its columns). */
  private static final String EVENTS = "SELECT " + EventRows.COLUMNS + " FROM events WHERE promotion_id = ?"
      + " AND sequence > ? AND sequence <= ? ORDER BY sequence LIMIT ?";

  private final Pool writeDb;
  private final long writeDeadline;
  private final Pool readDb;
  private final long readDeadline;

  public RebuildStore(Pool writeDb, long writeDeadline, Pool readDb, long readDeadline) {
    this.writeDb = writeDb;
    this.writeDeadline = writeDeadline;
    this.readDb = readDb;
    this.readDeadline = readDeadline;
  }

  public Pool readDb() {
    return readDb;
  }

  /** Marks the rebuilds whose process stopped beating failed; how many. */
  public Future<Integer> reapStale() {
    return read(readDb, REAP, Tuple.of("its process stopped (no heartbeat for " + STALE_SECONDS + " s): the old tables"
        + " stayed in service")).map(RowSet::rowCount);
  }

  /** Registers a running rebuild; fails with {@link RebuildRunning} while another runs. */
  public Future<Void> register(UUID id, UUID promotion, Instant startedAt) {
    return read(readDb, REGISTER, Tuple.of(id.toString(), promotion == null ? null : promotion.toString(),
        LocalDateTime.ofInstant(startedAt, ZoneOffset.UTC)))
        .<Void>mapEmpty()
        .recover(e -> duplicate(e) ? running().compose(ids -> Future.failedFuture(
            new RebuildRunning(ids.isEmpty() ? null : ids.iterator().next()))) : Future.failedFuture(e));
  }

  private static boolean duplicate(Throwable e) {
    return e instanceof MySQLException m && m.getErrorCode() == 1062;
  }

  /** The ids of the running rebuilds (one at most). */
  public Future<Set<UUID>> running() {
    return read(readDb, RUNNING, Tuple.tuple()).map(rows -> {
      Set<UUID> ids = new HashSet<>();
      rows.forEach(row -> ids.add(UUID.fromString(row.getString(0))));
      return ids;
    });
  }

  /** Saves the progress and moves the heartbeat; false when the row no longer says running (declared dead). */
  public Future<Boolean> heartbeat(RebuildStatus status) {
    return read(readDb, HEARTBEAT, Tuple.of(status.state().json(), status.eventsApplied(), status.eventsTotal(),
        status.eventsPerSecond(), status.rebuildId().toString())).map(rows -> rows.rowCount() == 1);
  }

  public Future<Void> finish(RebuildStatus status) {
    return read(readDb, FINISH, Tuple.of(status.state().json(), status.eventsApplied(), status.eventsTotal(),
        status.eventsPerSecond(), LocalDateTime.ofInstant(status.finishedAt(), ZoneOffset.UTC),
        status.error() == null ? null : truncated(status.error()), status.rebuildId().toString())).mapEmpty();
  }

  private static String truncated(String text) {
    return text.length() <= 1000 ? text : text.substring(0, 997) + "...";
  }

  public Future<Optional<RebuildStatus>> find(UUID id) {
    return read(readDb, FIND, Tuple.of(id.toString())).map(rows -> {
      if (rows.size() == 0) {
        return Optional.empty();
      }
      Row row = rows.iterator().next();
      String promotion = row.getString(1);
      LocalDateTime finished = row.getLocalDateTime(7);
      return Optional.of(new RebuildStatus(UUID.fromString(row.getString(0)),
          promotion == null ? null : UUID.fromString(promotion), RebuildStatus.State.of(row.getString(2)),
          row.getLong(3), row.getLong(4), row.getDouble(5), row.getLocalDateTime(6).toInstant(ZoneOffset.UTC),
          finished == null ? null : finished.toInstant(ZoneOffset.UTC), row.getString(8)));
    });
  }

  /** The rebuild tables left in ReadDB (shadow and old), by name. */
  public Future<List<String>> leftoverTables() {
    return read(readDb, LEFTOVERS, Tuple.tuple()).map(rows -> {
      List<String> names = new ArrayList<>();
      rows.forEach(row -> {
        String name = row.getString(0);
        if (ReadModelTables.tagOf(name) != null) {
          names.add(name);
        }
      });
      return names;
    });
  }

  /**
   * Empty tables like the live ones (columns, keys, collations), the coupons' secondary index left out while they are
   * filled ({@link #indexShadow} builds it after, sorted, in one pass, cheaper than maintained row by row).
   */
  public Future<Void> createShadow(ReadModelTables shadow) {
    return ddl("CREATE TABLE " + shadow.coupons() + " LIKE " + ReadModelTables.LIVE.coupons())
        .compose(v -> ddl("ALTER TABLE " + shadow.coupons() + " DROP INDEX IF EXISTS " + COUPONS_BY_PROMOTION))
        .compose(v -> ddl("CREATE TABLE " + shadow.activePromotions() + " LIKE " + ReadModelTables.LIVE.activePromotions()))
        .compose(v -> ddl("CREATE TABLE " + shadow.positions() + " LIKE " + ReadModelTables.LIVE.positions()));
  }

  /** The coupons' secondary index (ReadDB's V1 migration's), built on the filled shadow table before its catch-up. */
  public Future<Void> indexShadow(ReadModelTables shadow) {
    return ddl("ALTER TABLE " + shadow.coupons() + " ADD INDEX IF NOT EXISTS " + COUPONS_BY_PROMOTION + " (promotion_id)");
  }

  public Future<Void> drop(List<String> tables) {
    if (tables.isEmpty()) {
      return Future.succeededFuture();
    }
    return ddl("DROP TABLE IF EXISTS " + String.join(", ", tables));
  }

  private Future<Void> ddl(String sql) {
    return Databases.bounded(readDb.query(sql).execute(), BULK_MILLIS, "ReadDB rebuild DDL").mapEmpty();
  }

  public Future<Boolean> promotionWritten(UUID id) {
    return write(PROMOTION_WRITTEN, Tuple.of(id.toString())).map(rows -> rows.size() > 0);
  }

  /**
   * WriteDB's newest sequence of every promotion (or of one): one index lookup per promotion (a GROUP BY over the
   * whole event store could scan it).
   */
  public Future<Map<UUID, Long>> heads(UUID promotion) {
    Future<List<UUID>> ids = promotion == null ? write(PROMOTIONS, Tuple.tuple()).map(rows -> {
      List<UUID> all = new ArrayList<>();
      rows.forEach(row -> all.add(UUID.fromString(row.getString(0))));
      return all;
    }) : Future.succeededFuture(List.of(promotion));
    return ids.compose(all -> {
      Map<UUID, Long> heads = new HashMap<>();
      Future<Void> chain = Future.succeededFuture();
      for (UUID id : all) {
        chain = chain.compose(v -> write(HEAD, Tuple.of(id.toString())).map(rows -> {
          heads.putAll(positions(rows));
          return null;
        }));
      }
      return chain.map(heads);
    });
  }

  /** A promotion's events after {@code after} up to {@code upTo}, at most {@code limit}, in sequence order. */
  public Future<List<SecKillEvent>> events(UUID promotion, long after, long upTo, int limit) {
    Future<RowSet<Row>> start = write(EventRows.START, Tuple.of(promotion.toString()));
    Future<RowSet<Row>> page = write(EVENTS, Tuple.of(promotion.toString(), after, upTo, limit));
    return Future.all(start, page).map(both -> {
      Double discount = EventRows.discount(start.result());
      List<SecKillEvent> events = new ArrayList<>(page.result().size());
      for (Row row : page.result()) {
        events.add(EventRows.event(promotion, row, discount));
      }
      return events;
    });
  }

  /** The positions {@code tables} hold, of every promotion or one. */
  public Future<Map<UUID, Long>> positions(ReadModelTables tables, UUID promotion) {
    String sql = "SELECT promotion_id, last_sequence FROM " + tables.positions()
        + (promotion == null ? "" : " WHERE promotion_id = ?");
    return read(readDb, sql, promotion == null ? Tuple.tuple() : Tuple.of(promotion.toString()))
        .map(RebuildStore::positions);
  }

  private static Map<UUID, Long> positions(RowSet<Row> rows) {
    Map<UUID, Long> positions = new HashMap<>();
    rows.forEach(row -> positions.put(UUID.fromString(row.getString(0)), row.getLong(1)));
    return positions;
  }

  /**
   * The whole read model's swap: one {@code RENAME TABLE} of the three live tables to {@code old} and the three
   * shadow tables to the live names, atomic (queries and the live projection's transactions wait for it, then see the
   * new tables). It waits at most {@link #RENAME_LOCK_WAIT_SECONDS} for a long statement on the tables.
   */
  public Future<Void> renameIn(ReadModelTables shadow, ReadModelTables old) {
    ReadModelTables live = ReadModelTables.LIVE;
    String rename = "RENAME TABLE " + live.coupons() + " TO " + old.coupons() + ", " + shadow.coupons() + " TO "
        + live.coupons() + ", " + live.activePromotions() + " TO " + old.activePromotions() + ", "
        + shadow.activePromotions() + " TO " + live.activePromotions() + ", " + live.positions() + " TO "
        + old.positions() + ", " + shadow.positions() + " TO " + live.positions();
    return readDb.withConnection(conn -> conn.query("SET SESSION lock_wait_timeout = " + RENAME_LOCK_WAIT_SECONDS)
        .execute().compose(v -> Databases.bounded(conn.query(rename).execute(), BULK_MILLIS, "ReadDB rebuild swap"))
        .mapEmpty());
  }

  /**
   * One promotion's swap, in one ReadDB transaction that holds its live position row locked (the live projection's
   * batches of that promotion wait, every other promotion goes on): {@code catchUp} gets the live position and brings
   * the shadow tables to it, then the promotion's live rows are replaced by the shadow's. Queries see the old rows
   * until the commit, the new ones after.
   */
  public Future<Void> swapOne(ReadModelTables shadow, UUID promotion,
                              Function<Long, Future<Void>> catchUp) {
    ReadModelTables live = ReadModelTables.LIVE;
    Tuple id = Tuple.of(promotion.toString());
    return readDb.withTransaction(conn -> read(conn, "SELECT last_sequence FROM " + live.positions()
            + " WHERE promotion_id = ? FOR UPDATE", id)
        .compose(rows -> catchUp.apply(rows.size() == 0 ? 0L : rows.iterator().next().getLong(0)))
        .compose(v -> bulk(conn, "DELETE FROM " + live.coupons() + " WHERE promotion_id = ?", id))
        .compose(v -> bulk(conn, "INSERT INTO " + live.coupons() + " (customer_id, promotion_id, sequence, discount,"
            + " grabbed_at) SELECT customer_id, promotion_id, sequence, discount, grabbed_at FROM " + shadow.coupons()
            + " WHERE promotion_id = ?", id))
        .compose(v -> bulk(conn, "DELETE FROM " + live.activePromotions() + " WHERE promotion_id = ?", id))
        .compose(v -> bulk(conn, "INSERT INTO " + live.activePromotions() + " (promotion_id, number_of_coupons,"
            + " remaining_coupons, discount, publish_time, finish_time) SELECT promotion_id, number_of_coupons,"
            + " remaining_coupons, discount, publish_time, finish_time FROM " + shadow.activePromotions()
            + " WHERE promotion_id = ?", id))
        .compose(v -> bulk(conn, "DELETE FROM " + live.positions() + " WHERE promotion_id = ?", id))
        .compose(v -> bulk(conn, "INSERT INTO " + live.positions() + " (promotion_id, last_sequence)"
            + " SELECT promotion_id, last_sequence FROM " + shadow.positions() + " WHERE promotion_id = ?", id))
        .mapEmpty());
  }

  private static Future<RowSet<Row>> bulk(SqlConnection conn, String sql, Tuple params) {
    return Databases.bounded(conn.preparedQuery(sql).execute(params), BULK_MILLIS, "ReadDB rebuild swap");
  }

  /** WriteDB reads: a page of events is not a hot-path statement; bounded by the longer of the deadline and 30 s. */
  private Future<RowSet<Row>> write(String sql, Tuple params) {
    return Databases.bounded(writeDb.preparedQuery(sql).execute(params),
        Math.max(writeDeadline, Databases.OFF_PATH_MILLIS),
        "WriteDB rebuild read");
  }

  private Future<RowSet<Row>> read(SqlClient client, String sql, Tuple params) {
    return Databases.bounded(client.preparedQuery(sql).execute(params),
        Math.max(readDeadline, Databases.OFF_PATH_MILLIS),
        "ReadDB rebuild statement");
  }

  /** Another rebuild runs (409 {@code rebuild_running}). */
  public static final class RebuildRunning extends RuntimeException {
    private final UUID running;

    public RebuildRunning(UUID running) {
      super("rebuild " + running + " is running: one at a time", null, false, false);
      this.running = running;
    }

    public UUID running() {
      return running;
    }
  }
}
