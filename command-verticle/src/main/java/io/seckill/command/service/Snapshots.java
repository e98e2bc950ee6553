package io.seckill.command.service;

import io.seckill.command.domain.CustomerChunk;
import io.seckill.command.domain.CustomerChunker;
import io.seckill.command.store.EventStore;
import io.seckill.shared.event.CouponGrabbedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

/**
 * The snapshot chunks of the promotions served here: committed grabs go into their promotion's next chunk, saved
 * when full; a rebuild resumes after the last chunk saved. Grabs commit in sequence order (one writer per partition);
 * a chunker that sees otherwise is dropped, and the next rebuild picks up from the last saved chunk. A chunk not saved
 * only means a restart reads those grabs from the events. Runs on the command verticle's context.
 */
final class Snapshots {
  private static final Logger LOG = LoggerFactory.getLogger(Snapshots.class);

  private final EventStore store;
  private final int grabsPerChunk;
  private final Map<UUID, CustomerChunker> chunkers = new HashMap<>();

  Snapshots(EventStore store, int grabsPerChunk) {
    this.store = store;
    this.grabsPerChunk = grabsPerChunk;
  }

  /** A promotion rebuilt from the store: its chunks go on after the last saved one (saving any now full). */
  void resume(EventStore.StoredPromotion stored) {
    UUID id = stored.start().promotionId();
    CustomerChunker chunker = CustomerChunker.resume(id, grabsPerChunk, stored.unchunkedFrom(), stored.unchunked());
    chunkers.put(id, chunker);
    chunker.fullChunks().forEach(this::save);
  }

  void forget(UUID promotionId) {
    chunkers.remove(promotionId);
  }

  void committed(CouponGrabbedEvent grab) {
    UUID id = grab.promotionId();
    CustomerChunker chunker = chunkers.get(id);
    if (chunker == null) {
      if (grab.sequence() != CustomerChunker.FIRST_GRAB) {
        return; // dropped (see below) until the promotion is rebuilt
      }
      chunker = CustomerChunker.fresh(id, grabsPerChunk);
      chunkers.put(id, chunker);
    }
    try {
      CustomerChunk full = chunker.committed(grab.sequence(), grab.customerId());
      if (full != null) {
        save(full);
      }
    } catch (IllegalStateException e) {
      chunkers.remove(id);
      LOG.warn("snapshots of promotion {} stop until it is rebuilt: {}", id, e.getMessage());
    }
  }

  private void save(CustomerChunk chunk) {
    store.saveChunk(chunk).onFailure(e -> LOG.warn("snapshot of promotion {} grabs {} to {} not saved ({}); a"
        + " restart reads them from the events", chunk.promotionId(), chunk.firstSequence(),
        chunk.nextSequence() - 1, e.getMessage()));
  }
}
