package io.seckill.shared.messaging;

import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.function.Function;
import io.seckill.shared.event.EventCodec;

/**
 * A queue in memory with the broker's delivery rules (one batch at a time, in order, redelivered until its
 * handler succeeds), for unit tests of publishers and subscribers. Single-threaded: use it from one context.
 */
public final class InMemoryMessaging {
  private final Deque<List<SecKillEvent>> queue = new ArrayDeque<>();
  private final List<SecKillEvent> published = new ArrayList<>();
  private Function<List<SecKillEvent>, Future<Void>> handler;
  private boolean delivering;
  private boolean up = true;

  /** Simulates the broker going away ({@code false}) or coming back. */
  public void setUp(boolean up) {
    this.up = up;
    if (up) {
      deliver();
    }
  }

  /** Offers the batch at the head of the queue again (after its handler failed). */
  public void redeliver() {
    deliver();
  }

  public List<SecKillEvent> published() {
    return List.copyOf(published);
  }

  public SecKillMessagePublisher publisher() {
    return new SecKillMessagePublisher() {
      @Override
      public Future<Void> publish(List<SecKillEvent> events) {
        if (!up) {
          return Future.failedFuture("broker is down");
        }
        published.addAll(events);
        queue.add(List.copyOf(events));
        deliver();
        return Future.succeededFuture();
      }

      @Override
      public Future<Void> publishEncoded(List<EncodedEvent> events) {
        List<SecKillEvent> decoded = new ArrayList<>(events.size());
        events.forEach(e -> decoded.add(EventCodec.decode(e.json())));
        return publish(decoded);
      }

      @Override
      public boolean isConnected() {
        return up;
      }

      @Override
      public Future<Void> close() {
        return Future.succeededFuture();
      }
    };
  }

  public SecKillMessageSubscriber subscriber() {
    return new SecKillMessageSubscriber() {
      @Override
      public Future<Void> subscribe(Function<List<SecKillEvent>, Future<Void>> batchHandler) {
        handler = batchHandler;
        deliver();
        return Future.succeededFuture();
      }

      @Override
      public boolean isConnected() {
        return up;
      }

      @Override
      public Future<Void> close() {
        handler = null;
        return Future.succeededFuture();
      }
    };
  }

  private void deliver() {
    if (delivering || handler == null || !up || queue.isEmpty()) {
      return;
    }
    delivering = true;
    List<SecKillEvent> batch = queue.peek();
    handler.apply(batch).onComplete(ar -> {
      delivering = false;
      if (ar.succeeded()) {
        queue.poll();
      }
      if (ar.succeeded()) {
        deliver();
      }
    });
  }
}
