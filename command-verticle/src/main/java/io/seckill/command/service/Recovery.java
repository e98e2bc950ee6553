package io.seckill.command.service;

import io.seckill.command.domain.PromotionState;
import io.seckill.command.lease.Ownership;
import io.seckill.command.store.EventStore;
import io.seckill.command.store.FencedException;
import io.seckill.command.store.PromotionCatalog;
import io.seckill.command.store.PromotionHistory;
import io.vertx.core.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Ownership and recovery: the promotions of newly claimed partitions rebuilt from their events (their epochs are
 * committed, so no earlier owner can add an event now) and dropped when lost; a promotion whose events were applied
 * but not committed (a failed, fenced or outcome-unknown write) answers 503 until it is rebuilt from the store.
 * Runs on the command verticle's context.
 */
final class Recovery implements Ownership.Listener, Lifecycle.StartRecovery {
  private static final Logger LOG = LoggerFactory.getLogger(Recovery.class);

  private final PromotionHistory history;
  private final PromotionCatalog catalog;
  private final Holdings holdings;
  private final Lifecycle lifecycle;
  private final PromotionChanges changes;
  private final Snapshots snapshots;
  private final Retries retries;
  /** Told of partitions an append found fenced (another process claimed them): the ownership steps down. */
  private final Consumer<Set<Integer>> fencedOut;

  Recovery(PromotionHistory history, PromotionCatalog catalog, Holdings holdings, Lifecycle lifecycle,
           PromotionChanges changes, Snapshots snapshots, Retries retries, Consumer<Set<Integer>> fencedOut) {
    this.history = history;
    this.catalog = catalog;
    this.holdings = holdings;
    this.lifecycle = lifecycle;
    this.changes = changes;
    this.snapshots = snapshots;
    this.retries = retries;
    this.fencedOut = fencedOut;
  }

  /**
   * Rebuilds the promotions of newly claimed partitions from the event store, then loads their scheduled ones and
   * arms their timers. Until then their grabs answer 503. A failed load is tried again.
   */
  @Override
  public Future<Void> claimed(Set<Integer> claimed) {
    long claim = holdings.claim(claimed);
    return load(Set.copyOf(claimed), claim);
  }

  private Future<Void> load(Set<Integer> claimed, long claim) {
    long began = System.nanoTime();
    return history.loadPromotions(id -> holdings.inAny(claimed, id))
        .compose(stored -> {
          long events = 0;
          for (EventStore.StoredPromotion p : stored) {
            if (holdings.loadingUnder(p.start().promotionId(), claim)) {
              restore(p);
              events += p.lastSequence();
            }
          }
          long unchunked = stored.stream().mapToLong(p -> p.unchunked().size()).sum();
          LOG.info("partitions {}: rebuilt {} promotions from {} events in {} ms ({} grabs read from the events,"
              + " the rest from snapshots)", claimed.size() == holdings.partitionCount() ? "all" : claimed,
              stored.size(), events, (System.nanoTime() - began) / 1_000_000, unchunked);
          return catalog.scheduled();
        })
        .map(rows -> {
          Set<Integer> ready = holdings.stillLoading(claimed, claim);
          holdings.loaded(ready);
          rows.stream().filter(row -> holdings.inAny(ready, row.promotionId())).forEach(changes::applyRow);
          holdings.in(ready).forEach(lifecycle::resume);
          return (Void) null;
        })
        .onFailure(e -> {
          LOG.warn("partitions {} not loaded ({}); retrying", claimed, e.getMessage());
          retries.later(() -> {
            Set<Integer> still = holdings.stillLoading(claimed, claim);
            if (!still.isEmpty()) {
              load(still, claim);
            }
          });
        });
  }

  /** Partitions held no longer: their promotions are dropped, timers, pending starts and snapshots with them. */
  @Override
  public void lost(Set<Integer> lost) {
    int dropped = holdings.release(lost);
    LOG.warn("partitions {} no longer held: dropped the state of {} promotions", lost, dropped);
  }

  /**
   * A group write of events applied here failed ({@code cause}): a fenced write steps this process down from the
   * partitions another claimed; each promotion of it still held answers 503 and is rebuilt from the store.
   */
  void uncommitted(Set<UUID> promotionIds, Throwable cause) {
    if (cause instanceof FencedException fenced) {
      fencedOut.accept(fenced.partitions());
    }
    for (UUID id : promotionIds) {
      ServedPromotion promotion = holdings.get(id);
      // not kept here (a load under way reads the store anyway), or being rebuilt already
      if (promotion != null && holdings.owns(id) && recovers(promotion)) {
        LOG.warn("write failed for promotion {}; rebuilding it from the event store", id);
        rebuild(promotion);
      }
    }
  }

  @Override
  public void startFailed(ServedPromotion promotion, Throwable cause) {
    if (cause instanceof FencedException fenced) {
      fencedOut.accept(fenced.partitions());
    }
    if (recovers(promotion)) {
      // a retry later, as a failed start was always tried again: not at once, round after round
      retries.later(() -> rebuild(promotion));
    }
  }

  @Override
  public void startChanged(ServedPromotion promotion) {
    if (recovers(promotion)) {
      rebuild(promotion);
    }
  }

  /** Marks {@code promotion} recovering (503) if it is still the one served and not recovering already. */
  private boolean recovers(ServedPromotion promotion) {
    if (holdings.get(promotion.id()) != promotion || promotion.recovering) {
      return false; // dropped, or claimed and loaded again meanwhile, or being rebuilt already
    }
    promotion.recovering = true;
    holdings.cancelTimer(promotion);
    return true;
  }

  private void rebuild(ServedPromotion recovering) {
    UUID id = recovering.id();
    history.loadPromotion(id).onComplete(ar -> {
      if (holdings.get(id) != recovering) {
        return; // its partition was lost (or claimed and loaded again) meanwhile
      }
      if (ar.failed()) {
        retries.later(() -> rebuild(recovering));
        return;
      }
      if (ar.result() == null) {
        notStarted(recovering);
        return;
      }
      ServedPromotion rebuilt = restore(ar.result());
      LOG.info("promotion {} rebuilt at sequence {}", id, rebuilt.state.lastSequence());
      lifecycle.resume(rebuilt);
      changes.reread(id); // a cancel requested while it was being rebuilt
    });
  }

  /**
   * No start of the promotion is stored: it is scheduled again from its row. Unless the row says it started: then
   * its start committed (row and events go in one transaction) after a write whose answer was lost, and the events
   * are not visible yet; it stays recovering and is read again a retry later.
   */
  private void notStarted(ServedPromotion recovering) {
    UUID id = recovering.id();
    catalog.find(id).onComplete(ar -> {
      if (holdings.get(id) != recovering) {
        return;
      }
      if (ar.failed() || ar.result().stream().anyMatch(row -> !row.scheduled() && !"deleted".equals(row.status()))) {
        retries.later(() -> rebuild(recovering));
        return;
      }
      holdings.remove(id);
      ar.result().forEach(changes::applyRow);
    });
  }

  /** The promotion's state as stored, served from now on; its snapshots go on after the last saved chunk. */
  private ServedPromotion restore(EventStore.StoredPromotion stored) {
    ServedPromotion promotion = holdings.put(PromotionState.restored(stored.start(), stored.customers(),
        stored.finish(), stored.lastSequence()));
    snapshots.resume(promotion, stored);
    return promotion;
  }
}
