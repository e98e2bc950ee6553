package io.seckill.command.service;

import io.seckill.command.domain.PromotionState;
import io.seckill.command.domain.PromotionStatus;
import io.seckill.command.store.PromotionCatalog;
import io.seckill.command.store.PromotionCatalog.PromotionRow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.UUID;

/**
 * The admin's edits, as the command side sees them: every {@code pollMillis}, a cheap indexed read of the promotions
 * rows changed since the last look (by WriteDB's clock, with an overlap so that a row committed late with an earlier
 * timestamp is not missed), each taken in: a new scheduled promotion, new terms before the start, a deletion, a
 * cancel. Runs on the command verticle's context.
 */
final class PromotionChanges {
  private static final Logger LOG = LoggerFactory.getLogger(PromotionChanges.class);
  private static final Duration POLL_OVERLAP = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final PromotionCatalog catalog;
  private final long pollMillis;
  private final Holdings holdings;
  private final Lifecycle lifecycle;
  private final Retries retries;
  private LocalDateTime watermark;
  private long timer = -1;

  PromotionChanges(Vertx vertx, PromotionCatalog catalog, long pollMillis, Holdings holdings, Lifecycle lifecycle,
                   Retries retries) {
    this.vertx = vertx;
    this.catalog = catalog;
    this.pollMillis = pollMillis;
    this.holdings = holdings;
    this.lifecycle = lifecycle;
    this.retries = retries;
  }

  Future<Void> start() {
    return catalog.now().map(now -> {
      watermark = now;
      schedule();
      return null;
    });
  }

  /** After {@link Retries#stop}: no poll is scheduled again. */
  void stop() {
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void schedule() {
    if (!retries.stopped()) {
      timer = vertx.setTimer(pollMillis, t -> poll());
    }
  }

  private void poll() {
    catalog.changedSince(watermark.minus(POLL_OVERLAP)).onComplete(ar -> {
      if (ar.succeeded()) {
        for (PromotionRow row : ar.result()) {
          applyRow(row);
          if (row.updatedAt().isAfter(watermark)) {
            watermark = row.updatedAt();
          }
        }
      } else {
        LOG.debug("promotion change poll failed: {}", ar.cause().getMessage());
      }
      schedule();
    });
  }

  /** Reads the promotion's row again (a cancel or a change missed while it was rebuilt), until it is read. */
  void reread(UUID promotionId) {
    catalog.find(promotionId).onComplete(ar -> {
      if (ar.failed()) {
        retries.later(() -> reread(promotionId));
      } else {
        ar.result().forEach(this::applyRow);
      }
    });
  }

  /**
   * Takes in a promotions row of a partition held: a new scheduled promotion, new terms before the start, a
   * deletion, a cancel.
   */
  void applyRow(PromotionRow row) {
    UUID id = row.promotionId();
    if (!holdings.held(id)) {
      return; // its state is loaded (scheduled rows included) when the partition is
    }
    ServedPromotion promotion = holdings.get(id);
    if (row.cancelRequested()) {
      if (promotion != null) {
        lifecycle.cancel(promotion);
      }
      return;
    }
    if (promotion == null) {
      if (row.scheduled()) {
        LOG.info("promotion {} scheduled for {}", id, row.terms().publishTime());
        lifecycle.arm(holdings.put(PromotionState.scheduled(id, row.terms(), row.version())));
      }
      return;
    }
    PromotionState state = promotion.state;
    if (state.status() != PromotionStatus.SCHEDULED || row.version() <= state.termsVersion()) {
      return;
    }
    if ("deleted".equals(row.status())) {
      holdings.remove(id);
      LOG.info("promotion {} deleted before its start", id);
    } else if (row.scheduled()) {
      state.reschedule(row.terms(), row.version());
      LOG.info("promotion {} rescheduled for {}", id, row.terms().publishTime());
      lifecycle.arm(promotion);
    }
  }
}
