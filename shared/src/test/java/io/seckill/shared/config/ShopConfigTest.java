package io.seckill.shared.config;

import io.seckill.shared.identity.DevSignIn;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ShopConfigTest {

  private static ShopConfig of(Map<String, String> vars) {
    return ShopConfig.from(new Env(vars));
  }

  @Test
  void byDefaultTheCommandServiceAnswersTheShopFrontsOwnOriginsOnly() {
    ShopConfig defaults = ShopConfig.defaults();
    assertThat(defaults.allowedOrigins(8083)).containsExactly("http://127.0.0.1:8083", "http://localhost:8083");
    assertThat(defaults.commandUrl()).isNull();
    assertThat(defaults.clientId()).isEqualTo("seckill-shop");
    assertThat(defaults.devSignIn()).isEqualTo(DevSignIn.LOOPBACK);
  }

  @Test
  void listedOriginsReplaceTheDefaults() {
    ShopConfig shop = of(Map.of("SECKILL_CORS_ORIGINS", " https://shop.example.com/, http://10.0.0.5:8083 ",
        "SECKILL_SHOP_COMMAND_URL", "https://api.example.com"));
    assertThat(shop.allowedOrigins(8083)).isEqualTo(List.of("https://shop.example.com", "http://10.0.0.5:8083"));
    assertThat(shop.commandUrl()).isEqualTo("https://api.example.com");
  }

  @Test
  void anythingButAnOriginIsRefusedInOneLine() {
    for (String bad : List.of("*", "shop.example.com", "https://shop.example.com/path", "ftp://x.example",
        "https://user@shop.example.com", "https://shop.example.com?x=1", "null")) {
      assertThatThrownBy(() -> of(Map.of("SECKILL_CORS_ORIGINS", bad))).as(bad)
          .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("SECKILL_CORS_ORIGINS takes origins")
          .hasMessageContaining("'" + bad + "'");
    }
    assertThatThrownBy(() -> of(Map.of("SECKILL_SHOP_DEV_SIGNIN", "yes")))
        .hasMessage("SECKILL_SHOP_DEV_SIGNIN must be off, loopback or on, got 'yes'");
  }
}
