package io.seckill.command.store;

import java.util.Set;

/** An append refused because this process no longer holds the lease epoch of these partitions (SPEC I9). */
public final class FencedException extends RuntimeException {
  private final Set<Integer> partitions;

  public FencedException(Set<Integer> partitions, String message) {
    super(message);
    this.partitions = Set.copyOf(partitions);
  }

  public Set<Integer> partitions() {
    return partitions;
  }
}
