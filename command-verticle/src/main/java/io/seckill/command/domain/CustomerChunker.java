package io.seckill.command.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * Cuts a promotion's committed grabs into {@link CustomerChunk}s of {@code size} grabs, the snapshots a restart
 * reads instead of the events. Grabs must come in sequence order, without a hole: a promotion's grabs are its
 * sequences from 2 (after the start) on, and the single writer commits them in that order. Not thread-safe.
 */
public final class CustomerChunker {
  /** The sequence of a promotion's first grab: its start is sequence 1. */
  public static final long FIRST_GRAB = 2;

  private final UUID promotionId;
  private final int size;
  private long firstSequence;
  private List<String> pending;

  private CustomerChunker(UUID promotionId, int size, long firstSequence, List<String> pending) {
    if (size < 1) {
      throw new IllegalArgumentException("chunk size must be at least 1, not " + size);
    }
    this.promotionId = promotionId;
    this.size = size;
    this.firstSequence = firstSequence;
    this.pending = new ArrayList<>(pending);
  }

  /** For a promotion none of whose grabs is in a chunk yet. */
  public static CustomerChunker fresh(UUID promotionId, int size) {
    return new CustomerChunker(promotionId, size, FIRST_GRAB, List.of());
  }

  /**
   * For a promotion whose chunks end before {@code firstSequence}: {@code committed} are the customers of its
   * grabs from that sequence on, in sequence order (maybe more than a chunk: take them with {@link #fullChunks}).
   */
  public static CustomerChunker resume(UUID promotionId, int size, long firstSequence, List<String> committed) {
    return new CustomerChunker(promotionId, size, firstSequence, committed);
  }

  /**
   * A committed grab; the chunk it completes, or null.
   *
   * @throws IllegalStateException when {@code sequence} is not the next grab's: this chunker is of no further use
   */
  public CustomerChunk committed(long sequence, String customerId) {
    long expected = firstSequence + pending.size();
    if (sequence != expected) {
      throw new IllegalStateException("promotion " + promotionId + ": grab " + sequence + " committed where "
          + expected + " was next");
    }
    pending.add(customerId);
    return pending.size() == size ? cut() : null;
  }

  /** Every full chunk in what was handed to {@link #resume} (the grabs of a restart that were in no chunk). */
  public List<CustomerChunk> fullChunks() {
    List<CustomerChunk> chunks = new ArrayList<>();
    while (pending.size() >= size) {
      chunks.add(cut());
    }
    return chunks;
  }

  private CustomerChunk cut() {
    CustomerChunk chunk = new CustomerChunk(promotionId, firstSequence, pending.subList(0, size));
    List<String> rest = new ArrayList<>(Math.max(size, pending.size() - size));
    rest.addAll(pending.subList(size, pending.size()));
    pending = rest;
    firstSequence += size;
    return chunk;
  }
}
