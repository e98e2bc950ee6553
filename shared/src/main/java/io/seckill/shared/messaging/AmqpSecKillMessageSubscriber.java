package io.seckill.shared.messaging;

import io.seckill.shared.config.AmqpConfig;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.amqp.AmqpConnection;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpReceiver;
import io.vertx.amqp.AmqpReceiverOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Function;

/**
 * Consumes the {@code seckill} queue with auto-acknowledgement off, one message at a time: a message is
 * accepted only after the handler's future succeeds (its ReadDB transaction committed), released for
 * redelivery when it fails, and rejected when it is not events at all.
 */
public final class AmqpSecKillMessageSubscriber implements SecKillMessageSubscriber {
  private static final Logger LOG = LoggerFactory.getLogger(AmqpSecKillMessageSubscriber.class);

  private final Vertx vertx;
  private final AmqpConfig config;
  private AmqpLink link;
  private Function<List<SecKillEvent>, Future<Void>> handler;

  private AmqpSecKillMessageSubscriber(Vertx vertx, AmqpConfig config) {
    this.vertx = vertx;
    this.config = config;
  }

  public static AmqpSecKillMessageSubscriber create(Vertx vertx, AmqpConfig config) {
    return new AmqpSecKillMessageSubscriber(vertx, config);
  }

  @Override
  public Future<Void> subscribe(Function<List<SecKillEvent>, Future<Void>> batchHandler) {
    this.handler = batchHandler;
    this.link = new AmqpLink(vertx, config, "subscriber", this::attach);
    // wait for the first attempt so the service is not reported unhealthy while still connecting; a broker
    // that is down is not fatal: the link keeps retrying in the background
    return link.start().recover(err -> Future.succeededFuture());
  }

  private Future<Void> attach(AmqpConnection connection) {
    return connection.createReceiver(config.address(), new AmqpReceiverOptions()
            .setAutoAcknowledgement(false)
            .setDurable(true)
            .setMaxBufferedMessages(64))
        .onSuccess(receiver -> {
          receiver.exceptionHandler(err -> LOG.warn("AMQP receiver error: {}", err.getMessage()));
          receiver.pause();
          receiver.handler(message -> onMessage(receiver, message));
          receiver.fetch(1);
        })
        .mapEmpty();
  }

  private void onMessage(AmqpReceiver receiver, AmqpMessage message) {
    List<SecKillEvent> events;
    try {
      events = EventCodec.decodeBody(message.bodyAsString());
    } catch (RuntimeException e) {
      LOG.error("rejecting message {}: {}", message.id(), e.getMessage());
      message.rejected();
      receiver.fetch(1);
      return;
    }
    Future<Void> handled;
    try {
      handled = handler.apply(events);
    } catch (RuntimeException e) {
      handled = Future.failedFuture(e);
    }
    handled.onComplete(ar -> {
      if (ar.succeeded()) {
        message.accepted();
        receiver.fetch(1);
      } else {
        LOG.warn("message {} of {} events not applied ({}); released for redelivery", message.id(), events.size(),
            ar.cause().getMessage());
        message.released();
        vertx.setTimer(500, id -> receiver.fetch(1));
      }
    });
  }

  @Override
  public boolean isConnected() {
    return link != null && link.isUp();
  }

  @Override
  public Future<Void> close() {
    return link == null ? Future.succeededFuture() : link.close();
  }
}
