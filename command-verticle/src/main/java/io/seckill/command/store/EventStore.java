package io.seckill.command.store;

import io.seckill.command.domain.CustomerChunk;
import io.seckill.command.domain.CustomerChunker;
import io.seckill.command.domain.CustomerSet;
import io.seckill.shared.db.EventRows;
import io.seckill.shared.db.MultiRowInsert;
import io.seckill.shared.db.SqlTime;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.messaging.EncodedEvent;
import io.seckill.shared.config.DbConfig;
import io.seckill.shared.db.Databases;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Stream;
import java.util.HashSet;

/**
 * The event store in WriteDB (the command side's SQL but the leases': {@link LeaseStore}). Appends are one
 * transaction each: the fence of their partitions ({@link #FENCE}), then multi-row {@code INSERT ... VALUES
 * (...),(...)} statements whose row counts are those of {@link MultiRowInsert#statementRows}, so a few dozen
 * prepared statements serve every batch size.
 */
public final class EventStore implements EventLog, PromotionHistory {
  private static final Logger LOG = LoggerFactory.getLogger(EventStore.class);
  private static final MultiRowInsert INSERT = new MultiRowInsert("INSERT INTO events"
      + " (event_id, promotion_id, sequence, type, customer_id, occurred_at, payload, writer_epoch) VALUES ",
      "(?, ?, ?, ?, ?, ?, ?, ?)");
  /**
   * The fence (SPEC I9) on one server, first in every append's transaction: it matches its partition's row only while
   * the epoch is the one this process claimed, and holds that row's lock until the commit, so a claim (which bumps the
   * epoch) lands wholly before or after the batch. Matched, not changed, rows are counted (CLIENT_FOUND_ROWS).
   */
  static final String FENCE_LOCK = "UPDATE partition_leases SET epoch = epoch WHERE partition_id = ? AND epoch = ?";
  /**
   * The fence on Galera (SPEC §10): the same match, and a write of the row ({@code fence + 1}, V8), so that the row is
   * in the append's write-set. An append certified after a claim of its partition committed through another node fails
   * with 1213, even when its own node had not yet applied that claim when the fence ran: {@link #FENCE_LOCK} changes
   * nothing, so Galera certifies nothing of it and lets that append commit on every node. On one server it would hold
   * the same lock as {@link #FENCE_LOCK}, at the cost of a row write per group commit (W2 0.92x in BENCHMARKS.md).
   */
  static final String FENCE_WRITE = "UPDATE partition_leases SET fence = fence + 1 WHERE partition_id = ? AND epoch = ?";
  private static final int CONFLICT_RETRIES = 2;
  /** MySQL's answer to {@code @@wsrep_on}: a server without Galera. */
  private static final int ER_UNKNOWN_SYSTEM_VARIABLE = 1193;
  private static final String CLOSE_PROMOTION = "UPDATE promotions SET status = 'finished',"
      + " updated_at = UTC_TIMESTAMP(6) WHERE promotion_id = ?";
  private static final String START_PROMOTION = "UPDATE promotions SET status = ?, updated_at = UTC_TIMESTAMP(6)"
      + " WHERE promotion_id = ? AND status = 'scheduled' AND version = ?";
  /** A promotion's events from a sequence on, as the relay sends them ({@link EventRows}). */
  private static final String RELAY_PAGE = "SELECT " + EventRows.COLUMNS + " FROM events"
      + " WHERE promotion_id = ? AND sequence >= ? ORDER BY sequence LIMIT ?";
  /** Per promotion with events, its last sequence (a loose scan of the (promotion, sequence) key). */
  private static final String LAST_SEQUENCES = "SELECT promotion_id, MAX(sequence) FROM events GROUP BY promotion_id";
  private static final String RELAY_CURSORS = "SELECT promotion_id, sequence FROM relay_cursors";
  private static final String RELAY_CURSOR = "SELECT sequence FROM relay_cursors WHERE promotion_id = ?";
  /** Cursors only go forward: a stale or late save never moves one back. */
  private static final MultiRowInsert SAVE_CURSORS = new MultiRowInsert("INSERT INTO relay_cursors"
      + " (promotion_id, sequence) VALUES ", "(?, ?)",
      " ON DUPLICATE KEY UPDATE sequence = GREATEST(sequence, VALUES(sequence))");
  private static final String STORED_PROMOTIONS = "SELECT DISTINCT promotion_id FROM events";
  /** Promotions still on sale, or started or finished within a number of seconds (the parameter). */
  private static final String RECENT_PROMOTIONS = "SELECT promotion_id FROM promotions WHERE status = 'active'"
      + " OR updated_at >= UTC_TIMESTAMP(6) - INTERVAL ? SECOND";
  /** A promotion's start and finish: its only events without a customer. */
  private static final String LIFECYCLE = "SELECT payload FROM events WHERE promotion_id = ? AND customer_id IS NULL"
      + " ORDER BY sequence";
  private static final String LAST_SEQUENCE = "SELECT MAX(sequence) FROM events WHERE promotion_id = ?";
  /** A promotion's snapshot chunks (see {@link CustomerChunk}), in sequence order. */
  private static final String CHUNKS = "SELECT first_sequence, grabs, customers FROM customer_chunks"
      + " WHERE promotion_id = ? ORDER BY first_sequence";
  private static final String SAVE_CHUNK = "INSERT INTO customer_chunks (promotion_id, first_sequence, grabs, customers)"
      + " VALUES (?, ?, ?, ?) ON DUPLICATE KEY UPDATE grabs = VALUES(grabs), customers = VALUES(customers)";
  /** The customers of a promotion's grabs in a range of sequences, in sequence order (the finish has none). */
  private static final String CUSTOMERS_BY_SEQUENCE = "SELECT customer_id FROM events WHERE promotion_id = ?"
      + " AND sequence >= ? AND sequence < ? AND customer_id IS NOT NULL ORDER BY sequence";
  /** Grabs after the last chunk are read in ranges of this many sequences, side by side. */
  private static final int SEQUENCE_RANGE = 100_000;

  /**
   * What one promotion's stored events imply: its start, the customers served, its finish if any; and, for the
   * snapshots to go on from, the first grab in no chunk and the customers from that grab on, in sequence order.
   */
  public record StoredPromotion(PromotionStartEvent start, CustomerSet customers, PromotionFinishEvent finish,
                                long lastSequence, long unchunkedFrom, List<String> unchunked) {
  }

  /** A stored event, as its JSON text, with its promotion and its sequence in that promotion. */
  public record Sequenced(UUID promotionId, long sequence, EncodedEvent event) {
  }

  private final Pool pool;
  private final WriterConnection writer;
  private final long deadlineMillis;
  private final String fenceSql;

  /**
   * @param writer    the connection group commits go through (the rest uses {@code pool})
   * @param certified WriteDB is a Galera cluster: the fence writes its row ({@link #FENCE_WRITE}), see {@link #galera}
   */
  public EventStore(Pool pool, WriterConnection writer, boolean certified) {
    this.pool = pool;
    this.writer = writer;
    this.deadlineMillis = writer.deadlineMillis();
    this.fenceSql = certified ? FENCE_WRITE : FENCE_LOCK;
  }

  /**
   * Whether WriteDB certifies its writes (Galera): several nodes configured, or {@code wsrep_on} on the server (a
   * single address in front of a cluster). A server without the variable (MySQL: "unknown system variable") is not;
   * any other failure fails the start rather than guess (a guess of "no" would leave a cluster without its fence).
   */
  public static Future<Boolean> galera(Pool pool, DbConfig db) {
    if (db.nodes().size() > 1) {
      return Future.succeededFuture(true);
    }
    return pool.query("SELECT @@GLOBAL.wsrep_on").execute()
        .map(rows -> rows.iterator().next().getValue(0))
        .map(value -> value != null && ("1".equals(value.toString()) || "ON".equalsIgnoreCase(value.toString())))
        .recover(e -> e instanceof MySQLException sql && sql.getErrorCode() == ER_UNKNOWN_SYSTEM_VARIABLE
            ? Future.succeededFuture(false) : Future.failedFuture(e));
  }

  /**
   * Appends events atomically under {@code fence}, in one transaction on the writer connection: the fence of each
   * partition first, the INSERTs, and for a finish its promotions row marked finished. Fails with
   * {@link FencedException}, having written nothing, when an epoch is no longer current. The future holds the
   * events as stored.
   */
  @Override
  public Future<List<Sequenced>> append(List<SecKillEvent> events, Fence fence) {
    return append(events, fence, CONFLICT_RETRIES);
  }

  /**
   * A transaction refused with 1213 (a deadlock on one server; on Galera, a failed certification, at COMMIT or when a
   * replicated write aborted it) was rolled back, wholly: it is sent again, fences included, a few times. If a claim
   * of its partition is what it conflicted with, the fence finds the new epoch and the append fails as fenced (or
   * conflicts again, while its node has not applied the claim yet): a stale owner never commits.
   */
  private Future<List<Sequenced>> append(List<SecKillEvent> events, Fence fence, int retries) {
    return attempt(events, fence).recover(e -> {
      if (retries > 0 && Databases.conflict(e)) {
        LOG.info("append of {} events refused by a conflict ({}); sending it again", events.size(), e.getMessage());
        return append(events, fence, retries - 1);
      }
      return Future.failedFuture(e);
    });
  }

  private Future<List<Sequenced>> attempt(List<SecKillEvent> events, Fence fence) {
    // BEGIN, the fences and the INSERTs go out back to back on the pipelined writer connection, then COMMIT, or
    // ROLLBACK when anything failed (a fence that matched nothing first): a stale writer's rows are never committed
    return writer.run(conn -> {
      Future<?> begin = conn.query("BEGIN").execute();
      Future<Void> fenced = fence(conn, fence);
      Future<List<Sequenced>> inserted = insert(conn, events, fence);
      Future<Void> closed = inserted.compose(stored -> closeFinished(conn, events));
      return Future.join(begin, fenced, inserted, closed).transform(ar -> {
        Throwable failure = Stream.of(fenced, begin, inserted, closed).filter(Future::failed).map(Future::cause)
            .findFirst().orElse(null);
        if (failure == null) {
          return conn.query("COMMIT").execute().map(inserted.result());
        }
        return conn.query("ROLLBACK").execute().transform(rolledBack -> Future.failedFuture(failure));
      });
    });
  }

  /** A round trip on the writer connection: whether an append could be committed now. */
  @Override
  public Future<List<Sequenced>> ping() {
    return writer.run(conn -> conn.query("SELECT 1").execute().map(rows -> List.<Sequenced>of()));
  }

  /**
   * Appends a promotion's start (and maybe its finish) under {@code fence} if its promotions row is still scheduled
   * at {@code version}: the events as stored; none, with nothing written, when the admin changed or deleted it in the
   * meantime.
   */
  @Override
  public Future<List<Sequenced>> appendStart(UUID promotionId, int version, List<SecKillEvent> events,
                                             Fence fence) {
    boolean finishesToo = events.stream().anyMatch(e -> e instanceof PromotionFinishEvent);
    return bounded(pool.withTransaction(conn -> fence(conn, fence).compose(v -> conn.preparedQuery(START_PROMOTION)
        .execute(Tuple.of(finishesToo ? "finished" : "active", promotionId.toString(), version))
        .compose(rows -> rows.rowCount() == 1
            ? insert(conn, events, fence)
            : Future.succeededFuture(List.<Sequenced>of())))));
  }

  /** Checks (and locks until the commit) each partition's row at the fence's epoch, in partition order. */
  private Future<Void> fence(SqlConnection conn, Fence fence) {
    List<Future<Void>> checks = new ArrayList<>();
    for (Map.Entry<Integer, Long> entry : fence.epochs().entrySet()) {
      int partition = entry.getKey();
      long epoch = entry.getValue();
      checks.add(conn.preparedQuery(fenceSql).execute(Tuple.of(partition, epoch)).compose(rows ->
          rows.rowCount() == 1 ? Future.<Void>succeededFuture() : Future.<Void>failedFuture(new FencedException(
              Set.of(partition), "partition " + partition + " is no longer at epoch " + epoch
              + ": another process claimed it"))));
    }
    return Future.all(checks).mapEmpty();
  }

  /** Inserts the events; the future holds them as stored. */
  private Future<List<Sequenced>> insert(SqlClient client, List<SecKillEvent> events, Fence fence) {
    List<Sequenced> stored = new ArrayList<>(events.size());
    Future<?> chain = Future.succeededFuture();
    for (List<SecKillEvent> statement : MultiRowInsert.statements(events)) {
      int size = statement.size();
      Tuple params = rows(statement, stored, fence);
      chain = chain.compose(v -> client.preparedQuery(INSERT.sql(size)).execute(params));
    }
    return chain.map(stored);
  }

  private static Tuple rows(List<SecKillEvent> events, List<Sequenced> encoded, Fence fence) {
    Tuple tuple = Tuple.tuple();
    for (SecKillEvent event : events) {
      String eventId = event.eventId().toString();
      String json = EventCodec.encode(event);
      encoded.add(new Sequenced(event.promotionId(), event.sequence(), new EncodedEvent(eventId, event.type(), json)));
      tuple.addString(eventId)
          .addString(event.promotionId().toString())
          .addLong(event.sequence())
          .addString(event.type())
          .addString(event instanceof CouponGrabbedEvent grab ? grab.customerId() : null)
          .addLocalDateTime(SqlTime.toDb(event.time()))
          .addString(event instanceof CouponGrabbedEvent ? null : json) // a grab is its columns (EventRows)
          .addLong(fence.epochOf(event.promotionId()));
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

  /**
   * Every promotion with events that {@code which} selects, as its events imply. Grabs are not read as events:
   * their customers come from the promotion's snapshot chunks (a few blobs), then from the customer column of the
   * grabs after the last chunk, and only starts and finishes are decoded; a restart over a million events reads a
   * few dozen rows.
   */
  @Override
  public Future<List<StoredPromotion>> loadPromotions(Predicate<UUID> which) {
    return slow(pool.query(STORED_PROMOTIONS).execute()).compose(rows -> {
      List<Future<StoredPromotion>> loading = new ArrayList<>();
      for (Row row : rows) {
        String id = row.getString(0);
        if (which.test(UUID.fromString(id))) {
          loading.add(loadPromotion(id));
        }
      }
      return Future.all(loading).map(all -> {
        List<StoredPromotion> loaded = new ArrayList<>(loading.size());
        loading.forEach(promotion -> loaded.add(promotion.result()));
        return loaded;
      });
    });
  }

  /**
   * One promotion as its events imply, read the same way (after a failed write, to rebuild it); null when it has
   * no events yet.
   */
  @Override
  public Future<StoredPromotion> loadPromotion(UUID promotionId) {
    return loadPromotion(promotionId.toString());
  }

  private Future<StoredPromotion> loadPromotion(String promotionId) {
    Tuple id = Tuple.of(promotionId);
    return Future.all(bounded(pool.preparedQuery(LIFECYCLE).execute(id)),
            bounded(pool.preparedQuery(LAST_SEQUENCE).execute(id)), slow(pool.preparedQuery(CHUNKS).execute(id)))
        .compose(all -> {
          PromotionStartEvent start = null;
          PromotionFinishEvent finish = null;
          for (Row row : all.<RowSet<Row>>resultAt(0)) {
            SecKillEvent event = EventCodec.decode(row.getString(0));
            if (event instanceof PromotionStartEvent s) {
              start = s;
            } else if (event instanceof PromotionFinishEvent f) {
              finish = f;
            }
          }
          Long last = all.<RowSet<Row>>resultAt(1).iterator().next().getLong(0);
          if (last == null) {
            return Future.succeededFuture(null);
          }
          long lastSequence = last;
          if (start == null) {
            return Future.failedFuture(new IllegalStateException("event store: promotion " + promotionId
                + " has events but no start"));
          }
          CustomerSet customers = CustomerSet.withCapacity((int) Math.min(Integer.MAX_VALUE / 2, lastSequence));
          long unchunkedFrom = addChunks(promotionId, all.resultAt(2), customers);
          PromotionStartEvent started = start;
          PromotionFinishEvent finished = finish;
          return customersFrom(promotionId, unchunkedFrom, lastSequence).map(unchunked -> {
            unchunked.forEach(customers::add);
            return new StoredPromotion(started, customers, finished, lastSequence, unchunkedFrom, unchunked);
          });
        });
  }

  /**
   * Adds the customers of the chunks that follow each other from the first grab on; returns the sequence after
   * the last of them. A chunk that does not follow on, or whose bytes do not hold its count of customers, ends the
   * run: the grabs from there on are read from the events.
   */
  private static long addChunks(String promotionId, RowSet<Row> chunks, CustomerSet customers) {
    long next = CustomerChunker.FIRST_GRAB;
    for (Row row : chunks) {
      long first = row.getLong(0);
      int grabs = row.getInteger(1);
      if (first != next) {
        LOG.warn("promotion {}: snapshot chunk at sequence {} where {} was next; grabs from {} on are read from"
            + " the events", promotionId, first, next, next);
        break;
      }
      byte[] chunk = row.getBuffer(2).getBytes();
      int held;
      try {
        held = CustomerChunkCodec.count(chunk);
      } catch (IllegalArgumentException e) {
        LOG.warn("promotion {}: snapshot chunk at sequence {} unreadable ({}); grabs from {} on are read from the"
            + " events", promotionId, first, e.getMessage(), next);
        break;
      }
      if (held != grabs) {
        LOG.warn("promotion {}: snapshot chunk at sequence {} holds {} customers, not {}; grabs from {} on are read"
            + " from the events", promotionId, first, held, grabs, next);
        break;
      }
      CustomerChunkCodec.decode(chunk, customers);
      next += grabs;
    }
    return next;
  }

  /** The customers of a promotion's grabs from sequence {@code from} to {@code last}, in sequence order. */
  private Future<List<String>> customersFrom(String promotionId, long from, long last) {
    List<Future<RowSet<Row>>> ranges = new ArrayList<>();
    for (long first = from; first <= last; first += SEQUENCE_RANGE) {
      ranges.add(slow(pool.preparedQuery(CUSTOMERS_BY_SEQUENCE)
          .execute(Tuple.of(promotionId, first, Math.min(first + SEQUENCE_RANGE, last + 1)))));
    }
    return Future.all(ranges).map(all -> {
      List<String> customers = new ArrayList<>((int) Math.max(0, last - from + 1));
      for (Future<RowSet<Row>> range : ranges) {
        for (Row row : range.result()) {
          customers.add(row.getString(0));
        }
      }
      return customers;
    });
  }

  /** Stores a snapshot chunk; storing one again (after a rebuild) writes the same. */
  @Override
  public Future<Void> saveChunk(CustomerChunk chunk) {
    return bounded(pool.preparedQuery(SAVE_CHUNK).execute(Tuple.of(chunk.promotionId().toString(),
        chunk.firstSequence(), chunk.customers().size(), Buffer.buffer(CustomerChunkCodec.encode(chunk.customers()))))).mapEmpty();
  }

  /** Up to {@code limit} of a promotion's events from {@code fromSequence} on, in sequence order, for the relay. */
  public Future<List<Sequenced>> relayPage(UUID promotionId, long fromSequence, int limit) {
    Future<RowSet<Row>> start = bounded(pool.preparedQuery(EventRows.START).execute(Tuple.of(promotionId.toString())));
    Future<RowSet<Row>> page = bounded(pool.preparedQuery(RELAY_PAGE)
        .execute(Tuple.of(promotionId.toString(), fromSequence, limit)));
    return Future.all(start, page).map(both -> {
      Double discount = EventRows.discount(start.result());
      List<Sequenced> events = new ArrayList<>(page.result().size());
      for (Row row : page.result()) {
        events.add(new Sequenced(promotionId, EventRows.sequence(row),
            new EncodedEvent(row.getString(1), row.getString(2), EventRows.json(promotionId, row, discount))));
      }
      return events;
    });
  }

  /** A promotion's last sequence and the last one its relay cursor says the broker accepted. */
  public record Backlog(long last, long relayed) {
  }

  /** Per promotion that {@code which} selects and that has events: how far it is stored and relayed. */
  public Future<Map<UUID, Backlog>> relayBacklog(Predicate<UUID> which) {
    return Future.all(bounded(pool.query(LAST_SEQUENCES).execute()), bounded(pool.query(RELAY_CURSORS).execute()))
        .map(all -> {
      Map<UUID, Long> cursors = new HashMap<>();
      for (Row row : all.<RowSet<Row>>resultAt(1)) {
        cursors.put(UUID.fromString(row.getString(0)), row.getLong(1));
      }
      Map<UUID, Backlog> backlog = new HashMap<>();
      for (Row row : all.<RowSet<Row>>resultAt(0)) {
        UUID id = UUID.fromString(row.getString(0));
        if (which.test(id)) {
          backlog.put(id, new Backlog(row.getLong(1), cursors.getOrDefault(id, 0L)));
        }
      }
      return backlog;
    });
  }

  /** The promotions still on sale, or started or finished within the last {@code seconds}. */
  public Future<Set<UUID>> recentPromotions(long seconds) {
    return bounded(pool.preparedQuery(RECENT_PROMOTIONS).execute(Tuple.of(seconds))).map(rows -> {
      Set<UUID> recent = new HashSet<>();
      for (Row row : rows) {
        recent.add(UUID.fromString(row.getString(0)));
      }
      return recent;
    });
  }

  /** The last sequence of a promotion the broker accepted, as its relay cursor says (0 for none). */
  public Future<Long> relayCursor(UUID promotionId) {
    return bounded(pool.preparedQuery(RELAY_CURSOR).execute(Tuple.of(promotionId.toString()))).map(rows -> {
      Row row = rows.iterator().hasNext() ? rows.iterator().next() : null;
      return row == null ? 0L : row.getLong(0);
    });
  }

  /** Moves relay cursors forward (never back), in statements of {@link MultiRowInsert#statementRows} rows. */
  public Future<Void> saveRelayCursors(Map<UUID, Long> cursors) {
    List<Map.Entry<UUID, Long>> entries = new ArrayList<>(cursors.entrySet());
    Future<?> chain = Future.succeededFuture();
    for (List<Map.Entry<UUID, Long>> statement : MultiRowInsert.statements(entries)) {
      Tuple params = Tuple.tuple();
      statement.forEach(e -> params.addString(e.getKey().toString()).addLong(e.getValue()));
      int size = statement.size();
      chain = chain.compose(v -> bounded(pool.preparedQuery(SAVE_CURSORS.sql(size)).execute(params)));
    }
    return chain.mapEmpty();
  }

  /** A read or write of the store gives up after the WriteDB deadline (SECKILL_WRITE_DB_DEADLINE_MS). */
  private <T> Future<T> bounded(Future<T> operation) {
    return Databases.bounded(operation, deadlineMillis, "event store");
  }

  /** A read of many rows (a promotion's grabs, its snapshot chunks) gets ten deadlines. */
  private <T> Future<T> slow(Future<T> operation) {
    return Databases.bounded(operation, 10 * deadlineMillis, "event store");
  }
}
