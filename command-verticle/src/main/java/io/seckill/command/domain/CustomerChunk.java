package io.seckill.command.domain;

import java.util.List;
import java.util.UUID;

/**
 * A snapshot piece: the customers served by a promotion's grabs of sequences {@code firstSequence} to
 * {@code firstSequence + customers.size() - 1}, in sequence order.
 */
public record CustomerChunk(UUID promotionId, long firstSequence, List<String> customers) {
  public CustomerChunk {
    customers = List.copyOf(customers);
  }

  /** The sequence right after this chunk's last grab. */
  public long nextSequence() {
    return firstSequence + customers.size();
  }
}
