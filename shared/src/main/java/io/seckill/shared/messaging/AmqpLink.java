package io.seckill.shared.messaging;

import io.seckill.shared.config.AmqpConfig;
import io.vertx.amqp.AmqpClient;
import io.vertx.amqp.AmqpClientOptions;
import io.vertx.amqp.AmqpConnection;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Function;

/**
 * One AMQP connection that comes back by itself: when the broker goes away, it reconnects and runs
 * {@code onConnect} again (to recreate senders and receivers). With several brokers (a master/slave group, where
 * only the master listens) each attempt tries them in the order configured, the next one at once when one refuses,
 * and a whole round that fails is tried again every half second. Use it from one Vert.x context.
 */
final class AmqpLink {
  private static final Logger LOG = LoggerFactory.getLogger(AmqpLink.class);
  private static final long RETRY_MILLIS = 500;
  /** Per broker: a host that does not answer at all costs this much of a round before the next one is tried. */
  private static final int CONNECT_TIMEOUT_MILLIS = 3000;
  /** The whole attempt on one broker, its AMQP open included. */
  private static final long OPEN_TIMEOUT_MILLIS = 5000;

  private final Vertx vertx;
  /** One client per broker, in the order configured. */
  private final List<AmqpClient> clients;
  private final List<AmqpConfig.Endpoint> brokers;
  private final String name;
  private final Function<AmqpConnection, Future<Void>> onConnect;
  private AmqpConnection connection;
  private boolean closed;
  private boolean connecting;
  private boolean everConnected;
  private boolean retrying;
  private Runnable onLost = () -> { };

  AmqpLink(Vertx vertx, AmqpConfig config, String name, Function<AmqpConnection, Future<Void>> onConnect) {
    this.vertx = vertx;
    this.name = name;
    this.onConnect = onConnect;
    this.brokers = config.brokers();
    this.clients = brokers.stream().map(broker -> {
      AmqpClientOptions options = new AmqpClientOptions()
          .setHost(broker.host())
          .setPort(broker.port())
          .setConnectTimeout(CONNECT_TIMEOUT_MILLIS);
      if (config.user() != null) {
        options.setUsername(config.user()).setPassword(config.password());
      }
      return AmqpClient.create(vertx, options);
    }).toList();
  }

  /** Connects; the future fails if the first attempt fails, but the link keeps trying in the background. */
  Future<Void> start() {
    Promise<Void> first = Promise.promise();
    connect(first);
    return first.future();
  }

  /** Runs (on the link's context) each time the connection is lost, before the link reconnects. */
  void onLost(Runnable handler) {
    this.onLost = handler;
  }

  boolean isUp() {
    return connection != null && !connection.isDisconnected();
  }

  AmqpConnection connection() {
    return connection;
  }

  private void connect(Promise<Void> first) {
    if (closed || connecting) {
      return;
    }
    connecting = true;
    connectInOrder(0)
        .compose(conn -> {
          conn.exceptionHandler(err -> LOG.warn("AMQP {} link error: {}", name, err.getMessage()));
          return onConnect.apply(conn).map(conn);
        })
        .onComplete(ar -> {
          connecting = false;
          if (ar.succeeded()) {
            connection = ar.result();
            LOG.info("AMQP {} link {} to {}", name, everConnected ? "reconnected" : "connected", brokers.get(at));
            everConnected = true;
            retrying = false;
            connection.closeFuture().onComplete(x -> lost());
            if (first != null) {
              first.tryComplete();
            }
          } else {
            if (!retrying) {
              LOG.warn("AMQP {} link cannot connect to {}: {}; retrying every {} ms", name,
                  brokers.size() == 1 ? brokers.get(0) : "any of " + brokers, ar.cause().getMessage(), RETRY_MILLIS);
              retrying = true;
            }
            if (first != null) {
              first.tryFail(ar.cause());
            }
            vertx.setTimer(RETRY_MILLIS, id -> connect(null));
          }
        });
  }

  /** Index of the broker the current (or last) connection went to. */
  private int at;

  /** The first broker of the list, from {@code index} on, that takes a connection. */
  private Future<AmqpConnection> connectInOrder(int index) {
    return opened(clients.get(index))
        .onSuccess(conn -> at = index)
        .recover(err -> index + 1 < clients.size() ? connectInOrder(index + 1) : Future.failedFuture(err));
  }

  /**
   * One connection attempt, bounded as a whole (TCP and the AMQP open): a broker that takes the connection and never
   * answers (a paused process, a slave that listens too early) must not hold the link; one that answers after the
   * bound gets its connection closed.
   */
  private Future<AmqpConnection> opened(AmqpClient client) {
    Promise<AmqpConnection> bounded = Promise.promise();
    long timer = vertx.setTimer(OPEN_TIMEOUT_MILLIS, t -> bounded.tryFail("no AMQP open within " + OPEN_TIMEOUT_MILLIS
        + " ms"));
    client.connect().onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded() && !bounded.tryComplete(ar.result())) {
        ar.result().close();
      } else if (ar.failed()) {
        bounded.tryFail(ar.cause());
      }
    });
    return bounded.future();
  }

  private void lost() {
    connection = null;
    onLost.run();
    if (closed) {
      return;
    }
    LOG.warn("AMQP {} link to {} lost; reconnecting", name, brokers.get(at));
    vertx.setTimer(RETRY_MILLIS, id -> connect(null));
  }

  Future<Void> close() {
    closed = true;
    return Future.join(clients.stream().map(AmqpClient::close).toList()).mapEmpty();
  }
}
