package io.seckill.shared.lifecycle;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class CloserTest {
  private final List<String> closed = new ArrayList<>();

  private Future<Void> close(String name) {
    closed.add(name);
    return Future.succeededFuture();
  }

  @Test
  void theLastStageClosesFirstAndAStageWaitsForTheOneAfterIt() {
    Closer closer = new Closer();
    Closer.Stage connections = closer.stage();
    Closer.Stage leases = closer.stage();
    connections.add("pool", this::close);
    Promise<Void> release = Promise.promise();
    leases.add("leases", name -> {
      closed.add(name);
      return release.future();
    });
    connections.add("writer", this::close);

    Future<Void> done = closer.close();

    assertThat(closed).containsExactly("leases");
    release.complete();
    assertThat(closed).containsExactly("leases", "pool", "writer");
    assertThat(done.succeeded()).isTrue();
  }

  @Test
  void aFailureClosesTheRestAndIsTheResult() {
    Closer closer = new Closer();
    Closer.Stage first = closer.stage();
    Closer.Stage second = closer.stage();
    first.add("pool", this::close);
    second.add("broken", name -> Future.failedFuture(new IllegalStateException("broken link")));
    second.run(() -> {
      throw new IllegalStateException("thrown");
    });
    second.add("publisher", this::close);

    Future<Void> done = closer.close();

    assertThat(closed).containsExactly("publisher", "pool");
    assertThat(done.failed()).isTrue();
    assertThat(done.cause()).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void whatWasNeverOpenedIsNotClosedAndASecondCloseDoesNothing() {
    Closer closer = new Closer();
    closer.stage();
    assertThat(closer.close().succeeded()).isTrue();
    Closer.Stage stage = closer.stage();
    stage.add("once", this::close);
    closer.close();
    closer.close();
    assertThat(closed).containsExactly("once");
  }
}
