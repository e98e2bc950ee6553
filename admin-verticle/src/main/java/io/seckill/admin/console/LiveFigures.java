package io.seckill.admin.console;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The figures of one live view, one sample at a time: what WriteDB holds (the truth the audit checks), how far ReadDB
 * is behind it, and per second what the command members answered (their cumulative tallies, differenced; a member
 * that restarted starts again from zero and its new count is the delta). No I/O: the sampler feeds it.
 */
public final class LiveFigures {
  /**
   * The answers counted per member, in the order the page shows them; then the connections the member's process
   * refused over a cap (for any promotion: a connection is refused before its request names one).
   */
  public static final List<String> OUTCOMES = List.of("accepted", "out_of_stock", "duplicate_order", "rate_limited",
      "promotion_not_active", "unavailable", "connections_refused");

  private final Map<String, long[]> lastOutcomes = new HashMap<>();
  private final Map<String, long[]> lastLatency = new HashMap<>();
  private Instant lastAt;

  /** What WriteDB says: the coupons, the status, {@code granted} grabs committed, and the finish once written. */
  public record WriteSide(int numberOfCoupons, String status, long granted, Instant finishedAt, String finishReason) {
  }

  /**
   * One sample at {@code now}. {@code readRemaining} is ReadDB's remaining coupons, null when ReadDB does not show the
   * promotion as active; {@code oldestUnread} the occurrence time of the first grab ReadDB does not hold yet (null when
   * it holds them all); {@code members} each command member's tally of this promotion (null: it did not answer).
   */
  public JsonObject next(Instant now, WriteSide write, Integer readRemaining, Instant oldestUnread,
                         Map<String, JsonObject> members, long[] bucketsMs) {
    double seconds = lastAt == null ? 0 : Math.max(0.001, Duration.between(lastAt, now).toNanos() / 1e9);
    long[] totals = new long[OUTCOMES.size()];
    long[] deltas = new long[OUTCOMES.size()];
    long[] latencyDeltas = new long[bucketsMs.length + 1];
    JsonArray memberStates = new JsonArray();
    for (Map.Entry<String, JsonObject> member : members.entrySet()) {
      JsonObject tally = member.getValue();
      memberStates.add(new JsonObject().put("url", member.getKey()).put("answered", tally != null));
      if (tally == null) {
        continue;
      }
      long[] outcomes = new long[OUTCOMES.size()];
      for (int i = 0; i < outcomes.length; i++) {
        outcomes[i] = tally.getLong(OUTCOMES.get(i), 0L);
        totals[i] += outcomes[i];
      }
      long[] latency = new long[latencyDeltas.length];
      JsonArray counts = tally.getJsonArray("latency", new JsonArray());
      for (int i = 0; i < latency.length && i < counts.size(); i++) {
        latency[i] = counts.getLong(i);
      }
      add(deltas, outcomes, lastOutcomes.put(member.getKey(), outcomes));
      add(latencyDeltas, latency, lastLatency.put(member.getKey(), latency));
    }
    JsonObject perSecond = new JsonObject();
    JsonObject cumulative = new JsonObject();
    for (int i = 0; i < OUTCOMES.size(); i++) {
      perSecond.put(OUTCOMES.get(i), lastAt == null ? 0.0 : round(deltas[i] / seconds));
      cumulative.put(OUTCOMES.get(i), totals[i]);
    }
    boolean first = lastAt == null;
    lastAt = now;
    JsonObject readDb = null;
    if (readRemaining != null) {
      long readGranted = write.numberOfCoupons() - readRemaining;
      readDb = new JsonObject().put("remaining", readRemaining)
          .put("lagEvents", Math.max(0, write.granted() - readGranted))
          .put("lagMs", oldestUnread == null ? 0 : Math.max(0, Duration.between(oldestUnread, now).toMillis()));
    }
    return new JsonObject()
        .put("at", now.toString())
        .put("status", write.status())
        .put("numberOfCoupons", write.numberOfCoupons())
        .put("granted", write.granted())
        .put("couponsLeft", Math.max(0, write.numberOfCoupons() - write.granted()))
        .put("finishedAt", write.finishedAt() == null ? null : write.finishedAt().toString())
        .put("finishReason", write.finishReason())
        .put("readDb", readDb)
        .put("perSecond", perSecond)
        .put("answered", cumulative)
        .put("p99Ms", first ? null : p99(latencyDeltas, bucketsMs))
        .put("members", memberStates);
  }

  /** deltas += current - previous, or current when the member restarted (a count went down) or is new. */
  private static void add(long[] deltas, long[] current, long[] previous) {
    boolean reset = previous == null;
    for (int i = 0; !reset && i < current.length; i++) {
      reset = current[i] < previous[i];
    }
    for (int i = 0; i < current.length; i++) {
      deltas[i] += reset ? (previous == null ? 0 : current[i]) : current[i] - previous[i];
    }
  }

  /**
   * The upper bound (ms) of the bucket holding the 99th percentile of the answers counted in {@code counts}; null when
   * none were; -1 when it lies past the last bound.
   */
  static Long p99(long[] counts, long[] bucketsMs) {
    long total = 0;
    for (long c : counts) {
      total += c;
    }
    if (total == 0) {
      return null;
    }
    long rank = (long) Math.ceil(total * 0.99);
    long seen = 0;
    for (int i = 0; i < counts.length; i++) {
      seen += counts[i];
      if (seen >= rank) {
        return i < bucketsMs.length ? bucketsMs[i] : -1L;
      }
    }
    return -1L;
  }

  private static double round(double value) {
    return Math.round(value * 10) / 10.0;
  }
}
