package io.seckill.shared.identity;

import io.github.bucket4j.TimeMeter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import net.jqwik.api.constraints.Size;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The rate limit's promise, for any bucket and any arrival pattern: over any window, the requests let through are
 * at most capacity + rate x window, and a caller that waits its Retry-After is let through again.
 */
class RateLimiterPropertyTest {
  /** A clock the test moves. */
  static final class FakeTime implements TimeMeter {
    long nanos = 1_000_000_000L;

    @Override
    public long currentTimeNanos() {
      return nanos;
    }

    @Override
    public boolean isWallClockBased() {
      return false;
    }
  }

  @Property(tries = 300)
  void acceptedNeverExceedCapacityPlusRefill(@ForAll @IntRange(min = 1, max = 50) int capacity,
                                             @ForAll @IntRange(min = 1, max = 50) int perSecond,
                                             @ForAll @Size(min = 1, max = 400) List<@LongRange(min = 0, max = 300_000_000L) Long> gaps) {
    FakeTime time = new FakeTime();
    RateLimiter limiter = new RateLimiter(new RateLimit(capacity, perSecond, 10), time);
    long start = time.nanos;
    long[] acceptedAt = new long[gaps.size()];
    int accepted = 0;
    for (long gap : gaps) {
      time.nanos += gap;
      long wait = limiter.secondsToWait("caller");
      if (wait == 0) {
        acceptedAt[accepted++] = time.nanos;
      } else {
        assertThat(wait).isGreaterThanOrEqualTo(1);
      }
    }
    // every window [acceptedAt[i], acceptedAt[j]] holds at most capacity + rate x its length
    for (int i = 0; i < accepted; i++) {
      for (int j = i; j < accepted; j++) {
        double seconds = (acceptedAt[j] - acceptedAt[i]) / 1e9;
        assertThat(j - i + 1).as("accepted in %.3f s", seconds).isLessThanOrEqualTo((int) Math.floor(capacity + perSecond * seconds));
      }
    }
    double total = (time.nanos - start) / 1e9;
    assertThat(accepted).isLessThanOrEqualTo((int) Math.floor(capacity + perSecond * total));
  }

  @Property(tries = 100)
  void waitingRetryAfterLetsTheCallerThroughAgain(@ForAll @IntRange(min = 1, max = 20) int capacity,
                                                  @ForAll @IntRange(min = 1, max = 20) int perSecond) {
    FakeTime time = new FakeTime();
    RateLimiter limiter = new RateLimiter(new RateLimit(capacity, perSecond, 10), time);
    for (int i = 0; i < capacity; i++) {
      assertThat(limiter.secondsToWait("c")).isZero();
    }
    long wait = limiter.secondsToWait("c");
    assertThat(wait).isGreaterThanOrEqualTo(1);
    assertThat(limiter.secondsToWait("someone else")).isZero();
    time.nanos += wait * 1_000_000_000L;
    assertThat(limiter.secondsToWait("c")).isZero();
  }

  @Property(tries = 20)
  void theCacheOfCallersStaysBounded(@ForAll @IntRange(min = 1, max = 100) int maxKeys) {
    RateLimiter limiter = new RateLimiter(new RateLimit(5, 5, maxKeys), new FakeTime());
    for (int i = 0; i < 5_000; i++) {
      limiter.secondsToWait("caller-" + i);
    }
    limiter.cleanUp();
    assertThat(limiter.tracked()).isLessThanOrEqualTo(maxKeys);
  }
}
