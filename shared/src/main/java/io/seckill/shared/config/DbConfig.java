package io.seckill.shared.config;

/** Where one database (ReadDB or WriteDB) lives. */
public record DbConfig(String host, int port, String database, String user, String password, int poolSize) {

  public DbConfig withPort(int newPort) {
    return new DbConfig(host, newPort, database, user, password, poolSize);
  }

  @Override
  public String toString() {
    return user + "@" + host + ":" + port + "/" + database + " (pool " + poolSize + ")";
  }
}
