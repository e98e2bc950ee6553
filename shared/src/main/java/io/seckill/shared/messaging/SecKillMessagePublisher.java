package io.seckill.shared.messaging;

import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;

import java.util.List;

/** Sends committed events to the broker, in order. The future succeeds once the broker has accepted them. */
public interface SecKillMessagePublisher {
  Future<Void> publish(List<SecKillEvent> events);

  /**
   * Publishes events already encoded by {@link io.seckill.shared.event.EventCodec#encode} (the event store's
   * payloads), without decoding them again; same wire format and guarantees as {@link #publish}.
   */
  Future<Void> publishEncoded(List<EncodedEvent> events);

  /** True while the link to the broker is up. */
  boolean isConnected();

  Future<Void> close();
}
