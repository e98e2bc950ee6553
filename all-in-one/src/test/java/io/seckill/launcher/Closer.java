package io.seckill.launcher;

import io.vertx.core.Vertx;

import java.util.ArrayList;
import java.util.List;

/** What a test started, closed after it in reverse order (the last started first). */
final class Closer implements AutoCloseable {
  private final List<AutoCloseable> started = new ArrayList<>();

  <T extends AutoCloseable> T add(T resource) {
    started.add(resource);
    return resource;
  }

  /** A Vert.x of the test's own, closed with the rest. */
  Vertx vertx() {
    Vertx vertx = Vertx.vertx();
    started.add(() -> vertx.close().toCompletionStage().toCompletableFuture().get());
    return vertx;
  }

  @Override
  public void close() throws Exception {
    for (int i = started.size() - 1; i >= 0; i--) {
      started.get(i).close();
    }
    started.clear();
  }
}
