package io.seckill.shared.db;

import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Processes starting at once on an empty database: each migrates through a pool of its own, concurrently; the
 * lease row in {@code schema_lock} makes one apply the scripts and the others find them applied (without it, the
 * second CREATE TABLE fails).
 */
@ExtendWith(VertxExtension.class)
class MigrationsConcurrencyTest {
  @Test
  void fourStartsAtOnceApplyEachScriptOnce(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig config = TestInfra.freshConfig();
    List<Future<Void>> starts = new ArrayList<>();
    List<Pool> pools = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      Pool pool = Databases.pool(vertx, config.writeDb(), "migrations-" + i);
      pools.add(pool);
      starts.add(Migrations.migrate(vertx, pool, Migrations.WRITE));
    }
    Future.all(starts)
        .compose(all -> pools.get(0).query("SELECT COUNT(*), COUNT(DISTINCT version) FROM schema_migrations").execute())
        .compose(rows -> pools.get(0).query("SELECT holder FROM schema_lock WHERE name = 'write'").execute()
            .map(lock -> {
              ctx.verify(() -> {
                int scripts = Migrations.load(Migrations.WRITE).size();
                assertThat(rows.iterator().next().getInteger(0)).isEqualTo(scripts);
                assertThat(rows.iterator().next().getInteger(1)).isEqualTo(scripts);
                assertThat(lock.iterator().next().getString(0)).as("given back").isNull();
              });
              return lock;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }
}
