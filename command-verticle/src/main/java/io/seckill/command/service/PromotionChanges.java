package io.seckill.command.service;

import io.seckill.command.store.PromotionCatalog;
import io.seckill.command.store.PromotionCatalog.PromotionRow;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.LocalDateTime;
import java.util.function.Consumer;

/**
 * The admin's edits, as the command side sees them: every {@code pollMillis}, a cheap indexed read of the promotions
 * rows changed since the last look (by WriteDB's clock, with an overlap so that a row committed late with an earlier
 * timestamp is not missed), each handed to {@code changed}. Runs on the command verticle's context.
 */
final class PromotionChanges {
  private static final Logger LOG = LoggerFactory.getLogger(PromotionChanges.class);
  private static final Duration POLL_OVERLAP = Duration.ofSeconds(5);

  private final Vertx vertx;
  private final PromotionCatalog catalog;
  private final long pollMillis;
  private final Consumer<PromotionRow> changed;
  private LocalDateTime watermark;
  private long timer = -1;
  private boolean stopped;

  PromotionChanges(Vertx vertx, PromotionCatalog catalog, long pollMillis, Consumer<PromotionRow> changed) {
    this.vertx = vertx;
    this.catalog = catalog;
    this.pollMillis = pollMillis;
    this.changed = changed;
  }

  Future<Void> start() {
    return catalog.now().map(now -> {
      watermark = now;
      schedule();
      return null;
    });
  }

  void stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
  }

  private void schedule() {
    if (!stopped) {
      timer = vertx.setTimer(pollMillis, t -> poll());
    }
  }

  private void poll() {
    catalog.changedSince(watermark.minus(POLL_OVERLAP)).onComplete(ar -> {
      if (ar.succeeded()) {
        for (PromotionRow row : ar.result()) {
          changed.accept(row);
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
}
