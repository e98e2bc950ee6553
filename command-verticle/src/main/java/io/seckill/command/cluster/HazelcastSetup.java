package io.seckill.command.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import io.seckill.shared.config.ClusterConfig;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.spi.cluster.hazelcast.ConfigUtil;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.util.regex.Pattern;

/**
 * The Hazelcast member a clustered command process runs: TCP-IP join with the configured member list, multicast and
 * auto-detection off, no phone-home call at start, no wait before joining, a member gone after 5 s without
 * heartbeats (the default is 60 s), the sides of a split merged again after 5 s (the default is 5 minutes). The member carries its node id as attribute {@value #NODE_ATTRIBUTE}.
 */
public final class HazelcastSetup {
  public static final String NODE_ATTRIBUTE = "seckill.node";
  private static final Pattern IP = Pattern.compile("[0-9.]+|[0-9a-fA-F:]+");

  private HazelcastSetup() {
  }

  public static HazelcastClusterManager clusterManager(ClusterConfig cluster, String nodeId) {
    Config config = ConfigUtil.loadConfig();
    config.setClusterName(cluster.name());
    config.setProperty("hazelcast.phone.home.enabled", "false");
    config.setProperty("hazelcast.wait.seconds.before.join", "0");
    config.setProperty("hazelcast.heartbeat.interval.seconds", "1");
    config.setProperty("hazelcast.max.no.heartbeat.seconds", "5");
    config.setProperty("hazelcast.logging.type", "slf4j");
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    config.setProperty("hazelcast.health.monitoring.level", "OFF");
    // after a split (a member cut off), the sides merge back within seconds, not the default 5 minutes
    config.setProperty("hazelcast.merge.first.run.delay.seconds", "5");
    config.setProperty("hazelcast.merge.next.run.delay.seconds", "5");
    config.getMemberAttributeConfig().setAttribute(NODE_ATTRIBUTE, nodeId);
    NetworkConfig network = config.getNetworkConfig();
    network.setPort(cluster.port()).setPortAutoIncrement(false);
    if (IP.matcher(cluster.host()).matches()) {
      // bound to that address only, its outgoing connections too (loopback in tests)
      config.setProperty("hazelcast.socket.bind.any", "false");
      config.setProperty("hazelcast.socket.client.bind.any", "false");
      network.getInterfaces().setEnabled(true).addInterface(cluster.host());
    } else {
      network.setPublicAddress(cluster.host() + ":" + cluster.port());
    }
    JoinConfig join = network.getJoin();
    join.getMulticastConfig().setEnabled(false);
    join.getAutoDetectionConfig().setEnabled(false);
    join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
    return new HazelcastClusterManager(config);
  }

  /** The clustered event bus on this member's address. */
  public static EventBusOptions eventBus(ClusterConfig cluster) {
    return new EventBusOptions().setHost(cluster.host()).setPort(cluster.eventBusPort())
        .setClusterPublicHost(cluster.host());
  }
}
