package io.seckill.shared.http;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;

import java.util.function.BooleanSupplier;

/** One dependency of a service: succeeds when it is reachable. */
@FunctionalInterface
public interface HealthCheck {
  Future<Void> check();

  static HealthCheck database(Pool pool) {
    return () -> pool.query("SELECT 1").execute().mapEmpty();
  }

  static HealthCheck of(String what, BooleanSupplier up) {
    return () -> up.getAsBoolean() ? Future.succeededFuture() : Future.failedFuture(what + " is down");
  }
}
