package io.seckill.shared.event;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import java.util.Set;
import java.util.HashSet;

class EventCodecTest {
  private final UUID promotion = UUID.randomUUID();
  private final Instant t = Instant.parse("2026-11-28T16:00:00.123Z");

  private final List<SecKillEvent> events = List.of(
      new PromotionStartEvent(UUID.randomUUID(), promotion, 1, t, 10, 0.7, t, t.plusSeconds(60)),
      new CouponGrabbedEvent(UUID.randomUUID(), promotion, 2, t, "alice", 0.7),
      new PromotionFinishEvent(UUID.randomUUID(), promotion, 3, t, FinishReason.SOLD_OUT));

  @Test
  void everyEventTypeSurvivesARoundTrip() {
    for (SecKillEvent event : events) {
      assertThat(EventCodec.decode(EventCodec.encode(event))).isEqualTo(event);
    }
  }

  @Test
  void wireFormatNamesTypeAndFields() {
    var json = EventCodec.toJson(events.get(1));
    assertThat(json.getString("type")).isEqualTo("CouponGrabbedEvent");
    assertThat(json.getString("customerId")).isEqualTo("alice");
    assertThat(json.getLong("sequence")).isEqualTo(2L);
    assertThat(json.getString("time")).isEqualTo("2026-11-28T16:00:00.123Z");
    assertThat(EventCodec.toJson(events.get(2)).getString("reason")).isEqualTo("sold_out");
  }

  @Test
  void aBodyIsOneEventOrABatchInOrder() {
    var encoded = events.stream().map(EventCodec::encode).toList();
    assertThat(EventCodec.decodeBody(EventCodec.batchOf(encoded))).containsExactlyElementsOf(events);
    assertThat(EventCodec.decodeBody(EventCodec.encode(events.get(0)))).containsExactly(events.get(0));
  }

  @Test
  void customerIdsWithQuotesAndUnicodeSurviveTheDirectEncoder() {
    var grab = new CouponGrabbedEvent(UUID.randomUUID(), promotion, 9, t, "a\"b\\c\n\u00e9\u4e2d", 0.25);
    assertThat(EventCodec.decode(EventCodec.encode(grab))).isEqualTo(grab);
    assertThat(EventCodec.decode(EventCodec.encode(grab))).isEqualTo(EventCodec.fromJson(EventCodec.toJson(grab)));
  }

  @Test
  void somethingElseIsRefused() {
    assertThatThrownBy(() -> EventCodec.decodeBody("not json")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> EventCodec.decodeBody("{\"type\":\"Nope\"}")).isInstanceOf(IllegalArgumentException.class);
    String unknownType = EventCodec.encode(events.get(1)).replace("CouponGrabbedEvent", "Other");
    assertThatThrownBy(() -> EventCodec.decode(unknownType)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void eventIdsAreDistinctVersion7UuidsOrderedByTheirMillisecond() {
    Set<UUID> seen = new HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      UUID id = EventIds.next();
      assertThat(id.version()).isEqualTo(7);
      assertThat(id.variant()).isEqualTo(2);
      assertThat(UUID.fromString(id.toString())).isEqualTo(id);
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
    // later milliseconds sort later, as text too (what the event_id index compares)
    UUID earlier = EventIds.at(1_764_000_000_000L);
    UUID later = EventIds.at(1_764_000_000_001L);
    assertThat(earlier.toString()).isLessThan(later.toString());
    assertThat(earlier.toString()).startsWith("019ab697-e800-7");
  }
}
