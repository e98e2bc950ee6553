package io.seckill.shared.event;

import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class InstantTextTest {
  private static String text(Instant instant) {
    return InstantText.append(new StringBuilder(), instant).toString();
  }

  @Test
  void writesWhatToStringWrites() {
    List<String> cases = List.of("1970-01-01T00:00:00Z", "2026-12-06T20:00:00Z", "2026-12-06T20:00:00.100Z",
        "2026-12-06T23:59:59.999Z", "2000-02-29T12:00:00.001Z", "2100-03-01T00:00:00Z", "1969-12-31T23:59:59.500Z",
        "1900-02-28T01:02:03.000004Z", "0000-01-01T00:00:00Z", "9999-12-31T23:59:59.123456789Z",
        "+10000-01-01T00:00:00Z", "-0001-12-31T00:00:00Z", "2024-02-29T00:00:00.010Z");
    for (String text : cases) {
      Instant instant = Instant.parse(text);
      assertThat(text(instant)).isEqualTo(instant.toString());
    }
  }

  /** Random instants of years 0 to 9999, at whole seconds, milliseconds, microseconds and nanoseconds. */
  @Test
  void writesWhatToStringWritesForAnyInstantOfFourDigitYears() {
    Random random = new Random(20261206);
    long first = Instant.parse("0000-01-01T00:00:00Z").getEpochSecond();
    long last = Instant.parse("9999-12-31T23:59:59Z").getEpochSecond();
    int[] units = {1_000_000_000, 1_000_000, 1_000, 1};
    for (int i = 0; i < 200_000; i++) {
      long seconds = first + (long) (random.nextDouble() * (last - first));
      int unit = units[i % units.length];
      int nanos = unit == 1_000_000_000 ? 0 : random.nextInt(1_000_000_000 / unit) * unit;
      Instant instant = Instant.ofEpochSecond(seconds, nanos);
      assertThat(text(instant)).isEqualTo(instant.toString());
    }
  }
}
