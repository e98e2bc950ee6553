package io.seckill.command.lease;

import io.seckill.command.store.LeaseStore;
import io.seckill.shared.config.LeaseConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The partitions this process holds and the epochs it claimed them at, kept in step with WriteDB's leases. It only
 * says who should try: the fence in every append ({@code EventStore}) is what refuses a stale owner, whatever this
 * class believes. At start it claims every wanted partition that is free or held by an earlier incarnation of this
 * node; then, every {@code renewMillis}, it renews its leases (a renew that comes back short steps down from the
 * partitions lost), hands over what the {@link Placement} says another member should hold now (released, so that
 * one claims it on its next renew), and claims the wanted partitions that are free (in a cluster also the orphans:
 * partitions nobody held for a whole lease length). A process whose renews keep failing steps down from everything
 * once its leases have run out. In a cluster it also reads who holds every partition, and publishes it as
 * {@link Routes} for the ingress. Use on one context.
 */
public final class Ownership {
  private static final Logger LOG = LoggerFactory.getLogger(Ownership.class);

  /** Told of every change, on the ownership's context. */
  public interface Listener {
    /**
     * Partitions just claimed (their epochs bumped and committed): load their state before serving them. Renews and
     * further claims do not wait for the future (it may take longer than a lease): the listener must serve a
     * partition only once its load is done, and take a partition lost (and perhaps claimed again) meanwhile into
     * account.
     */
    Future<Void> claimed(Set<Integer> partitions);

    /** Partitions no longer held (claimed by another, fenced, or the lease ran out): drop their state. */
    void lost(Set<Integer> partitions);
  }

  private final Vertx vertx;
  private final LeaseStore store;
  private final LeaseConfig config;
  private final Placement placement;
  private final Map<Integer, Long> epochs = new HashMap<>();
  private Map<Integer, LeaseStore.Holder> holders = Map.of();
  /**
   * When this process's reads of the holders first found each partition unheld (nanoTime), since it last saw it held:
   * it adopts an orphan only after seeing it unheld for a whole lease length itself. WriteDB's own grace (the lease
   * ended a lease length ago) is not enough after WriteDB was away: every lease ended long ago then, and the first
   * member back would adopt every partition, load them all and hand most of them back a renew later.
   */
  private final Map<Integer, Long> unheldSince = new HashMap<>();
  private volatile Routes routes;
  private Listener listener;
  private long renewedAt;
  private long timer = -1;
  private long quickTimer = -1;
  /** A renew or a quick claim is under way: they never run at once. */
  private boolean busy;
  private boolean stopped;
  private boolean failingWarned;

  /** @param placement the partitions this process should hold (every one, without a cluster) */
  public Ownership(Vertx vertx, LeaseStore store, LeaseConfig config, Placement placement) {
    this.vertx = vertx;
    this.store = store;
    this.config = config;
    this.placement = placement;
    this.routes = Routes.none(store.incarnation(), config.partitions());
  }

  /** Who serves each partition, as of the last renew; safe to read from any thread. */
  public Routes routes() {
    return routes;
  }

  private void publishRoutes() {
    String[] incarnations = new String[config.partitions()];
    boolean[] here = new boolean[config.partitions()];
    holders.forEach((p, holder) -> {
      if (p < incarnations.length && placement.serving(holder.node())) {
        incarnations[p] = holder.incarnation();
      }
    });
    epochs.keySet().forEach(p -> here[p] = true);
    routes = new Routes(store.incarnation(), incarnations, here);
  }

  /** Claims what it can at start and tells {@code listener}; the future completes once that state is loaded. */
  public Future<Void> start(Listener changes) {
    this.listener = changes;
    long began = System.nanoTime();
    return store.ensure().compose(v -> claimFree(true)).compose(claimed -> {
      renewedAt = began;
      LOG.info("node {} (incarnation {}) holds {} of {} partitions", config.nodeId(), store.incarnation(),
          epochs.size(), config.partitions());
      publishRoutes();
      // renewing starts now, not after the load: a start's load may be longer than a lease
      schedule();
      return claimed.isEmpty() ? Future.succeededFuture() : listener.claimed(claimed);
    });
  }

  /** The epoch this process holds {@code partition} at, or -1. */
  public long epoch(int partition) {
    Long epoch = epochs.get(partition);
    return epoch == null ? -1 : epoch;
  }

  public int held() {
    return epochs.size();
  }

  /** Whether the leases were renewed within their length: false while WriteDB cannot be reached for that long. */
  public boolean current() {
    return !stopped && System.nanoTime() - renewedAt < config.leaseMillis() * 1_000_000;
  }

  /** An append found these partitions' epochs stale: another process holds them now. */
  public void fenced(Set<Integer> partitions) {
    Set<Integer> lost = new TreeSet<>();
    for (Integer p : partitions) {
      if (epochs.remove(p) != null) {
        lost.add(p);
      }
    }
    if (!lost.isEmpty()) {
      LOG.warn("fenced: partitions {} were claimed by another process; this one stepped down from them", lost);
      publishRoutes();
      listener.lost(lost);
    }
  }

  private void schedule() {
    schedule(config.renewMillis());
  }

  /** A quarter of the renew period: how soon claims come while a partition lacks a holder, or after a failed renew. */
  private long quickMillis() {
    return Math.max(25, config.renewMillis() / 4);
  }

  private void schedule(long millis) {
    if (!stopped) {
      timer = vertx.setTimer(millis, t -> tick());
    }
    scheduleQuickClaim();
  }

  /**
   * In a cluster, while a partition this member should hold is held by nobody here, or a partition has no holder that
   * is serving (its holder was dropped from the members serving: dead, paused, cut off), claims and the read of the
   * holders are done four times per renew period instead of once, so that a partition is taken within a quarter
   * period of its lease's end and every ingress routes to its new holder as soon (W5).
   */
  private void scheduleQuickClaim() {
    if (stopped || quickTimer >= 0 || !placement.adoptsOrphans() || !(wantsUnheld() || unrouted())) {
      return;
    }
    quickTimer = vertx.setTimer(quickMillis(), t -> {
      quickTimer = -1;
      quickClaim();
    });
  }

  private boolean wantsUnheld() {
    for (int p = 0; p < config.partitions(); p++) {
      if (!epochs.containsKey(p) && placement.wants(p)) {
        return true;
      }
    }
    return false;
  }

  /** A partition with no holder, or one that is not serving. */
  private boolean unrouted() {
    for (int p = 0; p < config.partitions(); p++) {
      LeaseStore.Holder holder = holders.get(p);
      if (holder == null || !placement.serving(holder.node())) {
        return true;
      }
    }
    return false;
  }

  private void quickClaim() {
    if (stopped || busy) {
      scheduleQuickClaim();
      return;
    }
    busy = true;
    claimFree(false).compose(claimed -> readHolders().map(claimed)).map(claimed -> {
      publishRoutes();
      loadWithoutWaiting(claimed);
      return (Void) null;
    }).onComplete(ar -> {
      busy = false;
      scheduleQuickClaim();
    });
  }

  private void tick() {
    if (busy) {
      // a quick claim is under way: renew right after it
      timer = vertx.setTimer(Math.max(10, config.renewMillis() / 20), t -> tick());
      return;
    }
    busy = true;
    long began = System.nanoTime();
    Map<Integer, Long> believed = Map.copyOf(epochs);
    store.renew().compose(still -> {
      renewedAt = began;
      failingWarned = false;
      Set<Integer> lost = new TreeSet<>();
      believed.forEach((p, epoch) -> {
        if (!epoch.equals(still.get(p)) && epochs.remove(p) != null) {
          lost.add(p);
        }
      });
      if (!lost.isEmpty()) {
        LOG.warn("lease renew came back without partitions {}: their leases ended before it reached WriteDB, or another"
            + " process claimed them; stepped down", lost);
        listener.lost(lost);
      }
      // held in WriteDB but not here: a claim that committed while its answer was lost; taken as claimed
      Set<Integer> found = new TreeSet<>();
      still.forEach((p, epoch) -> {
        if (!epochs.containsKey(p) && !stopped) {
          epochs.put(p, epoch);
          found.add(p);
        }
      });
      if (!found.isEmpty()) {
        LOG.warn("partitions {} are held by this process in WriteDB without it knowing: taken as claimed", found);
      }
      return handOver().compose(v -> claimFree(false)).map(claimed -> {
        Set<Integer> all = new TreeSet<>(claimed);
        all.addAll(found);
        return all;
      });
    }).compose(claimed -> readHolders().map(v -> {
          publishRoutes();
          loadWithoutWaiting(claimed);
          return (Void) null;
        }))
        .onFailure(e -> {
          if (!failingWarned) {
            LOG.warn("lease renew or claim failed: {}", e.getMessage());
            failingWarned = true;
          }
          if (!current() && !epochs.isEmpty()) {
            Set<Integer> all = new TreeSet<>(epochs.keySet());
            epochs.clear();
            LOG.error("leases of partitions {} not renewed for {} ms: stepped down from all", all,
                config.leaseMillis());
            holders = Map.of();
            // what was seen unheld before WriteDB went away says nothing now: seen again from scratch
            unheldSince.clear();
            publishRoutes();
            listener.lost(all);
          }
        })
        .onComplete(ar -> {
          busy = false;
          // after a failure (WriteDB away, or failing over to another node) the next try comes sooner: the leases
          // are claimed again as soon as WriteDB answers
          schedule(ar.failed() ? quickMillis() : config.renewMillis());
        });
  }

  /**
   * Tells the listener of partitions claimed and goes on: their loads must not hold up the renews (a load longer than
   * a lease would let every lease this process holds run out, and it would step down from all, claim them again and
   * load more). A claimed partition answers 503 until its load is done; a failed load is retried by the listener.
   */
  private void loadWithoutWaiting(Set<Integer> claimed) {
    if (!claimed.isEmpty()) {
      listener.claimed(claimed);
    }
  }

  /** In a cluster: who holds every partition, for the routes (one small read). */
  private Future<Void> readHolders() {
    if (!placement.adoptsOrphans()) {
      return Future.succeededFuture();
    }
    return store.holders().map(read -> {
      holders = read;
      long now = System.nanoTime();
      for (int p = 0; p < config.partitions(); p++) {
        if (read.containsKey(p)) {
          unheldSince.remove(p);
        } else {
          unheldSince.putIfAbsent(p, now);
        }
      }
      return null;
    });
  }

  private boolean unheldLongEnough(int partition) {
    Long since = unheldSince.get(partition);
    return since != null && System.nanoTime() - since >= config.leaseMillis() * 1_000_000;
  }

  /**
   * Releases the partitions held that the placement hands to another member: they stop being served here first
   * (so nothing more is appended under this epoch), then their leases are released for that member to claim.
   */
  private Future<Void> handOver() {
    Set<Integer> given = new TreeSet<>();
    for (Integer p : epochs.keySet()) {
      if (placement.handsOver(p)) {
        given.add(p);
      }
    }
    if (given.isEmpty() || stopped) {
      return Future.succeededFuture();
    }
    given.forEach(epochs::remove);
    LOG.info("handing partitions {} over to the members that should hold them", given);
    publishRoutes();
    listener.lost(given);
    return store.release(new ArrayList<>(given)).recover(e -> {
      LOG.warn("release of partitions {} failed ({}): they are claimed when their leases end", given, e.getMessage());
      return Future.succeededFuture();
    });
  }

  /**
   * Claims the wanted partitions not held (in a cluster also the orphans), one statement each; the set of those
   * claimed.
   */
  private Future<Set<Integer>> claimFree(boolean atStart) {
    List<Integer> candidates = new ArrayList<>();
    List<Future<Long>> claims = new ArrayList<>();
    for (int p = 0; p < config.partitions(); p++) {
      if (epochs.containsKey(p)) {
        continue;
      }
      if (placement.wants(p)) {
        candidates.add(p);
        claims.add(store.claim(p, atStart));
      } else if (placement.adoptsOrphans() && !holders.containsKey(p) && unheldLongEnough(p)) {
        candidates.add(p);
        claims.add(store.claimOrphan(p));
      }
    }
    if (candidates.isEmpty()) {
      return Future.succeededFuture(Set.of());
    }
    return Future.join(claims).transform(ar -> {
      Set<Integer> claimed = new TreeSet<>();
      for (int i = 0; i < candidates.size(); i++) {
        Future<Long> claim = claims.get(i);
        if (claim.succeeded() && claim.result() > 0 && !stopped) {
          epochs.put(candidates.get(i), claim.result());
          claimed.add(candidates.get(i));
        }
      }
      if (!claimed.isEmpty() && !atStart) {
        LOG.info("claimed partitions {}", claimed);
      }
      Throwable failed = claims.stream().filter(Future::failed).map(Future::cause).findFirst().orElse(null);
      return failed != null && claimed.isEmpty() ? Future.failedFuture(failed) : Future.succeededFuture(claimed);
    });
  }

  /** Stops renewing and releases every lease held, so that another process may claim them at once. */
  public Future<Void> stop() {
    stopped = true;
    if (timer >= 0) {
      vertx.cancelTimer(timer);
    }
    if (quickTimer >= 0) {
      vertx.cancelTimer(quickTimer);
    }
    List<Integer> held = new ArrayList<>(epochs.keySet());
    epochs.clear();
    routes = Routes.none(store.incarnation(), config.partitions());
    return store.release(held);
  }
}
