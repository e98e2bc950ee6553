package io.seckill.shared.identity;

/**
 * A token bucket: up to {@code capacity} requests at once, refilled at {@code perSecond}; {@code maxKeys} callers
 * are tracked at most (the least recently seen are forgotten first). Capacity 0 turns the limit off.
 */
public record RateLimit(long capacity, long perSecond, long maxKeys) {
  public RateLimit {
    if (capacity < 0 || perSecond < 0 || (capacity > 0 && perSecond == 0) || maxKeys < 1) {
      throw new IllegalArgumentException("a rate limit needs capacity >= 0, a refill > 0 per second and room for keys");
    }
  }

  public static final RateLimit OFF = new RateLimit(0, 0, 1);

  public boolean enabled() {
    return capacity > 0;
  }
}
