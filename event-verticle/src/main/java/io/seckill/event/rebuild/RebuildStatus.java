package io.seckill.event.rebuild;

import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.Locale;

/**
 * What {@code GET /read-model/rebuilds/{id}} says of a rebuild (SPEC §8): its state, how many events it applied of
 * how many it must, its rate and the time left at that rate. {@code promotionId} is null for the whole read model.
 */
public record RebuildStatus(UUID rebuildId, UUID promotionId, State state, long eventsApplied, long eventsTotal,
                            double eventsPerSecond, Instant startedAt, Instant finishedAt, String error) {

  public enum State {
    RUNNING, CATCHING_UP, SWAPPED, FAILED;

    public String json() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static State of(String json) {
      return valueOf(json.toUpperCase(Locale.ROOT));
    }

    public boolean finished() {
      return this == SWAPPED || this == FAILED;
    }
  }

  /** Events per second since {@code startedAt}, at {@code now}. */
  public static double rate(long applied, Instant startedAt, Instant now) {
    long millis = Duration.between(startedAt, now).toMillis();
    return millis <= 0 ? 0 : applied * 1000.0 / millis;
  }

  /** Seconds left at the current rate; null when unknown (no rate yet) or finished. */
  public Long etaSeconds() {
    if (state.finished() || eventsPerSecond <= 0) {
      return null;
    }
    return (long) Math.ceil(Math.max(0, eventsTotal - eventsApplied) / eventsPerSecond);
  }

  /** Percent of the events applied, 0 to 100 (100 once swapped). */
  public int percent() {
    if (state == State.SWAPPED || eventsTotal == 0) {
      return state == State.SWAPPED ? 100 : 0;
    }
    return (int) Math.min(100, eventsApplied * 100 / eventsTotal);
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("rebuildId", rebuildId.toString())
        .put("promotionId", promotionId == null ? null : promotionId.toString())
        .put("state", state.json()).put("eventsApplied", eventsApplied).put("eventsTotal", eventsTotal)
        .put("eventsPerSecond", Math.round(eventsPerSecond)).put("etaSeconds", etaSeconds())
        .put("startedAt", startedAt.toString()).put("finishedAt", finishedAt == null ? null : finishedAt.toString())
        .put("error", error);
    return json;
  }
}
