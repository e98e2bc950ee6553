package io.seckill.event.rebuild;

import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.db.SqlTime;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.FinishReason;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The rebuild reads a grab's event from WriteDB's columns, not its JSON: against a real WriteDB, the events it reads
 * are the stored payloads' events (a grab's time to the millisecond both databases keep), pages included.
 */
@ExtendWith(VertxExtension.class)
class RebuildStoreTest {
  private static final String INSERT = "INSERT INTO events (event_id, promotion_id, sequence, type, customer_id,"
      + " occurred_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?)";

  private static Future<Void> insert(Pool writeDb, List<SecKillEvent> events) {
    List<Tuple> rows = new ArrayList<>();
    for (SecKillEvent e : events) {
      rows.add(Tuple.of(e.eventId().toString(), e.promotionId().toString(), e.sequence(), e.type(),
          e instanceof CouponGrabbedEvent c ? c.customerId() : null, SqlTime.toDb(e.time()), EventCodec.encode(e)));
    }
    return writeDb.preparedQuery(INSERT).executeBatch(rows).mapEmpty();
  }

  /** The events as the command side wrote them, a grab's time with microseconds as {@code Instant.now()} gives. */
  private static List<SecKillEvent> sale(UUID promotion, int grabs, double discount) {
    Instant t = Instant.parse("2026-12-05T10:00:00.123456Z");
    List<SecKillEvent> events = new ArrayList<>();
    events.add(new PromotionStartEvent(UUID.randomUUID(), promotion, 1, t, grabs, discount, t, t.plusSeconds(60)));
    for (int i = 0; i < grabs; i++) {
      events.add(new CouponGrabbedEvent(UUID.randomUUID(), promotion, i + 2, t.plusNanos(i * 1_234_567L),
          "customer-" + i, discount));
    }
    events.add(new PromotionFinishEvent(UUID.randomUUID(), promotion, grabs + 2, t.plusSeconds(9), FinishReason.SOLD_OUT));
    return events;
  }

  /** What ReadDB would keep of an event: a grab's time to the millisecond (DATETIME(3) drops the rest). */
  private static SecKillEvent asKept(SecKillEvent e) {
    if (e instanceof CouponGrabbedEvent c) {
      return new CouponGrabbedEvent(c.eventId(), c.promotionId(), c.sequence(), c.time().truncatedTo(ChronoUnit.MILLIS),
          c.customerId(), c.discount());
    }
    return e;
  }

  @Test
  void aGrabReadFromItsColumnsIsTheEventItsPayloadHolds(Vertx vertx) {
    SecKillConfig config = TestInfra.freshConfig();
    Pool writeDb = Databases.pool(vertx, config.writeDb(), "rebuild-store-test");
    Async.await(Migrations.migrate(vertx, writeDb, Migrations.WRITE));
    UUID promotion = UUID.randomUUID();
    UUID other = UUID.randomUUID();
    List<SecKillEvent> written = sale(promotion, 25, 0.35);
    Async.await(insert(writeDb, written));
    Async.await(insert(writeDb, sale(other, 3, 0.9)));
    RebuildStore store = new RebuildStore(writeDb, 5000, writeDb, 5000);

    List<SecKillEvent> read = new ArrayList<>();
    long after = 0;
    while (true) {
      List<SecKillEvent> page = Async.await(store.events(promotion, after, Long.MAX_VALUE, 7));
      if (page.isEmpty()) {
        break;
      }
      read.addAll(page);
      after = page.get(page.size() - 1).sequence();
    }
    assertThat(read).containsExactlyElementsOf(written.stream().map(RebuildStoreTest::asKept).toList());
    assertThat(Async.await(store.events(promotion, 10, 12, 100))).extracting(SecKillEvent::sequence)
        .containsExactly(11L, 12L);

    UUID headless = UUID.randomUUID();
    Async.await(insert(writeDb, sale(headless, 2, 0.5).subList(1, 3)));
    assertThatThrownBy(() -> Async.await(store.events(headless, 0, Long.MAX_VALUE, 10)))
        .hasMessageContaining("no start event");
  }
}
