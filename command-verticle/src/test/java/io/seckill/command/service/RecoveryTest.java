package io.seckill.command.service;

import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.PromotionStatus;
import io.seckill.command.domain.Rejection;
import io.seckill.command.store.InMemoryWriteDb;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.vertx.core.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Partitions claimed and lost: their promotions rebuilt from the store, or dropped. */
class RecoveryTest {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aClaimedPartitionIsUnavailableUntilItsPromotionsAreRebuiltFromTheirEvents() {
    UUID p = h.running(5);
    h.run(() -> h.db.given(new CouponGrabbedEvent(UUID.randomUUID(), p, 2, Instant.now(), "alice", 0.5)));
    h.run(() -> h.db.down(true));
    h.epochs.put(h.partitions.of(p), 1L);
    Future<Void> load = h.start(() -> h.service.claimed(Set.of(h.partitions.of(p))));

    assertThat(h.failure(load)).hasMessageContaining("down");
    assertThat(h.refused(p, "bob")).isInstanceOf(Unavailable.class);

    h.run(() -> h.db.down(false));
    h.eventually(() -> h.service.promotion(p) != null);
    assertThat(((GrabDecision.Rejected) h.grab(p, "alice")).rejection()).isEqualTo(Rejection.DUPLICATE_ORDER);
    assertThat(((GrabDecision.Accepted) h.grab(p, "bob")).coupon().sequence()).isEqualTo(3);
  }

  @Test
  void aClaimLoadsTheScheduledPromotionsOfItsPartitionsOnly() {
    UUID p = h.scheduled(5, Duration.ofSeconds(60), Duration.ofHours(1));
    int other = (h.partitions.of(p) + 1) % Harness.PARTITIONS;
    h.epochs.put(other, 1L);

    h.on(() -> h.service.claimed(Set.of(other)));
    assertThat(h.state(p)).isNull();

    h.epochs.put(h.partitions.of(p), 1L);
    h.on(() -> h.service.claimed(Set.of(h.partitions.of(p))));
    assertThat(h.state(p).status()).isEqualTo(PromotionStatus.SCHEDULED);
  }

  @Test
  void aStartCommittedWhoseAnswerWasLostIsServedOnceItsEventsCanBeRead() {
    UUID p = h.scheduled(5, Duration.ofSeconds(30), Duration.ofHours(1));
    h.claimAll();
    h.clock.shift(Duration.ofSeconds(31));
    h.run(() -> {
      h.db.fault(InMemoryWriteDb.Fault.COMMIT_THEN_FAIL);
      h.db.lagging(true);
    });

    assertThat(h.refused(p, "alice")).isInstanceOf(Unavailable.class);
    // its rebuild reads no start, while its row says it started: it stays recovering, and reads again
    h.eventually(() -> h.db.promotionLoads() >= 1);
    assertThat(h.refused(p, "alice")).isInstanceOf(Unavailable.class);
    h.run(() -> h.db.lagging(false));

    h.eventually(() -> h.db.promotionLoads() >= 2);
    assertThat(h.state(p).status()).isEqualTo(PromotionStatus.ACTIVE);
    assertThat(h.grab(p, "alice")).isInstanceOf(GrabDecision.Accepted.class);
    assertThat(h.events(p)).hasSize(2).first().isInstanceOf(PromotionStartEvent.class);
  }

  @Test
  void aLostPartitionDropsItsPromotionsAndServesThemNoMore() {
    UUID p = h.running(5);
    h.claimAll();
    h.grab(p, "alice");

    h.run(() -> h.service.lost(Set.of(h.partitions.of(p))));

    assertThat(h.state(p)).isNull();
    assertThat(h.refused(p, "bob")).isInstanceOf(Unavailable.class);
  }

  @Test
  void aPartitionLostAndClaimedAgainIsReadAgainFromTheStore() {
    UUID p = h.running(5);
    h.claimAll();
    h.grab(p, "alice");
    int partition = h.partitions.of(p);
    h.run(() -> h.service.lost(Set.of(partition)));
    // meanwhile another process served it
    h.run(() -> h.db.given(new CouponGrabbedEvent(UUID.randomUUID(), p, 3, Instant.now(), "bob", 0.5)));

    h.on(() -> h.service.claimed(Set.of(partition)));

    assertThat(((GrabDecision.Rejected) h.grab(p, "bob")).rejection()).isEqualTo(Rejection.DUPLICATE_ORDER);
    assertThat(h.state(p).lastSequence()).isEqualTo(3);
  }
}
