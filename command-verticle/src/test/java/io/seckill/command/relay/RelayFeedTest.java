package io.seckill.command.relay;

import io.seckill.command.store.EventStore.Positioned;
import io.seckill.shared.messaging.EncodedEvent;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;

import static org.assertj.core.api.Assertions.assertThat;

class RelayFeedTest {

  private static List<Positioned> at(long from, long to) {
    return LongStream.rangeClosed(from, to)
        .mapToObj(p -> new Positioned(p, new EncodedEvent("e" + p, "CouponGrabbedEvent", "{}")))
        .toList();
  }

  private static List<Long> positions(List<Positioned> events) {
    return events.stream().map(Positioned::position).toList();
  }

  @Test
  void atStartTheStoreIsReadUntilAReadMeetsMemory() {
    RelayFeed feed = new RelayFeed(100, 1000);
    assertThat(feed.trusted()).isFalse();
    feed.committed(at(151, 160));
    long unknown = feed.unknownCommits();
    feed.readFromStore(150, true, unknown);
    assertThat(feed.trusted()).as("a full page may be followed by more in the store").isFalse();
    feed.readFromStore(150, false, unknown);
    assertThat(feed.trusted()).isTrue();
    assertThat(positions(feed.next(100))).containsExactlyElementsOf(LongStream.rangeClosed(151, 160).boxed().toList());
  }

  @Test
  void aStoreReadThatStopsShortOfMemoryKeepsReadingTheStore() {
    RelayFeed feed = new RelayFeed(100, 1000);
    feed.committed(at(151, 160));
    feed.readFromStore(140, false, feed.unknownCommits());
    assertThat(feed.trusted()).isFalse();
  }

  @Test
  void anEmptyMemoryIsTrustedAfterAReadThatFoundTheEndOfTheStore() {
    RelayFeed feed = new RelayFeed(100, 1000);
    feed.readFromStore(120, false, feed.unknownCommits());
    assertThat(feed.trusted()).isTrue();
    feed.committed(at(121, 130));
    assertThat(feed.trusted()).isTrue();
    assertThat(positions(feed.next(3))).containsExactly(121L, 122L, 123L);
  }

  @Test
  void aCommitOfUnknownPositionsDuringAReadKeepsTheRelayOnTheStore() {
    RelayFeed feed = new RelayFeed(100, 1000);
    long unknown = feed.unknownCommits();
    feed.committed(null); // e.g. a promotion's start, committed while the read was in flight, maybe not in it
    feed.readFromStore(120, false, unknown);
    assertThat(feed.trusted()).isFalse();
    feed.readFromStore(121, false, feed.unknownCommits());
    assertThat(feed.trusted()).isTrue();
  }

  @Test
  void aHoleInPositionsSendsTheRelayBackToTheStore() {
    RelayFeed feed = new RelayFeed(100, 1000);
    feed.readFromStore(100, false, feed.unknownCommits());
    feed.committed(at(101, 110));
    feed.committed(at(131, 140)); // 111-130 belonged to a rolled-back transaction, or were never seen
    assertThat(feed.trusted()).isFalse();
    feed.readFromStore(130, false, feed.unknownCommits());
    assertThat(feed.trusted()).isTrue();
    assertThat(positions(feed.next(100))).first().isEqualTo(131L);
  }

  @Test
  void sentEventsLeaveMemoryAndTheNextCommitMustFollowThem() {
    RelayFeed feed = new RelayFeed(0, 1000);
    feed.readFromStore(0, false, feed.unknownCommits());
    feed.committed(at(1, 10));
    feed.sent(10);
    assertThat(feed.held()).isZero();
    feed.committed(at(11, 12));
    assertThat(feed.trusted()).isTrue();
    feed.sent(12);
    feed.committed(at(14, 15));
    assertThat(feed.trusted()).isFalse();
  }

  @Test
  void aBacklogBeyondCapacityIsDroppedAndReadFromTheStoreLater() {
    RelayFeed feed = new RelayFeed(0, 50);
    feed.readFromStore(0, false, feed.unknownCommits());
    feed.committed(at(1, 40));
    feed.committed(at(41, 60));
    assertThat(feed.trusted()).isFalse();
    assertThat(feed.held()).isLessThanOrEqualTo(50);
  }

  /** Every committed event is sent exactly once, in order, whichever way commits and reads interleave. */
  @Test
  void noEventIsSkippedWhenCommitsAndReadsInterleave() {
    java.util.Random random = new java.util.Random(42);
    for (int round = 0; round < 200; round++) {
      List<Long> store = new ArrayList<>();
      RelayFeed feed = new RelayFeed(0, 64);
      List<Long> sent = new ArrayList<>();
      long nextPosition = 1;
      long relayed = 0;
      // a store read in flight: the snapshot it saw, and the unknown-commit count when it was issued
      List<Long> snapshot = null;
      long unknownAtIssue = 0;
      for (int step = 0; step < 300; step++) {
        int action = random.nextInt(6);
        if (action <= 1) { // a group commit of known positions
          int n = 1 + random.nextInt(20);
          List<Positioned> committed = at(nextPosition, nextPosition + n - 1);
          committed.forEach(p -> store.add(p.position()));
          nextPosition += n;
          feed.committed(committed);
        } else if (action == 2) { // a start written on its own: positions unknown to the relay
          store.add(nextPosition++);
          feed.committed(null);
        } else if (action == 3) { // a rolled-back transaction leaves a hole
          nextPosition += 1 + random.nextInt(5);
        } else if (action == 4 && feed.trusted() && snapshot == null) { // send from memory
          List<Positioned> page = feed.next(16);
          if (!page.isEmpty()) {
            page.forEach(p -> sent.add(p.position()));
            relayed = page.get(page.size() - 1).position();
            feed.sent(relayed);
          }
        } else if (action == 5 && !feed.trusted()) { // a store read: issued now, or its answer arrives now
          if (snapshot == null) {
            long after = relayed;
            snapshot = store.stream().filter(p -> p > after).limit(16).toList();
            unknownAtIssue = feed.unknownCommits();
          } else {
            snapshot.forEach(sent::add);
            long last = snapshot.isEmpty() ? relayed : snapshot.get(snapshot.size() - 1);
            relayed = last;
            feed.readFromStore(last, snapshot.size() == 16, unknownAtIssue);
            snapshot = null;
          }
        }
      }
      // drain: answer any read in flight, then alternate until everything stored is sent
      for (int i = 0; i < 1000 && (snapshot != null || sent.size() < store.size()); i++) {
        if (snapshot != null) {
          snapshot.forEach(sent::add);
          relayed = snapshot.isEmpty() ? relayed : snapshot.get(snapshot.size() - 1);
          feed.readFromStore(relayed, snapshot.size() == 16, unknownAtIssue);
          snapshot = null;
        } else if (feed.trusted()) {
          List<Positioned> page = feed.next(16);
          if (page.isEmpty()) {
            break;
          }
          page.forEach(p -> sent.add(p.position()));
          relayed = page.get(page.size() - 1).position();
          feed.sent(relayed);
        } else {
          long after = relayed;
          snapshot = store.stream().filter(p -> p > after).limit(16).toList();
          unknownAtIssue = feed.unknownCommits();
        }
      }
      assertThat(sent).as("round %d", round).containsExactlyElementsOf(store);
    }
  }
}
