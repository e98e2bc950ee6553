package io.seckill.command.service;

import io.seckill.command.domain.CustomerChunker;
import io.seckill.command.domain.PromotionState;
import io.vertx.core.Future;

import java.util.UUID;

/**
 * All the command side keeps for one promotion of a partition it holds: its state, its timer, its start in flight,
 * whether it is recovering, its next snapshot chunk. {@link Holdings} drops it with one remove. Lives on the command
 * verticle's context.
 */
final class ServedPromotion {
  final PromotionState state;
  /** Its start or finish timer, -1 when none is armed. */
  long timer = -1;
  /** Its start write in flight: grabs arriving at or after the publish time wait for it instead of being refused. */
  Future<Void> starting;
  /** A write of its events did not commit them: it answers 503 until it is rebuilt from the store. */
  boolean recovering;
  /** Where its committed grabs go until a chunk is full; null before its first grab or once out of order. */
  CustomerChunker chunker;

  ServedPromotion(PromotionState state) {
    this.state = state;
  }

  UUID id() {
    return state.promotionId();
  }
}
