package io.seckill.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * No error, however often it happens, writes more than {@code linesPerSecond} lines a second (per logger and message
 * pattern, WARN and below included): the rest of that second's lines are dropped and counted, and the first line of
 * the next second that lets one through says how many were dropped. A process out of file descriptors logged its
 * accept failure 6.8 million times in 40 s before this. Configured in {@code logback.xml}.
 */
public final class LogRateLimit extends TurboFilter {
  private static final int MAX_KEYS = 10_000;
  private int linesPerSecond = 20;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
  private final ThreadLocal<Boolean> reporting = ThreadLocal.withInitial(() -> false);

  /** One key's current second: lines let through and dropped. */
  private static final class Window {
    long second;
    int passed;
    final AtomicLong dropped = new AtomicLong();
  }

  public void setLinesPerSecond(int linesPerSecond) {
    this.linesPerSecond = linesPerSecond;
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (reporting.get() || format == null || !logger.isEnabledFor(level)) {
      return FilterReply.NEUTRAL;
    }
    String key = logger.getName() + '\u0000' + format;
    if (windows.size() > MAX_KEYS) {
      windows.clear();
    }
    Window window = windows.computeIfAbsent(key, k -> new Window());
    long second = System.nanoTime() / 1_000_000_000L;
    long droppedBefore;
    synchronized (window) {
      if (window.second != second) {
        window.second = second;
        window.passed = 0;
      }
      if (window.passed >= linesPerSecond) {
        window.dropped.incrementAndGet();
        return FilterReply.DENY;
      }
      window.passed++;
      droppedBefore = window.dropped.getAndSet(0);
    }
    if (droppedBefore > 0) {
      reporting.set(true);
      try {
        logger.warn("{} more lines like the next one were dropped (at most {} a second are written)", droppedBefore,
            linesPerSecond);
      } finally {
        reporting.set(false);
      }
    }
    return FilterReply.NEUTRAL;
  }
}
