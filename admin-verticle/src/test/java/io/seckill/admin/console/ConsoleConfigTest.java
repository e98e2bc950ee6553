package io.seckill.admin.console;

import io.seckill.shared.identity.DevSignIn;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConsoleConfigTest {
  @Test
  void theDevelopmentSignInIsForLoopbackCallersByDefault() {
    assertThat(DevSignIn.parse("SECKILL_CONSOLE_DEV_SIGNIN", "loopback").allows("127.0.0.1")).isTrue();
    assertThat(DevSignIn.parse("SECKILL_CONSOLE_DEV_SIGNIN", "loopback").allows("::1")).isTrue();
    assertThat(DevSignIn.parse("SECKILL_CONSOLE_DEV_SIGNIN", "loopback").allows("0:0:0:0:0:0:0:1")).isTrue();
    assertThat(DevSignIn.parse("SECKILL_CONSOLE_DEV_SIGNIN", "loopback").allows("10.0.0.7")).isFalse();
    assertThat(DevSignIn.parse("SECKILL_CONSOLE_DEV_SIGNIN", "loopback").allows("128.0.0.1")).isFalse();
    assertThat(DevSignIn.parse("SECKILL_CONSOLE_DEV_SIGNIN", "loopback").allows(null)).isFalse();
    assertThat(DevSignIn.parse("SECKILL_CONSOLE_DEV_SIGNIN", "on").allows("10.0.0.7")).isTrue();
    assertThat(DevSignIn.parse("SECKILL_CONSOLE_DEV_SIGNIN", "off").allows("127.0.0.1")).isFalse();
    assertThatThrownBy(() -> DevSignIn.parse("SECKILL_CONSOLE_DEV_SIGNIN", "yes")).hasMessageContaining("SECKILL_CONSOLE_DEV_SIGNIN");
  }

  @Test
  void urlsAreCheckedAtStart() {
    assertThat(ConsoleConfig.urls("X", "http://a:1, http://b:2/")).isEqualTo(List.of("http://a:1", "http://b:2"));
    assertThatThrownBy(() -> ConsoleConfig.urls("X", " , ")).hasMessageContaining("X must list");
    assertThatThrownBy(() -> ConsoleConfig.url("X", "a:1")).hasMessageContaining("X must be http(s)://");
  }
}
