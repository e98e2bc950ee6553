package io.seckill.command.service;

import io.seckill.command.domain.GrabDecider;
import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.PromotionState;
import io.seckill.command.domain.PromotionStatus;
import io.seckill.command.domain.TicketPolicy;
import io.seckill.command.lease.Ownership;
import io.seckill.command.lease.Partitions;
import io.seckill.command.store.EventStore;
import io.seckill.command.store.FencedException;
import io.seckill.command.store.GroupCommitter;
import io.seckill.command.store.PromotionCatalog;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.http.ApiException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The command side's state and lifecycle around the pure {@link GrabDecider}, for the partitions this process holds
 * ({@link Ownership.Listener}): their promotions rebuilt from their events when claimed and dropped when lost,
 * grabs decided in memory and appended through the {@link GroupCommitter} (fenced by the partitions' epochs), and
 * one timer per promotion for its start or finish. The admin's edits come from {@link PromotionChanges}, snapshot
 * chunks are kept by {@link Snapshots}.
 * Runs on the command verticle's event loop; nothing here blocks.
 */
public final class CommandService implements Ownership.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(CommandService.class);
  private static final long RETRY_MILLIS = 1000;

  private final Vertx vertx;
  private final Clock clock;
  private final GrabDecider decider;
  private final EventStore store;
  private final PromotionCatalog catalog;
  private final GroupCommitter committer;
  private final PromotionChanges changes;
  private final Snapshots snapshots;
  private final Partitions partitions;
  /** Told of partitions an append found fenced (another process claimed them): the ownership steps down. */
  private final Consumer<Set<Integer>> fencedOut;
  /**
   * Whether this process's leases were renewed within their length: a process that was paused (a long GC, a frozen VM)
   * past them serves nothing from memory when it wakes, even before its next renew says what it lost.
   */
  private final BooleanSupplier leasesCurrent;
  /** Partitions held; those still loading answer 503 until their promotions are rebuilt. */
  private final Set<Integer> owned = new HashSet<>();
  private final Map<Integer, Long> loading = new HashMap<>();
  /**
   * Numbers each claim: a load applies only the partitions still loading under its own claim. Claims do not wait
   * for each other's loads (the leases are renewed meanwhile), so a partition lost and claimed again while its first
   * load runs is loaded again, and the first load's older read of it is dropped.
   */
  private long claims;
  private final Map<UUID, PromotionState> promotions = new HashMap<>();
  private final Set<UUID> recovering = new HashSet<>();
  private final Map<UUID, Long> timers = new HashMap<>();
  /** Start writes in flight: grabs arriving at or after the publish time wait for them instead of being refused. */
  private final Map<UUID, Future<Void>> starting = new HashMap<>();
  private Consumer<PromotionState> onFinished = state -> { };
  private boolean stopped;

  public CommandService(Vertx vertx, Clock clock, GrabDecider decider, EventStore store, PromotionCatalog catalog,
                        GroupCommitter committer, long pollMillis, int snapshotGrabs, Partitions partitions,
                        Consumer<Set<Integer>> fencedOut, BooleanSupplier leasesCurrent) {
    this.vertx = vertx;
    this.clock = clock;
    this.decider = decider;
    this.store = store;
    this.catalog = catalog;
    this.committer = committer;
    this.changes = new PromotionChanges(vertx, catalog, pollMillis, this::applyRow);
    this.snapshots = new Snapshots(store, snapshotGrabs);
    this.partitions = partitions;
    this.fencedOut = fencedOut;
    this.leasesCurrent = leasesCurrent;
    committer.onFailure(this::failed);
  }

  /** Starts the poll of the admin's changes; promotions are loaded as their partitions are claimed. */
  public Future<Void> start() {
    return changes.start();
  }

  /**
   * Rebuilds the promotions of newly claimed partitions from the event store (their epochs are committed, so no
   * earlier owner can add an event now), then loads their scheduled ones and arms their timers. Until then their
   * grabs answer 503. A failed load is tried again every second.
   */
  @Override
  public Future<Void> claimed(Set<Integer> claimed) {
    long claim = ++claims;
    owned.addAll(claimed);
    claimed.forEach(p -> loading.put(p, claim));
    return load(Set.copyOf(claimed), claim);
  }

  /** The partitions of {@code claimed} still loading under {@code claim}. */
  private Set<Integer> stillLoading(Set<Integer> claimed, long claim) {
    Set<Integer> still = new HashSet<>();
    claimed.forEach(p -> {
      if (Long.valueOf(claim).equals(loading.get(p))) {
        still.add(p);
      }
    });
    return still;
  }

  private Future<Void> load(Set<Integer> claimed, long claim) {
    long began = System.nanoTime();
    return store.loadPromotions(id -> claimed.contains(partitions.of(id)))
        .compose(stored -> {
          long events = 0;
          for (EventStore.StoredPromotion p : stored) {
            UUID id = p.start().promotionId();
            if (Long.valueOf(claim).equals(loading.get(partitions.of(id)))) {
              promotions.put(id, restore(p));
              events += p.lastSequence();
            }
          }
          long unchunked = stored.stream().mapToLong(p -> p.unchunked().size()).sum();
          LOG.info("partitions {}: rebuilt {} promotions from {} events in {} ms ({} grabs read from the events,"
              + " the rest from snapshots)", claimed.size() == partitions.count() ? "all" : claimed, stored.size(),
              events, (System.nanoTime() - began) / 1_000_000, unchunked);
          return catalog.scheduled();
        })
        .map(rows -> {
          Set<Integer> ready = stillLoading(claimed, claim);
          ready.forEach(loading::remove);
          rows.stream().filter(row -> ready.contains(partitions.of(row.promotionId()))).forEach(this::applyRow);
          promotions.values().stream().filter(state -> ready.contains(partitions.of(state.promotionId())))
              .forEach(state -> {
                arm(state);
                publishIfFinished(state);
              });
          return (Void) null;
        })
        .onFailure(e -> {
          LOG.warn("partitions {} not loaded ({}); retrying", claimed, e.getMessage());
          vertx.setTimer(RETRY_MILLIS, t -> {
            Set<Integer> still = stillLoading(claimed, claim);
            if (!stopped && !still.isEmpty()) {
              load(still, claim);
            }
          });
        });
  }

  /** Partitions held no longer: their promotions' state, timers and pending starts are dropped. */
  @Override
  public void lost(Set<Integer> lost) {
    owned.removeAll(lost);
    loading.keySet().removeAll(lost);
    int dropped = 0;
    for (Iterator<UUID> it = promotions.keySet().iterator(); it.hasNext(); ) {
      UUID id = it.next();
      if (lost.contains(partitions.of(id))) {
        it.remove();
        disarm(id);
        snapshots.forget(id);
        starting.remove(id);
        recovering.remove(id);
        dropped++;
      }
    }
    LOG.warn("partitions {} no longer held: dropped the state of {} promotions", lost, dropped);
  }

  /** Whether this process holds the promotion's partition and has loaded it. */
  private boolean held(UUID promotionId) {
    int partition = partitions.of(promotionId);
    return owned.contains(partition) && !loading.containsKey(partition);
  }

  /** Whether grabs of the promotion are decided here now: {@link #held}, under leases renewed within their length. */
  private boolean served(UUID promotionId) {
    return held(promotionId) && leasesCurrent.getAsBoolean();
  }

  /** 503 unless the promotion is {@link #served}. */
  private void requireServed(UUID promotionId) {
    if (!served(promotionId)) {
      throw new ApiException(503, "unavailable", "promotion " + promotionId + " (partition "
          + partitions.of(promotionId) + ") is not served by this command process right now; try again shortly");
    }
  }

  /**
   * Tells {@code listener} (on this service's context) of each promotion whose finish is committed: from then on
   * its state never changes, so other threads may read it to answer grabs without coming here.
   */
  public void onFinished(Consumer<PromotionState> listener) {
    this.onFinished = listener;
    promotions.values().forEach(this::publishIfFinished);
  }

  private void publishIfFinished(PromotionState state) {
    if (state.status() == PromotionStatus.FINISHED) {
      onFinished.accept(state);
    }
  }

  public void stop() {
    stopped = true;
    timers.values().forEach(vertx::cancelTimer);
    changes.stop();
  }

  /**
   * Decides a grab now and, when accepted, appends its events; the future completes once they are committed.
   * A promotion being rebuilt after a failed write answers 503.
   */
  public Future<GrabDecision> grab(UUID promotionId, String customerId) {
    try {
      requireServed(promotionId);
    } catch (ApiException e) {
      return Future.failedFuture(e);
    }
    if (recovering.contains(promotionId)) {
      return Future.failedFuture(new ApiException(503, "unavailable",
          "the promotion is recovering from a failed write; try again shortly"));
    }
    Future<Void> start = starting.get(promotionId);
    if (start == null) {
      PromotionState state = promotions.get(promotionId);
      if (state != null && state.status() == PromotionStatus.SCHEDULED
          && !now().isBefore(state.terms().publishTime())) {
        // the crowd arrived before the start timer fired: start now rather than refuse at the publish time
        disarm(promotionId);
        onDue(promotionId);
        start = starting.get(promotionId);
      }
    }
    if (start != null) {
      return start.transform(ar -> decide(promotionId, customerId));
    }
    return decide(promotionId, customerId);
  }

  private Future<GrabDecision> decide(UUID promotionId, String customerId) {
    PromotionState state = promotions.get(promotionId);
    GrabDecision decision = decider.decide(state, customerId, now());
    if (decision instanceof GrabDecision.Accepted accepted) {
      accepted.events().forEach(state::apply);
      Future<Void> committed = committer.append(accepted.events());
      if (accepted.events().get(0) instanceof CouponGrabbedEvent grab) {
        committed.onSuccess(v -> snapshots.committed(grab));
      }
      if (state.status() == PromotionStatus.FINISHED) {
        disarm(promotionId);
        committed.onSuccess(v -> onFinished.accept(state));
      }
      return committed.map(decision);
    }
    return Future.succeededFuture(decision);
  }

  /** Event times are kept to the millisecond, as stored. */
  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /**
   * Whether a grab ticket may be issued for {@code promotionId} now, and until when; an {@link ApiException} 503
   * when its partition is not served here.
   */
  public Optional<TicketPolicy.Validity> ticket(TicketPolicy policy, UUID promotionId) {
    requireServed(promotionId);
    return policy.issue(promotions.get(promotionId), now());
  }

  /** The state of one promotion, for tests and diagnostics. */
  public PromotionState promotion(UUID promotionId) {
    return promotions.get(promotionId);
  }

  private void arm(PromotionState state) {
    disarm(state.promotionId());
    Instant due;
    if (state.status() == PromotionStatus.SCHEDULED) {
      due = state.terms().publishTime();
    } else if (state.status() == PromotionStatus.ACTIVE) {
      due = state.terms().finishTime();
    } else {
      return;
    }
    long delay = Math.max(1, Duration.between(clock.instant(), due).toMillis());
    UUID id = state.promotionId();
    timers.put(id, vertx.setTimer(delay, timer -> {
      timers.remove(id);
      onDue(id);
    }));
  }

  private void disarm(UUID promotionId) {
    Long timer = timers.remove(promotionId);
    if (timer != null) {
      vertx.cancelTimer(timer);
    }
  }

  private void onDue(UUID promotionId) {
    PromotionState state = promotions.get(promotionId);
    if (stopped || state == null || recovering.contains(promotionId)) {
      return;
    }
    Instant now = now();
    if (state.status() == PromotionStatus.SCHEDULED) {
      List<SecKillEvent> events = decider.start(state, now);
      if (events.isEmpty()) {
        arm(state);
        return;
      }
      if (starting.containsKey(promotionId)) {
        return;
      }
      int version = state.termsVersion();
      // the state changes (or the retry is armed) before the grabs waiting on this start are decided
      Future<Void> applied = committer.exclusive(Set.of(promotionId), () -> store.appendStart(promotionId, version,
              events, committer.fence(List.of(promotionId))))
          .transform(ar -> {
            starting.remove(promotionId);
            if (ar.failed() && ar.cause() instanceof FencedException fenced) {
              fencedOut.accept(fenced.partitions());
            } else if (ar.failed()) {
              LOG.warn("start of promotion {} not written ({}); retrying", promotionId, ar.cause().getMessage());
              vertx.setTimer(RETRY_MILLIS, t -> onDue(promotionId));
            } else if (ar.result().isEmpty()) {
              LOG.info("promotion {} changed before its start was written; re-reading it", promotionId);
              reload(promotionId);
            } else if (promotions.get(promotionId) == state && state.status() == PromotionStatus.SCHEDULED) {
              events.forEach(state::apply);
              LOG.info("promotion {} started ({} coupons){}", promotionId, state.terms().numberOfCoupons(),
                  state.status() == PromotionStatus.FINISHED ? " and finished: its finish time had passed" : "");
              arm(state);
              publishIfFinished(state);
            }
            return Future.<Void>succeededFuture();
          });
      if (!applied.isComplete()) {
        starting.put(promotionId, applied);
      }
    } else if (state.status() == PromotionStatus.ACTIVE) {
      List<SecKillEvent> events = decider.finishByTime(state, now);
      if (events.isEmpty()) {
        arm(state);
        return;
      }
      events.forEach(state::apply);
      committer.append(events).onSuccess(v -> {
        LOG.info("promotion {} finished: time_up", promotionId);
        onFinished.accept(state);
      });
    }
  }

  /** An admin cancelled a running promotion: its one finish (reason cancelled), unless it has finished already. */
  private void cancel(UUID promotionId) {
    PromotionState state = promotions.get(promotionId);
    if (stopped || state == null || recovering.contains(promotionId) || starting.containsKey(promotionId)) {
      return; // a later poll or the rebuild reads the request again
    }
    List<SecKillEvent> events = decider.cancel(state, now());
    if (events.isEmpty()) {
      return;
    }
    disarm(promotionId);
    events.forEach(state::apply);
    committer.append(events).onSuccess(v -> {
      LOG.info("promotion {} finished: cancelled by an admin", promotionId);
      onFinished.accept(state);
    });
  }

  private void reload(UUID promotionId) {
    catalog.find(promotionId).onComplete(ar -> {
      if (ar.failed()) {
        vertx.setTimer(RETRY_MILLIS, t -> reload(promotionId));
      } else {
        ar.result().forEach(this::applyRow);
      }
    });
  }

  /**
   * Takes in a promotions row of a partition held: a new scheduled promotion, new terms before the start, a
   * deletion, a cancel.
   */
  private void applyRow(PromotionCatalog.PromotionRow row) {
    UUID id = row.promotionId();
    if (!held(id)) {
      return; // its state is loaded (scheduled rows included) when the partition is
    }
    PromotionState state = promotions.get(id);
    if (row.cancelRequested()) {
      cancel(id);
      return;
    }
    if (state == null) {
      if (row.scheduled()) {
        state = PromotionState.scheduled(id, row.terms(), row.version());
        promotions.put(id, state);
        LOG.info("promotion {} scheduled for {}", id, row.terms().publishTime());
        arm(state);
      }
      return;
    }
    if (state.status() != PromotionStatus.SCHEDULED || row.version() <= state.termsVersion()) {
      return;
    }
    if ("deleted".equals(row.status())) {
      disarm(id);
      promotions.remove(id);
      LOG.info("promotion {} deleted before its start", id);
    } else if (row.scheduled()) {
      state.reschedule(row.terms(), row.version());
      LOG.info("promotion {} rescheduled for {}", id, row.terms().publishTime());
      arm(state);
    }
  }

  /**
   * After a failed write: a fenced one steps this process down from the partitions another claimed; the other
   * promotions of the write forget what was pending and are rebuilt from the store.
   */
  private void failed(Set<UUID> promotionIds, Throwable cause) {
    if (cause instanceof FencedException fenced) {
      fencedOut.accept(fenced.partitions());
    }
    for (UUID id : promotionIds) {
      if (!owned.contains(partitions.of(id))) {
        continue;
      }
      if (recovering.add(id)) {
        disarm(id);
        LOG.warn("write failed for promotion {}; rebuilding it from the event store", id);
        rebuildOne(id);
      }
    }
  }

  private void rebuildOne(UUID promotionId) {
    store.loadPromotion(promotionId).onComplete(ar -> {
      if (!recovering.contains(promotionId)) {
        return; // its partition was lost meanwhile
      }
      if (ar.failed()) {
        vertx.setTimer(RETRY_MILLIS, t -> rebuildOne(promotionId));
        return;
      }
      recovering.remove(promotionId);
      if (ar.result() == null) {
        promotions.remove(promotionId);
        reload(promotionId);
        return;
      }
      PromotionState state = restore(ar.result());
      promotions.put(promotionId, state);
      LOG.info("promotion {} rebuilt at sequence {}", promotionId, state.lastSequence());
      arm(state);
      publishIfFinished(state);
      reload(promotionId); // a cancel requested while it was being rebuilt
    });
  }

  /** The promotion's state as stored; its snapshots go on after the last saved chunk. */
  private PromotionState restore(EventStore.StoredPromotion stored) {
    PromotionState state = PromotionState.restored(stored.start(), stored.customers(), stored.finish(),
        stored.lastSequence());
    snapshots.resume(stored);
    return state;
  }
}
