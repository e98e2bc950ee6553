package io.seckill.command.service;

import io.seckill.command.domain.PromotionState;
import io.seckill.command.lease.Partitions;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * The partitions this process holds, which of them are still loading, and one {@link ServedPromotion} per promotion
 * of them. Runs on the command verticle's context.
 */
final class Holdings {
  private final Vertx vertx;
  private final Partitions partitions;
  /**
   * Whether this process's leases were renewed within their length: a process that was paused (a long GC, a frozen VM)
   * past them serves nothing from memory when it wakes, even before its next renew says what it lost.
   */
  private final BooleanSupplier leasesCurrent;
  private final Set<Integer> owned = new HashSet<>();
  /** Partitions claimed whose promotions are not loaded yet, each with the number of the claim loading it. */
  private final Map<Integer, Long> loading = new HashMap<>();
  /**
   * Numbers each claim: a load applies only the partitions still loading under its own claim. Claims do not wait
   * for each other's loads (the leases are renewed meanwhile), so a partition lost and claimed again while its first
   * load runs is loaded again, and the first load's older read of it is dropped.
   */
  private long claims;
  private final Map<UUID, ServedPromotion> promotions = new HashMap<>();

  Holdings(Vertx vertx, Partitions partitions, BooleanSupplier leasesCurrent) {
    this.vertx = vertx;
    this.partitions = partitions;
    this.leasesCurrent = leasesCurrent;
  }

  /** Holds {@code claimed}, loading under a new claim number, returned. */
  long claim(Set<Integer> claimed) {
    long claim = ++claims;
    owned.addAll(claimed);
    claimed.forEach(p -> loading.put(p, claim));
    return claim;
  }

  /** Whether the promotion's partition is still loading under {@code claim}. */
  boolean loadingUnder(UUID promotionId, long claim) {
    return Long.valueOf(claim).equals(loading.get(partitions.of(promotionId)));
  }

  /** The partitions of {@code claimed} still loading under {@code claim}. */
  Set<Integer> stillLoading(Set<Integer> claimed, long claim) {
    Set<Integer> still = new HashSet<>();
    claimed.forEach(p -> {
      if (Long.valueOf(claim).equals(loading.get(p))) {
        still.add(p);
      }
    });
    return still;
  }

  /** Their promotions are loaded: they are served. */
  void loaded(Set<Integer> ready) {
    ready.forEach(loading::remove);
  }

  /** Partitions held no longer: how many promotions were dropped with them (their timers cancelled). */
  int release(Set<Integer> lost) {
    owned.removeAll(lost);
    loading.keySet().removeAll(lost);
    int dropped = 0;
    for (Iterator<ServedPromotion> it = promotions.values().iterator(); it.hasNext(); ) {
      ServedPromotion promotion = it.next();
      if (lost.contains(partitions.of(promotion.id()))) {
        it.remove();
        cancelTimer(promotion);
        dropped++;
      }
    }
    return dropped;
  }

  /** Whether this process holds the promotion's partition, loaded or not. */
  boolean owns(UUID promotionId) {
    return owned.contains(partitions.of(promotionId));
  }

  /** Whether this process holds the promotion's partition and has loaded it. */
  boolean held(UUID promotionId) {
    int partition = partitions.of(promotionId);
    return owned.contains(partition) && !loading.containsKey(partition);
  }

  /** Whether grabs of the promotion are decided here now: {@link #held}, under leases renewed within their length. */
  boolean served(UUID promotionId) {
    return held(promotionId) && leasesCurrent.getAsBoolean();
  }

  /** Why the promotion is not {@link #served}, for its 503. */
  Unavailable notServed(UUID promotionId) {
    return new Unavailable("promotion " + promotionId + " (partition " + partitions.of(promotionId)
        + ") is not served by this command process right now; try again shortly");
  }

  ServedPromotion get(UUID promotionId) {
    return promotions.get(promotionId);
  }

  /** Serves {@code state} from now on, in place of whatever was kept for its promotion (whose timer is cancelled). */
  ServedPromotion put(PromotionState state) {
    ServedPromotion served = new ServedPromotion(state);
    ServedPromotion before = promotions.put(served.id(), served);
    if (before != null) {
      cancelTimer(before);
    }
    return served;
  }

  void remove(UUID promotionId) {
    ServedPromotion before = promotions.remove(promotionId);
    if (before != null) {
      cancelTimer(before);
    }
  }

  /** The promotions of {@code partitionSet}, a copy. */
  List<ServedPromotion> in(Set<Integer> partitionSet) {
    List<ServedPromotion> in = new ArrayList<>();
    promotions.values().forEach(p -> {
      if (partitionSet.contains(partitions.of(p.id()))) {
        in.add(p);
      }
    });
    return in;
  }

  /** Every promotion kept, a copy. */
  List<ServedPromotion> all() {
    return new ArrayList<>(promotions.values());
  }

  boolean inAny(Set<Integer> partitionSet, UUID promotionId) {
    return partitionSet.contains(partitions.of(promotionId));
  }

  int partitionCount() {
    return partitions.count();
  }

  void cancelTimer(ServedPromotion promotion) {
    if (promotion.timer >= 0) {
      vertx.cancelTimer(promotion.timer);
      promotion.timer = -1;
    }
  }
}
