package io.seckill.command.store;

import io.seckill.command.lease.Partitions;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The group commit without a database: batching, failures, fences. Futures complete synchronously here. */
class GroupCommitterTest {
  private static final Instant T = Instant.parse("2026-12-07T10:00:00Z");
  private final Partitions partitions = new Partitions(64);
  private final InMemoryWriteDb db = new InMemoryWriteDb(partitions);
  private final Map<Integer, Long> held = new HashMap<>();
  private final List<Set<UUID>> failed = new ArrayList<>();
  private final List<Throwable> causes = new ArrayList<>();
  private final List<Set<UUID>> uncertain = new ArrayList<>();
  private final List<Integer> committed = new ArrayList<>();
  private final GroupCommitter committer = new GroupCommitter(db, 100, partitions,
      p -> held.getOrDefault(p, -1L))
      .onFailure((ids, cause) -> {
        failed.add(ids);
        causes.add(cause);
      })
      .onUncertain(uncertain::add)
      .onCommit(stored -> committed.add(stored.size()));
  private final UUID p1 = promotionIn(1);
  private final UUID p2 = promotionIn(2);
  private final Map<UUID, Long> sequences = new HashMap<>();

  GroupCommitterTest() {
    held.put(1, 7L);
    held.put(2, 7L);
    db.given(start(p1), start(p2));
  }

  private UUID promotionIn(int partition) {
    UUID id;
    do {
      id = UUID.randomUUID();
    } while (partitions.of(id) != partition);
    return id;
  }

  private PromotionStartEvent start(UUID promotion) {
    sequences.put(promotion, 1L);
    return new PromotionStartEvent(UUID.randomUUID(), promotion, 1, T, 100, 0.5, T, T.plusSeconds(3600));
  }

  /** The next grab of {@code promotion}, by {@code customer}. */
  private List<SecKillEvent> grab(UUID promotion, String customer) {
    long sequence = sequences.merge(promotion, 1L, Long::sum);
    return List.of(new CouponGrabbedEvent(UUID.randomUUID(), promotion, sequence, T, customer, 0.5));
  }

  @Test
  void appendsQueuedWhileAWriteIsInFlightGoTogetherInTheNextTransaction() {
    Promise<Void> release = db.hold();
    Future<Void> a = committer.append(grab(p1, "a"));
    Future<Void> b = committer.append(grab(p1, "b"));
    Future<Void> c = committer.append(grab(p2, "c"));
    assertThat(committer.queued()).isEqualTo(2);

    release.complete();

    assertThat(db.transactions()).containsExactly(1, 2);
    assertThat(List.of(a, b, c)).allMatch(Future::succeeded);
    assertThat(committed).containsExactly(1, 2);
    assertThat(db.events(p1)).extracting(SecKillEvent::sequence).containsExactly(1L, 2L, 3L);
  }

  @Test
  void aTransactionTakesAtMostMaxEvents() {
    GroupCommitter small = new GroupCommitter(db, 2, partitions, p -> 7L);
    Promise<Void> release = db.hold();
    List<Future<Void>> appends = new ArrayList<>();
    for (String customer : List.of("a", "b", "c", "d")) {
      appends.add(small.append(grab(p1, customer)));
    }
    release.complete();
    assertThat(db.transactions()).containsExactly(1, 2, 1);
    assertThat(appends).allMatch(Future::succeeded);
  }

  @Test
  void aFailedWriteFailsItsAppendsAndTheQueuedAppendsOfItsPromotionsButNoOthers() {
    Promise<Void> release = db.hold();
    Future<Void> inFlight = committer.append(grab(p1, "a"));
    Future<Void> decidedOnTop = committer.append(grab(p1, "b"));
    Future<Void> other = committer.append(grab(p2, "c"));
    db.fault(InMemoryWriteDb.Fault.FAIL);

    release.complete();

    assertThat(inFlight.failed()).isTrue();
    assertThat(decidedOnTop.failed()).as("decided on top of the failed grab").isTrue();
    assertThat(other.succeeded()).isTrue();
    assertThat(failed).containsExactly(Set.of(p1));
    assertThat(uncertain).containsExactly(Set.of(p1));
    assertThat(db.transactions()).containsExactly(1, 1);
    assertThat(db.events(p1)).hasSize(1);
  }

  @Test
  void aWriteWhoseOutcomeIsUnknownFailsItsAppendsAndSaysSo() {
    db.fault(InMemoryWriteDb.Fault.COMMIT_THEN_FAIL);

    Future<Void> a = committer.append(grab(p1, "a"));

    assertThat(a.failed()).isTrue();
    assertThat(uncertain).as("only the store knows what was written").containsExactly(Set.of(p1));
    assertThat(failed).containsExactly(Set.of(p1));
    assertThat(db.events(p1)).as("it did commit").hasSize(2);
  }

  @Test
  void aPartitionNotHeldIsFencedBeforeAnythingIsSent() {
    held.remove(1);

    Future<Void> a = committer.append(grab(p1, "a"));

    assertThat(a.cause()).isInstanceOfSatisfying(FencedException.class,
        fenced -> assertThat(fenced.partitions()).containsExactly(1));
    assertThat(db.transactions()).isEmpty();
    assertThat(failed).containsExactly(Set.of(p1));
  }

  @Test
  void aFenceAnotherProcessMovedOnIsRefusedAndWritesNothing() {
    db.epoch(1, 8);

    Future<Void> a = committer.append(grab(p1, "a"));
    Future<Void> b = committer.append(grab(p2, "b"));

    assertThat(a.cause()).isInstanceOf(FencedException.class);
    assertThat(causes).singleElement().isInstanceOf(FencedException.class);
    assertThat(db.events(p1)).hasSize(1);
    assertThat(b.succeeded()).as("another partition's grab is not held back").isTrue();
  }

  @Test
  void anExclusiveWriteRunsBetweenGroupTransactions() {
    Promise<Void> release = db.hold();
    List<String> order = new ArrayList<>();
    committer.append(grab(p1, "a")).onSuccess(v -> order.add("a"));
    committer.exclusive(Set.of(p2), () -> {
      order.add("exclusive");
      return Future.succeededFuture(List.of());
    });
    committer.append(grab(p1, "b")).onSuccess(v -> order.add("b"));

    release.complete();

    assertThat(order).containsExactly("a", "exclusive", "b");
    assertThat(db.transactions()).containsExactly(1, 1);
  }

  @Test
  void theProbeAnswersBehindTheQueuedWrites() {
    Promise<Void> release = db.hold();
    Future<Void> a = committer.append(grab(p1, "a"));
    Future<Void> probe = committer.probe();
    assertThat(probe.isComplete()).isFalse();
    release.complete();
    assertThat(a.succeeded()).isTrue();
    assertThat(probe.succeeded()).isTrue();
    db.down(true);
    assertThat(committer.probe().failed()).isTrue();
  }
}
