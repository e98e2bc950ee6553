package io.seckill.shared.event;

import java.time.Instant;

/**
 * {@link Instant#toString()}'s text appended to a builder directly: the same characters, without the formatter's
 * temporary objects (every accepted grab writes its time twice, in its stored event and in its answer). Years
 * outside 0000-9999 go through {@code toString}.
 */
public final class InstantText {
  private static final long SECONDS_PER_DAY = 86_400;
  private static final long LAST_SECOND_OF_9999 = 253_402_300_799L;
  private static final long FIRST_SECOND_OF_0000 = -62_167_219_200L;

  private InstantText() {
  }

  public static StringBuilder append(StringBuilder out, Instant instant) {
    long seconds = instant.getEpochSecond();
    if (seconds < FIRST_SECOND_OF_0000 || seconds > LAST_SECOND_OF_9999) {
      return out.append(instant);
    }
    long days = Math.floorDiv(seconds, SECONDS_PER_DAY);
    int secondOfDay = (int) Math.floorMod(seconds, SECONDS_PER_DAY);
    // days since 1970-01-01 to year, month, day (the proleptic Gregorian calendar, eras of 400 years from 0000-03-01)
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    int dayOfEra = (int) (z - era * 146_097);
    int yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365;
    int dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
    int shiftedMonth = (5 * dayOfYear + 2) / 153; // 0 = March
    int day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1;
    int month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9;
    long year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
    digits(out, (int) year, 4).append('-');
    digits(out, month, 2).append('-');
    digits(out, day, 2).append('T');
    digits(out, secondOfDay / 3600, 2).append(':');
    digits(out, secondOfDay / 60 % 60, 2).append(':');
    digits(out, secondOfDay % 60, 2);
    int nanos = instant.getNano();
    if (nanos > 0) {
      out.append('.');
      if (nanos % 1_000_000 == 0) {
        digits(out, nanos / 1_000_000, 3);
      } else if (nanos % 1_000 == 0) {
        digits(out, nanos / 1_000, 6);
      } else {
        digits(out, nanos, 9);
      }
    }
    return out.append('Z');
  }

  private static StringBuilder digits(StringBuilder out, int value, int width) {
    for (int divisor = pow10(width - 1); divisor > 0; divisor /= 10) {
      out.append((char) ('0' + value / divisor % 10));
    }
    return out;
  }

  private static int pow10(int exponent) {
    int value = 1;
    for (int i = 0; i < exponent; i++) {
      value *= 10;
    }
    return value;
  }
}
