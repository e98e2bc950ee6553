package io.seckill.command.http;

import io.seckill.command.domain.Rejection;
import io.seckill.shared.http.HttpServers;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.shareddata.Shareable;

import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.Locale;
import io.seckill.shared.metrics.LatencyBuckets;

/**
 * What this member answered to the grabs of each promotion since it started: accepted, each refusal, 503s, and the
 * answers' latency in fixed buckets (the console's live view sums these over the members and takes deltas). One per
 * Vert.x instance, shared by its HTTP verticles. Bounded: a promotion gets a tally only when something shows it is
 * real (an accepted grab, a sold-out or duplicate answer, a ticket, which only a real promotion gets, or an admin
 * asking for it); a refusal of an unknown id is counted in {@link #untracked} only, so random ids cannot grow it.
 */
public final class GrabTallies implements Shareable {
  /** Upper bounds in milliseconds of the latency buckets; one more bucket holds the rest. */
  private static final long[] BUCKETS_MS = LatencyBuckets.millis();
  static final int MAX_PROMOTIONS = 10_000;

  private final Map<UUID, Tally> tallies = new ConcurrentHashMap<>();
  private final LongAdder untracked = new LongAdder();

  public static GrabTallies of(Vertx vertx) {
    return (GrabTallies) vertx.sharedData().getLocalMap("seckill.grabTallies")
        .computeIfAbsent("tallies", k -> new GrabTallies());
  }

  /** What an answer says about whether its promotion exists. */
  public enum Outcome {
    ACCEPTED(true), OUT_OF_STOCK(true), DUPLICATE_ORDER(true), PROMOTION_NOT_ACTIVE(false), RATE_LIMITED(false),
    UNAVAILABLE(false);

    private final boolean provesPromotion;

    Outcome(boolean provesPromotion) {
      this.provesPromotion = provesPromotion;
    }

    static Outcome of(Rejection rejection) {
      return switch (rejection) {
        case OUT_OF_STOCK -> OUT_OF_STOCK;
        case DUPLICATE_ORDER -> DUPLICATE_ORDER;
        case PROMOTION_NOT_ACTIVE -> PROMOTION_NOT_ACTIVE;
      };
    }

    String json() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** Counts one answer; {@code known} when a ticket (or anything else) already proved the promotion real. */
  public void record(UUID promotionId, Outcome outcome, long nanos, boolean known) {
    Tally tally = tallies.get(promotionId);
    if (tally == null) {
      if (!(known || outcome.provesPromotion) || tallies.size() >= MAX_PROMOTIONS) {
        untracked.increment();
        return;
      }
      tally = tallies.computeIfAbsent(promotionId, id -> new Tally());
    }
    tally.outcomes[outcome.ordinal()].increment();
    if (nanos >= 0) {
      tally.latency[bucket(nanos / 1_000_000.0)].increment();
    }
  }

  /** An admin asks for {@code promotionId}: it is tallied from now on, whatever the answers. */
  public void track(UUID promotionId) {
    if (tallies.size() < MAX_PROMOTIONS) {
      tallies.computeIfAbsent(promotionId, id -> new Tally());
    }
  }

  static int bucket(double millis) {
    for (int i = 0; i < BUCKETS_MS.length; i++) {
      if (millis <= BUCKETS_MS[i]) {
        return i;
      }
    }
    return BUCKETS_MS.length;
  }

  /**
   * {@code {"buckets": [...ms], "untracked": n, "promotions": {id: {"accepted": n, ..., "latency": [counts]}}}};
   * {@code only} limits it to one promotion (and tracks it) when not null.
   */
  public JsonObject toJson(UUID only) {
    JsonObject promotions = new JsonObject();
    if (only != null) {
      track(only);
    }
    tallies.forEach((id, tally) -> {
      if (only == null || only.equals(id)) {
        promotions.put(id.toString(), tally.toJson());
      }
    });
    JsonArray buckets = new JsonArray();
    for (long b : BUCKETS_MS) {
      buckets.add(b);
    }
    return new JsonObject().put("bucketsMs", buckets).put("untracked", untracked.sum())
        .put("connectionsRefused", HttpServers.refusedConnections()).put("promotions", promotions);
  }

  private static final class Tally {
    final LongAdder[] outcomes = adders(Outcome.values().length);
    final LongAdder[] latency = adders(BUCKETS_MS.length + 1);

    JsonObject toJson() {
      JsonObject json = new JsonObject();
      for (Outcome outcome : Outcome.values()) {
        json.put(outcome.json(), outcomes[outcome.ordinal()].sum());
      }
      JsonArray counts = new JsonArray();
      for (LongAdder bucket : latency) {
        counts.add(bucket.sum());
      }
      return json.put("latency", counts);
    }

    private static LongAdder[] adders(int n) {
      LongAdder[] adders = new LongAdder[n];
      for (int i = 0; i < n; i++) {
        adders[i] = new LongAdder();
      }
      return adders;
    }
  }
}
