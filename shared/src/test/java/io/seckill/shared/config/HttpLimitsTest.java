package io.seckill.shared.config;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HttpLimitsTest {

  @Test
  void defaultsAndTheCapDerivedFromTheOpenFilesLimit() {
    HttpLimits limits = HttpLimits.from(new Env(Map.of()));
    assertThat(limits.requestDeadlineMillis()).isEqualTo(10_000);
    assertThat(limits.idleTimeoutSeconds()).isEqualTo(75);
    assertThat(limits.maxPerAddress()).isEqualTo(1_000);
    assertThat(limits.totalCap(20_000, 300)).isEqualTo((20_000 - 300 - 512) * 8 / 10);
    assertThat(limits.totalCap(2_048, 400)).isEqualTo(908);
    assertThat(limits.totalCap(1_024, 600)).isEqualTo(64);
  }

  @Test
  void valuesFromTheEnvironment() {
    HttpLimits limits = HttpLimits.from(new Env(Map.of("SECKILL_HTTP_REQUEST_DEADLINE_MS", "1500",
        "SECKILL_HTTP_IDLE_TIMEOUT_SECONDS", "5", "SECKILL_HTTP_MAX_CONNECTIONS", "700",
        "SECKILL_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "50")));
    assertThat(limits).isEqualTo(new HttpLimits(1500, 5, 700, 50));
    assertThat(limits.totalCap(20_000, 300)).isEqualTo(700);
  }

  @Test
  void outOfRangeValuesAreRefusedNamingTheVariable() {
    assertThatThrownBy(() -> HttpLimits.from(new Env(Map.of("SECKILL_HTTP_REQUEST_DEADLINE_MS", "10"))))
        .hasMessageContaining("SECKILL_HTTP_REQUEST_DEADLINE_MS");
    assertThatThrownBy(() -> HttpLimits.from(new Env(Map.of("SECKILL_HTTP_IDLE_TIMEOUT_SECONDS", "0"))))
        .hasMessageContaining("SECKILL_HTTP_IDLE_TIMEOUT_SECONDS");
    assertThatThrownBy(() -> HttpLimits.from(new Env(Map.of("SECKILL_HTTP_MAX_CONNECTIONS", "-1"))))
        .hasMessageContaining("SECKILL_HTTP_MAX_CONNECTIONS");
    assertThatThrownBy(() -> HttpLimits.from(new Env(Map.of("SECKILL_HTTP_MAX_CONNECTIONS_PER_ADDRESS", "0"))))
        .hasMessageContaining("SECKILL_HTTP_MAX_CONNECTIONS_PER_ADDRESS");
  }
}
