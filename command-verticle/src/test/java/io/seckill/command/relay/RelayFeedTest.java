package io.seckill.command.relay;

import io.seckill.command.store.EventStore.Sequenced;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.messaging.EncodedEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class RelayFeedTest {
  private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
  private static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");

  private static Sequenced event(UUID promotion, long sequence, String type) {
    return new Sequenced(promotion, sequence, new EncodedEvent(promotion + "/" + sequence, type, "{}"));
  }

  private static List<Sequenced> at(UUID promotion, long from, long to) {
    return LongStream.rangeClosed(from, to)
        .mapToObj(s -> event(promotion, s, s == 1 ? PromotionStartEvent.TYPE : CouponGrabbedEvent.TYPE)).toList();
  }

  private static List<Long> sequences(List<Sequenced> events) {
    return events.stream().map(Sequenced::sequence).toList();
  }

  @Test
  void aNewPromotionIsSentFromMemoryFromItsStartOn() {
    RelayFeed feed = new RelayFeed(1000);
    feed.committed(at(A, 1, 5));
    assertThat(feed.nextRead()).isNull();
    assertThat(sequences(feed.next(100))).containsExactly(1L, 2L, 3L, 4L, 5L);
  }

  @Test
  void aClaimedPartitionsBacklogIsReadFromTheStoreUntilAReadMeetsMemory() {
    RelayFeed feed = new RelayFeed(1000);
    feed.claimed(A, 150, 100);
    feed.committed(at(A, 151, 160));
    assertThat(feed.next(100)).as("memory not trusted before the store read").isEmpty();
    RelayFeed.Read read = feed.nextRead();
    assertThat(read.fromSequence()).isEqualTo(101);
    feed.readFromStore(read, at(A, 101, 116), true);
    assertThat(feed.trusted(A)).as("a full page may be followed by more in the store").isFalse();
    read = feed.nextRead();
    assertThat(read.fromSequence()).isEqualTo(117);
    feed.readFromStore(read, at(A, 117, 150), false);
    assertThat(feed.trusted(A)).isTrue();
    assertThat(sequences(feed.next(100))).containsExactlyElementsOf(LongStream.rangeClosed(151, 160).boxed().toList());
  }

  @Test
  void aPromotionFirstSeenInTheMiddleHasItsCursorReadFirst() {
    RelayFeed feed = new RelayFeed(1000);
    feed.committed(at(A, 41, 42));
    RelayFeed.Read read = feed.nextRead();
    assertThat(read.fromSequence()).as("0: the cursor is read first").isZero();
    feed.cursorRead(A, 30);
    feed.readFromStore(read, at(A, 31, 40), false);
    assertThat(feed.trusted(A)).isTrue();
    assertThat(sequences(feed.next(100))).containsExactly(41L, 42L);
  }

  @Test
  void aWriteOfUnknownOutcomeDuringAReadKeepsThePromotionOnTheStore() {
    RelayFeed feed = new RelayFeed(1000);
    feed.committed(at(A, 1, 10));
    feed.sent(feed.next(100));
    feed.unknownOutcome(Set.of(A));
    RelayFeed.Read read = feed.nextRead();
    feed.unknownOutcome(Set.of(A)); // another failed while the read was in flight: maybe committed after it
    feed.readFromStore(read, at(A, 11, 12), false);
    assertThat(feed.trusted(A)).isFalse();
    read = feed.nextRead();
    assertThat(read.fromSequence()).isEqualTo(13);
    feed.readFromStore(read, List.of(), false);
    assertThat(feed.trusted(A)).isTrue();
  }

  @Test
  void aHoleInSequencesSendsThePromotionBackToTheStoreAndLeavesTheOthersInMemory() {
    RelayFeed feed = new RelayFeed(1000);
    feed.committed(at(A, 1, 10));
    feed.committed(at(B, 1, 3));
    feed.committed(at(A, 14, 15)); // 11-13 were never heard of
    assertThat(feed.trusted(A)).isFalse();
    assertThat(feed.trusted(B)).isTrue();
    assertThat(sequences(feed.next(100))).containsExactly(1L, 2L, 3L);
    assertThat(feed.nextRead().fromSequence()).isEqualTo(1);
  }

  @Test
  void aBacklogBeyondCapacityIsReadFromTheStoreLater() {
    RelayFeed feed = new RelayFeed(50);
    feed.committed(at(A, 1, 40));
    feed.committed(at(A, 41, 60));
    assertThat(feed.trusted(A)).isFalse();
    assertThat(feed.lag()).isEqualTo(60);
  }

  @Test
  void lostPartitionsAreNoLongerRelayedAndTheirCursorsStillSaved() {
    RelayFeed feed = new RelayFeed(1000);
    feed.committed(at(A, 1, 3));
    List<Sequenced> page = feed.next(100);
    feed.lost(A::equals);
    feed.sent(page);
    assertThat(feed.hasWork()).isFalse();
    assertThat(feed.takeUnsaved()).containsEntry(A, 3L);
    assertThat(feed.takeUnsaved()).isEmpty();
  }

  @Test
  void aFinishedPromotionIsForgottenOnceItsFinishIsSent() {
    RelayFeed feed = new RelayFeed(1000);
    feed.committed(at(A, 1, 2));
    feed.committed(List.of(event(A, 3, PromotionFinishEvent.TYPE)));
    feed.sent(feed.next(100));
    assertThat(feed.promotions()).isZero();
  }

  /**
   * Every committed event of every promotion is sent exactly once, in sequence order, whichever way commits, writes
   * of unknown outcome, claims, store reads and broker acks interleave.
   */
  @Test
  void noEventIsSkippedOrSentTwiceWhateverTheInterleaving() {
    Random random = new Random(42);
    List<UUID> ids = List.of(A, B, UUID.fromString("00000000-0000-0000-0000-00000000000c"));
    for (int round = 0; round < 300; round++) {
      Map<UUID, List<Long>> store = new HashMap<>();
      Map<UUID, List<Long>> sent = new HashMap<>();
      Map<UUID, Long> cursor = new HashMap<>();
      RelayFeed feed = new RelayFeed(8 + random.nextInt(40));
      for (UUID id : ids) {
        // history written by an earlier owner, some of it relayed; one fully relayed may be seen first mid-way
        long before = random.nextInt(30);
        long relayed = before == 0 ? 0 : random.nextInt((int) before + 1);
        store.put(id, new ArrayList<>(LongStream.rangeClosed(1, before).boxed().toList()));
        sent.put(id, new ArrayList<>(LongStream.rangeClosed(1, relayed).boxed().toList()));
        cursor.put(id, relayed);
        if (before > relayed || random.nextBoolean()) { // a claim finds every backlog
          feed.claimed(id, before, relayed);
        }
      }
      RelayFeed.Read read = null;
      List<Sequenced> snapshot = null;
      for (int step = 0; step < 400; step++) {
        int action = random.nextInt(7);
        UUID id = ids.get(random.nextInt(ids.size()));
        List<Long> stored = store.get(id);
        long next = stored.size() + 1;
        if (action <= 1) { // a group commit, heard of
          int n = 1 + random.nextInt(6);
          at(id, next, next + n - 1).forEach(e -> stored.add(e.sequence()));
          feed.committed(at(id, next, next + n - 1));
        } else if (action == 2) { // a write that failed: committed or not, nobody knows
          if (random.nextBoolean()) {
            stored.add(next);
          }
          feed.unknownOutcome(Set.of(id));
        } else if (action == 3 && snapshot == null) { // send from memory
          List<Sequenced> page = feed.next(16);
          page.forEach(e -> sent.get(e.promotionId()).add(e.sequence()));
          feed.sent(page);
        } else if (action == 4 && read == null) { // a store read issued now
          read = feed.nextRead();
          if (read != null) {
            snapshot = readStore(store, cursor, sent, feed, read);
          }
        } else if (action >= 5 && read != null) { // its answer arrives now and is sent
          answer(feed, read, snapshot, sent);
          read = null;
          snapshot = null;
        }
      }
      for (int i = 0; i < 10_000; i++) {
        if (read != null) {
          answer(feed, read, snapshot, sent);
          read = null;
          snapshot = null;
        }
        List<Sequenced> page = feed.next(16);
        page.forEach(e -> sent.get(e.promotionId()).add(e.sequence()));
        feed.sent(page);
        read = feed.nextRead();
        if (read == null && page.isEmpty()) {
          break;
        }
        if (read != null) {
          snapshot = readStore(store, cursor, sent, feed, read);
        }
      }
      for (UUID id : ids) {
        assertThat(sent.get(id)).as("round %d promotion %s", round, id).containsExactlyElementsOf(store.get(id));
      }
      assertThat(feed.lag()).isZero();
    }
  }

  /** What the store holds for the read when it is executed (the cursor, if asked for, is what was sent so far). */
  private static List<Sequenced> readStore(Map<UUID, List<Long>> store, Map<UUID, Long> cursor,
                                           Map<UUID, List<Long>> sent, RelayFeed feed, RelayFeed.Read read) {
    UUID id = read.promotionId();
    long from = read.fromSequence();
    if (from == 0) {
      List<Long> done = sent.get(id);
      long saved = done.isEmpty() ? 0 : done.get(done.size() - 1);
      feed.cursorRead(id, saved);
      from = saved + 1;
    }
    long start = from;
    return store.get(id).stream().filter(s -> s >= start).limit(16).map(s -> event(id, s, CouponGrabbedEvent.TYPE))
        .toList();
  }

  private static void answer(RelayFeed feed, RelayFeed.Read read, List<Sequenced> snapshot,
                             Map<UUID, List<Long>> sent) {
    snapshot.forEach(e -> sent.get(e.promotionId()).add(e.sequence()));
    feed.readFromStore(read, snapshot, snapshot.size() == 16);
  }
}
