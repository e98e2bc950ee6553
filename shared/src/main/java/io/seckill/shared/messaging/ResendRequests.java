package io.seckill.shared.messaging;

import io.seckill.shared.config.AmqpConfig;
import io.vertx.amqp.AmqpMessage;
import io.vertx.amqp.AmqpReceiverOptions;
import io.vertx.amqp.AmqpSender;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;

/**
 * How the read side heals a gap it cannot fill from the broker (a message lost by the broker): it asks the
 * write side, on the address {@code <queue>.resend}, to send a promotion's events again from a sequence on.
 * The write side reads them from the event store, which still has them all, and sends them on a queue of their own,
 * {@code <queue>.replay}, which the projection also consumes: on the main queue they would wait behind the messages
 * the gap holds back, which the broker keeps handing back first (a livelock the seeded nemesis found). The
 * projection skips what it already has.
 */
public final class ResendRequests {
  private static final Logger LOG = LoggerFactory.getLogger(ResendRequests.class);

  private ResendRequests() {
  }

  public static String address(AmqpConfig config) {
    return config.address() + ".resend";
  }

  /** Where resent events go: {@code <queue>.replay} on the same broker. */
  public static AmqpConfig replay(AmqpConfig config) {
    return config.withAddress(config.address() + ".replay");
  }

  /** The read side's end: {@link Requester#request} asks for a resend (best effort; it is asked again if lost). */
  public static final class Requester {
    private final AmqpLink link;
    private AmqpSender sender;

    private Requester(Vertx vertx, AmqpConfig config) {
      this.link = new AmqpLink(vertx, config, "resend-requester", conn -> conn.createSender(address(config))
          .onSuccess(created -> sender = created).mapEmpty());
    }

    public static Requester create(Vertx vertx, AmqpConfig config) {
      Requester requester = new Requester(vertx, config);
      requester.link.start();
      return requester;
    }

    public Future<Void> request(UUID promotionId, long fromSequence) {
      if (!link.isUp() || sender == null) {
        return Future.failedFuture("broker link is down");
      }
      return sender.sendWithAck(AmqpMessage.create()
              .withJsonObjectAsBody(new JsonObject().put("promotionId", promotionId.toString())
                  .put("fromSequence", fromSequence))
              .build())
          .timeout(10, TimeUnit.SECONDS);
    }

    public Future<Void> close() {
      return link.close();
    }
  }

  /** The write side's end, open until closed. */
  public static final class Listener {
    private final AmqpLink link;

    private Listener(AmqpLink link) {
      this.link = link;
    }

    public Future<Void> close() {
      return link.close();
    }
  }

  /** The write side's end: calls {@code handler} with (promotion, from sequence) for every request. */
  public static Listener listen(Vertx vertx, AmqpConfig config, BiConsumer<UUID, Long> handler) {
    AmqpLink link = new AmqpLink(vertx, config, "resend-listener", conn -> conn.createReceiver(address(config),
            new AmqpReceiverOptions().setDurable(true))
        .onSuccess(receiver -> receiver.handler(message -> {
          try {
            JsonObject body = message.bodyAsJsonObject();
            handler.accept(UUID.fromString(body.getString("promotionId")), body.getLong("fromSequence"));
          } catch (RuntimeException e) {
            LOG.warn("ignoring malformed resend request: {}", e.getMessage());
          }
        }))
        .mapEmpty());
    link.start();
    return new Listener(link);
  }
}
