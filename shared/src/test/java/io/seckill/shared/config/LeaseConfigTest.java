package io.seckill.shared.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The lease settings refuse what would break ownership, naming the variable. */
class LeaseConfigTest {
  private static LeaseConfig from(Map<String, String> env) {
    return LeaseConfig.from(new Env(env));
  }

  @Test
  void defaultsAndTheNodeIdFromTheHostName() {
    LeaseConfig lease = from(Map.of("HOSTNAME", "box-7"));
    assertThat(lease).isEqualTo(new LeaseConfig("box-7", 64, 3000, 1000));
    assertThat(from(Map.of()).nodeId()).isEqualTo("seckill");
    assertThat(from(Map.of("HOSTNAME", "box-7", "SECKILL_NODE_ID", "cmd-a")).nodeId()).isEqualTo("cmd-a");
    // blank is unset, as for every variable (Env)
    assertThat(from(Map.of("SECKILL_NODE_ID", " ")).nodeId()).isEqualTo("seckill");
  }

  @Test
  void refusesWhatWouldBreakOwnership() {
    assertThatThrownBy(() -> from(Map.of("SECKILL_NODE_ID", "n".repeat(65)))).hasMessageContaining("SECKILL_NODE_ID");
    assertThatThrownBy(() -> from(Map.of("SECKILL_PARTITIONS", "0"))).hasMessageContaining("SECKILL_PARTITIONS");
    assertThatThrownBy(() -> from(Map.of("SECKILL_PARTITIONS", "4097"))).hasMessageContaining("SECKILL_PARTITIONS");
    // a lease shorter than two renews would end between two renews of a healthy holder
    assertThatThrownBy(() -> from(Map.of("SECKILL_LEASE_MS", "1500", "SECKILL_LEASE_RENEW_MS", "1000")))
        .hasMessageContaining("SECKILL_LEASE_MS");
    assertThatThrownBy(() -> from(Map.of("SECKILL_LEASE_MS", "80", "SECKILL_LEASE_RENEW_MS", "40")))
        .hasMessageContaining("SECKILL_LEASE_RENEW_MS");
  }
}
