package io.seckill.shared.db;

import io.seckill.shared.config.DbConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PrepareOptions;
import io.vertx.sqlclient.PreparedQuery;
import io.vertx.sqlclient.Query;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.TransactionPropagation;

import java.util.function.Function;

/**
 * A pool over a database of several nodes: every statement goes to a pool of the node {@link DbNodes} says is in
 * use; when that changes, the next statement goes to a pool of the new node, and the old pool is closed once what
 * was sent through it has had its deadline.
 */
final class FailoverPool implements Pool {
  private final Vertx vertx;
  private final DbConfig db;
  private final String owner;
  private final DbNodes nodes;
  private int index = -1;
  private Pool pool;

  FailoverPool(Vertx vertx, DbConfig db, String owner) {
    this.vertx = vertx;
    this.db = db;
    this.owner = owner;
    this.nodes = DbNodes.of(vertx, db);
  }

  private synchronized Pool delegate() {
    int now = nodes.current();
    if (now != index) {
      Pool old = pool;
      pool = Databases.nodePool(vertx, db.at(nodes.node(now)), owner);
      index = now;
      if (old != null) {
        vertx.setTimer(2L * db.deadlineMillis(), t -> old.close());
      }
    }
    return pool;
  }

  @Override
  public Future<SqlConnection> getConnection() {
    Pool used = delegate();
    int node = index;
    return used.getConnection().onFailure(e -> nodes.suspect(node));
  }

  @Override
  public Query<RowSet<Row>> query(String sql) {
    return delegate().query(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql) {
    return delegate().preparedQuery(sql);
  }

  @Override
  public PreparedQuery<RowSet<Row>> preparedQuery(String sql, PrepareOptions options) {
    return delegate().preparedQuery(sql, options);
  }

  @Override
  public <T> Future<T> withTransaction(Function<SqlConnection, Future<T>> function) {
    return delegate().withTransaction(function);
  }

  @Override
  public <T> Future<T> withTransaction(TransactionPropagation propagation,
                                       Function<SqlConnection, Future<T>> function) {
    return delegate().withTransaction(propagation, function);
  }

  @Override
  public <T> Future<T> withConnection(Function<SqlConnection, Future<T>> function) {
    return delegate().withConnection(function);
  }

  @Override
  public synchronized int size() {
    return pool == null ? 0 : pool.size();
  }

  @Override
  public synchronized Future<Void> close() {
    nodes.release();
    Pool last = pool;
    pool = null;
    index = -1;
    return last == null ? Future.succeededFuture() : last.close();
  }
}
