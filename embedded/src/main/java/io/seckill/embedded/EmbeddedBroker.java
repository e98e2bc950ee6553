package io.seckill.embedded;

import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;
import org.apache.activemq.store.SharedFileLocker;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;
import java.nio.file.Files;
import java.io.IOException;

/**
 * Apache ActiveMQ Classic with its AMQP 1.0 connector on 127.0.0.1, persistent messages in KahaDB.
 *
 * <p>{@code journalDiskSyncStrategy}: {@code always} fsyncs every write (safe against power loss, ~1.9k
 * durable msg/s here); {@code periodic} (our default) fsyncs once a second: a process crash loses nothing
 * (the page cache survives), a power loss can lose the last second. Losing broker messages never loses
 * events: WriteDB is the outbox and the relay resends from it.
 *
 * <p>A master/slave group (ActiveMQ's "shared file system master/slave"): brokers started on one shared KahaDB
 * directory ({@code store}) all wait on the lock file in it; the one holding it is the master and opens its AMQP
 * listener, the others ({@link #start} blocks in them) take it over, replaying the journal, when the master's
 * process dies and the file system releases its lock. The lock is the fence: a paused master keeps it, so the
 * group waits for that master rather than let two brokers write one journal.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  private final BrokerService broker;
  private final int port;

  private EmbeddedBroker(BrokerService broker, int port) {
    this.broker = broker;
    this.port = port;
  }

  /** How often a slave tries the store's lock: a master's death costs at most this before the takeover begins. */
  static final long LOCK_RETRY_MILLIS = 500;

  /** Starts the broker on 127.0.0.1 (blocking). {@code port} 0 picks a free port. */
  public static EmbeddedBroker start(Path dataDir, int port, String syncStrategy) {
    return start(dataDir, null, "127.0.0.1", port, syncStrategy);
  }

  /**
   * Starts the broker (blocking) with its AMQP connector on {@code host} ({@code 0.0.0.0} in a container, where
   * the other services reach it over the container network). {@code port} 0 picks a free port. {@code store}
   * null keeps KahaDB in {@code dataDir}; otherwise it is the master/slave group's shared store, and this call
   * returns only once this broker holds its lock (is the master).
   */
  public static EmbeddedBroker start(Path dataDir, Path store, String host, int port, String syncStrategy) {
    try {
      BrokerService broker = new BrokerService();
      broker.setBrokerName("seckill");
      broker.setUseJmx(false);
      broker.setUseShutdownHook(false);
      broker.setAdvisorySupport(false);
      broker.setPersistent(true);
      broker.setDataDirectoryFile(dataDir.toFile());
      KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
      kahaDb.setDirectory((store == null ? dataDir.resolve("kahadb") : store).toFile());
      kahaDb.setJournalDiskSyncStrategy(syncStrategy);
      if (store != null) {
        SharedFileLocker locker = new SharedFileLocker();
        locker.setLockAcquireSleepInterval(LOCK_RETRY_MILLIS);
        kahaDb.setLocker(locker);
        // a master whose lock was taken from it (a shared file system that expired it) stops instead of writing on;
        // a new master also waits this long after taking the lock and checks it again before it serves
        kahaDb.setLockKeepAlivePeriod(LOCK_RETRY_MILLIS);
        // a takeover replays the journal since the last checkpoint: checkpoint every second, not every 5
        kahaDb.setCheckpointInterval(1000);
        LOG.info("broker of the master/slave group on store {}: waiting for its lock (a slave until the master dies)",
            store);
        role(dataDir, "slave");
      }
      broker.setPersistenceAdapter(kahaDb);
      broker.getSystemUsage().getStoreUsage().setLimit(2L * 1024 * 1024 * 1024);
      broker.getSystemUsage().getTempUsage().setLimit(1024L * 1024 * 1024);
      broker.start();
      broker.waitUntilStarted();
      // the listener only now: a connector added before the start binds its port at once, and a slave waiting on the
      // lock would take connections into its backlog without ever answering them (a client trying it first hangs)
      TransportConnector connector = broker.startTransportConnector(broker.addConnector("amqp://" + host + ":" + port));
      if (store != null) {
        role(dataDir, "master");
      }
      URI uri = connector.getPublishableConnectURI();
      int actualPort = uri.getPort();
      LOG.info("embedded ActiveMQ ready{}, AMQP on {}:{}, data in {}, sync {}", store == null ? "" : " as master of "
          + store, host, actualPort, dataDir, syncStrategy);
      return new EmbeddedBroker(broker, actualPort);
    } catch (Exception e) {
      throw new IllegalStateException("embedded ActiveMQ failed to start: " + e.getMessage(), e);
    }
  }

  /**
   * {@code <dataDir>/broker-role}: "slave" while this broker waits on the shared store's lock, "master" once it
   * serves; the image's health check counts a waiting slave as healthy (it has no listener to probe).
   */
  private static void role(Path dataDir, String role) throws IOException {
    Files.createDirectories(dataDir);
    Files.writeString(dataDir.resolve(ROLE_FILE), role + "\n");
  }

  /** The file {@link #role} writes, in the broker's data directory. */
  public static final String ROLE_FILE = "broker-role";

  public int port() {
    return port;
  }

  public String amqpUrl() {
    return "amqp://127.0.0.1:" + port;
  }

  @Override
  public void close() {
    try {
      broker.stop();
      broker.waitUntilStopped();
    } catch (Exception e) {
      LOG.warn("embedded ActiveMQ did not stop cleanly: {}", e.getMessage());
    }
  }
}
