package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.vertx.core.Future;
import io.vertx.core.Promise;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Supplier;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A benchmark's closed-loop clients: {@code clients} loops, each sending its next request as soon as the previous one
 * answered, until {@link #stop()}. Counts answers other than {@code expected} (or none) as failures and keeps the
 * latencies (microseconds, the first 2^20) for percentiles over the window from {@link #reset()} to {@link #stop()}.
 */
final class TimedLoops {
  final AtomicInteger done = new AtomicInteger();
  final AtomicInteger failures = new AtomicInteger();
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final List<Future<Void>> loops = new ArrayList<>();
  private final Supplier<Future<Integer>> request;
  private final int expected;
  private final long[] micros = new long[1 << 20];
  private volatile long from = System.nanoTime();
  private long until;

  /** {@code request} sends one request and gives its status code. */
  TimedLoops(int clients, Supplier<Future<Integer>> request, int expected) {
    this.request = request;
    this.expected = expected;
    for (int i = 0; i < clients; i++) {
      Promise<Void> finished = Promise.promise();
      loops.add(finished.future());
      next(finished);
    }
  }

  /** Starts the measured window again (what was answered before it is not counted). */
  synchronized void reset() {
    done.set(0);
    from = System.nanoTime();
  }

  /** One client's next request; a promise per loop, so no chain of futures grows with the requests. */
  private void next(Promise<Void> finished) {
    if (!running.get()) {
      finished.complete();
      return;
    }
    long sent = System.nanoTime();
    request.get().onComplete(ar -> {
      if (ar.failed() || ar.result() != expected) {
        failures.incrementAndGet();
      }
      record((System.nanoTime() - sent) / 1000);
      next(finished);
    });
  }

  private synchronized void record(long latency) {
    if (!running.get()) {
      return;
    }
    int n = done.getAndIncrement();
    if (n < micros.length) {
      micros[n] = latency;
    }
  }

  /** Stops the window and waits for the requests in flight. */
  void stop() {
    synchronized (this) {
      if (running.getAndSet(false)) {
        until = System.nanoTime();
      }
    }
    Async.await(Future.all(loops));
  }

  double perSecond() {
    return done.get() / ((until - from) / 1e9);
  }

  /** The {@code p} percentile of the window's latencies, in milliseconds. */
  double percentile(double p) {
    int n = Math.min(done.get(), micros.length);
    long[] sorted = Arrays.copyOf(micros, n);
    Arrays.sort(sorted);
    return n == 0 ? 0 : sorted[Math.min(n - 1, (int) Math.ceil(p * n) - 1)] / 1000.0;
  }

  String figures(String what) {
    return String.format("%,d %s in %.1f s = %,.0f/s, p50 %.2f ms, p99 %.2f ms", done.get(), what,
        (until - from) / 1e9, perSecond(), percentile(0.5), percentile(0.99));
  }
}
