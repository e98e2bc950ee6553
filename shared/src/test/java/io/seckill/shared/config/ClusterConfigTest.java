package io.seckill.shared.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterConfigTest {
  private static final String KEYS = "t1:c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA";

  private static ClusterConfig from(Map<String, String> env) {
    return ClusterConfig.from(new Env(env));
  }

  @Test
  void noMembersNoCluster() {
    assertThat(from(Map.of()).enabled()).isFalse();
    assertThat(from(Map.of("SECKILL_CLUSTER_MEMBERS", " ")).enabled()).isFalse();
  }

  @Test
  void membersAreReadAsHostAndPort() {
    ClusterConfig config = from(Map.of("SECKILL_CLUSTER_MEMBERS", "cmd-1:5701, cmd-2:5701,,10.0.0.3:5801",
        "SECKILL_CLUSTER_HOST", "cmd-1", "SECKILL_EVENTBUS_PORT", "5702", "SECKILL_TICKET_KEYS", KEYS));
    assertThat(config.enabled()).isTrue();
    assertThat(config.members()).containsExactly("cmd-1:5701", "cmd-2:5701", "10.0.0.3:5801");
    assertThat(config.host()).isEqualTo("cmd-1");
    assertThat(config.eventBusPort()).isEqualTo(5702);
    assertThat(config.routeTimeoutMillis()).isEqualTo(2000);
  }

  @Test
  void eachBadSettingIsRefusedNamingItsVariable() {
    assertThatThrownBy(() -> from(Map.of("SECKILL_CLUSTER_MEMBERS", "cmd-1", "SECKILL_TICKET_KEYS", KEYS)))
        .hasMessageContaining("SECKILL_CLUSTER_MEMBERS");
    assertThatThrownBy(() -> from(Map.of("SECKILL_CLUSTER_MEMBERS", "cmd-1:http", "SECKILL_TICKET_KEYS", KEYS)))
        .hasMessageContaining("SECKILL_CLUSTER_MEMBERS");
    assertThatThrownBy(() -> from(Map.of("SECKILL_CLUSTER_PORT", "70000"))).hasMessageContaining(
        "SECKILL_CLUSTER_PORT");
    assertThatThrownBy(() -> from(Map.of("SECKILL_ROUTE_TIMEOUT_MS", "10"))).hasMessageContaining(
        "SECKILL_ROUTE_TIMEOUT_MS");
    assertThatThrownBy(() -> from(Map.of("SECKILL_CLUSTER_HEARTBEAT_MS", "1"))).hasMessageContaining(
        "SECKILL_CLUSTER_HEARTBEAT_MS");
  }

  /** Members with ticket keys of their own would refuse each other's tickets: a cluster needs them configured. */
  @Test
  void aClusterWithoutSharedTicketKeysIsRefused() {
    assertThatThrownBy(() -> from(Map.of("SECKILL_CLUSTER_MEMBERS", "cmd-1:5701")))
        .hasMessageContaining("SECKILL_TICKET_KEYS");
  }
}
