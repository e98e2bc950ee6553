package io.seckill.launcher;

import io.seckill.launcher.NemesisSchedule.Fault;

import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Comparator;

/**
 * The nemesis's liveness checker (pure: what a run recorded in, bounds and a table out). After each heal with no other
 * fault lasting, SPEC bounds two things:
 * <ul>
 *   <li>I11/W5: the first 200 of a grab sent after the heal, within 5 s of a process fault's heal (a kill's restart,
 *       a pause's resume, a cut mended), within 2 s of the database accepting connections again;</li>
 *   <li>I8: ReadDB caught up, holding every event written before the heal, within 10 s of any heal.</li>
 * </ul>
 * A bound is not held against a heal when a next fault that can delay what it bounds began before the bound's end and
 * before that happened: for the first 200 a fault on the grab path (a command member, the database), for ReadDB any
 * fault. Heals while another fault lasted are counted apart.
 * Times are {@link System#nanoTime} values; the report gives them in seconds from the run's start.
 */
final class Liveness {
  static final long PROCESS_FIRST_200_MS = 5_000;
  static final long DATABASE_FIRST_200_MS = 2_000;
  static final long READ_DB_CAUGHT_UP_MS = 10_000;

  /**
   * One heal: the fault, its target, when it began and healed, whether another fault lasted at the heal, and when
   * ReadDB held every event written before the heal (0: not seen before the run ended).
   */
  record Heal(Fault fault, String target, long injectedAt, long healedAt, boolean alone, long caughtUpAt) {
  }

  /** A fault's beginning. */
  record Injection(long at, Fault fault) {
  }

  /** The faults that can delay a grab's 200: the others (the event role, the broker) are off the grab path. */
  static boolean onGrabPath(Fault fault) {
    return switch (fault) {
      case COMMAND_KILL, COMMAND_PAUSE, COMMAND_RESTART, MEMBER_CUT, DB_KILL -> true;
      case EVENT_KILL, EVENT_PAUSE, BROKER_KILL, BROKER_PAUSE -> false;
    };
  }

  private final long seed;
  private final long start;
  private final List<Injection> injections;
  private final List<long[]> answered200;
  private final List<String> violations = new ArrayList<>();
  private final Map<Fault, List<Long>> first200 = new EnumMap<>(Fault.class);
  private final Map<Fault, List<Long>> caughtUp = new EnumMap<>(Fault.class);
  private final Map<Fault, Integer> lone = new EnumMap<>(Fault.class);
  private final Map<Fault, Integer> overlapped = new EnumMap<>(Fault.class);

  /**
   * {@code injections}: when each fault began; {@code answered200}: each 200 as {sent, answered}; {@code start}:
   * the run's start, for the report.
   */
  Liveness(long seed, long start, Collection<Injection> injections, Collection<long[]> answered200) {
    this.seed = seed;
    this.start = start;
    this.injections = injections.stream().sorted(Comparator.comparingLong(Injection::at)).toList();
    this.answered200 = List.copyOf(answered200);
  }

  /** Checks one heal against each bound (each on its own: a next fault may cut one short, not the other). */
  void check(Heal heal) {
    if (!heal.alone()) {
      overlapped.merge(heal.fault(), 1, Integer::sum);
      return;
    }
    lone.merge(heal.fault(), 1, Integer::sum);
    long first = answered200.stream().filter(a -> a[0] > heal.healedAt()).mapToLong(a -> a[1]).min()
        .orElse(Long.MAX_VALUE);
    long bound = heal.fault() == Fault.DB_KILL ? DATABASE_FIRST_200_MS : PROCESS_FIRST_200_MS;
    bounded(heal, first, bound, nextAfter(heal, true), first200, "first 200 of a grab sent after the heal",
        heal.fault() == Fault.DB_KILL ? "I11, a database blip" : "I11/W5");
    long seen = heal.caughtUpAt() == 0 ? Long.MAX_VALUE : heal.caughtUpAt();
    bounded(heal, seen, READ_DB_CAUGHT_UP_MS, nextAfter(heal, false), caughtUp,
        "ReadDB holding every event written before the heal", "I8");
  }

  /** One measure of one heal: within the bound, cut short by {@code next} (not counted), or a violation. */
  private void bounded(Heal heal, long at, long boundMillis, long next, Map<Fault, List<Long>> times, String what,
                       String rule) {
    long deadline = heal.healedAt() + boundMillis * 1_000_000;
    if (at > deadline && next < Math.min(at, deadline)) {
      return;
    }
    times.computeIfAbsent(heal.fault(), f -> new ArrayList<>())
        .add(at == Long.MAX_VALUE ? Long.MAX_VALUE : (at - heal.healedAt()) / 1_000_000);
    if (at > deadline) {
      violations.add(describe(heal, what, at, boundMillis, rule));
    }
  }

  private long nextAfter(Heal heal, boolean grabPathOnly) {
    return injections.stream().filter(i -> i.at() > heal.healedAt() && (!grabPathOnly || onGrabPath(i.fault())))
        .mapToLong(Injection::at).findFirst().orElse(Long.MAX_VALUE);
  }

  private String describe(Heal heal, String what, long at, long boundMillis, String rule) {
    return String.format("seed %d: %s on %s, injected at %.1f s, healed at %.1f s: %s %s, bound %d ms (%s)", seed,
        heal.fault(), heal.target(), seconds(heal.injectedAt()), seconds(heal.healedAt()), what,
        at == Long.MAX_VALUE ? "never came" : "after " + (at - heal.healedAt()) / 1_000_000 + " ms (at "
            + String.format("%.1f s", seconds(at)) + ")", boundMillis, rule);
  }

  private double seconds(long nanoTime) {
    return (nanoTime - start) / 1e9;
  }

  /** Every bound broken, each naming the fault, the seed and the times. */
  List<String> violations() {
    return violations;
  }

  /**
   * Per fault type: the heals with no other fault lasting, then for each bound how many of them it was held to (not
   * cut short by a next fault) and the p50 and max of their times; the heals while another fault lasted apart.
   */
  String table() {
    StringBuilder table = new StringBuilder(String.format("%n  %-16s %5s | %-26s | %-26s | %s", "fault", "lone",
        "first 200: n, p50, max ms", "ReadDB caught up: n, p50, max", "overlapped"));
    for (Fault fault : Fault.values()) {
      int alone = lone.getOrDefault(fault, 0);
      int apart = overlapped.getOrDefault(fault, 0);
      if (alone == 0 && apart == 0) {
        continue;
      }
      table.append(String.format("%n  %-16s %5d | %-26s | %-26s | %d", fault, alone, times(first200.get(fault)),
          times(caughtUp.get(fault)), apart));
    }
    table.append("\n  (n: the lone heals held to the bound; the others saw a next fault begin within it first)");
    return table.toString();
  }

  private static String times(List<Long> measured) {
    if (measured == null || measured.isEmpty()) {
      return "0";
    }
    List<Long> sorted = measured.stream().sorted().toList();
    return sorted.size() + ", " + p50(sorted) + ", " + max(sorted);
  }

  private static String p50(List<Long> sorted) {
    return millis(sorted.get(sorted.size() / 2));
  }

  private static String max(List<Long> sorted) {
    return millis(sorted.get(sorted.size() - 1));
  }

  private static String millis(long value) {
    return value == Long.MAX_VALUE ? "never" : String.valueOf(value);
  }
}
