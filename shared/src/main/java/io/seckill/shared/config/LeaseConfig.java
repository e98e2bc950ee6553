package io.seckill.shared.config;

/**
 * Ownership of the command side's partitions (SPEC §6): {@code partitions} fixed per WriteDB, each leased for
 * {@code leaseMillis} by the database's clock and renewed every {@code renewMillis}. {@code nodeId} names this
 * process's place in a deployment (a container or host): a process that starts with the node id of a lease's holder
 * takes the lease at once, as the restart of that holder (the fence makes this safe even if the holder still runs).
 * Each start of a command verticle is a fresh incarnation of its node (see {@code LeaseStore}).
 */
public record LeaseConfig(String nodeId, int partitions, long leaseMillis, long renewMillis) {
  public static final int MAX_PARTITIONS = 4096;

  public LeaseConfig {
    if (nodeId == null || nodeId.isBlank() || nodeId.length() > 64) {
      throw new IllegalArgumentException("SECKILL_NODE_ID must be 1 to 64 characters, got '" + nodeId + "'");
    }
    if (partitions < 1 || partitions > MAX_PARTITIONS) {
      throw new IllegalArgumentException("SECKILL_PARTITIONS must be 1 to " + MAX_PARTITIONS + ", got " + partitions);
    }
    if (renewMillis < 50 || leaseMillis < 2 * renewMillis) {
      throw new IllegalArgumentException("SECKILL_LEASE_MS (" + leaseMillis + ") must be at least twice"
          + " SECKILL_LEASE_RENEW_MS (" + renewMillis + "), which must be at least 50");
    }
  }

  public static LeaseConfig from(Env env) {
    return new LeaseConfig(env.string("SECKILL_NODE_ID", env.string("HOSTNAME", "seckill")),
        env.integer("SECKILL_PARTITIONS", 64),
        env.integer("SECKILL_LEASE_MS", 3000), env.integer("SECKILL_LEASE_RENEW_MS", 1000));
  }

  /** The same settings under another node id: a second process, in tests. */
  public LeaseConfig asNode(String otherNode) {
    return new LeaseConfig(otherNode, partitions, leaseMillis, renewMillis);
  }
}
