package io.seckill.command.service;

import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.PromotionStatus;
import io.seckill.command.domain.Rejection;
import io.seckill.command.store.InMemoryWriteDb;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.FinishReason;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.promotion.PromotionTerms;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Starts and finishes at their times, and the admin's changes, without a database. */
class LifecycleTest {
  private final Harness h = new Harness();

  @AfterEach
  void close() {
    h.close();
  }

  @Test
  void aScheduledPromotionStartsAtItsPublishTimeAndFinishesAtItsFinishTime() {
    UUID p = h.scheduled(5, Duration.ofMillis(300), Duration.ofMillis(500));
    h.claimAll();
    assertThat(h.state(p).status()).isEqualTo(PromotionStatus.SCHEDULED);

    h.eventually(() -> h.db.events(p).size() == 2);

    assertThat(h.events(p).get(0)).isInstanceOfSatisfying(PromotionStartEvent.class,
        start -> assertThat(start.numberOfCoupons()).isEqualTo(5));
    assertThat(h.events(p).get(1)).isInstanceOfSatisfying(PromotionFinishEvent.class,
        finish -> assertThat(finish.reason()).isEqualTo(FinishReason.TIME_UP));
    assertThat(h.finished).containsExactly(p);
  }

  @Test
  void aGrabAtThePublishTimeStartsThePromotionBeforeItsTimerFires() {
    UUID p = h.scheduled(5, Duration.ofSeconds(30), Duration.ofHours(1));
    h.claimAll();
    h.clock.shift(Duration.ofSeconds(31));

    GrabDecision decision = h.grab(p, "alice");

    assertThat(decision).isInstanceOf(GrabDecision.Accepted.class);
    assertThat(h.events(p)).hasSize(2).first().isInstanceOf(PromotionStartEvent.class);
  }

  @Test
  void beforeThePublishTimeAGrabIsRefusedAndNothingIsWritten() {
    UUID p = h.scheduled(5, Duration.ofSeconds(30), Duration.ofHours(1));
    h.claimAll();

    GrabDecision decision = h.grab(p, "alice");

    assertThat(((GrabDecision.Rejected) decision).rejection()).isEqualTo(Rejection.PROMOTION_NOT_ACTIVE);
    assertThat(h.events(p)).isEmpty();
  }

  @Test
  void newTermsBeforeTheStartMoveItsTimer() {
    UUID p = h.scheduled(5, Duration.ofSeconds(60), Duration.ofHours(1));
    h.claimAll();
    Instant sooner = Instant.now().plusMillis(300).truncatedTo(ChronoUnit.MILLIS);

    h.run(() -> h.db.schedule(p, new PromotionTerms(7, 0.4, sooner, sooner.plusSeconds(3600))));

    h.eventually(() -> h.db.events(p).size() == 1);
    assertThat(h.events(p).get(0)).isInstanceOfSatisfying(PromotionStartEvent.class, start -> {
      assertThat(start.numberOfCoupons()).isEqualTo(7);
      assertThat(start.publishTime()).isEqualTo(sooner);
    });
  }

  @Test
  void aStartWhoseRowChangedMeanwhileIsNotWrittenAndTheNewTermsAreTaken() {
    UUID p = h.scheduled(5, Duration.ofSeconds(30), Duration.ofHours(1));
    h.claimAll();
    h.clock.shift(Duration.ofSeconds(31));
    Promise<Void> release = h.on(() -> Future.succeededFuture(h.db.hold()));
    Future<GrabDecision> waiting = h.start(() -> h.service.grab(p, "alice"));
    Instant past = Instant.now().minusSeconds(1).truncatedTo(ChronoUnit.MILLIS);
    h.run(() -> {
      h.db.schedule(p, new PromotionTerms(7, 0.4, past, past.plusSeconds(3600)));
      release.complete();
    });

    GrabDecision decision = h.await(waiting);

    assertThat(decision).isInstanceOf(GrabDecision.Accepted.class);
    assertThat(h.events(p).get(0)).isInstanceOfSatisfying(PromotionStartEvent.class,
        start -> assertThat(start.numberOfCoupons()).isEqualTo(7));
    assertThat(h.events(p).get(1)).isInstanceOfSatisfying(CouponGrabbedEvent.class,
        grab -> assertThat(grab.discount()).isEqualTo(0.4));
  }

  @Test
  void aStartWhoseWriteFailsIsTriedAgainASecondLaterNotAtOnce() {
    UUID p = h.scheduled(5, Duration.ofMillis(200), Duration.ofHours(1));
    h.run(() -> h.db.fault(InMemoryWriteDb.Fault.FAIL, InMemoryWriteDb.Fault.FAIL));
    h.claimAll();

    h.eventually(() -> h.db.events(p).size() == 1);

    List<Long> attempts = h.on(() -> Future.succeededFuture(h.db.startAttempts()));
    assertThat(attempts).hasSize(3);
    for (int i = 1; i < attempts.size(); i++) {
      assertThat((attempts.get(i) - attempts.get(i - 1)) / 1_000_000).as("ms between attempts")
          .isGreaterThanOrEqualTo(Retries.MILLIS - 100);
    }
  }

  @Test
  void aGrabWhoseStartIsRefusedAtOnceIsUnavailableAndWritesNothing() {
    UUID p = h.scheduled(5, Duration.ofSeconds(30), Duration.ofHours(1));
    h.claimAll();
    int partition = h.partitions.of(p);
    h.epochs.remove(partition); // the fence finds the partition not held: the start fails before it is sent
    h.clock.shift(Duration.ofSeconds(31));

    assertThat(h.refused(p, "alice")).isInstanceOf(Unavailable.class);

    assertThat(h.events(p)).isEmpty();
    assertThat(h.fencedOut).containsExactly(Set.of(partition));
  }

  @Test
  void anAdminsCancelFinishesARunningPromotionOnce() {
    UUID p = h.running(5);
    h.claimAll();
    h.grab(p, "alice");

    h.run(() -> h.db.requestCancel(p));

    h.eventually(() -> h.db.events(p).size() == 3);
    assertThat(h.events(p).get(2)).isInstanceOfSatisfying(PromotionFinishEvent.class,
        finish -> assertThat(finish.reason()).isEqualTo(FinishReason.CANCELLED));
    assertThat(((GrabDecision.Rejected) h.grab(p, "bob")).rejection()).isEqualTo(Rejection.PROMOTION_NOT_ACTIVE);
    assertThat(h.finished).containsExactly(p);
  }

  @Test
  void aPromotionDeletedBeforeItsStartIsDropped() {
    UUID p = h.scheduled(5, Duration.ofSeconds(60), Duration.ofHours(1));
    h.claimAll();

    h.run(() -> h.db.delete(p));

    h.eventually(() -> h.service.promotion(p) == null);
    assertThat(h.events(p)).isEmpty();
  }
}
