package io.seckill.shared.config;

import java.util.ArrayList;
import java.util.List;

/**
 * Where one database (ReadDB or WriteDB) lives, and how long a statement or a connect may go without an answer
 * before it is given up as "outcome unknown" ({@code deadlineMillis}, SPEC I11: no request waits on a connection
 * that will never answer).
 *
 * <p>{@code host} may list several nodes of one Galera cluster, {@code host[:port],...}, a node without a port on
 * {@code port} (SPEC §10): a process uses one of them at a time, in the order given ({@code Databases}).
 */
public record DbConfig(String host, int port, String database, String user, String password, int poolSize,
                       int deadlineMillis, List<DbNode> nodes) {
  public static final int DEFAULT_DEADLINE_MILLIS = 2000;

  public DbConfig(String host, int port, String database, String user, String password, int poolSize,
                  int deadlineMillis) {
    this(host, port, database, user, password, poolSize, deadlineMillis, nodes(host, port));
  }

  public DbConfig {
    nodes = List.copyOf(nodes);
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

  /** The same database through one of its nodes only. */
  public DbConfig at(DbNode node) {
    return new DbConfig(node.host(), node.port(), database, user, password, poolSize, deadlineMillis);
  }

  /** {@code host[:port],...}: each node, in the order given, a missing port being {@code defaultPort}. */
  static List<DbNode> nodes(String hosts, int defaultPort) {
    List<DbNode> nodes = new ArrayList<>();
    for (String part : hosts.split(",", -1)) {
      String node = part.trim();
      int colon = node.lastIndexOf(':');
      String host = colon < 0 ? node : node.substring(0, colon);
      int port = defaultPort;
      if (colon >= 0) {
        try {
          port = Integer.parseInt(node.substring(colon + 1));
        } catch (NumberFormatException e) {
          port = -1;
        }
      }
      if (host.isEmpty() || port < 1 || port > 65_535 || host.contains(" ")) {
        throw new IllegalArgumentException("a database host (SECKILL_WRITE_DB_HOST / SECKILL_READ_DB_HOST) is one"
            + " host or a comma-separated list of nodes host[:port], got '" + hosts + "'");
      }
      nodes.add(new DbNode(host, port));
    }
    return nodes;
  }

  @Override
  public String toString() {
    return user + "@" + String.join(",", nodes.stream().map(DbNode::toString).toList()) + "/" + database
        + " (pool " + poolSize + ")";
  }
}
