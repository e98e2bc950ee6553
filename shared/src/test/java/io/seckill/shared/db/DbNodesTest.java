package io.seckill.shared.db;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Which node a process may use (SPEC §10): a Galera node only when synced with a primary component. */
class DbNodesTest {
  @Test
  void aServerWithoutGaleraIsUsable() {
    assertThat(DbNodes.usable(Map.of())).isNull();
  }

  @Test
  void aSyncedNodeOfAPrimaryComponentIsUsable() {
    assertThat(DbNodes.usable(Map.of("wsrep_ready", "ON", "wsrep_local_state", "4"))).isNull();
  }

  @Test
  void aNodeCutOffFromTheOthersIsNot() {
    assertThat(DbNodes.usable(Map.of("wsrep_ready", "OFF", "wsrep_local_state", "4")))
        .contains("not in a primary component");
  }

  @Test
  void aJoinerOrDonorIsNot() {
    assertThat(DbNodes.usable(Map.of("wsrep_ready", "ON", "wsrep_local_state", "1"))).contains("not synced");
    assertThat(DbNodes.usable(Map.of("wsrep_ready", "ON", "wsrep_local_state", "2"))).contains("not synced");
  }
}
