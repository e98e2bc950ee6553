package io.seckill.embedded;

import org.apache.activemq.broker.BrokerService;
import org.apache.activemq.broker.TransportConnector;
import org.apache.activemq.store.kahadb.KahaDBPersistenceAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.nio.file.Path;

/**
 * Apache ActiveMQ Classic with its AMQP 1.0 connector on 127.0.0.1, persistent messages in KahaDB.
 *
 * <p>{@code journalDiskSyncStrategy}: {@code always} fsyncs every write (safe against power loss, ~1.9k
 * durable msg/s here); {@code periodic} (our default) fsyncs once a second: a process crash loses nothing
 * (the page cache survives), a power loss can lose the last second. Losing broker messages never loses
 * events: WriteDB is the outbox and the relay resends from it.
 */
public final class EmbeddedBroker implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedBroker.class);

  private final BrokerService broker;
  private final int port;

  private EmbeddedBroker(BrokerService broker, int port) {
    this.broker = broker;
    this.port = port;
  }

  /** Starts the broker on 127.0.0.1 (blocking). {@code port} 0 picks a free port. */
  public static EmbeddedBroker start(Path dataDir, int port, String syncStrategy) {
    return start(dataDir, "127.0.0.1", port, syncStrategy);
  }

  /**
   * Starts the broker (blocking) with its AMQP connector on {@code host} ({@code 0.0.0.0} in a container, where
   * the other services reach it over the container network). {@code port} 0 picks a free port.
   */
  public static EmbeddedBroker start(Path dataDir, String host, int port, String syncStrategy) {
    try {
      BrokerService broker = new BrokerService();
      broker.setBrokerName("seckill");
      broker.setUseJmx(false);
      broker.setUseShutdownHook(false);
      broker.setAdvisorySupport(false);
      broker.setPersistent(true);
      broker.setDataDirectoryFile(dataDir.toFile());
      KahaDBPersistenceAdapter kahaDb = new KahaDBPersistenceAdapter();
      kahaDb.setDirectory(dataDir.resolve("kahadb").toFile());
      kahaDb.setJournalDiskSyncStrategy(syncStrategy);
      broker.setPersistenceAdapter(kahaDb);
      broker.getSystemUsage().getStoreUsage().setLimit(2L * 1024 * 1024 * 1024);
      broker.getSystemUsage().getTempUsage().setLimit(1024L * 1024 * 1024);
      TransportConnector connector = broker.addConnector("amqp://" + host + ":" + port);
      broker.start();
      broker.waitUntilStarted();
      URI uri = connector.getPublishableConnectURI();
      int actualPort = uri.getPort();
      LOG.info("embedded ActiveMQ ready, AMQP on {}:{}, data in {}, sync {}", host, actualPort, dataDir, syncStrategy);
      return new EmbeddedBroker(broker, actualPort);
    } catch (Exception e) {
      throw new IllegalStateException("embedded ActiveMQ failed to start: " + e.getMessage(), e);
    }
  }

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
