package io.seckill.command.http;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** The Content-Length reading that decides whether a grab takes the short way or the router's. */
class CommandRoutesTest {
  @Test
  void onlyAPlainDecimalLengthIsALength() {
    assertThat(CommandRoutes.declaredLength("0")).isZero();
    assertThat(CommandRoutes.declaredLength("57")).isEqualTo(57);
    assertThat(CommandRoutes.declaredLength("65536")).isEqualTo(65_536);
    assertThat(CommandRoutes.declaredLength("999999999999999999")).isEqualTo(999_999_999_999_999_999L);
    for (String notALength : new String[] {null, "", " 5", "5 ", "+5", "-5", "5a", "0x10", "1e3", "1,2",
        "9999999999999999999", "99999999999999999999999"}) {
      assertThat(CommandRoutes.declaredLength(notALength)).as(String.valueOf(notALength)).isEqualTo(-1);
    }
  }
}
