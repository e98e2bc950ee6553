package io.seckill.command.relay;

import io.seckill.command.store.EventStore.Positioned;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the relay takes its next events from: the group committer's memory when that is provably complete,
 * the event store otherwise. Plain logic, no I/O; the relay tells it what was committed, read and sent.
 *
 * <p>Memory is trusted only while it holds every committed event after the last one sent, in position order
 * without a hole. Anything that breaks that (a commit whose positions are unknown, a hole left by a rolled-back
 * transaction, a backlog larger than {@code capacity} while the broker is down) makes the relay read the store
 * again; it trusts memory again after a store read that provably meets it: the read ends right before the first
 * event in memory (or memory is empty and the read found the end of the store), and no commit of unknown
 * positions completed after the read was issued.
 */
public final class RelayFeed {
  private final int capacity;
  private final ArrayDeque<Positioned> recent = new ArrayDeque<>();
  private boolean trusted;
  /** The last position sent or held in {@link #recent} (meaningful while trusted). */
  private long tail;
  private long unknownCommits;

  /** @param sent the last position the broker accepted */
  public RelayFeed(long sent, int capacity) {
    this.capacity = capacity;
    this.tail = sent;
  }

  /** True when the next events come from memory. */
  public boolean trusted() {
    return trusted;
  }

  /** How many commits of unknown positions there have been; read before issuing a store read. */
  public long unknownCommits() {
    return unknownCommits;
  }

  /** Events were committed; null when their positions are not known. */
  public void committed(List<Positioned> events) {
    if (events == null) {
      unknownCommits++;
      trusted = false;
      recent.clear();
      return;
    }
    if (events.isEmpty()) {
      return;
    }
    long first = events.get(0).position();
    long expected = recent.isEmpty() ? (trusted ? tail + 1 : first) : recent.peekLast().position() + 1;
    if (first != expected || recent.size() + events.size() > capacity) {
      trusted = false;
      recent.clear();
      if (events.size() > capacity) {
        return;
      }
    }
    recent.addAll(events);
    tail = events.get(events.size() - 1).position();
  }

  /** Up to {@code max} events to send from memory (not removed until {@link #sent}). */
  public List<Positioned> next(int max) {
    List<Positioned> page = new ArrayList<>(Math.min(max, recent.size()));
    for (Positioned event : recent) {
      if (page.size() == max) {
        break;
      }
      page.add(event);
    }
    return page;
  }

  /** Events were accepted by the broker up to {@code position}. */
  public void sent(long position) {
    while (!recent.isEmpty() && recent.peekFirst().position() <= position) {
      recent.pollFirst();
    }
    if (recent.isEmpty() && trusted) {
      tail = Math.max(tail, position);
    }
  }

  /**
   * A store read, issued when {@link #unknownCommits()} was {@code unknownAtIssue}, returned events up to
   * {@code lastRead} (the position it started after when it found none), and they were sent.
   * {@code full}: it stopped at its limit, so the store may hold more.
   */
  public void readFromStore(long lastRead, boolean full, long unknownAtIssue) {
    sent(lastRead);
    if (trusted || full || unknownCommits != unknownAtIssue) {
      return;
    }
    if (recent.isEmpty()) {
      trusted = true;
      tail = lastRead;
    } else if (recent.peekFirst().position() == lastRead + 1) {
      trusted = true;
    }
  }

  /** Events held in memory, for metrics and tests. */
  public int held() {
    return recent.size();
  }
}
