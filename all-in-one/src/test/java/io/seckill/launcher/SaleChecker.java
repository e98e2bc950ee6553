package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.Collection;

/**
 * The nemesis's checker, in the shape of Jepsen's bank test: it reads the whole history (every answer a sale's
 * customers got, WriteDB's events, ReadDB's coupons) and names each kind of violation it finds instead of stopping at
 * the first: a 200 not in WriteDB (I4), a customer twice (I2), more grabs than coupons (I1), a coupon in one database
 * and not the other (I5), a sequence gap, a writer epoch going down along the sequence (I9), not exactly one start
 * and one finish (I6, I7), and what the clients were told that breaks a rule (I11: a grab never answered, a 5xx
 * other than 503, a 503 without Retry-After).
 */
final class SaleChecker {
  private static final int SHOWN = 5;
  private final Vertx vertx;
  private final Pool writeDb;
  private final Pool readDb;
  private final List<String> violations = new ArrayList<>();

  SaleChecker(Vertx vertx, Pool writeDb, Pool readDb) {
    this.vertx = vertx;
    this.writeDb = writeDb;
    this.readDb = readDb;
  }

  List<String> violations() {
    return violations;
  }

  private void violation(String sale, String kind, Collection<?> examples) {
    List<?> some = new ArrayList<>(examples).subList(0, Math.min(SHOWN, examples.size()));
    violations.add(sale + ": " + kind + " (" + examples.size() + ", e.g. " + some + ")");
  }

  /** Checks one sale, once its finish is written and ReadDB has caught up (bounded waits). */
  void check(Crowd crowd, int coupons) {
    String id = crowd.promotionId;
    String sale = "sale " + id.substring(0, 8);
    crowd.violations.stream().limit(SHOWN).forEach(v -> violations.add(sale + ": client saw " + v));
    if (crowd.violations.size() > SHOWN) {
      violations.add(sale + ": ... and " + (crowd.violations.size() - SHOWN) + " more answers that break a rule");
    }
    boolean finished = Async.await(Async.eventually(vertx, Duration.ofSeconds(60), () -> count(writeDb,
            "SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = 'PromotionFinishEvent'", id)
            .map(n -> n >= 1))
        .map(true).otherwise(false), Duration.ofSeconds(65));
    if (!finished) {
      violations.add(sale + ": no PromotionFinishEvent within 60 s of the cancel");
    }
    // ReadDB catches up with WriteDB (bounded): then both are read for good
    Async.await(Async.eventually(vertx, Duration.ofSeconds(90), () -> Future.all(
            count(writeDb, "SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = 'CouponGrabbedEvent'", id),
            count(readDb, "SELECT COUNT(*) FROM coupons WHERE promotion_id = ?", id))
        .map(all -> all.<Long>resultAt(0).equals(all.<Long>resultAt(1)))).otherwise(v -> null), Duration.ofSeconds(95));
    List<Row> events = rows(writeDb, "SELECT sequence, type, writer_epoch, customer_id FROM events"
        + " WHERE promotion_id = ? ORDER BY sequence", id);
    List<Row> read = rows(readDb, "SELECT customer_id FROM coupons WHERE promotion_id = ?", id);

    List<String> written = new ArrayList<>();
    long sequence = 0;
    long epoch = 0;
    int starts = 0;
    int finishes = 0;
    List<String> gaps = new ArrayList<>();
    List<String> epochsDown = new ArrayList<>();
    for (Row row : events) {
      long seq = row.getLong(0);
      if (seq != sequence + 1) {
        gaps.add(sequence + "->" + seq);
      }
      sequence = seq;
      long writer = row.getLong(2);
      if (writer < epoch) {
        epochsDown.add("sequence " + seq + ": epoch " + epoch + "->" + writer);
      }
      epoch = Math.max(epoch, writer);
      switch (row.getString(1)) {
        case "PromotionStartEvent" -> starts++;
        case "PromotionFinishEvent" -> finishes++;
        default -> written.add(row.getString(3));
      }
    }
    if (!gaps.isEmpty()) {
      violation(sale, "sequence gaps", gaps);
    }
    if (!epochsDown.isEmpty()) {
      violation(sale, "writer epoch went down along the sequence (a stale owner wrote)", epochsDown);
    }
    if (starts != 1) {
      violations.add(sale + ": " + starts + " PromotionStartEvents");
    }
    if (finishes != 1) {
      violations.add(sale + ": " + finishes + " PromotionFinishEvents");
    }
    if (!events.isEmpty() && !"PromotionFinishEvent".equals(events.get(events.size() - 1).getString(1))) {
      violations.add(sale + ": an event after the finish");
    }
    Set<String> writtenSet = new HashSet<>(written);
    if (writtenSet.size() != written.size()) {
      violation(sale, "customers granted twice in WriteDB", duplicates(written));
    }
    if (written.size() > coupons) {
      violations.add(sale + ": oversold, " + written.size() + " grabs of " + coupons + " coupons");
    }
    Set<String> lost = new TreeSet<>(crowd.accepted);
    lost.removeAll(writtenSet);
    if (!lost.isEmpty()) {
      violation(sale, "200s not in WriteDB (lost grabs)", lost);
    }
    List<String> readList = new ArrayList<>();
    read.forEach(row -> readList.add(row.getString(0)));
    Set<String> readSet = new HashSet<>(readList);
    if (readSet.size() != readList.size()) {
      violation(sale, "coupons twice in ReadDB", duplicates(readList));
    }
    Set<String> notProjected = new TreeSet<>(writtenSet);
    notProjected.removeAll(readSet);
    if (!notProjected.isEmpty()) {
      violation(sale, "grabs in WriteDB never projected to ReadDB", notProjected);
    }
    Set<String> extra = new TreeSet<>(readSet);
    extra.removeAll(writtenSet);
    if (!extra.isEmpty()) {
      violation(sale, "coupons in ReadDB that WriteDB does not have", extra);
    }
  }

  private static Set<String> duplicates(List<String> values) {
    Set<String> seen = new HashSet<>();
    Set<String> twice = new TreeSet<>();
    values.forEach(v -> {
      if (!seen.add(v)) {
        twice.add(v);
      }
    });
    return twice;
  }

  private static Future<Long> count(Pool pool, String sql, String id) {
    return pool.preparedQuery(sql).execute(Tuple.of(id)).map(rows -> rows.iterator().next().getLong(0));
  }

  private static List<Row> rows(Pool pool, String sql, String id) {
    List<Row> rows = new ArrayList<>();
    Async.await(pool.preparedQuery(sql).execute(Tuple.of(id))).forEach(rows::add);
    return rows;
  }
}
