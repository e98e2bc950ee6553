package io.seckill.command.domain;

import io.seckill.shared.event.FinishReason;
import io.seckill.shared.event.PromotionFinishEvent;
import io.seckill.shared.event.PromotionStartEvent;
import io.seckill.shared.promotion.PromotionTerms;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** When a grab ticket may be issued and for how long; no I/O. */
class TicketPolicyTest {
  private static final Instant PUBLISH = Instant.parse("2026-11-28T16:00:00Z");
  private static final Instant FINISH = Instant.parse("2026-11-28T16:30:00.250Z");
  private final UUID id = UUID.randomUUID();
  private final TicketPolicy policy = new TicketPolicy(600, 3600);
  private final PromotionState scheduled = PromotionState.scheduled(id, new PromotionTerms(5, 0.5, PUBLISH, FINISH), 1);

  @Test
  void fromTheLeadTimeBeforeThePublishTimeUntilTheFinish() {
    assertThat(policy.issue(scheduled, PUBLISH.minusSeconds(601))).isEmpty();
    assertThat(policy.issue(scheduled, PUBLISH.minusSeconds(600))).contains(
        new TicketPolicy.Validity(PUBLISH.minusSeconds(600).getEpochSecond(), FINISH.getEpochSecond() + 1,
            PUBLISH.toEpochMilli(), FINISH.toEpochMilli()));
    assertThat(policy.issue(scheduled, FINISH.minusMillis(1))).isPresent();
    assertThat(policy.issue(scheduled, FINISH)).isEmpty();
    assertThat(policy.issue(null, PUBLISH)).isEmpty();
  }

  @Test
  void validAtMostTheTtlAndNeverOnceFinished() {
    TicketPolicy shortLived = new TicketPolicy(600, 60);
    assertThat(shortLived.issue(scheduled, PUBLISH)).contains(
        new TicketPolicy.Validity(PUBLISH.getEpochSecond(), PUBLISH.getEpochSecond() + 60, PUBLISH.toEpochMilli(),
            FINISH.toEpochMilli()));
    PromotionState finished = PromotionState.started(new PromotionStartEvent(UUID.randomUUID(), id, 1, PUBLISH, 5, 0.5,
        PUBLISH, FINISH));
    finished.apply(new PromotionFinishEvent(UUID.randomUUID(), id, 2, PUBLISH, FinishReason.CANCELLED));
    assertThat(policy.issue(finished, PUBLISH.plusSeconds(1))).isEmpty();
  }
}
