package io.seckill.launcher;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class LogRateLimitTest {
  private static final String ACCEPT_FAILED = "Failed to accept a connection: {}";
  private final LoggerContext context = new LoggerContext();
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private LogRateLimit limit;

  private void start(int reportEverySeconds) {
    limit = new LogRateLimit();
    limit.setLinesPerSecond(20);
    limit.setLinesPerSecondPerLogger(100);
    limit.setReportEverySeconds(reportEverySeconds);
    limit.setContext(context);
    limit.start();
    assertThat(limit.isStarted()).isTrue();
    context.addTurboFilter(limit);
    appender.setContext(context);
    appender.start();
  }

  @AfterEach
  void stop() {
    limit.stop();
  }

  private Logger logger(String name) {
    Logger logger = context.getLogger(name);
    logger.addAppender(appender);
    return logger;
  }

  private List<String> lines() {
    synchronized (appender) {
      return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }
  }

  private static long seconds(long began) {
    return (System.nanoTime() - began) / 1_000_000_000L + 1;
  }

  /** The dropped counts the reports name. */
  private static long reportedDropped(List<String> lines) {
    return lines.stream().filter(l -> l.contains(" were dropped ")).mapToLong(l -> Long.parseLong(
        l.substring(0, l.indexOf(' ')))).sum();
  }

  @Test
  void aBurstOfOneErrorWritesAtMostTheBoundASecondAndSaysHowManyItDropped() {
    start(3_600);
    Logger acceptor = logger("io.netty.bootstrap.ServerBootstrap");
    Logger other = logger("io.seckill.other");

    long began = System.nanoTime();
    for (int i = 0; i < 100_000; i++) {
      acceptor.warn(ACCEPT_FAILED, "Too many open files");
    }
    long seconds = seconds(began);
    long written = lines().size();
    assertThat(written).as("lines written for 100,000 warnings over " + seconds + " s")
        .isLessThanOrEqualTo(20 * (seconds + 1) + seconds);
    // another kind of line has its own budget
    other.warn("something else");
    assertThat(lines()).last().isEqualTo("something else");
    // the next second's first line of the flood says how many were dropped before it
    long nextSecond = System.nanoTime() / 1_000_000_000L + 1;
    while (System.nanoTime() / 1_000_000_000L < nextSecond) {
      Thread.onSpinWait();
    }
    acceptor.warn(ACCEPT_FAILED, "Too many open files");
    List<String> lines = lines();
    String report = lines.get(lines.size() - 2);
    assertThat(report).contains("more lines like the next one were dropped");
    long flood = lines.stream().filter(l -> l.startsWith("Failed to accept")).count();
    assertThat(reportedDropped(lines)).as("every line of the flood written or counted").isEqualTo(100_001 - flood);
  }

  @Test
  void aFloodThatStopsIsReportedWithinSeconds() throws InterruptedException {
    start(1);
    Logger acceptor = logger("io.netty.bootstrap.ServerBootstrap");
    for (int i = 0; i < 100_000; i++) {
      acceptor.warn(ACCEPT_FAILED, "Too many open files");
    }
    // nothing more is logged: the reporter writes what was dropped, bounded wait
    long until = System.nanoTime() + 5_000_000_000L;
    List<String> lines = lines();
    while (System.nanoTime() < until
        && reportedDropped(lines) + lines.stream().filter(l -> l.startsWith("Failed to accept")).count() < 100_000) {
      Thread.sleep(50);
      lines = lines();
    }
    long flood = lines.stream().filter(l -> l.startsWith("Failed to accept")).count();
    assertThat(reportedDropped(lines)).as("dropped lines reported once the flood stopped: " + lines.subList(
        Math.max(0, lines.size() - 3), lines.size())).isEqualTo(100_000 - flood);
    assertThat(lines.stream().filter(l -> l.contains("like \"" + ACCEPT_FAILED + "\" were dropped"))).isNotEmpty();
  }

  @Test
  void aLoggerWhoseMessagesAllDifferIsBoundedToo() {
    start(3_600);
    Logger connections = logger("io.vertx.core.net.impl.ConnectionBase");
    long began = System.nanoTime();
    List<String> sent = new ArrayList<>();
    for (int i = 0; i < 100_000; i++) {
      // a message made by concatenation: a new pattern every time
      String message = "Connection reset by peer: /127.0.0.1:" + (10_000 + i);
      connections.error(message);
      if (i < 3) {
        sent.add(message);
      }
    }
    long seconds = seconds(began);
    List<String> lines = lines();
    assertThat((long) lines.size()).as("lines written for 100,000 different messages over " + seconds + " s")
        .isLessThanOrEqualTo(100 * (seconds + 1) + seconds);
    assertThat(lines).startsWith(sent.toArray(String[]::new));
  }
}
