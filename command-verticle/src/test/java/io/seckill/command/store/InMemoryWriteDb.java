package io.seckill.command.store;

import io.seckill.command.domain.CustomerChunk;
import io.seckill.command.domain.CustomerSet;
import io.seckill.command.lease.Partitions;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.messaging.EncodedEvent;
import io.seckill.shared.promotion.PromotionTerms;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * WriteDB in memory for the command side's unit tests: the events (a promotion's sequences without a hole, as the
 * primary key keeps them), the promotions rows, the partitions' lease epochs (a fence at another epoch is refused),
 * and faults to inject: a write that fails, one that commits and then fails (its outcome unknown to the writer), a
 * database that is down, writes held until released. Not thread-safe: use from the test's context.
 */
public final class InMemoryWriteDb implements EventLog, PromotionHistory, PromotionCatalog {
  /** What the next append does instead of committing. */
  public enum Fault { FAIL, COMMIT_THEN_FAIL }

  private final Partitions partitions;
  private final Map<UUID, List<SecKillEvent>> events = new LinkedHashMap<>();
  private final Map<UUID, PromotionRow> rows = new LinkedHashMap<>();
  private final Map<Integer, Long> epochs = new HashMap<>();
  private final Deque<Fault> faults = new ArrayDeque<>();
  private final List<Integer> transactions = new CopyOnWriteArrayList<>();
  private final List<CustomerChunk> chunks = new ArrayList<>();
  private final List<Long> startAttempts = new CopyOnWriteArrayList<>();
  private Promise<Void> held;
  private boolean down;
  private boolean lagging;
  private int promotionLoads;

  public InMemoryWriteDb(Partitions partitions) {
    this.partitions = partitions;
  }

  // --- what a test arranges and looks at

  /** Events already stored (a promotion's history before the test). */
  public InMemoryWriteDb given(SecKillEvent... stored) {
    for (SecKillEvent event : stored) {
      store(event);
    }
    return this;
  }

  /** An admin's row: scheduled with {@code terms}, or its new terms at the next version. */
  public void schedule(UUID promotionId, PromotionTerms terms) {
    PromotionRow before = rows.get(promotionId);
    rows.put(promotionId, new PromotionRow(promotionId, terms, "scheduled", before == null ? 1 : before.version() + 1,
        now, false));
    tick();
  }

  /** A row of a promotion started outside the test's view (its events given). */
  public void started(UUID promotionId, PromotionTerms terms) {
    rows.put(promotionId, new PromotionRow(promotionId, terms, "active", 1, now, false));
    tick();
  }

  /** An admin deletes a promotion that has not started. */
  public void delete(UUID promotionId) {
    PromotionRow row = rows.get(promotionId);
    rows.put(promotionId, new PromotionRow(promotionId, row.terms(), "deleted", row.version() + 1, now, false));
    tick();
  }

  /** An admin asks to cancel the promotion. */
  public void requestCancel(UUID promotionId) {
    PromotionRow row = rows.get(promotionId);
    rows.put(promotionId, new PromotionRow(promotionId, row.terms(), row.status(), row.version(), now, true));
    tick();
  }

  /** Another process claimed the partition: fences at any other epoch are refused. */
  public void epoch(int partition, long epoch) {
    epochs.put(partition, epoch);
  }

  /** What the next appends do, in order, instead of committing. */
  public void fault(Fault... next) {
    faults.addAll(List.of(next));
  }

  /** Every read and write fails until {@code false}. */
  public void down(boolean isDown) {
    this.down = isDown;
  }

  /**
   * A replica behind: one promotion's reads see none of its events until {@code false} (what a read right after a
   * commit whose answer was lost may see).
   */
  public void lagging(boolean behind) {
    this.lagging = behind;
  }

  /** How many times one promotion was read back ({@link #loadPromotion}). */
  public int promotionLoads() {
    return promotionLoads;
  }

  /** Writes wait until the returned promise completes. */
  public Promise<Void> hold() {
    held = Promise.promise();
    return held;
  }

  public List<SecKillEvent> events(UUID promotionId) {
    return List.copyOf(events.getOrDefault(promotionId, List.of()));
  }

  /** The number of events in each append transaction, in order. */
  public List<Integer> transactions() {
    return List.copyOf(transactions);
  }

  /** When each start was tried ({@link System#nanoTime}). */
  public List<Long> startAttempts() {
    return List.copyOf(startAttempts);
  }

  public List<CustomerChunk> chunks() {
    return List.copyOf(chunks);
  }

  // --- EventLog

  @Override
  public Future<List<EventStore.Sequenced>> append(List<SecKillEvent> appended, Fence fence) {
    Future<Void> gate = held == null ? Future.succeededFuture() : held.future();
    return gate.compose(v -> {
      transactions.add(appended.size());
      Fault fault = faults.poll();
      if (down || fault == Fault.FAIL) {
        return Future.failedFuture(new IllegalStateException("connection to WriteDB lost"));
      }
      Set<Integer> fenced = fenced(appended, fence);
      if (!fenced.isEmpty()) {
        return Future.failedFuture(new FencedException(fenced, "partitions " + fenced + " fenced"));
      }
      List<EventStore.Sequenced> stored = new ArrayList<>();
      Map<UUID, Integer> next = new HashMap<>();
      for (SecKillEvent event : appended) {
        long expected = events.getOrDefault(event.promotionId(), List.of()).size()
            + next.merge(event.promotionId(), 1, Integer::sum);
        if (event.sequence() != expected) {
          return Future.failedFuture(new IllegalStateException("duplicate or out-of-order sequence "
              + event.sequence() + " of promotion " + event.promotionId()));
        }
      }
      appended.forEach(event -> stored.add(store(event)));
      if (fault == Fault.COMMIT_THEN_FAIL) {
        return Future.failedFuture(new IllegalStateException("connection lost before the COMMIT's answer"));
      }
      return Future.succeededFuture(stored);
    });
  }

  @Override
  public Future<List<EventStore.Sequenced>> ping() {
    return down ? Future.failedFuture(new IllegalStateException("WriteDB down")) : Future.succeededFuture(List.of());
  }

  // --- PromotionHistory

  @Override
  public Future<List<EventStore.StoredPromotion>> loadPromotions(Predicate<UUID> which) {
    if (down) {
      return Future.failedFuture(new IllegalStateException("WriteDB down"));
    }
    List<EventStore.StoredPromotion> loaded = new ArrayList<>();
    events.keySet().stream().filter(which).forEach(id -> loaded.add(stored(id)));
    return Future.succeededFuture(loaded);
  }

  @Override
  public Future<EventStore.StoredPromotion> loadPromotion(UUID promotionId) {
    if (down) {
      return Future.failedFuture(new IllegalStateException("WriteDB down"));
    }
    promotionLoads++;
    return Future.succeededFuture(events.containsKey(promotionId) && !lagging ? stored(promotionId) : null);
  }

  @Override
  public Future<List<EventStore.Sequenced>> appendStart(UUID promotionId, int version, List<SecKillEvent> start,
                                                        Fence fence) {
    Future<Void> gate = held == null ? Future.succeededFuture() : held.future();
    return gate.compose(v -> {
      startAttempts.add(System.nanoTime());
      Fault fault = faults.poll();
      if (down || fault == Fault.FAIL) {
        return Future.failedFuture(new IllegalStateException("connection to WriteDB lost"));
      }
      Set<Integer> fenced = fenced(start, fence);
      if (!fenced.isEmpty()) {
        return Future.failedFuture(new FencedException(fenced, "partitions " + fenced + " fenced"));
      }
      PromotionRow row = rows.get(promotionId);
      if (row == null || !row.scheduled() || row.version() != version) {
        return Future.succeededFuture(List.of());
      }
      boolean finishes = start.stream().anyMatch(e -> e instanceof PromotionFinishEvent);
      rows.put(promotionId, new PromotionRow(promotionId, row.terms(), finishes ? "finished" : "active",
          row.version(), now, row.cancelRequested()));
      tick();
      List<EventStore.Sequenced> stored = start.stream().map(this::store).toList();
      return fault == Fault.COMMIT_THEN_FAIL
          ? Future.failedFuture(new IllegalStateException("connection lost before the COMMIT's answer"))
          : Future.succeededFuture(stored);
    });
  }

  @Override
  public Future<Void> saveChunk(CustomerChunk chunk) {
    chunks.add(chunk);
    return Future.succeededFuture();
  }

  // --- PromotionCatalog

  /** The catalog's clock: each change is a microsecond after the one before. */
  private LocalDateTime now = LocalDateTime.now(ZoneOffset.UTC);

  private void tick() {
    now = now.plusNanos(1000);
  }

  @Override
  public Future<List<PromotionRow>> changedSince(LocalDateTime since) {
    if (down) {
      return Future.failedFuture(new IllegalStateException("WriteDB down"));
    }
    return Future.succeededFuture(rows.values().stream().filter(row -> !row.updatedAt().isBefore(since)).toList());
  }

  @Override
  public Future<List<PromotionRow>> scheduled() {
    if (down) {
      return Future.failedFuture(new IllegalStateException("WriteDB down"));
    }
    return Future.succeededFuture(rows.values().stream()
        .filter(row -> row.scheduled() || ("active".equals(row.status()) && row.cancelRequested())).toList());
  }

  @Override
  public Future<List<PromotionRow>> find(UUID promotionId) {
    if (down) {
      return Future.failedFuture(new IllegalStateException("WriteDB down"));
    }
    PromotionRow row = rows.get(promotionId);
    return Future.succeededFuture(row == null ? List.of() : List.of(row));
  }

  @Override
  public Future<LocalDateTime> now() {
    return down ? Future.failedFuture(new IllegalStateException("WriteDB down")) : Future.succeededFuture(now);
  }

  // --- as the tables do it

  private Set<Integer> fenced(List<SecKillEvent> written, Fence fence) {
    Set<Integer> refused = new TreeSet<>();
    for (SecKillEvent event : written) {
      int partition = partitions.of(event.promotionId());
      Long current = epochs.get(partition);
      if (current != null && current != fence.epochOf(event.promotionId())) {
        refused.add(partition);
      }
    }
    return refused;
  }

  /** Why the events table would refuse the event (its key is the promotion and the sequence), or null. */
  private String refusal(SecKillEvent event) {
    int stored = events.getOrDefault(event.promotionId(), List.of()).size();
    return event.sequence() == stored + 1 ? null
        : "duplicate or out-of-order sequence " + event.sequence() + " of promotion " + event.promotionId();
  }

  private EventStore.Sequenced store(SecKillEvent event) {
    String refused = refusal(event);
    if (refused != null) {
      throw new IllegalStateException(refused);
    }
    events.computeIfAbsent(event.promotionId(), id -> new ArrayList<>()).add(event);
    if (event instanceof PromotionFinishEvent) {
      PromotionRow row = rows.get(event.promotionId());
      if (row != null) {
        rows.put(row.promotionId(), new PromotionRow(row.promotionId(), row.terms(), "finished", row.version(), now,
            row.cancelRequested()));
        tick();
      }
    }
    return new EventStore.Sequenced(event.promotionId(), event.sequence(),
        new EncodedEvent(event.eventId().toString(), event.type(), EventCodec.encode(event)));
  }

  private EventStore.StoredPromotion stored(UUID promotionId) {
    List<SecKillEvent> all = events.get(promotionId);
    CustomerSet customers = CustomerSet.empty();
    List<String> grabbed = new ArrayList<>();
    PromotionFinishEvent finish = null;
    for (SecKillEvent event : all) {
      if (event instanceof CouponGrabbedEvent grab) {
        customers.add(grab.customerId());
        grabbed.add(grab.customerId());
      } else if (event instanceof PromotionFinishEvent finished) {
        finish = finished;
      }
    }
    return new EventStore.StoredPromotion((PromotionStartEvent) all.get(0), customers, finish, all.size(), 2,
        grabbed);
  }
}
