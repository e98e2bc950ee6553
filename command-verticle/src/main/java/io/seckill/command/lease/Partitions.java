package io.seckill.command.lease;

import java.util.UUID;

/** Which of a fixed number of partitions a promotion belongs to: the same answer on every node, forever. */
public final class Partitions {
  private final int count;

  public Partitions(int count) {
    if (count < 1) {
      throw new IllegalArgumentException("partitions must be at least 1");
    }
    this.count = count;
  }

  public int count() {
    return count;
  }

  public int of(UUID promotionId) {
    long mixed = promotionId.getMostSignificantBits() ^ promotionId.getLeastSignificantBits();
    mixed ^= mixed >>> 33;
    mixed *= 0xff51afd7ed558ccdL;
    mixed ^= mixed >>> 33;
    return (int) Long.remainderUnsigned(mixed, count);
  }
}
