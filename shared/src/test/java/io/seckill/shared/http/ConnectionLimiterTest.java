package io.seckill.shared.http;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;

import static io.seckill.shared.http.ConnectionLimiter.Verdict.OPEN;
import static io.seckill.shared.http.ConnectionLimiter.Verdict.TOO_MANY_FROM_ADDRESS;
import static io.seckill.shared.http.ConnectionLimiter.Verdict.TOO_MANY_IN_ALL;
import static org.assertj.core.api.Assertions.assertThat;
import java.util.function.BiFunction;

class ConnectionLimiterTest {

  @Test
  void oneAddressGetsItsCapAndTheOthersTheRest() {
    ConnectionLimiter limiter = new ConnectionLimiter(5, 2, a -> false);
    assertThat(limiter.open("10.0.0.1")).isEqualTo(OPEN);
    assertThat(limiter.open("10.0.0.1")).isEqualTo(OPEN);
    assertThat(limiter.open("10.0.0.1")).isEqualTo(TOO_MANY_FROM_ADDRESS);
    assertThat(limiter.open("10.0.0.2")).isEqualTo(OPEN);
    assertThat(limiter.open("10.0.0.3")).isEqualTo(OPEN);
    assertThat(limiter.open("10.0.0.3")).isEqualTo(OPEN);
    assertThat(limiter.open("10.0.0.4")).isEqualTo(TOO_MANY_IN_ALL);
    assertThat(limiter.open()).isEqualTo(5);
    limiter.closed("10.0.0.1");
    assertThat(limiter.openFrom("10.0.0.1")).isEqualTo(1);
    assertThat(limiter.open("10.0.0.1")).isEqualTo(OPEN);
    assertThat(limiter.open()).isEqualTo(5);
  }

  @Test
  void aRefusalCountsNothingAndClosingEverythingLeavesNothing() {
    ConnectionLimiter limiter = new ConnectionLimiter(3, 1, a -> false);
    limiter.open("a");
    limiter.open("a");
    limiter.open("b");
    limiter.closed("a");
    limiter.closed("b");
    assertThat(limiter.open()).isZero();
    assertThat(limiter.openFrom("a")).isZero();
    assertThat(limiter.openFrom("b")).isZero();
  }

  @Test
  void aTrustedProxyHasNoCapOfItsOwn() {
    ConnectionLimiter limiter = new ConnectionLimiter(4, 1, "192.0.2.1"::equals);
    for (int i = 0; i < 4; i++) {
      assertThat(limiter.open("192.0.2.1")).isEqualTo(OPEN);
    }
    assertThat(limiter.open("192.0.2.1")).isEqualTo(TOO_MANY_IN_ALL);
  }

  /** Eight threads opening {@code attempts} connections each from {@code address(thread, i)}; how many were let in. */
  private static int race(ConnectionLimiter limiter, int attempts,
                          BiFunction<Integer, Integer, String> address) throws Exception {
    AtomicInteger let = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 8; t++) {
      int thread = t;
      Thread worker = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          return;
        }
        for (int i = 0; i < attempts; i++) {
          if (limiter.open(address.apply(thread, i)) == OPEN) {
            let.incrementAndGet();
          }
        }
      });
      worker.start();
      threads.add(worker);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    return let.get();
  }

  @Test
  void threadsRacingOnOneAddressGetExactlyItsCap() throws Exception {
    for (int round = 0; round < 20; round++) {
      ConnectionLimiter limiter = new ConnectionLimiter(10_000, 100, a -> false);
      assertThat(race(limiter, 500, (thread, i) -> "one")).isEqualTo(100);
      assertThat(limiter.openFrom("one")).isEqualTo(100);
      assertThat(limiter.open()).isEqualTo(100);
    }
  }

  @Test
  void threadsRacingForTheLastSlotsNeverGetMoreThanTheTotal() throws Exception {
    for (int round = 0; round < 20; round++) {
      ConnectionLimiter limiter = new ConnectionLimiter(1_000, 100, a -> false);
      int let = race(limiter, 500, (thread, i) -> thread % 2 == 0 ? "one" : "many-" + thread + "-" + i);
      // never over the cap (a slot a refused caller held for an instant may be refused to another meanwhile)
      assertThat(let).isBetween(990, 1_000);
      assertThat(limiter.open()).as("what is counted is what was let in").isEqualTo(let);
      assertThat(limiter.openFrom("one")).isLessThanOrEqualTo(100);
    }
  }
}
