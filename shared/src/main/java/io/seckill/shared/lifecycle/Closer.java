package io.seckill.shared.lifecycle;

import io.vertx.core.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What a verticle opened, closed when it stops: in stages, the last stage made first, each stage once the one after
 * it has closed, everything in one stage at once. A resource is added as it is opened, so nothing not opened is
 * closed and no field is checked for null. A failure does not keep the rest open; the first one is the result.
 * Use on one context.
 */
public final class Closer {
  private final List<Stage> stages = new ArrayList<>();

  /** A new stage: closed before every stage made before it. */
  public Stage stage() {
    Stage stage = new Stage();
    stages.add(stage);
    return stage;
  }

  /** Closes every stage, the last made first; fails with the first failure once all have been closed. */
  public Future<Void> close() {
    Future<Void> closed = Future.succeededFuture();
    Throwable[] first = new Throwable[1];
    for (int i = stages.size() - 1; i >= 0; i--) {
      Stage stage = stages.get(i);
      closed = closed.transform(ar -> stage.close()).andThen(ar -> {
        if (ar.failed() && first[0] == null) {
          first[0] = ar.cause();
        }
      });
    }
    stages.clear();
    return closed.transform(ar -> first[0] == null ? Future.succeededFuture() : Future.failedFuture(first[0]));
  }

  /** Resources closed together. */
  public static final class Stage {
    private final List<Supplier<Future<?>>> steps = new ArrayList<>();

    private Stage() {
    }

    /** {@code resource}, closed with {@code close} when its stage is. */
    public <T> T add(T resource, Function<? super T, ? extends Future<?>> close) {
      steps.add(() -> close.apply(resource));
      return resource;
    }

    /** {@code step}, run when its stage closes (a timer cancelled, meters removed). */
    public void run(Runnable step) {
      steps.add(() -> {
        step.run();
        return Future.succeededFuture();
      });
    }

    private Future<Void> close() {
      List<Future<?>> closing = new ArrayList<>(steps.size());
      for (Supplier<Future<?>> step : steps) {
        try {
          closing.add(step.get());
        } catch (RuntimeException e) {
          closing.add(Future.failedFuture(e));
        }
      }
      steps.clear();
      return Future.join(closing).mapEmpty();
    }
  }
}
