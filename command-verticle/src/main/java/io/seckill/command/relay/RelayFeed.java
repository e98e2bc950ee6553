package io.seckill.command.relay;

import io.seckill.command.store.EventStore.Sequenced;
import io.seckill.shared.event.PromotionFinishEvent;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * What the relay sends next, per promotion of the partitions held, by sequence: plain logic, no I/O; the relay tells
 * it what was committed, read from the store and accepted by the broker. A promotion's sequences are dense and
 * written by one owner at a time (the fence), so "sent up to sequence n" says exactly what reached the broker, in
 * whatever order several processes' commits land in the store.
 *
 * <p>A promotion's events come from the group committer's memory while that memory is trusted: it holds every
 * committed event after the last one sent, without a hole. Anything else (a promotion first seen in the middle, a
 * write whose outcome is unknown, a hole, a backlog above {@code capacity}) makes the relay read that promotion from
 * the store; memory is trusted again after a store read that provably meets it: the read found the end of what was
 * stored (it was not cut at its limit), memory starts right after it or is empty, and no write of unknown outcome
 * failed after the read was issued. A finished promotion whose finish was sent is forgotten.
 */
public final class RelayFeed {
  /** One promotion's relay state. */
  private static final class Track {
    /** The last sequence the broker accepted; -1 until the cursor is read from the store. */
    long sent;
    /** The highest sequence known to be committed. */
    long known;
    boolean trusted;
    boolean finishSent;
    long unknownWrites;
    final ArrayDeque<Sequenced> memory = new ArrayDeque<>();

    Track(long sent, long known, boolean trusted) {
      this.sent = sent;
      this.known = known;
      this.trusted = trusted;
    }

    long memoryTail() {
      return memory.isEmpty() ? sent : memory.peekLast().sequence();
    }
  }

  /** A store read to issue: the promotion, and the sequence it starts at (0: read the cursor first). */
  public record Read(UUID promotionId, long fromSequence, long unknownAtIssue) {
  }

  private final int capacity;
  private final LinkedHashMap<UUID, Track> tracks = new LinkedHashMap<>();
  /** Cursors moved forward since they were last saved. */
  private final Map<UUID, Long> unsaved = new HashMap<>();

  /** @param capacity committed events held in memory per promotion at most */
  public RelayFeed(int capacity) {
    this.capacity = capacity;
  }

  /**
   * A promotion of a partition just claimed, as the store has it: stored up to {@code last}, sent up to
   * {@code relayed}. A promotion already seen in a commit keeps what it knows, and learns its cursor.
   */
  public void claimed(UUID promotionId, long last, long relayed) {
    Track track = tracks.get(promotionId);
    if (track == null) {
      if (last > relayed) {
        tracks.put(promotionId, new Track(relayed, last, false));
      }
      return;
    }
    if (track.sent < 0) {
      track.sent = relayed;
    }
    track.known = Math.max(track.known, last);
  }

  /** Events committed by this process, in commit order. */
  public void committed(List<Sequenced> events) {
    for (Sequenced event : events) {
      UUID id = event.promotionId();
      long sequence = event.sequence();
      Track track = tracks.get(id);
      if (track == null) {
        // a promotion's first event starts its memory; any other means what came before is in the store only
        track = sequence == 1 ? new Track(0, 0, true) : new Track(-1, 0, false);
        tracks.put(id, track);
      }
      track.known = Math.max(track.known, sequence);
      if (track.sent >= 0 && sequence <= track.memoryTail()) {
        continue; // sent already, or read from the store before its commit was heard of
      }
      boolean follows = track.memory.isEmpty() ? (!track.trusted || sequence == track.sent + 1)
          : sequence == track.memory.peekLast().sequence() + 1;
      if (!follows || track.memory.size() >= capacity) {
        // what memory held is in the store: a read that ends right before this event meets memory again
        track.trusted = false;
        track.memory.clear();
      }
      track.memory.add(event);
    }
  }

  /**
   * Writes of these promotions failed and may still have committed (the outcome of a COMMIT can be lost): their
   * memory is no longer trusted until a store read issued after now.
   */
  public void unknownOutcome(Iterable<UUID> promotionIds) {
    for (UUID id : promotionIds) {
      Track track = tracks.computeIfAbsent(id, k -> new Track(-1, 0, false));
      track.unknownWrites++;
      track.trusted = false;
      track.memory.clear();
    }
  }

  /** Partitions lost: their promotions are no longer relayed here (their cursors saved stay). */
  public void lost(Predicate<UUID> promotions) {
    tracks.keySet().removeIf(promotions);
  }

  /** Up to {@code max} events from trusted memory, in sequence order per promotion (not removed until sent). */
  public List<Sequenced> next(int max) {
    List<Sequenced> page = new ArrayList<>();
    for (Track track : tracks.values()) {
      if (!track.trusted) {
        continue;
      }
      for (Sequenced event : track.memory) {
        if (page.size() == max) {
          return page;
        }
        page.add(event);
      }
    }
    return page;
  }

  /** The next store read, round robin over the promotions not trusted; null when none is. */
  public Read nextRead() {
    for (Iterator<Map.Entry<UUID, Track>> it = tracks.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<UUID, Track> entry = it.next();
      Track track = entry.getValue();
      if (!track.trusted) {
        // to the back, so that a long backlog does not hold the others up
        it.remove();
        tracks.put(entry.getKey(), track);
        return new Read(entry.getKey(), track.sent < 0 ? 0 : track.sent + 1, track.unknownWrites);
      }
    }
    return null;
  }

  /** The promotion's cursor was read (for a {@link Read} from 0). */
  public void cursorRead(UUID promotionId, long relayed) {
    Track track = tracks.get(promotionId);
    if (track != null && track.sent < 0) {
      track.sent = relayed;
    }
  }

  /** The broker accepted these events. */
  public void sent(List<Sequenced> events) {
    for (Sequenced event : events) {
      UUID id = event.promotionId();
      Long saved = unsaved.get(id);
      if (saved == null || saved < event.sequence()) {
        unsaved.put(id, event.sequence());
      }
      Track track = tracks.get(id);
      if (track == null) {
        continue;
      }
      track.sent = Math.max(track.sent, event.sequence());
      track.known = Math.max(track.known, event.sequence());
      if (PromotionFinishEvent.TYPE.equals(event.event().type())) {
        track.finishSent = true;
      }
      while (!track.memory.isEmpty() && track.memory.peekFirst().sequence() <= track.sent) {
        track.memory.pollFirst();
      }
    }
    forgetFinished();
  }

  /**
   * A store read ({@code read}, issued as {@code issued}) was accepted by the broker. {@code full}: it stopped at
   * its limit, so the store may hold more.
   */
  public void readFromStore(Read issued, List<Sequenced> read, boolean full) {
    sent(read);
    Track track = tracks.get(issued.promotionId());
    if (track == null || track.trusted || full || track.sent < 0 || track.unknownWrites != issued.unknownAtIssue()) {
      return;
    }
    while (!track.memory.isEmpty() && track.memory.peekFirst().sequence() <= track.sent) {
      track.memory.pollFirst();
    }
    if (track.memory.isEmpty() || track.memory.peekFirst().sequence() == track.sent + 1) {
      track.trusted = true;
    }
    forgetFinished();
  }

  private void forgetFinished() {
    tracks.values().removeIf(t -> t.trusted && t.finishSent && t.memory.isEmpty() && t.sent >= t.known);
  }

  /** Whether something is waiting to be sent or read. */
  public boolean hasWork() {
    for (Track track : tracks.values()) {
      if (!track.trusted || !track.memory.isEmpty()) {
        return true;
      }
    }
    return false;
  }

  /** Cursors moved since the last {@link #takeUnsaved()}, taken to be saved. */
  public Map<UUID, Long> takeUnsaved() {
    Map<UUID, Long> taken = Map.copyOf(unsaved);
    unsaved.clear();
    return taken;
  }

  /** A save failed: its cursors are saved with the next one (a newer value wins). */
  public void saveFailed(Map<UUID, Long> cursors) {
    cursors.forEach((id, sequence) -> unsaved.merge(id, sequence, Math::max));
  }

  /** Events known committed and not yet accepted by the broker, over the promotions relayed here. */
  public long lag() {
    long lag = 0;
    for (Track track : tracks.values()) {
      lag += Math.max(0, track.known - Math.max(0, track.sent));
    }
    return lag;
  }

  /** Promotions relayed here, for metrics and tests. */
  public int promotions() {
    return tracks.size();
  }

  /** Whether the promotion's events come from memory now, for tests. */
  public boolean trusted(UUID promotionId) {
    Track track = tracks.get(promotionId);
    return track != null && track.trusted;
  }
}
