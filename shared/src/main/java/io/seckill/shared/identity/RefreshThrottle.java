package io.seckill.shared.identity;

/**
 * At most one key refresh per interval, however many tokens with unknown key ids arrive: a flood of made-up
 * {@code kid}s must not become a flood of requests to the identity provider. Pure: the time is given.
 */
public final class RefreshThrottle {
  private final long intervalNanos;
  private long last;
  private boolean any;

  public RefreshThrottle(long intervalNanos) {
    this.intervalNanos = intervalNanos;
  }

  /** True (and counted) when a refresh may start at {@code nowNanos}. */
  public synchronized boolean tryAcquire(long nowNanos) {
    if (any && nowNanos - last < intervalNanos) {
      return false;
    }
    any = true;
    last = nowNanos;
    return true;
  }
}
