package io.seckill.command.service;

import io.seckill.command.domain.GrabDecider;
import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.PromotionState;
import io.seckill.command.domain.PromotionStatus;
import io.seckill.command.domain.TicketPolicy;
import io.seckill.command.lease.Ownership;
import io.seckill.command.lease.Partitions;
import io.seckill.command.store.GroupCommitter;
import io.seckill.command.store.PromotionCatalog;
import io.seckill.command.store.PromotionHistory;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The command side around the pure {@link GrabDecider}, for the partitions this process holds: grabs decided in
 * memory and appended through the {@link GroupCommitter} (fenced by the partitions' epochs); the rest is its parts'.
 * {@link Recovery} rebuilds a claimed partition's promotions and a promotion whose write did not commit;
 * {@link Lifecycle} runs each promotion's start and finish; {@link PromotionChanges} takes in the admin's edits;
 * {@link Snapshots} cuts committed grabs into chunks. What is kept per promotion is one {@link ServedPromotion} in
 * {@link Holdings}. Outcomes are typed: a {@link GrabDecision}, or {@link Unavailable} when nothing was decided.
 * Runs on the command verticle's event loop; nothing here blocks.
 */
public final class CommandService implements Ownership.Listener {
  private final GrabDecider decider;
  private final GroupCommitter committer;
  private final Holdings holdings;
  private final Retries retries;
  private final Snapshots snapshots;
  private final Lifecycle lifecycle;
  private final Recovery recovery;
  private final PromotionChanges changes;

  /**
   * @param fencedOut     told of partitions an append found fenced (another process claimed them)
   * @param leasesCurrent whether this process's leases were renewed within their length
   */
  public CommandService(Vertx vertx, Clock clock, GrabDecider decider, PromotionHistory history,
                        PromotionCatalog catalog, GroupCommitter committer, long pollMillis, int snapshotGrabs,
                        Partitions partitions, Consumer<Set<Integer>> fencedOut, BooleanSupplier leasesCurrent) {
    this.decider = decider;
    this.committer = committer;
    this.holdings = new Holdings(vertx, partitions, leasesCurrent);
    this.retries = new Retries(vertx);
    this.snapshots = new Snapshots(history, snapshotGrabs);
    this.lifecycle = new Lifecycle(vertx, clock, decider, history, committer, holdings, retries);
    this.changes = new PromotionChanges(vertx, catalog, pollMillis, holdings, lifecycle, retries);
    this.recovery = new Recovery(history, catalog, holdings, lifecycle, changes, snapshots, retries, fencedOut);
    lifecycle.recoverStartsWith(recovery);
    committer.onFailure(recovery::uncommitted);
  }

  /** Starts the poll of the admin's changes; promotions are loaded as their partitions are claimed. */
  public Future<Void> start() {
    return changes.start();
  }

  public void stop() {
    retries.stop();
    lifecycle.stop();
    changes.stop();
  }

  @Override
  public Future<Void> claimed(Set<Integer> claimed) {
    return recovery.claimed(claimed);
  }

  @Override
  public void lost(Set<Integer> lost) {
    recovery.lost(lost);
  }

  /**
   * Tells {@code listener} (on this service's context) of each promotion whose finish is committed: from then on
   * its state never changes, so other threads may read it to answer grabs without coming here.
   */
  public void onFinished(Consumer<PromotionState> listener) {
    lifecycle.onFinished(listener);
  }

  /**
   * Decides a grab now and, when accepted, appends its events; the future completes once they are committed.
   * {@link Unavailable} when the promotion is not served here or is recovering from a write that did not commit.
   */
  public Future<GrabDecision> grab(UUID promotionId, String customerId) {
    if (!holdings.served(promotionId)) {
      return Future.failedFuture(holdings.notServed(promotionId));
    }
    ServedPromotion promotion = holdings.get(promotionId);
    if (promotion == null) {
      return Future.succeededFuture(decider.decide(null, customerId, lifecycle.now()));
    }
    if (promotion.recovering) {
      return Future.failedFuture(recoveringNow());
    }
    if (promotion.starting == null && promotion.state.status() == PromotionStatus.SCHEDULED
        && !lifecycle.now().isBefore(promotion.state.terms().publishTime())) {
      // the crowd arrived before the start timer fired: start now rather than refuse at the publish time
      lifecycle.start(promotion);
      if (promotion.recovering) {
        // its start failed at once (a fence not held): nothing of it was written
        return Future.failedFuture(recoveringNow());
      }
    }
    if (promotion.starting != null) {
      // decided once the start is written, or refused as unavailable if it was not
      return promotion.starting.transform(ar -> grab(promotionId, customerId));
    }
    return decide(promotion, customerId);
  }

  private static Unavailable recoveringNow() {
    return new Unavailable("the promotion is recovering from a failed write; try again shortly");
  }

  private Future<GrabDecision> decide(ServedPromotion promotion, String customerId) {
    PromotionState state = promotion.state;
    GrabDecision decision = decider.decide(state, customerId, lifecycle.now());
    if (!(decision instanceof GrabDecision.Accepted accepted)) {
      return Future.succeededFuture(decision);
    }
    // the one rule (GrabDecider): applied now, so the next grab is decided on top; undone by a rebuild if the
    // write does not commit
    accepted.events().forEach(state::apply);
    Future<Void> committed = committer.append(accepted.events());
    CouponGrabbedEvent grab = accepted.coupon();
    committed.onSuccess(v -> {
      ServedPromotion now = holdings.get(promotion.id());
      if (now != null) {
        snapshots.committed(now, grab);
      }
    });
    if (state.status() == PromotionStatus.FINISHED) {
      holdings.cancelTimer(promotion);
      committed.onSuccess(v -> lifecycle.finished(promotion));
    }
    return committed.map(decision);
  }

  /**
   * Whether a grab ticket may be issued for {@code promotionId} now, and until when; {@link Unavailable} when its
   * partition is not served here.
   */
  public Future<Optional<TicketPolicy.Validity>> ticket(TicketPolicy policy, UUID promotionId) {
    if (!holdings.served(promotionId)) {
      return Future.failedFuture(holdings.notServed(promotionId));
    }
    ServedPromotion promotion = holdings.get(promotionId);
    return Future.succeededFuture(policy.issue(promotion == null ? null : promotion.state, lifecycle.now()));
  }

  /** The state of one promotion, for tests and diagnostics. */
  public PromotionState promotion(UUID promotionId) {
    ServedPromotion promotion = holdings.get(promotionId);
    return promotion == null ? null : promotion.state;
  }
}
