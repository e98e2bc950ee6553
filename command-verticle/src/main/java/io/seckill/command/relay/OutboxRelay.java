package io.seckill.command.relay;

import io.seckill.command.store.EventStore;
import io.seckill.command.store.EventStore.Sequenced;
import io.seckill.shared.messaging.EncodedEvent;
import io.seckill.shared.messaging.SecKillMessagePublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * Hands the committed events of the promotions whose partitions this process holds to the broker, in sequence order
 * per promotion, many per message ({@link RelayFeed} says what is next: the group committer's memory, or a store
 * read of one promotion). A promotion's relay cursor is saved in WriteDB only after the broker has accepted its
 * events (one save in flight at a time, the newest cursors win), so a crash or a failover resends (the projection is
 * idempotent) and never skips. When the broker is down it retries every second by itself. Each promotion's newest
 * event is announced again every 2 s for a while ({@link RelayHeads}), so that a lost tail is noticed and asked for.
 */
public final class OutboxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final long RETRY_MILLIS = 1000;
  private static final long RESEND_INTERVAL_MILLIS = 1000;
  static final int RESEND_MAX_EVENTS = 50_000;
  private static final long IDLE_READ_MILLIS = 20;
  /** Committed events of one promotion held for the broker in memory at most; beyond, they are read from the store. */
  private static final int MEMORY_CAPACITY = 200_000;
  /** Each promotion's newest relayed event is sent again this often, for this long after it last moved. */
  private static final long ANNOUNCE_MILLIS = 2000;
  private static final long ANNOUNCE_WINDOW_MILLIS = 300_000;

  private final Vertx vertx;
  private final EventStore store;
  private final SecKillMessagePublisher publisher;
  private final SecKillMessagePublisher replay;
  private final int batchMax;
  /** Whether a promotion's partition is held here. */
  private final Predicate<UUID> served;
  private final RelayFeed feed = new RelayFeed(MEMORY_CAPACITY);
  private final Map<UUID, Long> lastResend = new HashMap<>();
  private final RelayHeads heads = new RelayHeads(ANNOUNCE_WINDOW_MILLIS);
  private final long announceTimer;
  private boolean running;
  private boolean paused;
  private boolean retryScheduled;
  private boolean stopped;
  private boolean saving;
  private long sentEvents;

  /** {@code replay}: the publisher of resent events ({@code <queue>.replay}, see {@code ResendRequests}). */
  public OutboxRelay(Vertx vertx, EventStore store, SecKillMessagePublisher publisher, SecKillMessagePublisher replay,
                     int batchMax, Predicate<UUID> served) {
    this.vertx = vertx;
    this.store = store;
    this.publisher = publisher;
    this.replay = replay;
    this.batchMax = batchMax;
    this.served = served;
    this.announceTimer = vertx.setPeriodic(ANNOUNCE_MILLIS, id -> announceHeads());
  }

  /**
   * Partitions were claimed: their promotions stored beyond their cursors are relayed from there. Tried again every
   * second until WriteDB answers; the future says when the backlog is known.
   */
  public Future<Void> claimed(Predicate<UUID> promotions) {
    return store.relayBacklog(promotions).onComplete(ar -> {
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        LOG.warn("relay backlog of claimed partitions not read ({}); retrying", ar.cause().getMessage());
        vertx.setTimer(RETRY_MILLIS, t -> claimed(promotions));
        return;
      }
      long behind = 0;
      Map<UUID, Long> relayedWholly = new HashMap<>();
      for (Map.Entry<UUID, EventStore.Backlog> entry : ar.result().entrySet()) {
        EventStore.Backlog backlog = entry.getValue();
        if (served.test(entry.getKey())) {
          feed.claimed(entry.getKey(), backlog.last(), backlog.relayed());
          behind += Math.max(0, backlog.last() - backlog.relayed());
          if (backlog.last() == backlog.relayed()) {
            relayedWholly.put(entry.getKey(), backlog.last());
          }
        }
      }
      if (behind > 0) {
        LOG.info("relay: {} events of claimed partitions were not yet accepted by the broker; sending them", behind);
      }
      announceStoredHeads(relayedWholly);
      nudge();
    }).mapEmpty();
  }

  /** Partitions lost: their promotions are relayed by their new owner. */
  public void lost(Predicate<UUID> promotions) {
    feed.lost(promotions);
  }

  public void stop() {
    stopped = true;
    vertx.cancelTimer(announceTimer);
  }

  /**
   * Events were committed: send them soon. Those of a partition handed over while their commit was in flight are
   * left to its new owner, whose claim came after that commit and whose backlog read finds them.
   */
  public void committed(List<Sequenced> stored) {
    List<Sequenced> held = new ArrayList<>(stored.size());
    for (Sequenced event : stored) {
      if (served.test(event.promotionId())) {
        held.add(event);
      }
    }
    feed.committed(held);
    nudge();
  }

  /** Writes of these promotions failed and may have committed: those still held here are read from the store. */
  public void uncertain(Set<UUID> promotions) {
    List<UUID> held = new ArrayList<>();
    for (UUID id : promotions) {
      if (served.test(id)) {
        held.add(id);
      }
    }
    feed.unknownOutcome(held);
    nudge();
  }

  /** Events committed but not yet accepted by the broker, over the promotions relayed here. */
  public long lag() {
    return feed.lag();
  }

  /** Events the broker accepted from this relay since it started. */
  public long sent() {
    return sentEvents;
  }

  private void nudge() {
    if (!running && !retryScheduled && !stopped && feed.hasWork()) {
      runOnce();
    }
  }

  /**
   * Sends a promotion's events again from {@code fromSequence} on, up to its newest (at most
   * {@value #RESEND_MAX_EVENTS} a request, a page a message), on the replay queue, because the read side found a gap
   * the broker will not fill. Only the promotion's owner answers, at most once per promotion a second; the projection
   * skips what it already has, and asks again if it is still behind.
   */
  public void resend(UUID promotionId, long fromSequence) {
    long now = System.currentTimeMillis();
    Long last = lastResend.get(promotionId);
    if (stopped || !served.test(promotionId) || (last != null && now - last < RESEND_INTERVAL_MILLIS)) {
      return;
    }
    lastResend.put(promotionId, now);
    resendPages(promotionId, fromSequence, 0)
        .onSuccess(count -> LOG.info("resent {} events of promotion {} from sequence {}", count, promotionId, fromSequence))
        .onFailure(e -> LOG.warn("resend of promotion {} from {} failed: {}", promotionId, fromSequence, e.getMessage()));
  }

  private Future<Integer> resendPages(UUID promotionId, long fromSequence, int sent) {
    return store.relayPage(promotionId, fromSequence, batchMax).compose(events -> {
      if (events.isEmpty()) {
        return Future.succeededFuture(sent);
      }
      return replay.publishEncoded(encoded(events)).compose(v -> {
        int total = sent + events.size();
        if (events.size() < batchMax || total >= RESEND_MAX_EVENTS || stopped || !served.test(promotionId)) {
          return Future.succeededFuture(total);
        }
        return resendPages(promotionId, events.get(events.size() - 1).sequence() + 1, total);
      });
    });
  }

  /** One message: a store read of one promotion not trusted (if any) and what trusted memory holds. */
  private void runOnce() {
    running = true;
    RelayFeed.Read read = feed.nextRead();
    Future<List<Sequenced>> fromStore = read == null ? Future.succeededFuture(List.of()) : read(read);
    fromStore.compose(stored -> {
      List<Sequenced> fromMemory = feed.next(batchMax);
      List<Sequenced> page = new ArrayList<>(stored.size() + fromMemory.size());
      page.addAll(stored);
      page.addAll(fromMemory);
      return page.isEmpty() ? Future.succeededFuture(page) : publisher.publishEncoded(encoded(page)).map(page);
    }).onComplete(ar -> {
      running = false;
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        if (!paused) {
          LOG.warn("relay paused ({} events behind): {}; retrying every {} ms", feed.lag(), ar.cause().getMessage(),
              RETRY_MILLIS);
        }
        paused = true;
        retryScheduled = true;
        vertx.setTimer(RETRY_MILLIS, id -> {
          retryScheduled = false;
          nudge();
        });
        return;
      }
      if (paused) {
        paused = false;
        LOG.info("relay resumed ({} events behind)", feed.lag());
      }
      List<Sequenced> page = ar.result();
      sentEvents += page.size();
      heads.sent(page, System.currentTimeMillis());
      int fromStoreCount = fromStore.result().size();
      if (read != null) {
        feed.readFromStore(read, page.subList(0, fromStoreCount), fromStoreCount == batchMax);
      }
      feed.sent(page.subList(fromStoreCount, page.size()));
      saveCursors();
      if (page.isEmpty() && feed.hasWork()) {
        // a read that could not yet prove memory complete (a write of unknown outcome meanwhile): not in a spin
        retryScheduled = true;
        vertx.setTimer(IDLE_READ_MILLIS, id -> {
          retryScheduled = false;
          nudge();
        });
      } else {
        nudge();
      }
    });
  }

  /**
   * Sends each promotion's newest relayed event again ({@link RelayHeads}), so that a lost tail is noticed by the
   * projection within seconds; skipped while the relay is paused (the broker is down: the retry covers it).
   */
  private void announceHeads() {
    if (stopped || paused) {
      return;
    }
    List<Sequenced> due = heads.due(System.currentTimeMillis(), served);
    if (due.isEmpty()) {
      return;
    }
    publisher.publishEncoded(encoded(due))
        .onFailure(e -> LOG.debug("announcement of {} relay heads not sent: {}", due.size(), e.getMessage()));
  }

  /**
   * The newest events of claimed promotions the broker had accepted up to their last, announced as if just sent
   * ({@link RelayHeads}), for those still on sale or moved within the announcement window: what the broker accepted
   * is not what the projection applied (a broker killed with -9 may lose the messages it had accepted last, a
   * projection killed loses its window), and a relay that was restarted forgot the heads it announced. Nothing else
   * would show the projection a lost tail until the sale's next event, if any.
   */
  private void announceStoredHeads(Map<UUID, Long> relayedWholly) {
    if (relayedWholly.isEmpty()) {
      return;
    }
    store.recentPromotions(ANNOUNCE_WINDOW_MILLIS / 1000).compose(recent -> {
      List<Future<List<Sequenced>>> reads = new ArrayList<>();
      relayedWholly.forEach((id, last) -> {
        if (recent.contains(id)) {
          reads.add(store.relayPage(id, last, 1));
        }
      });
      // every read is kept that answered: one past its deadline does not cost the others their announcement
      return Future.join(reads).transform(done -> {
        List<Sequenced> stored = new ArrayList<>();
        int failed = 0;
        for (Future<List<Sequenced>> read : reads) {
          if (read.succeeded()) {
            stored.addAll(read.result());
          } else {
            failed++;
          }
        }
        if (failed > 0) {
          LOG.warn("relay could not read the heads of {} of {} claimed promotions to announce", failed, reads.size());
        }
        return Future.succeededFuture(stored);
      });
    }).onComplete(ar -> {
      if (ar.failed()) {
        LOG.warn("relay could not read the heads of claimed promotions to announce: {}", ar.cause().getMessage());
        return;
      }
      if (!stopped && !ar.result().isEmpty()) {
        heads.sent(ar.result(), System.currentTimeMillis());
        announceHeads();
      }
    });
  }

  private Future<List<Sequenced>> read(RelayFeed.Read read) {
    UUID id = read.promotionId();
    if (read.fromSequence() > 0) {
      return store.relayPage(id, read.fromSequence(), batchMax);
    }
    return store.relayCursor(id).compose(cursor -> {
      feed.cursorRead(id, cursor);
      return store.relayPage(id, cursor + 1, batchMax);
    });
  }

  private static List<EncodedEvent> encoded(List<Sequenced> events) {
    List<EncodedEvent> encoded = new ArrayList<>(events.size());
    events.forEach(event -> encoded.add(event.event()));
    return encoded;
  }

  /**
   * Saves the cursors moved since the last save; one save at a time. A failed save is not retried at once (that
   * would spin while WriteDB is down): its cursors go with the next, and an unsaved cursor only means a resend
   * after a crash or failover.
   */
  private void saveCursors() {
    if (saving) {
      return;
    }
    Map<UUID, Long> cursors = feed.takeUnsaved();
    if (cursors.isEmpty()) {
      return;
    }
    saving = true;
    store.saveRelayCursors(cursors).onComplete(ar -> {
      saving = false;
      if (ar.failed()) {
        LOG.warn("relay could not save the cursors of {} promotions: {}", cursors.size(), ar.cause().getMessage());
        feed.saveFailed(cursors);
        return;
      }
      if (!stopped) {
        saveCursors();
      }
    });
  }
}
