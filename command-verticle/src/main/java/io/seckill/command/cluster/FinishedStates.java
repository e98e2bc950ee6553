package io.seckill.command.cluster;

import io.seckill.command.domain.CustomerSet;
import io.seckill.command.domain.PromotionState;
import io.seckill.command.service.GrabGateway;
import io.seckill.shared.event.FinishReason;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.MessageConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * A finished promotion never changes again: its owner publishes its frozen state (finish reason, customers served)
 * to every member, so that the crowd that keeps coming after the last coupon is answered on whichever member it
 * enters, without a hop. Promotions of more than {@link #MAX_CUSTOMERS} winners are not sent (their grabs keep
 * going to the owner: correct, one hop slower). Message: 36 bytes of promotion id, the reason's name, a newline,
 * then the customers as {@link CustomerSet#encode} writes them (their hashes and the set's key, 16 bytes each).
 */
public final class FinishedStates {
  private static final Logger LOG = LoggerFactory.getLogger(FinishedStates.class);
  static final String ADDRESS = "seckill.command.finished";
  static final int MAX_CUSTOMERS = 200_000;

  private final Vertx vertx;
  private MessageConsumer<Buffer> consumer;

  public FinishedStates(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Takes in what the others publish. */
  public Future<Void> listen(GrabGateway gateway) {
    consumer = vertx.eventBus().consumer(ADDRESS, message -> {
      try {
        gateway.finishedElsewhere(decode(message.body()));
      } catch (RuntimeException e) {
        LOG.warn("a finished promotion's state from another member could not be read: {}", e.getMessage());
      }
    });
    return consumer.completion();
  }

  /** Tells every member; on the owner's context. */
  public void publish(PromotionState state) {
    if (state.grabbed() > MAX_CUSTOMERS) {
      return;
    }
    vertx.eventBus().publish(ADDRESS, encode(state));
  }

  static Buffer encode(PromotionState state) {
    Buffer buffer = Buffer.buffer();
    buffer.appendString(state.promotionId().toString(), "US-ASCII");
    buffer.appendString(state.finishReason().name() + "\n", "US-ASCII");
    buffer.appendBytes(state.customersServed().encode());
    return buffer;
  }

  static PromotionState decode(Buffer buffer) {
    UUID id = UUID.fromString(buffer.getString(0, 36, "US-ASCII"));
    int newline = 36;
    while (buffer.getByte(newline) != '\n') {
      newline++;
    }
    FinishReason reason = FinishReason.valueOf(buffer.getString(36, newline, "US-ASCII"));
    return PromotionState.frozen(id, reason, CustomerSet.decode(buffer.getBytes(newline + 1, buffer.length())));
  }

  public Future<Void> close() {
    return consumer == null ? Future.succeededFuture() : consumer.unregister();
  }
}
