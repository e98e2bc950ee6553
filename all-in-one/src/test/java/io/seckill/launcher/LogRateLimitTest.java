package io.seckill.launcher;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LogRateLimitTest {

  private static Logger logger(LoggerContext context, ListAppender<ILoggingEvent> appender, String name) {
    Logger logger = context.getLogger(name);
    logger.addAppender(appender);
    return logger;
  }

  @Test
  void aBurstOfOneErrorWritesAtMostTheBoundASecondAndSaysHowManyItDropped() {
    LoggerContext context = new LoggerContext();
    LogRateLimit limit = new LogRateLimit();
    limit.setLinesPerSecond(20);
    limit.setContext(context);
    limit.start();
    context.addTurboFilter(limit);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.setContext(context);
    appender.start();
    Logger acceptor = logger(context, appender, "io.netty.bootstrap.ServerBootstrap");
    Logger other = logger(context, appender, "io.seckill.other");

    long began = System.nanoTime();
    for (int i = 0; i < 100_000; i++) {
      acceptor.warn("Failed to accept a connection: {}", "Too many open files");
    }
    long seconds = (System.nanoTime() - began) / 1_000_000_000L + 1;
    long written = appender.list.size();
    assertThat(written).as("lines written for 100,000 warnings over " + seconds + " s")
        .isLessThanOrEqualTo(20 * (seconds + 1) + seconds);
    // another kind of line has its own budget
    other.warn("something else");
    assertThat(appender.list).last().extracting(ILoggingEvent::getFormattedMessage).isEqualTo("something else");
    // the next second's first line of the flood says how many were dropped before it
    long nextSecond = System.nanoTime() / 1_000_000_000L + 1;
    while (System.nanoTime() / 1_000_000_000L < nextSecond) {
      Thread.onSpinWait();
    }
    acceptor.warn("Failed to accept a connection: {}", "Too many open files");
    String report = appender.list.get(appender.list.size() - 2).getFormattedMessage();
    assertThat(report).contains("more lines like the next one were dropped");
    long dropped = Long.parseLong(report.substring(0, report.indexOf(' ')));
    assertThat(dropped).isPositive();
  }
}
