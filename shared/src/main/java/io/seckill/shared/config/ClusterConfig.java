package io.seckill.shared.config;

import java.util.Arrays;
import java.util.List;

/**
 * A cluster of command processes (SPEC §6): Hazelcast membership over TCP with a fixed member list, Vert.x's
 * clustered event bus for routing grabs to the owner of their partition. Off ({@link #enabled()} false) unless
 * {@code SECKILL_CLUSTER_MEMBERS} lists members: one process then owns every partition and starts no cluster manager.
 *
 * @param members          {@code host:port} of the Hazelcast members to join (this one may be among them)
 * @param host             the address this member binds and is reached at, for Hazelcast and the event bus
 * @param port             this member's Hazelcast port
 * @param name             the cluster's name: members of another name never join this one
 * @param eventBusPort     this member's event-bus port (0: any free one)
 * @param routeTimeoutMillis how long an ingress waits for the owner's answer to a routed grab
 * @param heartbeatMillis  how often a serving member says so on the event bus (and 3x: when it is taken as gone)
 */
public record ClusterConfig(List<String> members, String host, int port, String name, int eventBusPort,
                            long routeTimeoutMillis, long heartbeatMillis) {

  public static final ClusterConfig NONE = new ClusterConfig(List.of(), "127.0.0.1", 5701, "seckill", 0, 2000, 500);

  public ClusterConfig {
    members = List.copyOf(members);
    for (String member : members) {
      int colon = member.lastIndexOf(':');
      if (colon <= 0 || !member.substring(colon + 1).matches("[0-9]{1,5}")) {
        throw new IllegalArgumentException("SECKILL_CLUSTER_MEMBERS: '" + member + "' is not host:port");
      }
    }
    if (port < 1 || port > 65535 || eventBusPort < 0 || eventBusPort > 65535) {
      throw new IllegalArgumentException("SECKILL_CLUSTER_PORT must be 1-65535 and SECKILL_EVENTBUS_PORT 0-65535,"
          + " got " + port + " and " + eventBusPort);
    }
    if (routeTimeoutMillis < 100 || heartbeatMillis < 50) {
      throw new IllegalArgumentException("SECKILL_ROUTE_TIMEOUT_MS must be at least 100 and"
          + " SECKILL_CLUSTER_HEARTBEAT_MS at least 50, got " + routeTimeoutMillis + " and " + heartbeatMillis);
    }
  }

  public static ClusterConfig from(Env env) {
    String list = env.string("SECKILL_CLUSTER_MEMBERS", "").trim();
    List<String> members = list.isEmpty() ? List.of()
        : Arrays.stream(list.split(",")).map(String::trim).filter(m -> !m.isEmpty()).toList();
    if (!members.isEmpty() && !env.has("SECKILL_TICKET_KEYS")) {
      // each member would make a ticket key of its own: a ticket fetched from one would be refused by the others
      throw new IllegalArgumentException("SECKILL_CLUSTER_MEMBERS is set but SECKILL_TICKET_KEYS is not: every"
          + " member of a command cluster needs the same ticket keys (a ticket is checked where it enters)");
    }
    return new ClusterConfig(members, env.string("SECKILL_CLUSTER_HOST", "127.0.0.1"),
        env.integer("SECKILL_CLUSTER_PORT", 5701), env.string("SECKILL_CLUSTER_NAME", "seckill"),
        env.integer("SECKILL_EVENTBUS_PORT", 0), env.integer("SECKILL_ROUTE_TIMEOUT_MS", 2000),
        env.integer("SECKILL_CLUSTER_HEARTBEAT_MS", 500));
  }

  public boolean enabled() {
    return !members.isEmpty();
  }
}
