package io.seckill.launcher;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * The nemesis's plan, drawn from a seed and nothing else (a failing seed replays the same faults at the same times):
 * faults one at a time and overlapping, each on a target and for a duration of its own kind.
 */
final class NemesisSchedule {
  /** What the nemesis does, and to what. */
  enum Fault {
    /** {@code kill -9} of a command member, started again (same node id) after the duration. */
    COMMAND_KILL(1_000, 8_000),
    /** {@code kill -STOP} of a command member, {@code -CONT} after the duration. */
    COMMAND_PAUSE(1_000, 6_000),
    /** A command member killed and started again at once with the same node id. */
    COMMAND_RESTART(0, 0),
    /** The third command member's cluster address cut off from the others (iptables), healed after the duration. */
    MEMBER_CUT(3_000, 10_000),
    EVENT_KILL(1_000, 8_000),
    EVENT_PAUSE(1_000, 6_000),
    BROKER_KILL(2_000, 10_000),
    BROKER_PAUSE(1_000, 6_000),
    /** {@code kill -9} of {@code mariadbd} (WriteDB and ReadDB), started again after the duration. */
    DB_KILL(2_000, 15_000);

    final int minMillis;
    final int maxMillis;

    Fault(int minMillis, int maxMillis) {
      this.minMillis = minMillis;
      this.maxMillis = maxMillis;
    }

    /** The process (or server) a fault acts on: two faults never act on the same one at once. */
    String target(int member) {
      return switch (this) {
        case COMMAND_KILL, COMMAND_PAUSE, COMMAND_RESTART -> "command-" + member;
        case MEMBER_CUT -> "command-2";
        case EVENT_KILL, EVENT_PAUSE -> "event";
        case BROKER_KILL, BROKER_PAUSE -> "broker";
        case DB_KILL -> "mariadbd";
      };
    }
  }

  /** One fault: begun {@code atMillis} after the start, healed {@code durationMillis} later. */
  record Step(long atMillis, Fault fault, int member, long durationMillis) {
    long healMillis() {
      return atMillis + durationMillis;
    }

    String target() {
      return fault.target(member);
    }

    @Override
    public String toString() {
      return String.format("%7.1f s  %-15s %-10s for %5.1f s", atMillis / 1000.0, fault, target(),
          durationMillis / 1000.0);
    }
  }

  private NemesisSchedule() {
  }

  /**
   * Faults from {@code warmUpMillis} until {@code lengthMillis} less a quiet end: after each fault, either the next
   * one while it lasts (overlapping, three times in ten) or after it healed and a pause; a fault on a target that is
   * still faulted is drawn again.
   */
  static List<Step> draw(long seed, long lengthMillis, long warmUpMillis, boolean cutsPossible) {
    Random random = new Random(seed);
    List<Fault> kinds = new ArrayList<>(List.of(Fault.values()));
    if (!cutsPossible) {
      kinds.remove(Fault.MEMBER_CUT);
    }
    List<Step> steps = new ArrayList<>();
    Map<String, Long> busyUntil = new HashMap<>();
    long at = warmUpMillis;
    long end = lengthMillis - 15_000;
    int attempts = 0;
    while (at < end && attempts < 10_000) {
      attempts++;
      Fault fault = kinds.get(random.nextInt(kinds.size()));
      int member = random.nextInt(3);
      long duration = fault.minMillis + (fault.maxMillis == fault.minMillis ? 0
          : random.nextInt(fault.maxMillis - fault.minMillis));
      Step step = new Step(at, fault, member, duration);
      if (busyUntil.getOrDefault(step.target(), -1L) >= at || step.healMillis() > end + 10_000) {
        at += 500;
        continue;
      }
      steps.add(step);
      // a process started again needs a while to come up before the next fault on it
      boolean restarts = fault == Fault.COMMAND_KILL || fault == Fault.COMMAND_RESTART || fault == Fault.EVENT_KILL
          || fault == Fault.BROKER_KILL;
      busyUntil.put(step.target(), step.healMillis() + (restarts ? 15_000 : 1_000));
      boolean overlap = random.nextInt(10) < 3;
      at += overlap ? 500 + random.nextInt(2_500) : duration + 3_000 + random.nextInt(5_000);
    }
    return steps;
  }
}
