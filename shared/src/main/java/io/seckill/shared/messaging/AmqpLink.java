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

import java.util.function.Function;

/**
 * One AMQP connection that comes back by itself: when the broker goes away, it reconnects every second and
 * runs {@code onConnect} again (to recreate senders and receivers). Use it from one Vert.x context.
 */
final class AmqpLink {
  private static final Logger LOG = LoggerFactory.getLogger(AmqpLink.class);
  private static final long RETRY_MILLIS = 1000;

  private final Vertx vertx;
  private final AmqpClient client;
  private final String name;
  private final Function<AmqpConnection, Future<Void>> onConnect;
  private AmqpConnection connection;
  private boolean closed;
  private boolean connecting;
  private boolean everConnected;
  private boolean retrying;

  AmqpLink(Vertx vertx, AmqpConfig config, String name, Function<AmqpConnection, Future<Void>> onConnect) {
    this.vertx = vertx;
    this.name = name;
    this.onConnect = onConnect;
    AmqpClientOptions options = new AmqpClientOptions()
        .setHost(config.host())
        .setPort(config.port())
        .setConnectTimeout(5000);
    if (config.user() != null) {
      options.setUsername(config.user()).setPassword(config.password());
    }
    this.client = AmqpClient.create(vertx, options);
  }

  /** Connects; the future fails if the first attempt fails, but the link keeps trying in the background. */
  Future<Void> start() {
    Promise<Void> first = Promise.promise();
    connect(first);
    return first.future();
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
    client.connect()
        .compose(conn -> {
          conn.exceptionHandler(err -> LOG.warn("AMQP {} link error: {}", name, err.getMessage()));
          return onConnect.apply(conn).map(conn);
        })
        .onComplete(ar -> {
          connecting = false;
          if (ar.succeeded()) {
            connection = ar.result();
            LOG.info("AMQP {} link {}", name, everConnected ? "reconnected" : "connected");
            everConnected = true;
            retrying = false;
            connection.closeFuture().onComplete(x -> lost());
            if (first != null) {
              first.tryComplete();
            }
          } else {
            if (!retrying) {
              LOG.warn("AMQP {} link cannot connect: {}; retrying every {} ms", name, ar.cause().getMessage(),
                  RETRY_MILLIS);
              retrying = true;
            }
            if (first != null) {
              first.tryFail(ar.cause());
            }
            vertx.setTimer(RETRY_MILLIS, id -> connect(null));
          }
        });
  }

  private void lost() {
    connection = null;
    if (closed) {
      return;
    }
    LOG.warn("AMQP {} link lost; reconnecting", name);
    vertx.setTimer(RETRY_MILLIS, id -> connect(null));
  }

  Future<Void> close() {
    closed = true;
    return client.close();
  }
}
