package io.seckill.shared.identity;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * One caller's bucket used by several event loops at once (one address behind a NAT reaching both loops): the
 * buckets are not thread-safe by themselves, the limiter's monitor makes each consume whole. With the clock standing
 * still nothing refills, so exactly the capacity is let through, however the threads interleave.
 */
class RateLimiterConcurrencyTest {
  @Test
  void threadsSharingOneBucketAreLetThroughExactlyItsCapacity() throws Exception {
    int threads = 4;
    int callsEach = 20_000;
    int capacity = 10_000;
    for (int round = 0; round < 5; round++) {
      RateLimiter limiter = new RateLimiter(new RateLimit(capacity, 1, 100), new RateLimiterPropertyTest.FakeTime());
      ExecutorService pool = Executors.newFixedThreadPool(threads);
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Integer>> accepted = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        accepted.add(pool.submit(() -> {
          start.await();
          int mine = 0;
          for (int i = 0; i < callsEach; i++) {
            if (limiter.secondsToWait("one-address") == 0) {
              mine++;
            }
          }
          return mine;
        }));
      }
      start.countDown();
      int total = 0;
      for (Future<Integer> f : accepted) {
        total += f.get(60, TimeUnit.SECONDS);
      }
      pool.shutdown();
      assertThat(total).as("round %d", round).isEqualTo(capacity);
    }
  }
}
