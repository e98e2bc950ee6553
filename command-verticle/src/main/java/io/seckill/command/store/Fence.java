package io.seckill.command.store;

import io.seckill.command.lease.Partitions;

import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The lease epochs one append is written under (partition -> epoch): the append's transaction checks each of them
 * against {@code partition_leases} and records it on every event ({@code writer_epoch}).
 */
public record Fence(Partitions partitions, Map<Integer, Long> epochs) {
  public Fence {
    epochs = new TreeMap<>(epochs); // checked in partition order: two appends never wait on each other's rows crosswise
  }

  public long epochOf(UUID promotionId) {
    Long epoch = epochs.get(partitions.of(promotionId));
    if (epoch == null) {
      throw new IllegalArgumentException("no epoch for the partition of promotion " + promotionId);
    }
    return epoch;
  }
}
