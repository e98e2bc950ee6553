package io.seckill.shared.config;

import io.seckill.shared.testing.TestInfra;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConfigTest {
  @Test
  void defaultsNeedNoEnvironment() {
    SecKillConfig config = SecKillConfig.from(new Env(Map.of()), TestInfra.security());
    assertThat(config.commandPort()).isEqualTo(8082);
    assertThat(config.httpHost()).isEqualTo("127.0.0.1");
    assertThat(config.writeDb().database()).isEqualTo("seckill_write");
    assertThat(config.readDb().database()).isEqualTo("seckill_read");
    assertThat(config.amqp().port()).isEqualTo(5672);
    assertThat(config.amqp().address()).isEqualTo("seckill");
    assertThat(config.snapshotGrabs()).isEqualTo(16_384);
  }

  @Test
  void readAndWriteDatabasesAreConfiguredApart() {
    SecKillConfig config = SecKillConfig.from(new Env(Map.of(
        "SECKILL_WRITE_DB_HOST", "w.example", "SECKILL_WRITE_DB_PORT", "3306",
        "SECKILL_READ_DB_HOST", "r.example", "SECKILL_READ_DB_DATABASE", "reads", "SECKILL_READ_DB_USER", "reader",
        "SECKILL_AMQP_URL", "amqp://u:p@broker:5673")), TestInfra.security());
    assertThat(config.writeDb().host()).isEqualTo("w.example");
    assertThat(config.writeDb().port()).isEqualTo(3306);
    assertThat(config.readDb().host()).isEqualTo("r.example");
    assertThat(config.readDb().database()).isEqualTo("reads");
    assertThat(config.readDb().user()).isEqualTo("reader");
    assertThat(config.amqp()).isEqualTo(new AmqpConfig("broker", 5673, "u", "p", "seckill"));
  }

  @Test
  void badValuesAreNamed() {
    assertThatThrownBy(() -> SecKillConfig.from(new Env(Map.of("SECKILL_COMMAND_PORT", "x")), TestInfra.security()))
        .hasMessageContaining("SECKILL_COMMAND_PORT");
    assertThatThrownBy(() -> SecKillConfig.from(new Env(Map.of("SECKILL_SNAPSHOT_GRABS", "0")), TestInfra.security()))
        .hasMessageContaining("SECKILL_SNAPSHOT_GRABS must be 1 to 50000, got 0");
    assertThatThrownBy(() -> SecKillConfig.from(new Env(Map.of("SECKILL_SNAPSHOT_GRABS", "50001")), TestInfra.security()))
        .hasMessageContaining("SECKILL_SNAPSHOT_GRABS");
    assertThatThrownBy(() -> AmqpConfig.parse("http://x", "q")).hasMessageContaining("SECKILL_AMQP_URL");
  }
}
