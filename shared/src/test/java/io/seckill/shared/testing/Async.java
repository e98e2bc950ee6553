package io.seckill.shared.testing;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.ExecutionException;

/** Waiting without sleeping: bounded waits on futures and on conditions. */
public final class Async {
  private static final long POLL_MILLIS = 25;

  private Async() {
  }

  /** Blocks the calling (test) thread on a future, at most a minute. Never call it on an event loop. */
  public static <T> T await(Future<T> future) {
    return await(future, Duration.ofSeconds(60));
  }

  /** Blocks the calling (test) thread on a future, at most {@code bound}. Never call it on an event loop. */
  public static <T> T await(Future<T> future, Duration bound) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(bound.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new IllegalStateException("awaited future did not complete within " + bound, e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("awaited future failed: " + e.getCause().getMessage(), e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while awaiting a future", e);
    }
  }

  /**
   * Thrown (as a failed future) by a condition that can never come true any more (the process it waits on exited):
   * {@link #eventually} fails at once with it instead of polling to its bound.
   */
  public static final class GiveUp extends RuntimeException {
    public GiveUp(String message) {
      super(message, null, false, false);
    }
  }

  /**
   * Succeeds as soon as {@code condition} yields true, checking every 25 ms; fails when {@code bound} has
   * passed without it, or at once when the condition fails with {@link GiveUp}.
   */
  public static Future<Void> eventually(Vertx vertx, Duration bound, Supplier<Future<Boolean>> condition) {
    Promise<Void> promise = Promise.promise();
    long deadline = System.nanoTime() + bound.toNanos();
    check(vertx, deadline, bound, condition, promise);
    return promise.future();
  }

  private static void check(Vertx vertx, long deadline, Duration bound, Supplier<Future<Boolean>> condition,
                            Promise<Void> promise) {
    condition.get().onComplete(ar -> {
      if (ar.succeeded() && Boolean.TRUE.equals(ar.result())) {
        promise.complete();
      } else if (ar.failed() && ar.cause() instanceof GiveUp) {
        promise.fail(ar.cause());
      } else if (System.nanoTime() > deadline) {
        promise.fail("condition not met within " + bound
            + (ar.failed() ? " (last check failed: " + ar.cause().getMessage() + ")" : ""));
      } else {
        vertx.setTimer(POLL_MILLIS, t -> check(vertx, deadline, bound, condition, promise));
      }
    });
  }

  /** A web client that opens up to {@code connections} connections to each server. */
  public static WebClient client(Vertx vertx, int connections) {
    return WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1"),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
  }
}
