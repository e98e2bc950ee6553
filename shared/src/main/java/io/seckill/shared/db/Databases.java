package io.seckill.shared.db;

import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.DbNode;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.net.NetClientOptions;
import io.vertx.mysqlclient.MySQLBuilder;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/** Connection pools over the MySQL protocol (MariaDB or MySQL 8). */
public final class Databases {
  private static final Logger LOG = LoggerFactory.getLogger(Databases.class);
  /** Longest SQL kept prepared: the 512-row multi-row INSERTs of the event store and the read model fit. */
  public static final int PREPARED_SQL_LIMIT = 16_384;

  private Databases() {
  }

  /** How to connect to {@code db}'s first node (its only one, but on Galera). */
  public static MySQLConnectOptions connectOptions(DbConfig db) {
    return connectOptions(db, db.nodes().get(0));
  }

  public static MySQLConnectOptions connectOptions(DbConfig db, DbNode node) {
    return new MySQLConnectOptions()
        .setHost(node.host())
        .setPort(node.port())
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
   * role uses {@code poolSize} connections whatever its instance count. On a database of several nodes (Galera), a
   * pool of the node the process uses now ({@link DbNodes}), replaced by one of the next node when that one fails.
   */
  public static Pool pool(Vertx vertx, DbConfig db, String owner) {
    return db.nodes().size() == 1 ? nodePool(vertx, db, owner) : new FailoverPool(vertx, db, owner);
  }

  /** A pool of {@code db}'s first node. */
  static Pool nodePool(Vertx vertx, DbConfig db, String owner) {
    DbNode node = db.nodes().get(0);
    return MySQLBuilder.pool()
        // waiting for a pooled connection is bounded too: a query never waits for ever behind hung ones
        .with(new PoolOptions().setMaxSize(db.poolSize()).setShared(true)
            .setConnectionTimeout(2 * db.deadlineMillis()).setConnectionTimeoutUnit(TimeUnit.MILLISECONDS)
            .setName(owner + "-" + db.database() + "-" + node.host() + "-" + node.port()))
        // a connect into a black hole (a server that accepts nothing, a dropped route) fails within the deadline
        .with(new NetClientOptions().setConnectTimeout(db.deadlineMillis()))
        .connectingTo(connectOptions(db))
        .withConnectHandler(conn -> sessionSettings(conn, db).onComplete(ar -> conn.close()))
        .using(vertx)
        .build();
  }

  /**
   * What every connection sets for its session: a transaction left open and idle (its client paused, frozen, or cut
   * off between its statements and its COMMIT) is rolled back and its connection closed by the server after the
   * deadline, so that its row locks (a lease row's, under the fence) do not stop every other process's claims and
   * renews for as long as it is away. Fails quietly on a server without the setting (it only bounds a fault).
   */
  public static Future<SqlConnection> sessionSettings(SqlConnection conn, DbConfig db) {
    long seconds = Math.max(1, (db.deadlineMillis() + 999) / 1000);
    return conn.query("SET SESSION idle_transaction_timeout = " + seconds).execute()
        .otherwise(e -> {
          LOG.warn("idle_transaction_timeout not set on {} ({}): a paused client's open transaction keeps its locks",
              db, e.getMessage());
          return null;
        })
        .map(conn);
  }

  /**
   * The bound of one statement off the hot path (the read model's audit and rebuild): not the hot path's deadline
   * (2 s by default), since a bulk read waits behind a running sale's writes (under W2 an audit read took longer than
   * 2 s: AuditBenchIT); a connection that never answers still fails it, only later. A longer configured deadline wins.
   */
  public static final long OFF_PATH_MILLIS = 30_000;

  /**
   * {@code operation}'s outcome, or a failure once {@code millis} pass without one (SPEC I11: nothing waits for ever on
   * a connection that will never answer). The statement may still run: what it did is known only by reading again.
   */
  public static <T> Future<T> bounded(Future<T> operation, long millis, String what) {
    return operation.timeout(millis, TimeUnit.MILLISECONDS).recover(e -> Future.failedFuture(
        e instanceof TimeoutException
            ? new DeadlineException(what + ": no answer from the database within " + millis + " ms") : e));
  }

  /** MySQL's and MariaDB's "Deadlock found": on Galera also a failed certification. The transaction was rolled back. */
  private static final int ER_LOCK_DEADLOCK = 1213;

  /**
   * {@code statement}'s outcome, sent again (up to 3 times, 100 ms apart) while it is refused with 1213: for single
   * statements in autocommit, which such a refusal rolled back wholly. On Galera two processes writing the same row
   * through different nodes (or one node's DDL, which aborts what holds its tables) get it where one server would
   * have made one wait.
   */
  public static <T> Future<T> retryConflicts(Vertx vertx, Supplier<Future<T>> statement) {
    return retryConflicts(vertx, statement, 3);
  }

  /** Whether {@code failure} is a 1213 (a deadlock, or on Galera a failed certification): rolled back wholly. */
  public static boolean conflict(Throwable failure) {
    return failure instanceof MySQLException sql && sql.getErrorCode() == ER_LOCK_DEADLOCK;
  }

  private static <T> Future<T> retryConflicts(Vertx vertx, Supplier<Future<T>> statement, int retries) {
    return statement.get().recover(e -> {
      if (retries == 0 || !conflict(e)) {
        return Future.failedFuture(e);
      }
      Promise<T> again = Promise.promise();
      vertx.setTimer(100, t -> retryConflicts(vertx, statement, retries - 1).onComplete(again));
      return again.future();
    });
  }

  /** A database operation that got no answer within its deadline: its outcome is unknown. */
  public static final class DeadlineException extends RuntimeException {
    public DeadlineException(String message) {
      super(message, null, false, false);
    }
  }
}
