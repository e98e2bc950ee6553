package io.seckill.shared.db;

import io.seckill.shared.config.DbConfig;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;

/** Connection pools over the MySQL protocol (MariaDB or MySQL 8). */
public final class Databases {
  /** Longest SQL kept prepared: the 512-row multi-row INSERTs of the event store and the read model fit. */
  public static final int PREPARED_SQL_LIMIT = 16_384;

  private Databases() {
  }

  public static MySQLConnectOptions connectOptions(DbConfig db) {
    return new MySQLConnectOptions()
        .setHost(db.host())
        .setPort(db.port())
        .setDatabase(db.database())
        .setUser(db.user())
        .setPassword(db.password())
        .setCharset("utf8mb4")
        .setCachePreparedStatements(true)
        .setPreparedStatementCacheMaxSize(256)
        // the multi-row INSERTs (up to 512 rows, ~12 KB of SQL) must stay prepared too: above the default limit
        // of 2,048 characters each batch was prepared, executed and closed again
        .setPreparedStatementCacheSqlLimit(PREPARED_SQL_LIMIT);
  }

  /**
   * A pool named after its owner role; the instances of one verticle share it (Vert.x shared pool), so a
   * role uses {@code poolSize} connections whatever its instance count.
   */
  public static Pool pool(Vertx vertx, DbConfig db, String owner) {
    return MySQLBuilder.pool()
        .with(new PoolOptions().setMaxSize(db.poolSize()).setShared(true)
            .setName(owner + "-" + db.database() + "-" + db.host() + "-" + db.port()))
        .connectingTo(connectOptions(db))
        .using(vertx)
        .build();
  }
}
