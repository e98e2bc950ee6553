package io.seckill.shared.db;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/** DATETIME columns hold UTC wall time; these convert at the edge. */
public final class SqlTime {
  private SqlTime() {
  }

  public static LocalDateTime toDb(Instant instant) {
    return LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
  }

  public static Instant fromDb(LocalDateTime value) {
    return value.toInstant(ZoneOffset.UTC);
  }
}
