package io.seckill.command.service;

import io.seckill.command.domain.CustomerChunk;
import io.seckill.command.domain.CustomerChunker;
import io.seckill.command.store.EventStore;
import io.seckill.command.store.PromotionHistory;
import io.seckill.shared.event.CouponGrabbedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The snapshot chunks of the promotions served here: committed grabs go into their promotion's next chunk (kept in
 * its {@link ServedPromotion}), saved when full; a rebuild resumes after the last chunk saved. Grabs commit in
 * sequence order (one writer per partition); a chunker that sees otherwise is dropped, and the next rebuild picks up
 * from the last saved chunk. A chunk not saved only means a restart reads those grabs from the events. Runs on the
 * command verticle's context.
 */
final class Snapshots {
  private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

  private final PromotionHistory store;
  private final int grabsPerChunk;

  Snapshots(PromotionHistory store, int grabsPerChunk) {
    this.store = store;
    this.grabsPerChunk = grabsPerChunk;
  }

  /** A promotion rebuilt from the store: its chunks go on after the last saved one (saving any now full). */
  void resume(ServedPromotion promotion, EventStore.StoredPromotion stored) {
    promotion.chunker = CustomerChunker.resume(promotion.id(), grabsPerChunk, stored.unchunkedFrom(),
        stored.unchunked());
    promotion.chunker.fullChunks().forEach(this::save);
  }

  void committed(ServedPromotion promotion, CouponGrabbedEvent grab) {
    if (promotion.chunker == null) {
      if (grab.sequence() != CustomerChunker.FIRST_GRAB) {
        return; // dropped (see below) until the promotion is rebuilt
      }
      promotion.chunker = CustomerChunker.fresh(promotion.id(), grabsPerChunk);
    }
    try {
      CustomerChunk full = promotion.chunker.committed(grab.sequence(), grab.customerId());
      if (full != null) {
        save(full);
      }
    } catch (IllegalStateException e) {
      promotion.chunker = null;
      LOG.warn("snapshots of promotion {} stop until it is rebuilt: {}", promotion.id(), e.getMessage());
    }
  }

  private void save(CustomerChunk chunk) {
    store.saveChunk(chunk).onFailure(e -> LOG.warn("snapshot of promotion {} grabs {} to {} not saved ({}); a"
        + " restart reads them from the events", chunk.promotionId(), chunk.firstSequence(),
        chunk.nextSequence() - 1, e.getMessage()));
  }
}
