package io.seckill.shared.identity;

/**
 * How long a 429 {@code rate_limited} is held before it is sent ({@code millis}; 0 sends it at once), and how
 * many refusals one JVM holds at most at a time ({@code maxHeld}; beyond that they are sent at once). A caller
 * over its limit must wait at least a second anyway (its {@code Retry-After}); holding the refusal for up to that
 * long turns a bot that sends its next grab the moment it hears back into one request per connection per hold,
 * where answering at once lets it cost the machine a refusal per round trip.
 */
public record LimitHold(long millis, int maxHeld) {
  public static final LimitHold OFF = new LimitHold(0, 0);

  public LimitHold {
    if (millis < 0 || millis > 10_000 || maxHeld < 0) {
      throw new IllegalArgumentException("a refusal is held 0 to 10,000 ms, by a limit of 0 or more held at once;"
          + " got " + millis + " ms, " + maxHeld);
    }
  }

  public boolean enabled() {
    return millis > 0 && maxHeld > 0;
  }
}
