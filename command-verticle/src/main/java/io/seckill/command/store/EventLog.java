package io.seckill.command.store;

import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;

import java.util.List;

/**
 * What the {@link GroupCommitter} needs of the event store: {@link EventStore} on WriteDB, an in-memory log in the
 * unit tests.
 */
public interface EventLog {
  /**
   * Appends {@code events} in one transaction fenced by {@code fence}: the events as stored, or a
   * {@link FencedException} when another process holds one of their partitions now.
   */
  Future<List<EventStore.Sequenced>> append(List<SecKillEvent> events, Fence fence);

  /** One round trip on the connection the appends go through. */
  Future<List<EventStore.Sequenced>> ping();
}
