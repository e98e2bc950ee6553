package io.seckill.command.http;

import io.seckill.command.http.GrabTallies.Outcome;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class GrabTalliesTest {
  @Test
  void answersAreCountedPerPromotionWithTheirLatency() {
    GrabTallies tallies = new GrabTallies();
    UUID sale = UUID.randomUUID();
    tallies.record(sale, Outcome.ACCEPTED, 800_000, false);
    tallies.record(sale, Outcome.OUT_OF_STOCK, 3_000_000, false);
    tallies.record(sale, Outcome.PROMOTION_NOT_ACTIVE, 9_000_000_000L, false);
    JsonObject tally = tallies.toJson(null).getJsonObject("promotions").getJsonObject(sale.toString());
    assertThat(tally.getLong("accepted")).isEqualTo(1);
    assertThat(tally.getLong("out_of_stock")).isEqualTo(1);
    assertThat(tally.getLong("promotion_not_active")).isEqualTo(1);
    assertThat(tally.getJsonArray("latency").getLong(0)).isEqualTo(1);   // <= 1 ms
    assertThat(tally.getJsonArray("latency").getLong(2)).isEqualTo(1);   // <= 5 ms
    assertThat(tally.getJsonArray("latency").getLong(12)).isEqualTo(1);  // past 5 s
  }

  @Test
  void refusalsOfIdsNothingShowedRealDoNotGrowTheTallies() {
    GrabTallies tallies = new GrabTallies();
    for (int i = 0; i < 1_000; i++) {
      tallies.record(UUID.randomUUID(), Outcome.PROMOTION_NOT_ACTIVE, 1_000, false);
      tallies.record(UUID.randomUUID(), Outcome.UNAVAILABLE, 1_000, false);
      tallies.record(UUID.randomUUID(), Outcome.RATE_LIMITED, -1, false);
    }
    JsonObject json = tallies.toJson(null);
    assertThat(json.getJsonObject("promotions").size()).isZero();
    assertThat(json.getLong("untracked")).isEqualTo(3_000);
    UUID ticketed = UUID.randomUUID();
    tallies.record(ticketed, Outcome.PROMOTION_NOT_ACTIVE, 1_000, true);
    UUID asked = UUID.randomUUID();
    assertThat(tallies.toJson(asked).getJsonObject("promotions").fieldNames()).containsExactly(asked.toString());
    tallies.record(asked, Outcome.PROMOTION_NOT_ACTIVE, 1_000, false);
    assertThat(tallies.toJson(null).getJsonObject("promotions").fieldNames())
        .containsExactlyInAnyOrder(ticketed.toString(), asked.toString());
  }

  @Test
  void theTalliesStayBounded() {
    GrabTallies tallies = new GrabTallies();
    for (int i = 0; i < GrabTallies.MAX_PROMOTIONS + 10; i++) {
      tallies.record(UUID.randomUUID(), Outcome.ACCEPTED, 1_000, false);
    }
    assertThat(tallies.toJson(null).getJsonObject("promotions").size()).isEqualTo(GrabTallies.MAX_PROMOTIONS);
    assertThat(tallies.toJson(null).getLong("untracked")).isEqualTo(10);
  }
}
