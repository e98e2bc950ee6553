package io.seckill.command.service;

import io.vertx.core.Vertx;

/**
 * The one rule for trying again on the command side (a load, a rebuild, a re-read of the catalog): a second later,
 * and not once the service has stopped. Runs on the command verticle's context.
 */
final class Retries {
  static final long MILLIS = 1000;

  private final Vertx vertx;
  private boolean stopped;

  Retries(Vertx vertx) {
    this.vertx = vertx;
  }

  /** Runs {@code again} in {@value #MILLIS} ms unless the service has stopped by then. */
  void later(Runnable again) {
    if (!stopped) {
      vertx.setTimer(MILLIS, t -> {
        if (!stopped) {
          again.run();
        }
      });
    }
  }

  boolean stopped() {
    return stopped;
  }

  void stop() {
    stopped = true;
  }
}
