package io.seckill.shared.identity;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Who a request is charged to; no I/O (and no name is ever looked up). */
class TrustedProxiesTest {
  @Test
  void withoutTrustedProxiesTheHeaderIsIgnored() {
    assertThat(TrustedProxies.NONE.client("203.0.113.7", "198.51.100.1")).isEqualTo("203.0.113.7");
    assertThat(TrustedProxies.parse("").client("203.0.113.7", "198.51.100.1")).isEqualTo("203.0.113.7");
  }

  @Test
  void aTrustedProxysHeaderIsBelievedFromTheRight() {
    TrustedProxies proxies = TrustedProxies.parse("10.0.0.0/8, 127.0.0.1");
    assertThat(proxies.client("127.0.0.1", "198.51.100.1")).isEqualTo("198.51.100.1");
    // a client cannot pick its own address by prepending one: the right-most untrusted hop counts
    assertThat(proxies.client("127.0.0.1", "1.2.3.4, 198.51.100.1, 10.1.2.3")).isEqualTo("198.51.100.1");
    // an untrusted peer's header is ignored
    assertThat(proxies.client("203.0.113.7", "198.51.100.1")).isEqualTo("203.0.113.7");
    // every hop trusted: the left-most
    assertThat(proxies.client("127.0.0.1", "10.0.0.2")).isEqualTo("10.0.0.2");
    // junk in the header: the last address that was read
    assertThat(proxies.client("127.0.0.1", "evil.example")).isEqualTo("127.0.0.1");
    assertThat(proxies.client("127.0.0.1", "999.1.1.1")).isEqualTo("127.0.0.1");
  }

  @Test
  void ipv6NetworksWork() {
    TrustedProxies proxies = TrustedProxies.parse("::1,fd00::/8");
    assertThat(proxies.client("0:0:0:0:0:0:0:1", "2001:db8::5")).isEqualTo("2001:db8::5");
    assertThat(proxies.client("fd12::1", "[2001:db8::6]")).isEqualTo("[2001:db8::6]");
    assertThat(proxies.client("2001:db8::9", "2001:db8::5")).isEqualTo("2001:db8::9");
  }

  @Test
  void badSpecsAreNamed() {
    assertThatThrownBy(() -> TrustedProxies.parse("proxy.example")).hasMessageContaining("SECKILL_TRUSTED_PROXIES");
    assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/33")).hasMessageContaining("prefix");
    assertThatThrownBy(() -> TrustedProxies.parse("10.0.0.0/x")).hasMessageContaining("prefix");
  }
}
