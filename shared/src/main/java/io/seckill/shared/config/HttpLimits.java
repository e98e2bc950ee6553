package io.seckill.shared.config;

/**
 * What one caller may hold of a process's HTTP servers (OWASP API4), all services of the process together.
 *
 * @param requestDeadlineMillis a connection's first request must arrive whole (headers and body) within this of its
 *                              opening, and any request's body within this of its headers; else the connection is
 *                              closed (SECKILL_HTTP_REQUEST_DEADLINE_MS)
 * @param idleTimeoutSeconds    a connection with no whole request this long after its previous response, or no
 *                              traffic at all, is closed (SECKILL_HTTP_IDLE_TIMEOUT_SECONDS; above clients' usual 60 s
 *                              keep-alive, as nginx's 75 s)
 * @param maxConnections        open connections in all; 0 derives it from the open-files limit
 *                              (SECKILL_HTTP_MAX_CONNECTIONS)
 * @param maxPerAddress         open connections from one address (trusted proxies excepted)
 *                              (SECKILL_HTTP_MAX_CONNECTIONS_PER_ADDRESS)
 */
public record HttpLimits(long requestDeadlineMillis, int idleTimeoutSeconds, int maxConnections, int maxPerAddress) {
  /** Descriptors kept for the databases, the broker, the cluster, logs and jars when the cap is derived. */
  static final long RESERVED_DESCRIPTORS = 512;

  public HttpLimits {
    if (requestDeadlineMillis < 100 || requestDeadlineMillis > 600_000) {
      throw new IllegalArgumentException("SECKILL_HTTP_REQUEST_DEADLINE_MS must be 100 to 600000, got "
          + requestDeadlineMillis);
    }
    if (idleTimeoutSeconds < 1 || idleTimeoutSeconds > 86_400) {
      throw new IllegalArgumentException("SECKILL_HTTP_IDLE_TIMEOUT_SECONDS must be 1 to 86400, got "
          + idleTimeoutSeconds);
    }
    if (maxConnections < 0) {
      throw new IllegalArgumentException("SECKILL_HTTP_MAX_CONNECTIONS must be 0 (from the open-files limit) or more,"
          + " got " + maxConnections);
    }
    if (maxPerAddress < 1) {
      throw new IllegalArgumentException("SECKILL_HTTP_MAX_CONNECTIONS_PER_ADDRESS must be at least 1, got "
          + maxPerAddress);
    }
  }

  public static HttpLimits from(Env env) {
    return new HttpLimits(env.integer("SECKILL_HTTP_REQUEST_DEADLINE_MS", 10_000),
        env.integer("SECKILL_HTTP_IDLE_TIMEOUT_SECONDS", 75), env.integer("SECKILL_HTTP_MAX_CONNECTIONS", 0),
        env.integer("SECKILL_HTTP_MAX_CONNECTIONS_PER_ADDRESS", 1_000));
  }

  /**
   * The cap on connections in all: as configured, or 80% of what the open-files limit leaves after the descriptors
   * open when the first server starts and {@link #RESERVED_DESCRIPTORS} more (database and broker connections made
   * later, cluster links, logs), at least 64: the process refuses connections before it runs out of descriptors.
   */
  public int totalCap(long openFilesLimit, long openNow) {
    if (maxConnections > 0) {
      return maxConnections;
    }
    long derived = (openFilesLimit - openNow - RESERVED_DESCRIPTORS) * 8 / 10;
    return (int) Math.max(64, Math.min(Integer.MAX_VALUE, derived));
  }
}
