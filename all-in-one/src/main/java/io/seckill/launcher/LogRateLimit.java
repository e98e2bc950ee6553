package io.seckill.launcher;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * No error, however often it happens, writes more than {@code linesPerSecond} lines a second (per logger and message
 * pattern, WARN and below included), nor any one logger more than {@code linesPerSecondPerLogger} (a message built by
 * concatenation, e.g. with an address or an exception's text in it, is a new pattern each time): the rest of that
 * second's lines are dropped and counted. The first line of a later second that is let through says how many like it
 * were dropped before it; counts no such line has reported are written once a second (one line per pattern, so a flood
 * that stops is still reported). A process out of file descriptors logged its accept failure 6.8 million times in
 * 40 s before this. Configured in {@code logback.xml}.
 */
public final class LogRateLimit extends TurboFilter {
  private static final int MAX_KEYS = 10_000;
  private int linesPerSecond = 20;
  private int linesPerSecondPerLogger = 100;
  private int reportEverySeconds = 1;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, Window> loggers = new ConcurrentHashMap<>();
  private final ThreadLocal<Boolean> reporting = ThreadLocal.withInitial(() -> false);
  private ScheduledExecutorService reporter;

  /** One key's current second: lines let through and dropped (not yet reported). */
  private static final class Window {
    final Logger logger;
    final String format;
    long second;
    int passed;
    final AtomicLong dropped = new AtomicLong();

    Window(Logger logger, String format) {
      this.logger = logger;
      this.format = format;
    }

    /** Whether one more line fits in this second; counted either way. */
    synchronized boolean admit(long now, int bound) {
      if (second != now) {
        second = now;
        passed = 0;
      }
      if (passed >= bound) {
        dropped.incrementAndGet();
        return false;
      }
      passed++;
      return true;
    }

    /** A rejected line counted elsewhere first: not this window's to report. */
    synchronized void giveBack() {
      if (passed > 0) {
        passed--;
      }
    }
  }

  public void setLinesPerSecond(int linesPerSecond) {
    this.linesPerSecond = linesPerSecond;
  }

  public void setLinesPerSecondPerLogger(int linesPerSecondPerLogger) {
    this.linesPerSecondPerLogger = linesPerSecondPerLogger;
  }

  /** How often counts no line has reported are written (1 s). */
  public void setReportEverySeconds(int reportEverySeconds) {
    this.reportEverySeconds = reportEverySeconds;
  }

  @Override
  public void start() {
    if (linesPerSecond < 1 || linesPerSecondPerLogger < linesPerSecond || reportEverySeconds < 1) {
      addError("LogRateLimit: linesPerSecond and reportEverySeconds must be at least 1 and linesPerSecondPerLogger at"
          + " least linesPerSecond, got " + linesPerSecond + ", " + reportEverySeconds + " and " + linesPerSecondPerLogger);
      return;
    }
    reporter = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "log-rate-limit");
      thread.setDaemon(true);
      return thread;
    });
    reporter.scheduleWithFixedDelay(this::reportDropped, reportEverySeconds, reportEverySeconds,
        TimeUnit.SECONDS);
    super.start();
  }

  @Override
  public void stop() {
    if (reporter != null) {
      reporter.shutdownNow();
    }
    super.stop();
  }

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    if (!isStarted() || reporting.get() || format == null || !logger.isEnabledFor(level)) {
      return FilterReply.NEUTRAL;
    }
    if (windows.size() > MAX_KEYS) {
      reportDropped(windows, Long.MAX_VALUE);
      windows.clear();
    }
    long second = System.nanoTime() / 1_000_000_000L;
    Window window = windows.computeIfAbsent(logger.getName() + '\u0000' + format, k -> new Window(logger, format));
    if (!window.admit(second, linesPerSecond)) {
      return FilterReply.DENY;
    }
    Window all = loggers.computeIfAbsent(logger.getName(), k -> new Window(logger, null));
    if (!all.admit(second, linesPerSecondPerLogger)) {
      window.giveBack();
      return FilterReply.DENY;
    }
    long droppedBefore = window.dropped.getAndSet(0);
    if (droppedBefore > 0) {
      report(logger, "{} more lines like the next one were dropped (at most {} a second are written)", droppedBefore,
          linesPerSecond);
    }
    return FilterReply.NEUTRAL;
  }

  /** Counts of dropped lines that no line let through has reported, from seconds that are over. */
  private void reportDropped() {
    try {
      long now = System.nanoTime() / 1_000_000_000L;
      reportDropped(windows, now);
      reportDropped(loggers, now);
    } catch (RuntimeException e) {
      // a log line is not worth the reporter's thread
    }
  }

  private void reportDropped(Map<String, Window> of, long now) {
    for (Window window : of.values()) {
      long dropped;
      synchronized (window) {
        if (window.second >= now || window.dropped.get() == 0) {
          continue;
        }
        dropped = window.dropped.getAndSet(0);
      }
      if (window.format == null) {
        report(window.logger, "{} lines of this logger were dropped (at most {} a second are written)", dropped,
            linesPerSecondPerLogger);
      } else {
        report(window.logger, "{} lines like \"{}\" were dropped (at most {} a second are written)", dropped,
            window.format, linesPerSecond);
      }
    }
  }

  private void report(Logger logger, String format, Object... args) {
    reporting.set(true);
    try {
      logger.warn(format, args);
    } finally {
      reporting.set(false);
    }
  }
}
