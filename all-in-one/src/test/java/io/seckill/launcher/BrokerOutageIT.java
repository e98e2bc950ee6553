package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC I4/I5 with the broker gone for 30 s: ActiveMQ runs in its own JVM (the jar, role {@code broker}) and is
 * killed with -9 while customers keep grabbing from the command JVM; grabs are still accepted (they are durable
 * in WriteDB), /health says 503 on the command and event sides, and after the broker returns everything reaches
 * ReadDB exactly once.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
class BrokerOutageIT {
  private static final Logger LOG = LoggerFactory.getLogger(BrokerOutageIT.class);
  private static final Duration OUTAGE = Duration.ofSeconds(30);
  private JarProcess broker;
  private JarProcess command;
  private RunningSystem system;

  @AfterEach
  void stop() {
    if (command != null) {
      command.close();
    }
    if (system != null) {
      system.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private Future<Integer> status(WebClient client, int port) {
    return client.get(port, "127.0.0.1", "/health").send().map(r -> r.statusCode()).otherwise(0);
  }

  @Test
  void grabsContinueWhileTheBrokerIsDownAndNothingIsLost(Vertx vertx, VertxTestContext ctx) throws Exception {
    int brokerPort = TestInfra.freePort();
    Map<String, String> brokerEnv = Map.of("SECKILL_ROLES", "broker", "SECKILL_BROKER_PORT", String.valueOf(brokerPort),
        "SECKILL_DATA_DIR", "target/it-broker-" + UUID.randomUUID());
    broker = JarProcess.start("broker", brokerEnv);
    WebClient client = Async.client(vertx, 64);
    Async.await(broker.listening(vertx, brokerPort));
    Map<String, String> amqp = Map.of("SECKILL_AMQP_URL", "amqp://127.0.0.1:" + brokerPort);
    system = RunningSystem.start("admin,event,query", amqp);
    Map<String, String> commandEnv = new HashMap<>(RunningSystem.environment(system.config, "command"));
    commandEnv.putAll(amqp);
    command = JarProcess.start("command", commandEnv);
    Async.await(command.healthy(vertx, client, system.config.commandPort()));
    Pool writeDb = system.writeDb(vertx);
    Pool readDb = system.readDb(vertx);
    int commandPort = system.config.commandPort();
    int eventPort = system.config.eventPort();
    Instant now = Instant.now();
    String promotionId = Async.await(client.post(system.config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .sendJsonObject(new JsonObject().put("numberOfCoupons", 1_000_000).put("discount", 0.5)
            .put("publishTime", now.toString()).put("finishTime", now.plusSeconds(3600).toString()))
        .map(r -> r.bodyAsJsonObject().getString("promotionId")));
    Async.await(Async.eventually(vertx, Duration.ofSeconds(5), () -> Grabs.grab(client, commandPort, promotionId, "probe")
        .map(r -> r.statusCode() != 400)));
    Load load = Load.start(client, commandPort, promotionId, "outage-", 16, 2_000_000);
    int[] acceptedAtKill = new int[1];
    int[] acceptedAtRestart = new int[1];
    Instant[] killedAt = new Instant[1];
    Async.eventually(vertx, Duration.ofSeconds(10), () -> Future.succeededFuture(load.accepted.size() >= 300))
        .compose(v -> {
          acceptedAtKill[0] = load.accepted.size();
          killedAt[0] = Instant.now();
          broker.kill();
          return Async.eventually(vertx, Duration.ofSeconds(15), () -> Future.all(status(client, commandPort),
              status(client, eventPort)).map(all -> (Integer) all.resultAt(0) == 503 && (Integer) all.resultAt(1) == 503));
        })
        .compose(unhealthy -> Async.eventually(vertx, OUTAGE.plusSeconds(5),
            () -> Future.succeededFuture(Duration.between(killedAt[0], Instant.now()).compareTo(OUTAGE) >= 0)))
        .compose(outageOver -> {
          acceptedAtRestart[0] = load.accepted.size();
          try {
            broker = JarProcess.start("broker", brokerEnv);
          } catch (Exception e) {
            return Future.failedFuture(e);
          }
          return Async.eventually(vertx, Duration.ofSeconds(60), () -> Future.all(status(client, commandPort),
              status(client, eventPort)).map(all -> (Integer) all.resultAt(0) == 200 && (Integer) all.resultAt(1) == 200));
        })
        .compose(healthy -> load.stop())
        .compose(stopped -> Consistency.check(vertx, writeDb, readDb, promotionId, load.accepted, 1_000_000,
            Duration.ofSeconds(60)))
        .onComplete(ctx.succeeding(report -> ctx.verify(() -> {
          int duringOutage = acceptedAtRestart[0] - acceptedAtKill[0];
          LOG.info("broker outage of {} s: {} grabs accepted before, {} during, {} in all; WriteDB {}, ReadDB {}",
              OUTAGE.toSeconds(), acceptedAtKill[0], duringOutage, report.accepted(), report.inWriteDb(), report.inReadDb());
          assertThat(duringOutage).as("grabs accepted while the broker was down").isGreaterThan(100);
          ctx.completeNow();
        })));
  }
}
