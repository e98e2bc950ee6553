package io.seckill.command;

import io.seckill.command.cluster.FinishedStates;
import io.seckill.command.cluster.GrabEndpoint;
import io.seckill.command.cluster.GrabRouter;
import io.seckill.command.cluster.Membership;
import io.seckill.command.domain.GrabDecider;
import io.seckill.command.domain.TicketPolicy;
import io.seckill.command.service.GrabService;
import io.seckill.shared.config.ClusterConfig;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.seckill.command.http.CommandHttpVerticle;
import io.seckill.command.relay.OutboxRelay;
import io.seckill.command.service.CommandService;
import io.seckill.command.service.GrabGateway;
import io.seckill.command.store.EventStore;
import io.seckill.command.store.GroupCommitter;
import io.seckill.command.lease.Ownership;
import io.seckill.command.lease.Partitions;
import io.seckill.command.lease.Placement;
import io.seckill.command.store.LeaseStore;
import io.seckill.command.store.WriterConnection;
import io.seckill.command.store.PromotionCatalogStore;
import io.seckill.shared.lifecycle.Closer;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.http.HealthCheck;
import io.seckill.shared.identity.Security;
import io.seckill.shared.messaging.AmqpSecKillMessagePublisher;
import io.seckill.shared.messaging.ResendRequests;
import io.seckill.shared.messaging.SecKillMessagePublisher;
import io.seckill.shared.metrics.Metrics;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The write side and the grab endpoint of one command process: the decision state of the partitions it holds lives
 * in its memory, on its context. Wiring only: migrate, claim the partitions' leases and rebuild their state from
 * the events, start the relay, then deploy {@code commandInstances} HTTP verticles that reach the state through a
 * {@link GrabGateway}.
 */
public final class CommandVerticle extends VerticleBase {
  private static final Logger LOG = LoggerFactory.getLogger(CommandVerticle.class);

  private final SecKillConfig config;
  private final Clock clock;
  private final ClusterConfig clusterConfig;
  private final HazelcastClusterManager clusterManager;
  /**
   * Closed in this order at stop: the work; then the cluster and the leases together (released, so that another
   * process may claim them at once, before the pool closes); then the connections.
   */
  private final Closer closer = new Closer();
  private Membership membership;
  private Pool pool;
  private SecKillMessagePublisher publisher;
  private CommandService service;
  private OutboxRelay relay;
  private Ownership ownership;
  private GroupCommitter committer;

  /** One command process on its own: it owns every partition, no cluster manager. */
  public CommandVerticle(SecKillConfig config, Clock clock) {
    this(config, clock, ClusterConfig.NONE, null);
  }

  /** A member of a command cluster, on a Vert.x clustered with {@code clusterManager}. */
  public CommandVerticle(SecKillConfig config, Clock clock, ClusterConfig clusterConfig,
                         HazelcastClusterManager clusterManager) {
    this.config = config;
    this.clock = clock;
    this.clusterConfig = clusterConfig;
    this.clusterManager = clusterManager;
  }

  @Override
  public Future<?> start() {
    Closer.Stage connections = closer.stage();
    Closer.Stage cluster = closer.stage();
    Closer.Stage work = closer.stage();
    String incarnation = UUID.randomUUID().toString();
    // a pool of this start's own: a shared pool of the same name would be closed by an earlier start's undeploy
    pool = connections.add(Databases.pool(vertx, config.writeDb(), "command-" + incarnation), Pool::close);
    WriterConnection writer = connections.add(new WriterConnection(vertx, config.writeDb()),
        WriterConnection::close);
    AmqpSecKillMessagePublisher amqp = connections.add(AmqpSecKillMessagePublisher.create(vertx, config.amqp()),
        AmqpSecKillMessagePublisher::close);
    publisher = amqp;
    SecKillMessagePublisher replayPublisher = connections.add(
        AmqpSecKillMessagePublisher.create(vertx, ResendRequests.replay(config.amqp())), SecKillMessagePublisher::close);
    Partitions partitions = new Partitions(config.lease().partitions());
    return Migrations.migrate(vertx, pool, Migrations.WRITE)
        .compose(migrated -> EventStore.galera(pool, config.writeDb()))
        .compose(galera -> {
      if (galera) {
        LOG.info("WriteDB is a Galera cluster: the fence writes its lease row (certified)");
      }
      EventStore store = new EventStore(pool, writer, galera);
      // one process without a cluster wants every partition; a member, what rendezvous hashing gives it
      Placement placement = Placement.everything();
      if (clusterManager != null) {
        membership = cluster.add(new Membership(vertx, clusterManager.getHazelcastInstance(),
            config.lease().nodeId(), clusterConfig), Membership::stop);
        placement = membership;
      }
      ownership = cluster.add(new Ownership(vertx, new LeaseStore(pool, config.lease(), incarnation), config.lease(),
          placement), held -> held.stop().recover(e -> {
            LOG.warn("leases not released ({}): another process claims them when they end", e.getMessage());
            return Future.succeededFuture();
          }));
      Ownership held = ownership;
      relay = new OutboxRelay(vertx, store, publisher, replayPublisher, config.relayBatchMax(),
          id -> held.epoch(partitions.of(id)) >= 0);
      cluster.run(relay::stop);
      committer = new GroupCommitter(store, config.commandBatchMax(), partitions, ownership::epoch)
          .onCommit(relay::committed).onUncertain(relay::uncertain);
      service = new CommandService(vertx, clock, new GrabDecider(), store,
          new PromotionCatalogStore(pool, config.writeDb().deadlineMillis()), committer,
          config.promotionPollMillis(), config.snapshotGrabs(), partitions, ownership::fenced,
          ownership::current);
      work.run(service::stop);
      List<Meter> meters = new ArrayList<>();
      cluster.run(() -> meters.forEach(Metrics.registry()::remove));
      meters.add(Gauge.builder("seckill_command_queued_appends", committer, GroupCommitter::queued)
          .description("grabs waiting for their group commit").register(Metrics.registry()));
      meters.add(FunctionCounter.builder("seckill_relay_sent_events", relay, OutboxRelay::sent)
          .description("events the broker accepted from this process's relay").register(Metrics.registry()));
      meters.add(Gauge.builder("seckill_relay_lag_events", relay, OutboxRelay::lag)
          .description("events of the partitions held, committed in WriteDB but not yet accepted by the broker")
          .register(Metrics.registry()));
      meters.add(Gauge.builder("seckill_partitions_held", ownership, Ownership::held)
          .description("partitions whose lease this process holds").register(Metrics.registry()));
      meters.add(Gauge.builder("seckill_partitions", config.lease(), lease -> lease.partitions())
          .description("partitions the promotions are spread over (each held by one member at a time)")
          .register(Metrics.registry()));
      OutboxRelay relayed = relay;
      CommandService served = service;
      // the service rebuilds a claimed partition's state, the relay sends what of it the broker has not accepted
      Ownership.Listener both = new Ownership.Listener() {
        @Override
        public Future<Void> claimed(Set<Integer> claimed) {
          relayed.claimed(id -> claimed.contains(partitions.of(id)));
          return served.claimed(claimed);
        }

        @Override
        public void lost(Set<Integer> lost) {
          served.lost(lost);
          relayed.lost(id -> lost.contains(partitions.of(id)));
        }
      };
      Future<Void> members = membership == null ? Future.succeededFuture() : membership.start();
      return members.compose(v -> service.start()).compose(v -> ownership.start(both));
    }).compose(v -> amqp.firstAttempt()).compose(v -> {
      connections.add(ResendRequests.listen(vertx, config.amqp(), relay::resend), ResendRequests.Listener::close);
      Security security = Security.shared(vertx, config.security());
      GrabService ingress;
      Future<Void> routed;
      if (membership == null) {
        ingress = new GrabGateway(context, service);
        GrabRouter.routedCounter();
        routed = Future.succeededFuture();
      } else {
        // a member: finished states told to the others, grabs of partitions held elsewhere routed to their holder
        FinishedStates finishedStates = cluster.add(new FinishedStates(vertx), FinishedStates::close);
        GrabGateway gateway = new GrabGateway(context, service, finishedStates::publish);
        GrabEndpoint endpoint = cluster.add(new GrabEndpoint(vertx, incarnation, gateway, partitions,
            ownership::routes, new TicketPolicy(config.security().ticketLeadSeconds(),
            config.security().ticketTtlSeconds())), GrabEndpoint::close);
        ingress = new GrabRouter(vertx, gateway, gateway::finished, partitions, ownership::routes,
            clusterConfig.routeTimeoutMillis(), clusterConfig.routeTimeoutMillis());
        routed = Future.all(endpoint.ready(), finishedStates.listen(gateway))
            .onSuccess(registered -> membership.serving()).mapEmpty();
      }
      Map<String, HealthCheck> checks = Map.of(
          "writeDb", HealthCheck.database(pool),
          "groupCommit", this::probeGroupCommit,
          "broker", HealthCheck.of("broker link", publisher::isConnected),
          "partitionLeases", HealthCheck.of("partition leases renewed", ownership::current),
          "identityKeys", HealthCheck.of("identity keys", security::hasKeys));
      return routed.compose(registered -> security.ready()).compose(ready -> vertx.deployVerticle(
          () -> new CommandHttpVerticle(config, clock, ingress, checks),
          new DeploymentOptions().setInstances(config.commandInstances())));
    }).onSuccess(id -> LOG.info("command API listening on {}:{} ({} HTTP instances)", config.httpHost(),
        config.commandPort(), config.commandInstances()));
  }

  /** The write path's health, asked on the committer's own context (health checks run on the HTTP verticles'). */
  private Future<Void> probeGroupCommit() {
    Promise<Void> probed = Promise.promise();
    context.runOnContext(v -> committer.probe().onComplete(probed));
    return probed.future();
  }

  @Override
  public Future<?> stop() {
    return closer.close();
  }

  /** The running service, for tests that look at the in-memory state. */
  public CommandService service() {
    return service;
  }
}
