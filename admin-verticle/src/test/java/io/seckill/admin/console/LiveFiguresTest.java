package io.seckill.admin.console;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LiveFiguresTest {
  private static final long[] BUCKETS = {1, 2, 5, 10};
  private static final Instant T0 = Instant.parse("2026-12-05T12:00:00Z");
  private static final LiveFigures.WriteSide RUNNING = new LiveFigures.WriteSide(100, "active", 40, null, null);

  private static JsonObject tally(long accepted, long outOfStock, long... latency) {
    JsonArray counts = new JsonArray();
    for (long c : latency) {
      counts.add(c);
    }
    return new JsonObject().put("accepted", accepted).put("out_of_stock", outOfStock).put("duplicate_order", 0)
        .put("rate_limited", 0).put("promotion_not_active", 0).put("unavailable", 0).put("latency", counts);
  }

  private static Map<String, JsonObject> members(JsonObject a, JsonObject b) {
    Map<String, JsonObject> members = new LinkedHashMap<>();
    members.put("a", a);
    members.put("b", b);
    return members;
  }

  @Test
  void ratesAreTheMembersCountsDifferencedOverTheTimeBetweenSamples() {
    LiveFigures figures = new LiveFigures();
    JsonObject first = figures.next(T0, RUNNING, 60, null, members(tally(10, 0, 10, 0, 0, 0, 0),
        tally(5, 0, 5, 0, 0, 0, 0)), BUCKETS);
    assertThat(first.getJsonObject("perSecond").getDouble("accepted")).isZero();
    assertThat(first.getValue("p99Ms")).isNull();
    JsonObject second = figures.next(T0.plusMillis(2000), RUNNING, 60, null, members(tally(30, 4, 20, 10, 4, 0, 0),
        tally(25, 0, 25, 0, 0, 0, 0)), BUCKETS);
    assertThat(second.getJsonObject("perSecond").getDouble("accepted")).isEqualTo(20.0);
    assertThat(second.getJsonObject("perSecond").getDouble("out_of_stock")).isEqualTo(2.0);
    assertThat(second.getJsonObject("answered").getLong("accepted")).isEqualTo(55);
    // 44 answers in the interval: 30 at most 1 ms, 10 at most 2 ms, 4 at most 5 ms: the 99th is in the 5 ms bucket
    assertThat(second.getLong("p99Ms")).isEqualTo(5);
  }

  @Test
  void aMemberThatRestartedCountsFromZeroAndOneThatDidNotAnswerCountsNothing() {
    LiveFigures figures = new LiveFigures();
    figures.next(T0, RUNNING, 60, null, members(tally(100, 0, 100, 0, 0, 0, 0), tally(50, 0, 50, 0, 0, 0, 0)), BUCKETS);
    JsonObject next = figures.next(T0.plusSeconds(1), RUNNING, 60, null,
        members(tally(7, 0, 7, 0, 0, 0, 0), null), BUCKETS);
    assertThat(next.getJsonObject("perSecond").getDouble("accepted")).isEqualTo(7.0);
    assertThat(next.getJsonArray("members").getJsonObject(1).getBoolean("answered")).isFalse();
  }

  @Test
  void couponsAndReadDbLagComeFromWriteDbAndTheQueryService() {
    LiveFigures figures = new LiveFigures();
    JsonObject sample = figures.next(T0, RUNNING, 70, T0.minusMillis(1500), Map.of(), BUCKETS);
    assertThat(sample.getLong("granted")).isEqualTo(40);
    assertThat(sample.getLong("couponsLeft")).isEqualTo(60);
    // ReadDB shows 30 granted of WriteDB's 40; the oldest grab it lacks happened 1.5 s ago
    assertThat(sample.getJsonObject("readDb").getLong("lagEvents")).isEqualTo(10);
    assertThat(sample.getJsonObject("readDb").getLong("lagMs")).isEqualTo(1500);
    JsonObject finished = figures.next(T0.plusSeconds(1), new LiveFigures.WriteSide(100, "finished", 100,
        T0, "sold_out"), null, null, Map.of(), BUCKETS);
    assertThat(finished.getValue("readDb")).isNull();
    assertThat(finished.getString("finishedAt")).isEqualTo(T0.toString());
    assertThat(finished.getString("finishReason")).isEqualTo("sold_out");
  }

  @Test
  void theP99IsTheBoundOfTheBucketThatHoldsIt() {
    assertThat(LiveFigures.p99(new long[] {99, 1, 0, 0, 0}, BUCKETS)).isEqualTo(1);
    assertThat(LiveFigures.p99(new long[] {98, 0, 0, 0, 2}, BUCKETS)).isEqualTo(-1);
    assertThat(LiveFigures.p99(new long[] {0, 0, 0, 0, 0}, BUCKETS)).isNull();
  }
}
