package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The fault tests' checker: the customers that got a 200, the CouponGrabbed events in WriteDB and the coupons in
 * ReadDB must agree. Every 200 is in WriteDB (I4); WriteDB and ReadDB hold the same coupons, none twice (I5); no
 * more than the stock (I1).
 */
final class Consistency {
  private static final Logger LOG = LoggerFactory.getLogger(Consistency.class);

  record Report(int accepted, int inWriteDb, int inReadDb) {
  }

  private Consistency() {
  }

  static Future<Report> check(Vertx vertx, Pool writeDb, Pool readDb, String promotionId, Set<String> accepted,
                              int coupons, Duration readSideBound) {
    return Async.eventually(vertx, readSideBound, () -> Future.all(customers(writeDb,
                "SELECT customer_id FROM events WHERE promotion_id = ? AND type = 'CouponGrabbedEvent'", promotionId),
            customers(readDb, "SELECT customer_id FROM coupons WHERE promotion_id = ?", promotionId))
        .map(all -> ((List<String>) all.resultAt(0)).size() == ((List<String>) all.resultAt(1)).size()))
        .compose(converged -> Future.all(customers(writeDb,
                "SELECT customer_id FROM events WHERE promotion_id = ? AND type = 'CouponGrabbedEvent'", promotionId),
            customers(readDb, "SELECT customer_id FROM coupons WHERE promotion_id = ?", promotionId)))
        .map(all -> {
          List<String> written = all.resultAt(0);
          List<String> read = all.resultAt(1);
          Set<String> writtenSet = new HashSet<>(written);
          Set<String> readSet = new HashSet<>(read);
          Set<String> missing = new HashSet<>(accepted);
          missing.removeAll(writtenSet);
          assertThat(missing).as("200s missing from WriteDB").isEmpty();
          assertThat(writtenSet.size()).as("no customer twice in WriteDB").isEqualTo(written.size());
          assertThat(readSet.size()).as("no coupon twice in ReadDB").isEqualTo(read.size());
          Set<String> notProjected = new HashSet<>(writtenSet);
          notProjected.removeAll(readSet);
          Set<String> extra = new HashSet<>(readSet);
          extra.removeAll(writtenSet);
          assertThat(notProjected).as("WriteDB coupons missing from ReadDB").isEmpty();
          assertThat(extra).as("ReadDB coupons WriteDB does not have").isEmpty();
          assertThat(written.size()).as("no oversell").isLessThanOrEqualTo(coupons);
          Report report = new Report(accepted.size(), written.size(), read.size());
          LOG.info("consistency: {}", report);
          return report;
        });
  }

  /**
   * The end of a fault test's sale: the crowd's answers broke no rule and none is missing; the promotion is cancelled
   * (one finish); then the ledger ({@link #check}), dense sequences with epochs never going down, one start and one
   * finish. The promotion's events (sequence, type, writer epoch) in sequence order.
   */
  static List<Row> cancelAndCheckLedger(Vertx vertx, RunningSystem system, WebClient client, Crowd crowd, int coupons) {
    assertThat(crowd.violations).as("answers that break a rule").isEmpty();
    assertThat(crowd.uncertain).as("grabs never answered").isEmpty();
    String promotionId = crowd.promotionId;
    HttpResponse<Buffer> cancel = Async.await(system.admin(client, HttpMethod.POST,
        "/admin/promotions/" + promotionId + "/cancel", null));
    assertThat(cancel.statusCode()).as(cancel.bodyAsString()).isIn(200, 202);
    Pool writeDb = system.writeDb(vertx);
    Pool readDb = system.readDb(vertx);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> writeDb.preparedQuery("SELECT COUNT(*) FROM"
        + " events WHERE promotion_id = ? AND type = 'PromotionFinishEvent'").execute(Tuple.of(promotionId))
        .map(rows -> rows.iterator().next().getLong(0) == 1)));
    Async.await(check(vertx, writeDb, readDb, promotionId, crowd.accepted, coupons, Duration.ofSeconds(60)));
    List<Row> events = new ArrayList<>();
    Async.await(writeDb.preparedQuery("SELECT sequence, type, writer_epoch FROM events WHERE promotion_id = ?"
        + " ORDER BY sequence").execute(Tuple.of(promotionId))).forEach(events::add);
    denseWithEpochsNeverDown(events, 0, 2);
    assertThat(events.stream().filter(r -> "PromotionStartEvent".equals(r.getString(1))).count()).as("one start")
        .isEqualTo(1);
    assertThat(events.stream().filter(r -> "PromotionFinishEvent".equals(r.getString(1))).count()).as("one finish")
        .isEqualTo(1);
    return events;
  }

  /**
   * A promotion's events in sequence order: sequences dense from 1, and the writer epoch never going down along them
   * (SPEC I9: a stale owner never wrote after its successor).
   */
  static void denseWithEpochsNeverDown(List<Row> events, int sequenceColumn, int epochColumn) {
    long sequence = 0;
    long epoch = 0;
    for (Row row : events) {
      assertThat(row.getLong(sequenceColumn)).as("sequences dense").isEqualTo(sequence + 1);
      sequence = row.getLong(sequenceColumn);
      assertThat(row.getLong(epochColumn)).as("writer epoch along the sequence").isGreaterThanOrEqualTo(epoch);
      epoch = row.getLong(epochColumn);
    }
  }

  private static Future<List<String>> customers(Pool pool, String sql, String promotionId) {
    return pool.preparedQuery(sql).execute(Tuple.of(promotionId)).map(rows -> {
      List<String> customers = new ArrayList<>(rows.size());
      for (Row row : rows) {
        customers.add(row.getString(0));
      }
      return customers;
    });
  }
}
