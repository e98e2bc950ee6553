package io.seckill.event.rebuild;

import io.seckill.event.store.ReadModelTables;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The rebuild's decisions without I/O: what is behind, progress and ETA, table names, the request body. */
class RebuildLogicTest {
  private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
  private static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");
  private static final UUID C = UUID.fromString("00000000-0000-0000-0000-00000000000c");

  @Test
  void behindNamesTheMissingRangeOfEachPromotionThatIsBehindAndNothingElse() {
    // A behind by 3, B level, C unknown to the copy; D-less target: a promotion only the copy has is not "behind"
    var behind = Behind.of(Map.of(A, 5L, B, 7L, UUID.randomUUID(), 9L), Map.of(A, 8L, B, 7L, C, 4L));
    assertThat(behind).containsOnlyKeys(A, C);
    assertThat(behind.get(A)).isEqualTo(new Behind.Range(5, 8));
    assertThat(behind.get(C)).isEqualTo(new Behind.Range(0, 4));
    assertThat(Behind.events(behind)).isEqualTo(7);
    // ahead is not behind: the shadow may run past the live projection
    assertThat(Behind.of(Map.of(A, 10L), Map.of(A, 8L))).isEmpty();
  }

  @Test
  void progressRateAndEtaFollowTheEventsApplied() {
    Instant start = Instant.parse("2026-12-05T10:00:00Z");
    double rate = RebuildStatus.rate(250_000, start, start.plusSeconds(2));
    assertThat(rate).isEqualTo(125_000.0);
    RebuildStatus running = new RebuildStatus(UUID.randomUUID(), null, RebuildStatus.State.RUNNING, 250_000, 1_000_000,
        rate, start, null, null);
    assertThat(running.percent()).isEqualTo(25);
    assertThat(running.etaSeconds()).isEqualTo(6);
    assertThat(running.toJson().getString("state")).isEqualTo("running");
    assertThat(running.toJson().getLong("eventsPerSecond")).isEqualTo(125_000);
    assertThat(running.toJson().getValue("promotionId")).isNull();
    RebuildStatus noRateYet = new RebuildStatus(UUID.randomUUID(), A, RebuildStatus.State.RUNNING, 0, 10, 0, start,
        null, null);
    assertThat(noRateYet.etaSeconds()).isNull();
    assertThat(RebuildStatus.rate(10, start, start)).isZero();
    RebuildStatus swapped = new RebuildStatus(UUID.randomUUID(), A, RebuildStatus.State.SWAPPED, 10, 10, 5, start,
        start.plusSeconds(2), null);
    assertThat(swapped.percent()).isEqualTo(100);
    assertThat(swapped.etaSeconds()).isNull();
    assertThat(swapped.toJson().getString("state")).isEqualTo("swapped");
    assertThat(RebuildStatus.State.of("catching_up")).isEqualTo(RebuildStatus.State.CATCHING_UP);
  }

  @Test
  void aRebuildsTablesAreNamedByItsIdAndOnlyThoseAreRecognised() {
    UUID id = UUID.fromString("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0");
    String tag = ReadModelTables.tagOf(id);
    assertThat(tag).isEqualTo("0f1e2d3c4b5a69788796a5b4c3d2e1f0");
    ReadModelTables shadow = ReadModelTables.shadow(tag);
    ReadModelTables old = ReadModelTables.old(tag);
    assertThat(shadow.all()).allSatisfy(name -> assertThat(name.length()).isLessThanOrEqualTo(64));
    assertThat(shadow.positions()).isEqualTo("projection_positions_rb_" + tag);
    for (String name : shadow.all()) {
      assertThat(ReadModelTables.tagOf(name)).isEqualTo(tag);
      assertThat(ReadModelTables.isOld(name)).isFalse();
    }
    for (String name : old.all()) {
      assertThat(ReadModelTables.tagOf(name)).isEqualTo(tag);
      assertThat(ReadModelTables.isOld(name)).isTrue();
    }
    // the live tables and look-alikes are never a rebuild's (the clean-up drops only a rebuild's)
    for (String name : new String[] {"coupons", "projection_positions", "coupons_rb_", "coupons_rb_" + tag + "x",
        "coupons_rb_" + tag.toUpperCase(), "schema_migrations", "orders_rb_" + tag, "coupons_old_x"}) {
      assertThat(ReadModelTables.tagOf(name)).as(name).isNull();
    }
    assertThatThrownBy(() -> ReadModelTables.shadow("x; DROP TABLE coupons")).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theRequestBodyIsNothingEmptyOrOnePromotionId() {
    assertThat(RebuildRoutes.promotionOf(null)).isNull();
    assertThat(RebuildRoutes.promotionOf("")).isNull();
    assertThat(RebuildRoutes.promotionOf("{}")).isNull();
    assertThat(RebuildRoutes.promotionOf("{\"promotionId\": null}")).isNull();
    assertThat(RebuildRoutes.promotionOf("{\"promotionId\": \"" + A + "\"}")).isEqualTo(A);
    for (String bad : new String[] {"[]", "{", "{\"promotionId\": 7}", "{\"promotionId\": \"7\"}", "{\"other\": 1}",
        "\"" + A + "\""}) {
      assertThatThrownBy(() -> RebuildRoutes.promotionOf(bad)).as(bad).isInstanceOf(IllegalArgumentException.class);
    }
  }
}
