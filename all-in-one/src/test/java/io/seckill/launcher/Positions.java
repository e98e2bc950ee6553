package io.seckill.launcher;

import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;

/**
 * Where a promotion's events stand on each side, for the fault tests' "ReadDB caught up" bound: WriteDB's newest
 * sequence and the sequence ReadDB's projection has applied up to.
 */
final class Positions {
  private Positions() {
  }

  /** The newest event sequence WriteDB holds for the promotion (0 if none). */
  static Future<Long> written(Pool writeDb, String promotionId) {
    return writeDb.preparedQuery("SELECT COALESCE(MAX(sequence), 0) FROM events WHERE promotion_id = ?")
        .execute(Tuple.of(promotionId)).map(rows -> rows.iterator().next().getLong(0));
  }

  /** The sequence ReadDB's projection has applied up to for the promotion (0 if it has applied none). */
  static Future<Long> projected(Pool readDb, String promotionId) {
    return readDb.preparedQuery("SELECT last_sequence FROM projection_positions WHERE promotion_id = ?")
        .execute(Tuple.of(promotionId)).map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0));
  }
}
