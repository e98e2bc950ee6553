package io.seckill.command.service;

import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.Rejection;
import io.seckill.command.domain.TicketPolicy;
import io.seckill.command.store.FencedException;
import io.seckill.command.store.InMemoryWriteDb.Fault;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.FinishReason;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** The grabs: decided in memory, answered once committed; refused as unavailable when nothing can be decided. */
class CommandServiceTest {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  private static Rejection rejection(GrabDecision decision) {
    assertThat(decision).isInstanceOf(GrabDecision.Rejected.class);
    return ((GrabDecision.Rejected) decision).rejection();
  }

  @Test
  void aGrabIsAcceptedWithItsCouponOnceTheCouponIsCommitted() {
    UUID p = h.running(2);
    h.claimAll();

    GrabDecision decision = h.grab(p, "alice");

    CouponGrabbedEvent coupon = ((GrabDecision.Accepted) decision).coupon();
    assertThat(h.events(p)).last().isEqualTo(coupon);
    assertThat(coupon.customerId()).isEqualTo("alice");
    assertThat(rejection(h.grab(p, "alice"))).isEqualTo(Rejection.DUPLICATE_ORDER);
  }

  @Test
  void theLastCouponSellsOutAndTheCrowdAfterItIsRefusedWithoutAWrite() {
    UUID p = h.running(1);
    h.claimAll();

    h.grab(p, "alice");
    assertThat(rejection(h.grab(p, "bob"))).isEqualTo(Rejection.OUT_OF_STOCK);

    assertThat(h.events(p)).last().isInstanceOfSatisfying(PromotionFinishEvent.class,
        finish -> assertThat(finish.reason()).isEqualTo(FinishReason.SOLD_OUT));
    assertThat(h.db.transactions()).hasSize(1);
    assertThat(h.finished).containsExactly(p);
  }

  @Test
  void grabsAtOnceGoInOneTransactionAndNoCouponIsSoldTwice() {
    UUID p = h.running(3);
    h.claimAll();
    Promise<Void> release = h.on(() -> Future.succeededFuture(h.db.hold()));
    List<Future<GrabDecision>> grabs = List.of("a", "b", "c", "d", "e").stream()
        .map(customer -> h.start(() -> h.service.grab(p, customer))).toList();
    // the two after the last coupon are refused at once; the three accepted wait for their commit
    h.eventually(() -> grabs.stream().filter(Future::isComplete).count() == 2);
    h.run(release::complete);

    long accepted = grabs.stream().map(h::await).filter(d -> d instanceof GrabDecision.Accepted).count();
    assertThat(accepted).isEqualTo(3);
    assertThat(h.events(p)).extracting(SecKillEvent::sequence).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(h.db.transactions()).as("the first alone, the two decided meanwhile (and the sell-out) together")
        .containsExactly(1, 3);
  }

  @Test
  void aPartitionNotHeldHereOrUnderLapsedLeasesIsUnavailable() {
    UUID p = h.running(2);
    assertThat(h.refused(p, "alice")).isInstanceOf(Unavailable.class);

    h.claimAll();
    h.leasesCurrent = false;
    assertThat(h.refused(p, "alice")).isInstanceOf(Unavailable.class).hasMessageContaining("not served");
    assertThat(h.failure(h.start(() -> h.service.ticket(new TicketPolicy(30, 60), p))))
        .isInstanceOf(Unavailable.class);

    h.leasesCurrent = true;
    assertThat(h.grab(p, "alice")).isInstanceOf(GrabDecision.Accepted.class);
  }

  @Test
  void aFailedWriteFailsTheGrabsDecidedOnTopAndThePromotionIsRebuiltFromTheStore() {
    UUID p = h.running(5);
    h.claimAll();
    Promise<Void> release = h.on(() -> Future.succeededFuture(h.db.hold()));
    Future<GrabDecision> first = h.start(() -> h.service.grab(p, "alice"));
    Future<GrabDecision> onTop = h.start(() -> h.service.grab(p, "bob"));
    h.run(() -> {
      h.db.fault(Fault.FAIL);
      h.db.down(true);
      release.complete();
    });

    assertThat(h.failure(first)).isNotInstanceOf(Unavailable.class);
    assertThat(h.failure(onTop)).isNotInstanceOf(Unavailable.class);
    assertThat(h.refused(p, "carol")).isInstanceOf(Unavailable.class).hasMessageContaining("recovering");

    h.run(() -> h.db.down(false));
    h.eventually(() -> h.service.promotion(p).lastSequence() == 1);
    assertThat(h.grab(p, "bob")).isInstanceOf(GrabDecision.Accepted.class);
    assertThat(h.events(p)).extracting(SecKillEvent::sequence).containsExactly(1L, 2L);
  }

  @Test
  void aWriteWhoseOutcomeIsUnknownIsRebuiltFromWhatTheStoreHolds() {
    UUID p = h.running(5);
    h.claimAll();
    h.run(() -> h.db.fault(Fault.COMMIT_THEN_FAIL));

    assertThat(h.refused(p, "alice")).isNotInstanceOf(Unavailable.class);

    assertThat(h.state(p).lastSequence()).isEqualTo(2);
    assertThat(rejection(h.grab(p, "alice"))).as("it was written after all").isEqualTo(Rejection.DUPLICATE_ORDER);
  }

  @Test
  void aFencedWriteStepsDownFromThePartitionAnotherProcessClaimed() {
    UUID p = h.running(5);
    h.claimAll();
    int partition = h.partitions.of(p);
    h.run(() -> h.db.epoch(partition, 2));

    assertThat(h.refused(p, "alice")).isInstanceOf(FencedException.class);

    assertThat(h.fencedOut).containsExactly(Set.of(partition));
    assertThat(h.events(p)).hasSize(1);
  }

  @Test
  void committedGrabsAreCutIntoSnapshotChunks() {
    UUID p = h.running(5);
    h.claimAll();

    h.grab(p, "a");
    h.grab(p, "b");
    h.grab(p, "c");

    assertThat(h.on(() -> Future.succeededFuture(h.db.chunks()))).singleElement()
        .satisfies(chunk -> assertThat(chunk.firstSequence()).isEqualTo(2));
  }
}
