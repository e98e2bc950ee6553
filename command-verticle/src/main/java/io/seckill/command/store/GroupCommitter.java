package io.seckill.command.store;

import io.seckill.command.lease.Partitions;
import io.seckill.shared.db.MultiRowInsert;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.IntToLongFunction;
import java.util.function.Supplier;

/**
 * This process's writer of the event store. Appends wait in a queue while one write is in flight; when it ends,
 * what is queued (up to {@code maxEvents}, cut to what one INSERT statement takes, see
 * {@link MultiRowInsert#statementRows}) goes in the next write, one transaction fenced by the lease epochs of its
 * partitions: the busier the endpoint, the bigger the batch.
 *
 * <p>When a write fails, its appends fail, and so does every queued append of the same promotions (they
 * were decided on top of the failed events); {@code onFailure} is told which promotions need rebuilding.
 * Use from one event loop.
 */
public final class GroupCommitter {
  private sealed interface Job permits Append, Exclusive {
  }

  private record Append(List<SecKillEvent> events, Promise<Void> promise) implements Job {
  }

  private record Exclusive(Set<UUID> promotions, Supplier<Future<List<EventStore.Sequenced>>> work,
                           Promise<List<EventStore.Sequenced>> promise) implements Job {
  }

  private final EventLog log;
  private final int maxEvents;
  private final Partitions partitions;
  private final IntToLongFunction epochs;
  private final ArrayDeque<Job> queue = new ArrayDeque<>();
  private Consumer<List<EventStore.Sequenced>> onCommit = stored -> { };
  private BiConsumer<Set<UUID>, Throwable> onFailure = (ids, cause) -> { };
  private Consumer<Set<UUID>> onUncertain = ids -> { };
  private boolean inFlight;

  /**
   * @param epochs the lease epoch this process holds for a partition, -1 for none: each write goes under the
   *               epochs current when it is sent
   */
  public GroupCommitter(EventLog log, int maxEvents, Partitions partitions, IntToLongFunction epochs) {
    this.log = log;
    this.maxEvents = maxEvents;
    this.partitions = partitions;
    this.epochs = epochs;
  }

  /**
   * The fence for events of these promotions under the epochs held now; a {@link FencedException} when one of
   * their partitions is not held.
   */
  public Fence fence(Collection<UUID> promotionIds) {
    Map<Integer, Long> fence = new HashMap<>();
    Set<Integer> missing = new HashSet<>();
    for (UUID id : promotionIds) {
      int partition = partitions.of(id);
      long epoch = epochs.applyAsLong(partition);
      if (epoch < 0) {
        missing.add(partition);
      } else {
        fence.put(partition, epoch);
      }
    }
    if (!missing.isEmpty()) {
      throw new FencedException(missing, "partitions " + missing + " are not held by this process");
    }
    return new Fence(partitions, fence);
  }

  /** Called after every successful commit with the events as stored, in commit order. */
  public GroupCommitter onCommit(Consumer<List<EventStore.Sequenced>> listener) {
    this.onCommit = listener;
    return this;
  }

  /**
   * Called with the promotions of every failed write, group or exclusive: its outcome may be unknown (a COMMIT
   * whose answer was lost may have committed), so what it wrote is known only by reading the store.
   */
  public GroupCommitter onUncertain(Consumer<Set<UUID>> listener) {
    this.onUncertain = listener;
    return this;
  }

  /** Called with the promotions whose pending events were lost by a failed transaction, and why. */
  public GroupCommitter onFailure(BiConsumer<Set<UUID>, Throwable> listener) {
    this.onFailure = listener;
    return this;
  }

  /** Appends events in the next group transaction; the future completes when they are committed. */
  public Future<Void> append(List<SecKillEvent> events) {
    Promise<Void> promise = Promise.promise();
    queue.add(new Append(events, promise));
    drain();
    return promise.future();
  }

  /**
   * Runs a write of its own between two group transactions (a promotion's start), of {@code promotions}; its
   * future holds the events it stored.
   */
  public Future<List<EventStore.Sequenced>> exclusive(Set<UUID> promotions,
                                                      Supplier<Future<List<EventStore.Sequenced>>> work) {
    Promise<List<EventStore.Sequenced>> promise = Promise.promise();
    queue.add(new Exclusive(promotions, work, promise));
    drain();
    return promise.future();
  }

  /**
   * Succeeds once a round trip on the writer connection, queued behind the writes waiting now, has answered: the
   * health of the write path itself (a committer stuck, or a connection that cannot be made, fails it).
   */
  public Future<Void> probe() {
    return exclusive(Set.of(), log::ping).mapEmpty();
  }

  /** Appends waiting for a transaction, for metrics. */
  public int queued() {
    return queue.size();
  }

  private void drain() {
    if (inFlight || queue.isEmpty()) {
      return;
    }
    inFlight = true;
    if (queue.peek() instanceof Exclusive exclusive) {
      queue.poll();
      Future<List<EventStore.Sequenced>> work;
      try {
        work = exclusive.work().get();
      } catch (RuntimeException e) {
        work = Future.failedFuture(e);
      }
      work.onComplete(ar -> {
        if (ar.succeeded()) {
          onCommit.accept(ar.result());
        } else {
          onUncertain.accept(exclusive.promotions());
        }
        exclusive.promise().handle(ar);
        done();
      });
      return;
    }
    int available = 0;
    for (Job job : queue) {
      if (!(job instanceof Append append) || available + append.events().size() > maxEvents) {
        break;
      }
      available += append.events().size();
    }
    // as many as one INSERT statement takes: a second statement would wait for the first's answer
    int target = MultiRowInsert.statementRows(available);
    List<Append> taken = new ArrayList<>();
    List<SecKillEvent> events = new ArrayList<>();
    while (queue.peek() instanceof Append next
        && (taken.isEmpty() || events.size() + next.events().size() <= target)) {
      queue.poll();
      taken.add(next);
      events.addAll(next.events());
    }
    Set<UUID> promotions = new HashSet<>();
    events.forEach(event -> promotions.add(event.promotionId()));
    Future<List<EventStore.Sequenced>> write;
    try {
      write = log.append(events, fence(promotions));
    } catch (FencedException e) {
      write = Future.failedFuture(e);
    }
    write.onComplete(ar -> {
      if (ar.succeeded()) {
        taken.forEach(append -> append.promise().complete());
        onCommit.accept(ar.result());
      } else {
        taken.forEach(append -> append.promise().fail(ar.cause()));
        failQueued(promotions, ar.cause());
        onUncertain.accept(promotions);
        onFailure.accept(promotions, ar.cause());
      }
      done();
    });
  }

  private void failQueued(Set<UUID> affected, Throwable cause) {
    Iterator<Job> it = queue.iterator();
    while (it.hasNext()) {
      if (it.next() instanceof Append append
          && append.events().stream().anyMatch(event -> affected.contains(event.promotionId()))) {
        it.remove();
        append.promise().fail(cause);
      }
    }
  }

  private void done() {
    inFlight = false;
    drain();
  }
}
