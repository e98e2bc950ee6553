package io.seckill.shared.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Ticker;
import io.github.bucket4j.Bandwidth;
import io.github.bucket4j.Bucket;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One Bucket4j token bucket per caller (an address or a customer) in a bounded Caffeine cache, shared by every
 * event loop of the JVM (both are thread-safe). A bucket unused for as long as it takes to refill completely is
 * the same as a new one, so it is dropped then; the cache never holds more than {@code maxKeys}.
 */
public final class RateLimiter {
  private final RateLimit limit;
  private final Cache<String, Bucket> buckets;
  private final TimeMeter meter;
  /** Built once: every new caller's bucket shares it. */
  private final Bandwidth bandwidth;
  private final Function<String, Bucket> newBucket = key -> newBucket();

  public RateLimiter(RateLimit limit) {
    this(limit, TimeMeter.SYSTEM_NANOTIME);
  }

  /** With a given clock (tests). */
  public RateLimiter(RateLimit limit, TimeMeter meter) {
    this.limit = limit;
    this.meter = meter;
    this.bandwidth = limit.enabled()
        ? Bandwidth.builder().capacity(limit.capacity()).refillGreedy(limit.perSecond(), Duration.ofSeconds(1)).build()
        : null;
    long refillSeconds = limit.enabled() ? Math.max(1, (limit.capacity() + limit.perSecond() - 1) / limit.perSecond()) : 1;
    this.buckets = Caffeine.newBuilder()
        .maximumSize(limit.maxKeys())
        .expireAfterAccess(Duration.ofSeconds(refillSeconds + 1))
        .ticker(meter == TimeMeter.SYSTEM_NANOTIME ? Ticker.systemTicker() : meter::currentTimeNanos)
        // the cache's upkeep (its read buffers drained, expired buckets dropped) on the calling event loop, a
        // batch at a time, instead of handed to ForkJoinPool's common pool: no thread to wake at 50k lookups/s
        .executor(Runnable::run)
        .build();
  }

  /** 0 when {@code key} may go on (and is counted), else the whole seconds it should wait (at least 1). */
  public long secondsToWait(String key) {
    if (!limit.enabled()) {
      return 0;
    }
    Bucket bucket = buckets.getIfPresent(key);
    if (bucket == null) {
      bucket = buckets.get(key, newBucket);
    }
    // the common case allocates nothing: a boolean consume; only a refusal asks how long to wait
    long nanos;
    synchronized (bucket) {
      if (bucket.tryConsume(1)) {
        return 0;
      }
      nanos = bucket.estimateAbilityToConsume(1).getNanosToWaitForRefill();
    }
    return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanos + 999_999_999L));
  }

  /**
   * A new caller's bucket, not thread-safe by itself: {@link #secondsToWait} holds its monitor around each use.
   * Neither lock-free state copies (an allocation per consume) nor Bucket4j's SYNCHRONIZED strategy: that one is a
   * ReentrantLock, which parks and unparks the two event loops when both meet at one address's bucket (a NAT, the
   * benchmark's 250 addresses), where a monitor spins through a critical section this short.
   */
  private Bucket newBucket() {
    return Bucket.builder().addLimit(bandwidth).withCustomTimePrecision(meter)
        .withSynchronizationStrategy(SynchronizationStrategy.NONE).build();
  }

  /** Runs the cache's pending evictions now (tests). */
  void cleanUp() {
    buckets.cleanUp();
  }

  /** Callers tracked now (approximate). */
  public long tracked() {
    return buckets.estimatedSize();
  }
}
