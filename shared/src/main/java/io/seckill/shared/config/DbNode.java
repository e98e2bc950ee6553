package io.seckill.shared.config;

/** One server of a database (a Galera node, or the one server). */
public record DbNode(String host, int port) {
  @Override
  public String toString() {
    return host + ":" + port;
  }
}
