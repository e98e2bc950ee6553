package io.seckill.shared.identity;

import io.seckill.shared.config.Env;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SecurityConfigTest {
  @TempDir
  Path dataDir;

  @Test
  void refusalsAreHeldASecondWithinTwoThousandByDefault() {
    SecurityConfig config = SecurityConfig.from(new Env(Map.of()), dataDir, false);
    assertThat(config.limitHold()).isEqualTo(new LimitHold(1000, 2_000));
  }

  @Test
  void theHoldComesFromTheEnvironmentAndZeroSendsAtOnce() {
    SecurityConfig config = SecurityConfig.from(new Env(Map.of("SECKILL_RATE_LIMIT_HOLD_MS", "0",
        "SECKILL_RATE_LIMIT_HOLD_MAX", "50")), dataDir, false);
    assertThat(config.limitHold()).isEqualTo(new LimitHold(0, 50));
    assertThat(config.limitHold().enabled()).isFalse();
    assertThatThrownBy(() -> SecurityConfig.from(new Env(Map.of("SECKILL_RATE_LIMIT_HOLD_MS", "60000")), dataDir, false))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("10,000 ms");
  }
}
