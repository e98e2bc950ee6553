package io.seckill.command.cluster;

import io.seckill.command.domain.CustomerSet;
import io.seckill.command.domain.GrabDecider;
import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.PromotionState;
import io.seckill.command.domain.Rejection;
import io.seckill.shared.event.FinishReason;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class FinishedStatesTest {
  private final GrabDecider decider = new GrabDecider();

  private Rejection decide(PromotionState state, String customer) {
    return ((GrabDecision.Rejected) decider.decide(state, customer, Instant.now())).rejection();
  }

  /** The frozen copy another member receives decides every grab as the owner's state would. */
  @Test
  void aFinishedStateSentToAnotherMemberDecidesItsCrowdAsTheOwnerWould() {
    UUID id = UUID.randomUUID();
    String[] winners = {"alice", "bob", "ünïcode 😀", "with\nnewline"};
    PromotionState sent = PromotionState.frozen(id, FinishReason.SOLD_OUT, CustomerSet.of(winners));
    PromotionState received = FinishedStates.decode(FinishedStates.encode(sent));
    assertThat(received.promotionId()).isEqualTo(id);
    for (String winner : winners) {
      assertThat(decide(received, winner)).isEqualTo(Rejection.DUPLICATE_ORDER);
    }
    assertThat(decide(received, "carol")).isEqualTo(Rejection.OUT_OF_STOCK);
    PromotionState cancelled = FinishedStates.decode(FinishedStates.encode(
        PromotionState.frozen(id, FinishReason.CANCELLED, CustomerSet.of("alice"))));
    assertThat(decide(cancelled, "carol")).isEqualTo(Rejection.PROMOTION_NOT_ACTIVE);
    assertThat(decide(cancelled, "alice")).isEqualTo(Rejection.DUPLICATE_ORDER);
  }
}
