package io.seckill.command;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.SqlTime;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import io.vertx.core.Promise;

/**
 * Grab decisions never block the event loop: the command verticle (one HTTP instance per core) takes a burst of
 * grabs on a Vert.x whose blocked-thread checker is strict (an event loop busy for more than 100 ms is reported),
 * and any blocked-thread warning fails the test. A control first proves the checker's warnings are captured.
 */
class EventLoopNeverBlockedTest {
  private static final String CHECKER_LOGGER = "io.vertx.core.impl.BlockedThreadChecker";
  private final ListAppender<ILoggingEvent> warnings = new ListAppender<>();
  private Vertx vertx;

  @BeforeEach
  void strictVertx() {
    warnings.start();
    ((Logger) LoggerFactory.getLogger(CHECKER_LOGGER)).addAppender(warnings);
    vertx = Vertx.vertx(new VertxOptions()
        .setMaxEventLoopExecuteTime(100).setMaxEventLoopExecuteTimeUnit(TimeUnit.MILLISECONDS)
        .setBlockedThreadCheckInterval(20).setBlockedThreadCheckIntervalUnit(TimeUnit.MILLISECONDS));
  }

  @AfterEach
  void close() {
    ((Logger) LoggerFactory.getLogger(CHECKER_LOGGER)).detachAppender(warnings);
    Async.await(vertx.close());
  }

  @Test
  void theCheckerReportsABlockedEventLoop() {
    // control: an event loop kept busy for 400 ms must be reported, or the test below proves nothing
    Promise<Void> done = Promise.promise();
    vertx.runOnContext(x -> {
      long until = System.nanoTime() + Duration.ofMillis(400).toNanos();
      while (System.nanoTime() < until) {
        Thread.onSpinWait();
      }
      done.complete();
    });
    Async.await(done.future());
    Async.await(Async.eventually(vertx, Duration.ofSeconds(5),
        () -> Future.succeededFuture(!blockedWarnings().isEmpty())));
    assertThat(blockedWarnings().get(0)).contains("blocked");
  }

  @Test
  void aBurstOfGrabsNeverBlocksAnEventLoop() {
    SecKillConfig config = TestInfra.freshConfig().withCommandInstances(2);
    Async.await(vertx.deployVerticle(new CommandVerticle(config, Clock.systemUTC())));
    Pool writeDb = Databases.pool(vertx, config.writeDb(), "blocked-test");
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    Async.await(writeDb.preparedQuery("INSERT INTO promotions (promotion_id, number_of_coupons, discount,"
            + " publish_time, finish_time, status, version, created_at, updated_at)"
            + " VALUES (?, 1500, 0.5, ?, ?, 'scheduled', 1, UTC_TIMESTAMP(3), UTC_TIMESTAMP(6))")
        .execute(Tuple.of(id.toString(), SqlTime.toDb(now.minusSeconds(1)), SqlTime.toDb(now.plusSeconds(3600)))));
    WebClient client = Async.client(vertx, 128);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(5), () -> grab(client, config, id, "probe")
        .map(r -> r.statusCode() == 200)));
    warnings.list.clear();

    List<Future<HttpResponse<Buffer>>> grabs = new ArrayList<>();
    for (int i = 0; i < 3_000; i++) {
      grabs.add(grab(client, config, id, "burst-" + i % 2_500));
    }
    Async.await(Future.all(grabs));
    long accepted = grabs.stream().filter(g -> g.result().statusCode() == 200).count();

    assertThat(accepted).isEqualTo(1_499);
    assertThat(blockedWarnings()).as("Vert.x blocked-thread warnings during the burst").isEmpty();
  }

  private static Future<HttpResponse<Buffer>> grab(WebClient client, SecKillConfig config, UUID id, String customer) {
    return Grabs.grab(client, config.commandPort(), id, customer);
  }

  private List<String> blockedWarnings() {
    return warnings.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }
}
