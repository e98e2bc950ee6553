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
  void aDatabaseMayBeSeveralGaleraNodesInTheOrderGiven() {
    SecKillConfig config = SecKillConfig.from(new Env(Map.of(
        "SECKILL_WRITE_DB_HOST", "g1:3310, g2 ,g3:3312", "SECKILL_WRITE_DB_PORT", "3306",
        "SECKILL_WRITE_DB_PASSWORD", "s3cret-pw",
        "SECKILL_READ_DB_HOST", "r.example")), TestInfra.security());
    assertThat(config.writeDb().nodes()).containsExactly(new DbNode("g1", 3310), new DbNode("g2", 3306),
        new DbNode("g3", 3312));
    assertThat(config.readDb().nodes()).containsExactly(new DbNode("r.example", SecKillConfig.DEFAULT_EMBEDDED_DB_PORT));
    assertThat(config.writeDb().at(new DbNode("g2", 3306)).nodes()).containsExactly(new DbNode("g2", 3306));
    assertThat(config.writeDb().toString()).contains("g1:3310,g2:3306,g3:3312").doesNotContain("s3cret-pw");
    for (String bad : new String[] {"g1,,g2", "g1:x", "g1:0", "g1:70000", ",", "g 1"}) {
      assertThatThrownBy(() -> SecKillConfig.from(new Env(Map.of("SECKILL_WRITE_DB_HOST", bad)),
          TestInfra.security())).as(bad).hasMessageContaining("comma-separated list of nodes host[:port]");
    }
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
    assertThatThrownBy(() -> AmqpConfig.parse("amqp://a:1,,amqp://b:2", "q")).hasMessageContaining("SECKILL_AMQP_URL");
    assertThatThrownBy(() -> AmqpConfig.parse("amqp://u:p@a:1,amqp://v:p@b:2", "q"))
        .hasMessageContaining("one user and password serve every broker");
  }

  @Test
  void theBrokerMayBeAMasterSlaveGroupTriedInTheOrderGiven() {
    AmqpConfig amqp = SecKillConfig.from(new Env(Map.of("SECKILL_AMQP_URL",
        "amqp://u:s3cret@b1:5673, amqp://b2")), TestInfra.security()).amqp();
    assertThat(amqp.brokers()).containsExactly(new AmqpConfig.Endpoint("b1", 5673), new AmqpConfig.Endpoint("b2", 5672));
    assertThat(amqp.user()).isEqualTo("u");
    assertThat(amqp.password()).isEqualTo("s3cret");
    assertThat(amqp.url()).isEqualTo("amqp://b1:5673,amqp://b2:5672");
    assertThat(amqp.toString()).doesNotContain("s3cret");
  }
}
