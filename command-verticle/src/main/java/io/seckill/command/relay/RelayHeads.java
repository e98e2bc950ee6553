package io.seckill.command.relay;

import io.seckill.command.store.EventStore.Sequenced;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * The newest event the broker accepted of each promotion relayed here, announced again for a while (SPEC I5, I12):
 * a message lost after the broker accepted it (consumed by something else, a queue purged) at the end of a sale has no
 * later event to reveal the hole, so the projection would never ask for it. An announced head is either applied (it
 * was the one lost), skipped (already applied), or shows the projection a gap, which it asks the owner to resend.
 * Announcements stop {@code windowMillis} after a promotion's head last moved: a read model lost later is rebuilt.
 */
final class RelayHeads {
  private record Head(Sequenced event, long movedAt) {
  }

  private final long windowMillis;
  private final Map<UUID, Head> heads = new HashMap<>();

  RelayHeads(long windowMillis) {
    this.windowMillis = windowMillis;
  }

  /** The broker accepted these events at {@code now}. */
  void sent(List<Sequenced> events, long now) {
    for (Sequenced event : events) {
      Head head = heads.get(event.promotionId());
      if (head == null || event.sequence() > head.event().sequence()) {
        heads.put(event.promotionId(), new Head(event, now));
      }
    }
  }

  /** The heads to announce at {@code now}: those of promotions still relayed here whose head moved within the window. */
  List<Sequenced> due(long now, Predicate<UUID> served) {
    List<Sequenced> due = new ArrayList<>();
    for (Iterator<Map.Entry<UUID, Head>> it = heads.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<UUID, Head> entry = it.next();
      if (now - entry.getValue().movedAt() > windowMillis || !served.test(entry.getKey())) {
        it.remove();
      } else {
        due.add(entry.getValue().event());
      }
    }
    return due;
  }

  int size() {
    return heads.size();
  }
}
