package io.seckill.shared.identity;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class HeldRefusalsTest {
  @Test
  void holdsUpToTheCapAndAReleaseMakesRoomAgain() {
    HeldRefusals held = new HeldRefusals(new LimitHold(1000, 2));
    assertThat(held.tryHold()).isTrue();
    assertThat(held.tryHold()).isTrue();
    assertThat(held.tryHold()).as("over the cap: sent at once").isFalse();
    assertThat(held.held()).isEqualTo(2);
    held.release();
    assertThat(held.tryHold()).isTrue();
    assertThat(held.held()).isEqualTo(2);
  }

  @Test
  void offHoldsNothing() {
    assertThat(new HeldRefusals(LimitHold.OFF).tryHold()).isFalse();
    assertThat(new HeldRefusals(new LimitHold(0, 100)).tryHold()).isFalse();
    assertThat(new HeldRefusals(new LimitHold(500, 0)).tryHold()).isFalse();
  }

  @Test
  void threadsRacingForTheCapNeverHoldMoreThanIt() throws Exception {
    HeldRefusals held = new HeldRefusals(new LimitHold(1000, 100));
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch go = new CountDownLatch(1);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread = new Thread(() -> {
        try {
          go.await();
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        for (int i = 0; i < 10_000; i++) {
          if (held.tryHold()) {
            granted.incrementAndGet();
          }
        }
      });
      thread.start();
      threads.add(thread);
    }
    go.countDown();
    for (Thread thread : threads) {
      thread.join(TimeUnit.SECONDS.toMillis(30));
    }
    assertThat(granted.get()).isEqualTo(100);
    assertThat(held.held()).isEqualTo(100);
  }

  @Test
  void aHoldIsZeroToTenSeconds() {
    assertThatThrownBy(() -> new LimitHold(-1, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LimitHold(10_001, 10)).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new LimitHold(100, -1)).isInstanceOf(IllegalArgumentException.class);
  }
}
