package io.seckill.shared.metrics;

/** The upper bounds, in milliseconds, of the grab latency buckets the command members count and the console reads. */
public final class LatencyBuckets {
  private static final long[] MS = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000};

  private LatencyBuckets() {
  }

  /** A copy of the bounds; one more bucket, past the last, holds the rest. */
  public static long[] millis() {
    return MS.clone();
  }
}
