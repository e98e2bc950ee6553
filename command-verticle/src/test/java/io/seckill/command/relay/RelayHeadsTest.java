package io.seckill.command.relay;

import io.seckill.command.store.EventStore.Sequenced;
import io.seckill.shared.messaging.EncodedEvent;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

class RelayHeadsTest {
  private static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
  private static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");

  private static Sequenced event(UUID promotion, long sequence) {
    return new Sequenced(promotion, sequence, new EncodedEvent(promotion + "/" + sequence, "CouponGrabbedEvent", "{}"));
  }

  private static List<String> ids(List<Sequenced> events) {
    return events.stream().map(e -> e.event().eventId()).sorted().toList();
  }

  @Test
  void theNewestEventSentOfEachPromotionIsAnnounced() {
    RelayHeads heads = new RelayHeads(60_000);
    heads.sent(List.of(event(A, 1), event(A, 2), event(B, 1)), 0);
    heads.sent(List.of(event(A, 3)), 100);

    assertThat(ids(heads.due(2000, id -> true))).containsExactly(A + "/3", B + "/1");
  }

  @Test
  void anOlderEventSentLaterDoesNotMoveTheHeadBack() {
    RelayHeads heads = new RelayHeads(60_000);
    heads.sent(List.of(event(A, 5)), 0);
    heads.sent(List.of(event(A, 2)), 10);

    assertThat(ids(heads.due(2000, id -> true))).containsExactly(A + "/5");
  }

  @Test
  void aHeadIsAnnouncedUntilTheWindowAfterItLastMoved() {
    RelayHeads heads = new RelayHeads(60_000);
    heads.sent(List.of(event(A, 1)), 0);
    heads.sent(List.of(event(B, 1)), 0);
    heads.sent(List.of(event(B, 2)), 50_000);

    assertThat(ids(heads.due(60_000, id -> true))).containsExactly(A + "/1", B + "/2");
    assertThat(ids(heads.due(60_001, id -> true))).containsExactly(B + "/2");
    assertThat(ids(heads.due(110_001, id -> true))).isEmpty();
    assertThat(heads.size()).isZero();
  }

  @Test
  void aPromotionNoLongerRelayedHereIsLeftToItsNewOwner() {
    RelayHeads heads = new RelayHeads(60_000);
    heads.sent(List.of(event(A, 1), event(B, 1)), 0);

    assertThat(ids(heads.due(1000, id -> !id.equals(A)))).containsExactly(B + "/1");
    assertThat(ids(heads.due(2000, id -> true))).containsExactly(B + "/1");
  }
}
