package io.seckill.shared.config;

import io.seckill.shared.identity.SecurityConfig;

/**
 * Everything a verticle needs to know, read once from the environment (see docs/configuration.md for each variable).
 * Verticles receive it in their constructor; nothing reads the environment after start.
 */
public record SecKillConfig(
    String httpHost,
    int adminPort,
    int commandPort,
    int queryPort,
    int eventPort,
    SecurityConfig security,
    DbConfig writeDb,
    DbConfig readDb,
    AmqpConfig amqp,
    int commandBatchMax,
    long promotionPollMillis,
    int relayBatchMax,
    int commandInstances,
    LeaseConfig lease,
    int snapshotGrabs,
    HttpLimits httpLimits,
    int rebuildEventsPerSecond,
    ShopConfig shop) {

  public static final String WRITE_DB_PREFIX = "SECKILL_WRITE_DB_";
  public static final String READ_DB_PREFIX = "SECKILL_READ_DB_";
  public static final int DEFAULT_EMBEDDED_DB_PORT = 3307;

  /** Reads the configuration; {@code security} is given because its defaults live in the launcher's data dir. */
  public static SecKillConfig from(Env env, SecurityConfig security) {
    int embeddedDbPort = env.integer("SECKILL_EMBEDDED_DB_PORT", DEFAULT_EMBEDDED_DB_PORT);
    return new SecKillConfig(
        env.string("SECKILL_HTTP_HOST", "127.0.0.1"),
        env.integer("SECKILL_ADMIN_PORT", 8081),
        env.integer("SECKILL_COMMAND_PORT", 8082),
        env.integer("SECKILL_QUERY_PORT", 8083),
        env.integer("SECKILL_EVENT_PORT", 8084),
        security,
        env.db(WRITE_DB_PREFIX, "seckill_write", embeddedDbPort),
        env.db(READ_DB_PREFIX, "seckill_read", embeddedDbPort),
        AmqpConfig.parse(env.string("SECKILL_AMQP_URL", "amqp://127.0.0.1:" + env.integer("SECKILL_BROKER_PORT", 5672)),
            env.string("SECKILL_AMQP_ADDRESS", "seckill")),
        env.integer("SECKILL_COMMAND_BATCH_MAX", 500),
        env.integer("SECKILL_PROMOTION_POLL_MS", 200),
        env.integer("SECKILL_RELAY_BATCH_MAX", 500),
        env.integer("SECKILL_COMMAND_INSTANCES", Runtime.getRuntime().availableProcessors()),
        LeaseConfig.from(env),
        snapshotGrabs(env),
        HttpLimits.from(env),
        rebuildPace(env),
        ShopConfig.from(env));
  }

  /**
   * Grabs per snapshot chunk: at most 50,000, so that a chunk of the longest ids (64 characters, up to 258 bytes
   * stored) stays under MariaDB's default 16 MB packet.
   */
  private static int snapshotGrabs(Env env) {
    int grabs = env.integer("SECKILL_SNAPSHOT_GRABS", 16_384);
    if (grabs < 1 || grabs > 50_000) {
      throw new IllegalArgumentException("SECKILL_SNAPSHOT_GRABS must be 1 to 50000, got " + grabs);
    }
    return grabs;
  }

  /**
   * The most events per second a rebuild of the read model applies (0: as fast as it can): on a machine whose cores the
   * queries of a running sale need, a paced rebuild takes less from them (BENCHMARKS.md, W7).
   */
  private static int rebuildPace(Env env) {
    int pace = env.integer("SECKILL_REBUILD_EVENTS_PER_SECOND", 0);
    if (pace < 0) {
      throw new IllegalArgumentException("SECKILL_REBUILD_EVENTS_PER_SECOND must be 0 (no limit) or more, got " + pace);
    }
    return pace;
  }

  public SecKillConfig withDatabases(DbConfig write, DbConfig read) {
    return new SecKillConfig(httpHost, adminPort, commandPort, queryPort, eventPort, security, write, read, amqp,
        commandBatchMax, promotionPollMillis, relayBatchMax, commandInstances, lease,
        snapshotGrabs, httpLimits, rebuildEventsPerSecond, shop);
  }

  public SecKillConfig withAmqp(AmqpConfig newAmqp) {
    return new SecKillConfig(httpHost, adminPort, commandPort, queryPort, eventPort, security, writeDb, readDb,
        newAmqp, commandBatchMax, promotionPollMillis, relayBatchMax, commandInstances, lease,
        snapshotGrabs, httpLimits, rebuildEventsPerSecond, shop);
  }

  public SecKillConfig withCommandInstances(int instances) {
    return new SecKillConfig(httpHost, adminPort, commandPort, queryPort, eventPort, security, writeDb, readDb, amqp,
        commandBatchMax, promotionPollMillis, relayBatchMax, instances, lease, snapshotGrabs, httpLimits,
        rebuildEventsPerSecond, shop);
  }

  public SecKillConfig withLease(LeaseConfig newLease) {
    return new SecKillConfig(httpHost, adminPort, commandPort, queryPort, eventPort, security, writeDb, readDb, amqp,
        commandBatchMax, promotionPollMillis, relayBatchMax, commandInstances, newLease, snapshotGrabs, httpLimits,
        rebuildEventsPerSecond, shop);
  }

  public SecKillConfig withSnapshotGrabs(int grabs) {
    return new SecKillConfig(httpHost, adminPort, commandPort, queryPort, eventPort, security, writeDb, readDb, amqp,
        commandBatchMax, promotionPollMillis, relayBatchMax, commandInstances, lease, grabs, httpLimits,
        rebuildEventsPerSecond, shop);
  }

  public SecKillConfig withSecurity(SecurityConfig newSecurity) {
    return new SecKillConfig(httpHost, adminPort, commandPort, queryPort, eventPort, newSecurity, writeDb, readDb,
        amqp, commandBatchMax, promotionPollMillis, relayBatchMax, commandInstances, lease,
        snapshotGrabs, httpLimits, rebuildEventsPerSecond, shop);
  }

  public SecKillConfig withHttpLimits(HttpLimits limits) {
    return new SecKillConfig(httpHost, adminPort, commandPort, queryPort, eventPort, security, writeDb, readDb, amqp,
        commandBatchMax, promotionPollMillis, relayBatchMax, commandInstances, lease, snapshotGrabs, limits,
        rebuildEventsPerSecond, shop);
  }

  public SecKillConfig withPorts(int admin, int command, int query, int event) {
    return new SecKillConfig(httpHost, admin, command, query, event, security, writeDb, readDb, amqp,
        commandBatchMax, promotionPollMillis, relayBatchMax, commandInstances, lease,
        snapshotGrabs, httpLimits, rebuildEventsPerSecond, shop);
  }

  public SecKillConfig withShop(ShopConfig newShop) {
    return new SecKillConfig(httpHost, adminPort, commandPort, queryPort, eventPort, security, writeDb, readDb, amqp,
        commandBatchMax, promotionPollMillis, relayBatchMax, commandInstances, lease, snapshotGrabs, httpLimits,
        rebuildEventsPerSecond, newShop);
  }
}
