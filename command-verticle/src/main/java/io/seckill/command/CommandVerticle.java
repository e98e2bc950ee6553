package io.seckill.command;

import io.seckill.command.domain.GrabDecider;
import io.seckill.command.http.CommandHttpVerticle;
import io.seckill.command.relay.OutboxRelay;
import io.seckill.command.service.CommandService;
import io.seckill.command.service.GrabGateway;
import io.seckill.command.store.EventStore;
import io.seckill.command.store.GroupCommitter;
import io.seckill.command.store.WriterLock;
import io.seckill.command.store.PromotionCatalog;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.identity.Security;
import io.seckill.shared.messaging.AmqpSecKillMessagePublisher;
import io.seckill.shared.messaging.ResendRequests;
import io.seckill.shared.messaging.SecKillMessagePublisher;
import io.seckill.shared.metrics.Metrics;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The write side's owner and the grab endpoint. Deploy exactly one per system: the decision state lives in its
 * memory, on its context. Wiring only: migrate, rebuild state from the events, start the relay, then deploy
 * {@code commandInstances} HTTP verticles that reach the state through a {@link GrabGateway}.
 */
public final class CommandVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CommandVerticle.class);

  private final SecKillConfig config;
  private final Clock clock;
  private Pool pool;
  private SecKillMessagePublisher publisher;
  private CommandService service;
  private OutboxRelay relay;
  private ResendRequests.Listener resendListener;
  private WriterLock writerLock;
  private final List<Meter> meters = new ArrayList<>();

  public CommandVerticle(SecKillConfig config, Clock clock) {
    this.config = config;
    this.clock = clock;
  }

  @Override
  public Future<?> start() {
    writerLock = new WriterLock(vertx, config.writeDb());
    return writerLock.acquire(config.writerLockWaitSeconds()).compose(locked -> startAsWriter());
  }

  private Future<?> startAsWriter() {
    pool = Databases.pool(vertx, config.writeDb(), "command");
    AmqpSecKillMessagePublisher amqp = AmqpSecKillMessagePublisher.create(vertx, config.amqp());
    publisher = amqp;
    return Migrations.migrate(vertx, pool, Migrations.WRITE).compose(v -> EventStore.open(pool)).compose(store -> {
      relay = new OutboxRelay(vertx, store, publisher, config.relayBatchMax());
      GroupCommitter committer = new GroupCommitter(store, config.commandBatchMax()).onCommit(relay::committed);
      service = new CommandService(vertx, clock, new GrabDecider(), store, new PromotionCatalog(pool), committer,
          config.promotionPollMillis(), config.snapshotGrabs());
      meters.add(Gauge.builder("seckill_command_queued_appends", committer, GroupCommitter::queued)
          .description("grabs waiting for their group commit").register(Metrics.registry()));
      meters.add(Gauge.builder("seckill_relay_position", relay, OutboxRelay::position)
          .description("event store position handed to the broker").register(Metrics.registry()));
      meters.add(Gauge.builder("seckill_relay_from_memory", relay, OutboxRelay::fromMemory)
          .description("1 while the relay takes committed events from memory, 0 while it reads the event store")
          .register(Metrics.registry()));
      meters.add(Gauge.builder("seckill_relay_lag_events", relay, OutboxRelay::lag)
          .description("events committed in WriteDB but not yet accepted by the broker").register(Metrics.registry()));
      return service.start();
    }).compose(v -> amqp.firstAttempt()).compose(v -> relay.start()).compose(v -> {
      resendListener = ResendRequests.listen(vertx, config.amqp(), relay::resend);
      GrabGateway gateway = new GrabGateway(context, service, writerLock::held);
      Security security = Security.shared(vertx, config.security());
      Map<String, HealthCheck> checks = Map.of(
          "writeDb", HealthCheck.database(pool),
          "broker", HealthCheck.of("broker link", publisher::isConnected),
          "writerLock", HealthCheck.of("writer lock", writerLock::held),
          "identityKeys", HealthCheck.of("identity keys", security::hasKeys));
      return security.ready().compose(ready -> vertx.deployVerticle(
          () -> new CommandHttpVerticle(config, clock, gateway, checks),
          new DeploymentOptions().setInstances(config.commandInstances())));
    }).onSuccess(id -> LOG.info("command API listening on {}:{} ({} HTTP instances)", config.httpHost(),
        config.commandPort(), config.commandInstances()));
  }

  @Override
  public Future<?> stop() {
    if (service != null) {
      service.stop();
    }
    if (relay != null) {
      relay.stop();
    }
    meters.forEach(Metrics.registry()::remove);
    return Future.join(writerLock == null ? Future.succeededFuture() : writerLock.close(),
        publisher == null ? Future.succeededFuture() : publisher.close(),
        resendListener == null ? Future.succeededFuture() : resendListener.close(),
        pool == null ? Future.succeededFuture() : pool.close());
  }

  /** The running service, for tests that look at the in-memory state. */
  public CommandService service() {
    return service;
  }
}
