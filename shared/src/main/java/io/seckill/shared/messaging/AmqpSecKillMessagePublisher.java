package io.seckill.shared.messaging;

import io.seckill.shared.config.AmqpConfig;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpSender;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Publishes to the {@code seckill} queue with acknowledgement: the future succeeds when the broker has settled
 * the message as accepted (persisted). One event goes as itself (message-id = eventId, subject = type); several
 * go as one message whose body is a JSON array (message-id = first eventId, subject = {@value #BATCH_SUBJECT}).
 */
public final class AmqpSecKillMessagePublisher implements SecKillMessagePublisher {
  public static final String BATCH_SUBJECT = "EventBatch";
  /**
   * A broker that stops answering (a paused process) never settles: past this the relay hears of it and retries.
   * A connection lost (a killed broker) fails every send in flight at once instead, so that the relay resends
   * through the broker that takes over without waiting for this.
   */
  private static final long ACK_TIMEOUT_SECONDS = 10;

  private final AmqpLink link;
  private final String address;
  private AmqpSender sender;
  private Future<Void> firstAttempt;
  /** Sends not settled yet: failed when the connection they went out on is lost. */
  private final Set<Promise<Void>> inFlight = ConcurrentHashMap.newKeySet();

  private AmqpSecKillMessagePublisher(Vertx vertx, AmqpConfig config) {
    this.address = config.address();
    this.link = new AmqpLink(vertx, config, "publisher", conn -> conn.createSender(address)
        .onSuccess(created -> sender = created)
        .mapEmpty());
    link.onLost(() -> {
      List<Promise<Void>> lost = new ArrayList<>(inFlight);
      inFlight.removeAll(lost);
      lost.forEach(p -> p.tryFail("the broker connection was lost before it settled the send"));
    });
  }

  /** Creates the publisher and starts connecting; it is usable (and reconnects) whether or not the broker is up. */
  public static AmqpSecKillMessagePublisher create(Vertx vertx, AmqpConfig config) {
    AmqpSecKillMessagePublisher publisher = new AmqpSecKillMessagePublisher(vertx, config);
    publisher.firstAttempt = publisher.link.start();
    return publisher;
  }

  @Override
  public Future<Void> publish(List<SecKillEvent> events) {
    List<EncodedEvent> encoded = new ArrayList<>(events.size());
    for (SecKillEvent event : events) {
      encoded.add(new EncodedEvent(event.eventId().toString(), event.type(), EventCodec.encode(event)));
    }
    return publishEncoded(encoded);
  }

  @Override
  public Future<Void> publishEncoded(List<EncodedEvent> events) {
    if (events.isEmpty()) {
      return Future.succeededFuture();
    }
    if (!link.isUp() || sender == null) {
      return Future.failedFuture("broker link is down");
    }
    EncodedEvent first = events.get(0);
    boolean single = events.size() == 1;
    List<String> bodies = new ArrayList<>(events.size());
    events.forEach(e -> bodies.add(e.json()));
    AmqpMessage message = AmqpMessage.create()
        .id(first.eventId())
        .subject(single ? first.type() : BATCH_SUBJECT)
        .contentType("application/json")
        .durable(true)
        .withBody(single ? first.json() : EventCodec.batchOf(bodies))
        .build();
    Promise<Void> settled = Promise.promise();
    inFlight.add(settled);
    sender.sendWithAck(message).onComplete(ack -> {
      if (ack.succeeded()) {
        settled.tryComplete();
      } else {
        settled.tryFail(ack.cause());
      }
    });
    return settled.future().timeout(ACK_TIMEOUT_SECONDS, TimeUnit.SECONDS).onComplete(done -> inFlight.remove(settled));
  }

  /**
   * Completes when the first connection attempt ends, whether it succeeded or not (the link keeps retrying):
   * a service waits on it so that it does not report itself unhealthy just because it is still connecting.
   */
  public Future<Void> firstAttempt() {
    return firstAttempt.recover(err -> Future.succeededFuture());
  }

  @Override
  public boolean isConnected() {
    return link.isUp();
  }

  @Override
  public Future<Void> close() {
    return link.close();
  }
}
