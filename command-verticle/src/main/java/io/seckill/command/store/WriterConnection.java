package io.seckill.command.store;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.SqlConnection;

/**
 * The group commit's own connection to WriteDB, with pipelining: an append sends BEGIN, its fences and its INSERTs
 * back to back and waits once, then COMMIT (or ROLLBACK), so the fence costs one round trip, not three. Not from
 * the pool: a pooled pipelined connection may be lent to other queries meanwhile, which would run inside the
 * append's transaction. Used by one append at a time (the committer's); connected on first use and again after it
 * is lost.
 */
public final class WriterConnection {
  /** Commands one append sends before waiting: BEGIN, a few fences, the INSERTs of a batch. */
  private static final int PIPELINING_LIMIT = 16;

  private final Vertx vertx;
  private final MySQLConnectOptions options;
  private Future<SqlConnection> connection;

  public WriterConnection(Vertx vertx, MySQLConnectOptions options) {
    this.vertx = vertx;
    this.options = new MySQLConnectOptions(options).setPipeliningLimit(PIPELINING_LIMIT);
  }

  /** The connection, connecting if there is none (a failed connect is tried again at the next call). */
  public Future<SqlConnection> get() {
    if (connection == null || connection.failed()) {
      Future<SqlConnection> connecting = MySQLConnection.connect(vertx, options).map(conn -> (SqlConnection) conn);
      connection = connecting;
      connecting.onSuccess(conn -> conn.closeHandler(v -> {
        if (connection == connecting) {
          connection = null;
        }
      }));
    }
    return connection;
  }

  public Future<Void> close() {
    Future<SqlConnection> current = connection;
    connection = null;
    return current == null ? Future.succeededFuture() : current.compose(SqlConnection::close).otherwiseEmpty();
  }
}
