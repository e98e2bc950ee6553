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

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Consumes the {@code seckill} queue with auto-acknowledgement off. Up to {@value #CREDIT} messages are in flight
 * to it; the ones that have arrived while the previous batch was being applied are handed to the handler together
 * (up to {@value #MAX_BATCH_EVENTS} events, in arrival order), so that a busy read side commits fewer, bigger
 * transactions. The messages of a batch are accepted only after the handler's future succeeds (its ReadDB
 * transaction committed) and released for redelivery when it fails; a message that is not events at all is
 * rejected on its own.
 */
public final class AmqpSecKillMessageSubscriber implements SecKillMessageSubscriber {
  private static final Logger LOG = LoggerFactory.getLogger(AmqpSecKillMessageSubscriber.class);
  static final int CREDIT = 32;
  static final int MAX_BATCH_EVENTS = 4096;
  private static final long RETRY_MILLIS = 500;

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
            .setMaxBufferedMessages(CREDIT))
        .onSuccess(receiver -> new Consumer(receiver).start())
        .mapEmpty();
  }

  private record Received(AmqpMessage message, List<SecKillEvent> events) {
  }

  /** The messages of one receiver (one link attachment) waiting to be applied. */
  private final class Consumer {
    private final AmqpReceiver receiver;
    private final ArrayDeque<Received> waiting = new ArrayDeque<>();
    private boolean busy;

    Consumer(AmqpReceiver receiver) {
      this.receiver = receiver;
    }

    void start() {
      receiver.exceptionHandler(err -> LOG.warn("AMQP receiver error: {}", err.getMessage()));
      receiver.pause();
      receiver.handler(this::onMessage);
      receiver.fetch(CREDIT);
    }

    private void onMessage(AmqpMessage message) {
      try {
        waiting.add(new Received(message, EventCodec.decodeBody(message.bodyAsString())));
      } catch (RuntimeException e) {
        LOG.error("rejecting message {}: {}", message.id(), e.getMessage());
        message.rejected();
        receiver.fetch(1);
        return;
      }
      drain();
    }

    private void drain() {
      if (busy || waiting.isEmpty()) {
        return;
      }
      busy = true;
      List<Received> batch = new ArrayList<>();
      List<SecKillEvent> events = new ArrayList<>();
      while (!waiting.isEmpty()
          && (batch.isEmpty() || events.size() + waiting.peek().events().size() <= MAX_BATCH_EVENTS)) {
        Received next = waiting.poll();
        batch.add(next);
        events.addAll(next.events());
      }
      Future<Void> handled;
      try {
        handled = handler.apply(events);
      } catch (RuntimeException e) {
        handled = Future.failedFuture(e);
      }
      handled.onComplete(ar -> {
        if (ar.succeeded()) {
          batch.forEach(received -> received.message().accepted());
          receiver.fetch(batch.size());
        } else {
          LOG.warn("{} messages of {} events not applied ({}); released for redelivery", batch.size(), events.size(),
              ar.cause().getMessage());
          batch.forEach(received -> received.message().released());
          vertx.setTimer(RETRY_MILLIS, id -> receiver.fetch(batch.size()));
        }
        busy = false;
        drain();
      });
    }
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
