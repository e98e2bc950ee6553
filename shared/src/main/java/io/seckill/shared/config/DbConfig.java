package io.seckill.shared.config;

/**
 * Where one database (ReadDB or WriteDB) lives, and how long a statement or a connect may go without an answer
 * before it is given up as "outcome unknown" ({@code deadlineMillis}, SPEC I11: no request waits on a connection
 * that will never answer).
 */
public record DbConfig(String host, int port, String database, String user, String password, int poolSize,
                       int deadlineMillis) {
  public static final int DEFAULT_DEADLINE_MILLIS = 2000;

  public DbConfig {
    if (deadlineMillis < 100 || deadlineMillis > 600_000) {
      throw new IllegalArgumentException("the database deadline (SECKILL_WRITE_DB_DEADLINE_MS /"
          + " SECKILL_READ_DB_DEADLINE_MS) must be 100 to 600000 ms, got " + deadlineMillis);
    }
  }

  public DbConfig(String host, int port, String database, String user, String password, int poolSize) {
    this(host, port, database, user, password, poolSize, DEFAULT_DEADLINE_MILLIS);
  }

  public DbConfig withPort(int newPort) {
    return new DbConfig(host, newPort, database, user, password, poolSize, deadlineMillis);
  }

  @Override
  public String toString() {
    return user + "@" + host + ":" + port + "/" + database + " (pool " + poolSize + ")";
  }
}
