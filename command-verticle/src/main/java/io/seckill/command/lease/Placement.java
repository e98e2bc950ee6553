package io.seckill.command.lease;

/**
 * Which partitions this process should hold: the intent, from membership. Only the leases in WriteDB say who does,
 * and only the fence refuses a stale owner; a placement that is wrong (a member it thinks gone still holding) costs
 * availability, never correctness.
 */
public interface Placement {
  /** Whether this process should hold {@code partition}: it claims it once it is free. */
  boolean wants(int partition);

  /** Whether a partition held here should be handed to another member now (that member is ready to claim it). */
  boolean handsOver(int partition);

  /** Whether partitions nobody has held for a whole lease length are claimed whatever {@link #wants} says. */
  boolean adoptsOrphans();

  /**
   * Whether the member {@code node} is heard from as serving: grabs are not routed to a lease holder that is not (a
   * paused or cut-off member keeps its lease for a while, but would only time out), they wait for its successor.
   */
  default boolean serving(String node) {
    return true;
  }

  /** One process without a cluster: every partition, no hand-over. */
  static Placement everything() {
    return new Placement() {
      @Override
      public boolean wants(int partition) {
        return true;
      }

      @Override
      public boolean handsOver(int partition) {
        return false;
      }

      @Override
      public boolean adoptsOrphans() {
        return false;
      }
    };
  }
}
