package io.seckill.shared.messaging;

import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;

import java.util.List;
import java.util.function.Function;

/**
 * Receives events from the broker, one batch at a time and in order. A batch is acknowledged only when the
 * future its handler returned succeeds; on failure it is given back to the broker for redelivery.
 */
public interface SecKillMessageSubscriber {
  Future<Void> subscribe(Function<List<SecKillEvent>, Future<Void>> handler);

  /** True while the link to the broker is up. */
  boolean isConnected();

  Future<Void> close();
}
