package io.seckill.command.store;

import io.seckill.command.lease.Partitions;
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
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A grab's row in the event store holds no JSON (WriteDB V9): what the relay reads back from WriteDB (after a restart
 * or a broker outage) is still every event as it was appended, its time to the millisecond WriteDB keeps; rows written
 * before V9, with a grab's JSON, read back the same.
 */
@ExtendWith(VertxExtension.class)
class GrabRowsTest {
  private final Partitions partitions = new Partitions(64);
  private final UUID promotion = UUID.randomUUID();
  private final Instant now = Instant.now();
  private Pool pool;
  private EventStore store;
  private Fence fence;

  @BeforeEach
  void setUp(Vertx vertx) throws Exception {
    SecKillConfig config = TestInfra.freshConfig();
    pool = Databases.pool(vertx, config.writeDb(), "grab-rows-test");
    LeaseStore lease = new LeaseStore(pool, config.lease(), UUID.randomUUID().toString());
    Async.await(Migrations.migrate(vertx, pool, Migrations.WRITE));
    Async.await(lease.ensure());
    int partition = partitions.of(promotion);
    fence = new Fence(partitions, Map.of(partition, Async.await(lease.claim(partition, true))));
    store = new EventStore(pool, new WriterConnection(vertx, config.writeDb()), false);
  }

  private PromotionStartEvent start() {
    return new PromotionStartEvent(UUID.randomUUID(), promotion, 1, now, 3, 0.35, now.minusSeconds(1),
        now.plusSeconds(3600));
  }

  private CouponGrabbedEvent grab(long sequence, String customer) {
    // a time with microseconds, as the command side's clock gives
    return new CouponGrabbedEvent(UUID.randomUUID(), promotion, sequence, now.plusNanos(123_456_000L * sequence),
        customer, 0.35);
  }

  private static CouponGrabbedEvent toTheMillisecond(CouponGrabbedEvent grab) {
    return new CouponGrabbedEvent(grab.eventId(), grab.promotionId(), grab.sequence(),
        grab.time().truncatedTo(ChronoUnit.MILLIS), grab.customerId(), grab.discount());
  }

  private List<SecKillEvent> relayed(long from) throws Exception {
    List<SecKillEvent> events = new ArrayList<>();
    for (EventStore.Sequenced sequenced : Async.await(store.relayPage(promotion, from, 100))) {
      SecKillEvent event = EventCodec.decode(sequenced.event().json());
      assertThat(sequenced.sequence()).isEqualTo(event.sequence());
      assertThat(sequenced.event().eventId()).isEqualTo(event.eventId().toString());
      assertThat(sequenced.event().type()).isEqualTo(event.type());
      events.add(event);
    }
    return events;
  }

  @Test
  void aGrabsRowHoldsNoJsonAndTheRelayReadsEveryEventBackAsAppended() throws Exception {
    PromotionStartEvent start = start();
    CouponGrabbedEvent alice = grab(2, "alice \"the first\" \u00e9");
    CouponGrabbedEvent bob = grab(3, "bob");
    PromotionFinishEvent finish = new PromotionFinishEvent(UUID.randomUUID(), promotion, 4, now.plusSeconds(1),
        FinishReason.SOLD_OUT);
    Async.await(store.append(List.of(start), fence));
    Async.await(store.append(List.of(alice, bob, finish), fence));

    List<Row> rows = new ArrayList<>();
    Async.await(pool.preparedQuery("SELECT type, payload FROM events WHERE promotion_id = ? ORDER BY sequence")
        .execute(Tuple.of(promotion.toString()))).forEach(rows::add);
    assertThat(rows).extracting(row -> row.getString(0)).containsExactly(PromotionStartEvent.TYPE,
        CouponGrabbedEvent.TYPE, CouponGrabbedEvent.TYPE, PromotionFinishEvent.TYPE);
    assertThat(rows).extracting(row -> row.getString(1) == null).containsExactly(false, true, true, false);

    assertThat(relayed(1)).containsExactly(start, toTheMillisecond(alice), toTheMillisecond(bob), finish);
    assertThat(relayed(3)).containsExactly(toTheMillisecond(bob), finish);
  }

  @Test
  void aGrabWrittenWithItsJsonBeforeV9ReadsBackTheSame() throws Exception {
    PromotionStartEvent start = start();
    CouponGrabbedEvent old = toTheMillisecond(grab(2, "carol"));
    Async.await(store.append(List.of(start), fence));
    Async.await(pool.preparedQuery("INSERT INTO events (event_id, promotion_id, sequence, type, customer_id,"
            + " occurred_at, payload) VALUES (?, ?, ?, ?, ?, ?, ?)")
        .execute(Tuple.of(old.eventId().toString(), promotion.toString(), 2L, CouponGrabbedEvent.TYPE, "carol",
            SqlTime.toDb(old.time()), EventCodec.encode(old))));

    assertThat(relayed(1)).containsExactly(start, old);
  }

  @Test
  void aGrabWithoutItsPromotionsStartIsAnErrorNotAnEventWithoutTerms() throws Exception {
    Async.await(store.append(List.of(grab(2, "dave")), fence));

    assertThatThrownBy(() -> relayed(1)).hasMessageContaining("no start event");
  }
}
