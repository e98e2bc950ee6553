package io.seckill.command.lease;

/**
 * Who serves each partition, as this process last knew it: immutable, published by {@link Ownership} after each
 * renew for the HTTP instances on other event loops. {@code null}: nobody (known) holds it.
 */
public final class Routes {
  private final String self;
  private final String[] incarnations;
  private final boolean[] here;

  /** {@code incarnations}: the holder of each partition; {@code here}: the ones this process holds. */
  public Routes(String self, String[] incarnations, boolean[] here) {
    this.self = self;
    this.incarnations = incarnations;
    this.here = here;
  }

  static Routes none(String self, int partitions) {
    return new Routes(self, new String[partitions], new boolean[partitions]);
  }

  /** Whether this process holds the partition. */
  public boolean here(int partition) {
    return here[partition];
  }

  /** The incarnation holding the partition (this one's when {@link #here}), or null. */
  public String holder(int partition) {
    return here[partition] ? self : incarnations[partition];
  }
}
