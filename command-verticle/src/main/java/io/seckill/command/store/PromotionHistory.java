package io.seckill.command.store;

import io.seckill.command.domain.CustomerChunk;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;

import java.util.List;
import java.util.UUID;
import java.util.function.Predicate;

/**
 * What the command service needs of the event store besides the group commits: promotions rebuilt from their events,
 * a start written, snapshot chunks saved. {@link EventStore} on WriteDB, an in-memory log in the unit tests.
 */
public interface PromotionHistory {
  /** Every started promotion {@code which} accepts, as its events imply. */
  Future<List<EventStore.StoredPromotion>> loadPromotions(Predicate<UUID> which);

  /** One promotion as its events imply; null when it has not started. */
  Future<EventStore.StoredPromotion> loadPromotion(UUID promotionId);

  /**
   * Appends a promotion's start (and maybe its finish) under {@code fence} if its promotions row is still scheduled
   * at {@code version}: the events as stored; none, with nothing written, when the admin changed or deleted it in the
   * meantime.
   */
  Future<List<EventStore.Sequenced>> appendStart(UUID promotionId, int version, List<SecKillEvent> events,
                                                 Fence fence);

  Future<Void> saveChunk(CustomerChunk chunk);
}
