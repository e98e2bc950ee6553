package io.seckill.launcher;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.seckill.shared.testing.Grabs;
import io.vertx.ext.web.client.WebClient;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded grab loop on loopback: {@code clients} clients, each grabbing with a new customer as soon as its
 * previous grab answered, until {@link #stop()} or {@code maxRequests}. Records who got a 200.
 */
final class Load {
  final Set<String> accepted = ConcurrentHashMap.newKeySet();
  final AtomicInteger sent = new AtomicInteger();
  final AtomicInteger failed = new AtomicInteger();
  private final AtomicBoolean stopped = new AtomicBoolean();
  private final Future<Void> done;

  private Load(WebClient client, int port, String promotionId, String prefix, int clients, int maxRequests) {
    List<Future<Void>> loops = new ArrayList<>();
    for (int i = 0; i < clients; i++) {
      Promise<Void> loop = Promise.promise();
      loops.add(loop.future());
      next(client, port, promotionId, prefix, maxRequests, loop);
    }
    done = Future.join(loops).mapEmpty();
  }

  static Load start(WebClient client, int port, String promotionId, String prefix, int clients, int maxRequests) {
    return new Load(client, port, promotionId, prefix, clients, maxRequests);
  }

  private void next(WebClient client, int port, String promotionId, String prefix, int maxRequests, Promise<Void> loop) {
    int n = sent.incrementAndGet();
    if (stopped.get() || n > maxRequests) {
      loop.complete();
      return;
    }
    String customer = prefix + n;
    Grabs.grab(client, port, promotionId, customer)
        .onComplete(ar -> {
          if (ar.succeeded() && ar.result().statusCode() == 200) {
            accepted.add(customer);
          } else {
            failed.incrementAndGet();
          }
          next(client, port, promotionId, prefix, maxRequests, loop);
        });
  }

  /** Stops sending; the future completes when every request in flight has answered. */
  Future<Void> stop() {
    stopped.set(true);
    return done;
  }
}
