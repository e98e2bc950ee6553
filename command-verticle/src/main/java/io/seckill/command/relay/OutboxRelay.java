package io.seckill.command.relay;

import io.seckill.command.store.EventStore;
import io.seckill.command.store.EventStore.Positioned;
import io.seckill.shared.messaging.EncodedEvent;
import io.seckill.shared.messaging.SecKillMessagePublisher;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * Hands committed events from the event store to the broker, in position order, many per message. It takes
 * them from the group committer's memory while {@link RelayFeed} can prove that memory complete, and reads the
 * store otherwise (at start, after a hole or a write of unknown positions, after a long broker outage). The
 * relayed position is saved in WriteDB only after the broker has accepted the message (one save in flight at a
 * time, the newest position wins), so a crash resends (the projection is idempotent) and never skips. When the
 * broker is down it retries every second by itself. It sends only while this process holds a partition
 * ({@code active}): a process whose partitions another claimed would only send that one's events twice.
 */
public final class OutboxRelay {
  private static final Logger LOG = LoggerFactory.getLogger(OutboxRelay.class);
  private static final long RETRY_MILLIS = 1000;
  private static final long SWEEP_MILLIS = 1000;
  private static final long RESEND_INTERVAL_MILLIS = 1000;
  /** Committed events held for the broker in memory at most; beyond, the relay reads them from the store. */
  private static final int MEMORY_CAPACITY = 200_000;

  private final Vertx vertx;
  private final EventStore store;
  private final SecKillMessagePublisher publisher;
  private final int batchMax;
  private final BooleanSupplier active;
  private long position;
  private boolean running;
  private boolean wanted;
  private boolean paused;
  private boolean retryScheduled;
  private long sweepTimer = -1;
  private boolean stopped;
  private long head;
  private RelayFeed feed;
  private long savedPosition;
  private boolean saving;
  private final java.util.Map<java.util.UUID, Long> lastResend = new java.util.HashMap<>();

  public OutboxRelay(Vertx vertx, EventStore store, SecKillMessagePublisher publisher, int batchMax,
                     BooleanSupplier active) {
    this.vertx = vertx;
    this.store = store;
    this.publisher = publisher;
    this.batchMax = batchMax;
    this.active = active;
  }

  public Future<Void> start() {
    return store.relayedPosition().onSuccess(saved -> {
      position = saved;
      savedPosition = saved;
      feed = new RelayFeed(saved, MEMORY_CAPACITY);
      LOG.info("relay starts after position {}", saved);
      sweepTimer = vertx.setPeriodic(SWEEP_MILLIS, id -> sweep());
      nudge();
    }).mapEmpty();
  }

  public void stop() {
    stopped = true;
    if (sweepTimer >= 0) {
      vertx.cancelTimer(sweepTimer);
    }
  }

  /** 1 while the relay takes events from memory, 0 while it reads the store. */
  public int fromMemory() {
    return feed != null && feed.trusted() ? 1 : 0;
  }

  /** Events were committed (null: their positions are not known): send them soon. */
  public void committed(List<Positioned> stored) {
    if (feed != null) {
      feed.committed(stored);
    }
    nudge();
  }

  /** There may be new events in the store: send them soon. */
  public void nudge() {
    wanted = true;
    if (feed != null && !running && !retryScheduled && !stopped && active.getAsBoolean()) {
      runOnce();
    }
  }

  public long position() {
    return position;
  }

  /** Events committed but not yet accepted by the broker (as of the last sweep, once a second). */
  public long lag() {
    return Math.max(0, head - position);
  }

  private void sweep() {
    store.headPosition().onSuccess(h -> head = Math.max(head, h));
    nudge();
  }

  /**
   * Sends a promotion's events again from {@code fromSequence} on, because the read side found a gap the broker
   * will not fill. At most one resend per promotion a second; the projection skips what it already has.
   */
  public void resend(java.util.UUID promotionId, long fromSequence) {
    long now = System.currentTimeMillis();
    Long last = lastResend.get(promotionId);
    if (stopped || (last != null && now - last < RESEND_INTERVAL_MILLIS)) {
      return;
    }
    lastResend.put(promotionId, now);
    store.readPromotion(promotionId, fromSequence, batchMax)
        .compose(events -> publisher.publish(events).map(events.size()))
        .onSuccess(count -> LOG.info("resent {} events of promotion {} from sequence {}", count, promotionId, fromSequence))
        .onFailure(e -> LOG.warn("resend of promotion {} from {} failed: {}", promotionId, fromSequence, e.getMessage()));
  }

  private void runOnce() {
    running = true;
    wanted = false;
    boolean fromStore = !feed.trusted();
    long unknownAtIssue = feed.unknownCommits();
    Future<List<Positioned>> next = fromStore ? store.readAfter(position, batchMax)
        : Future.succeededFuture(feed.next(batchMax));
    next.compose(page -> {
      if (page.isEmpty()) {
        return Future.succeededFuture(page);
      }
      List<EncodedEvent> events = new ArrayList<>(page.size());
      for (Positioned positioned : page) {
        events.add(positioned.event());
      }
      return publisher.publishEncoded(events).map(page);
    }).onComplete(ar -> {
      running = false;
      if (stopped) {
        return;
      }
      if (ar.failed()) {
        if (!paused) {
          LOG.warn("relay paused at position {}: {}; retrying every {} ms", position, ar.cause().getMessage(), RETRY_MILLIS);
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
        LOG.info("relay resumed at position {}", position);
      }
      List<Positioned> page = ar.result();
      if (!page.isEmpty()) {
        position = page.get(page.size() - 1).position();
        savePosition();
      }
      if (fromStore) {
        feed.readFromStore(position, page.size() == batchMax, unknownAtIssue);
      } else {
        feed.sent(position);
      }
      if ((fromStore && page.size() == batchMax) || wanted || (feed.trusted() && feed.held() > 0)) {
        runOnce();
      }
    });
  }

  /**
   * Saves the relayed position; one save at a time, the newest position wins. A failed save is not retried at
   * once (that would spin while WriteDB is down): the next message sent saves again, and an unsaved position only
   * means a resend after a crash.
   */
  private void savePosition() {
    if (saving || position <= savedPosition) {
      return;
    }
    saving = true;
    long target = position;
    store.saveRelayedPosition(target).onComplete(ar -> {
      saving = false;
      if (ar.failed()) {
        LOG.warn("relay could not save position {}: {}", target, ar.cause().getMessage());
        return;
      }
      savedPosition = Math.max(savedPosition, target);
      if (!stopped) {
        savePosition();
      }
    });
  }
}
