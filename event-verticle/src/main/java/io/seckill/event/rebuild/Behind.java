package io.seckill.event.rebuild;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * Which promotions one copy of the read model must still take from the events to reach another, pure: for each
 * promotion whose {@code target} position is past {@code have}'s, the range of sequences missing. Used to catch the
 * shadow tables up with the live ones before the swap, and after the swap to top the new live tables up with
 * whatever the live projection committed to the old ones in between.
 */
public final class Behind {
  private Behind() {
  }

  /** A promotion's missing sequences: {@code after} (exclusive) up to {@code upTo} (inclusive). */
  public record Range(long after, long upTo) {
    public long events() {
      return upTo - after;
    }
  }

  /** In promotion id order. */
  public static Map<UUID, Range> of(Map<UUID, Long> have, Map<UUID, Long> target) {
    Map<UUID, Range> behind = new TreeMap<>();
    target.forEach((id, upTo) -> {
      long at = have.getOrDefault(id, 0L);
      if (upTo > at) {
        behind.put(id, new Range(at, upTo));
      }
    });
    return behind;
  }

  public static long events(Map<UUID, Range> behind) {
    return behind.values().stream().mapToLong(Range::events).sum();
  }
}
