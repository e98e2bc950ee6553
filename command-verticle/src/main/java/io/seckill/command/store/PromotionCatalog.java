package io.seckill.command.store;

import io.seckill.shared.promotion.PromotionTerms;
import io.vertx.core.Future;

import java.time.LocalDateTime;
import java.util.List;
import java.util.UUID;

/**
 * How the command side reads the admin's promotions rows: {@link PromotionCatalogStore} on WriteDB, an in-memory
 * catalog in the unit tests.
 */
public interface PromotionCatalog {
  /**
   * A promotions row: terms, status (scheduled, active, finished, deleted), version, change time, and whether an
   * admin asked to cancel it.
   */
  record PromotionRow(UUID promotionId, PromotionTerms terms, String status, int version,
                      LocalDateTime updatedAt, boolean cancelRequested) {
    public boolean scheduled() {
      return "scheduled".equals(status);
    }
  }

  /** Rows changed at or after {@code since} (DB clock), oldest change first. */
  Future<List<PromotionRow>> changedSince(LocalDateTime since);

  /** Every promotion that has not started yet, and every running one an admin asked to cancel. */
  Future<List<PromotionRow>> scheduled();

  /** The promotion's row; none when it does not exist. */
  Future<List<PromotionRow>> find(UUID promotionId);

  /** The DB clock now, where change polling starts. */
  Future<LocalDateTime> now();
}
