package io.seckill.command.store;

import io.seckill.shared.config.DbConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.DbNodes;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnectOptions;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.SqlConnection;

import java.util.function.Function;

/**
 * The group commit's own connection to WriteDB, with pipelining: an append sends BEGIN, its fences and its INSERTs
 * back to back and waits once, then COMMIT (or ROLLBACK), so the fence costs one round trip, not three. Not from
 * the pool: a pooled pipelined connection may be lent to other queries meanwhile, which would run inside the
 * append's transaction. Used by one append at a time (the committer's); connected on first use and again after it
 * is lost.
 *
 * <p>No write waits on a connection that will never answer (SPEC I11): {@link #run} fails with
 * {@link OutcomeUnknownException} as soon as the connection closes under it (a database killed mid-write leaves some
 * pipelined commands' futures unanswered), or when {@code deadlineMillis} pass without an answer (a database that
 * hangs, a connect into a black hole); the connection is then dropped, and the next write connects anew.
 */
public final class WriterConnection {
  /** Commands one append sends before waiting: BEGIN, a few fences, the INSERTs of a batch. */
  private static final int PIPELINING_LIMIT = 16;

  private final Vertx vertx;
  private final long deadlineMillis;
  private final DbConfig db;
  /** The node in use when WriteDB has several (Galera), else null. */
  private final DbNodes nodes;
  private Link link;

  /** One connection (or an attempt at one) to one node, and the write in flight on it, told when it closes. */
  private static final class Link {
    final Future<SqlConnection> connection;
    final int node;
    Runnable onLost;

    Link(Future<SqlConnection> connection, int node) {
      this.connection = connection;
      this.node = node;
    }
  }

  public WriterConnection(Vertx vertx, DbConfig db) {
    this.vertx = vertx;
    this.db = db;
    this.deadlineMillis = db.deadlineMillis();
    this.nodes = db.nodes().size() > 1 ? DbNodes.of(vertx, db) : null;
  }

  /** How long a write may go without an answer. */
  public long deadlineMillis() {
    return deadlineMillis;
  }

  /** The connection, connecting if there is none (a failed connect is tried again at the next call). */
  private Link current() {
    int node = nodes == null ? 0 : nodes.current();
    if (link != null && link.node != node) {
      drop(link); // the process moved to another node: its writes go there too
    }
    if (link == null || link.connection.failed()) {
      MySQLConnectOptions options = new MySQLConnectOptions(Databases.connectOptions(db, db.nodes().get(node)))
          .setPipeliningLimit(PIPELINING_LIMIT);
      Link made = new Link(MySQLConnection.connect(vertx, options)
          .compose(conn -> Databases.sessionSettings(conn, db)), node);
      made.connection.onFailure(e -> suspect(made));
      link = made;
      made.connection.onSuccess(conn -> conn.closeHandler(v -> {
        if (link == made) {
          link = null;
        }
        suspect(made);
        Runnable lost = made.onLost;
        if (lost != null) {
          lost.run();
        }
      }));
    }
    return link;
  }

  /**
   * Runs {@code work} on the connection: its result, or {@link OutcomeUnknownException} when the connection closes
   * first or the deadline passes (the connection is dropped then). One at a time, from the committer's context.
   */
  public <T> Future<T> run(Function<SqlConnection, Future<T>> work) {
    Promise<T> result = Promise.promise();
    Link used = current();
    Runnable lost = () -> result.tryFail(new OutcomeUnknownException(
        "the connection to WriteDB was lost during the write: outcome unknown"));
    used.onLost = lost;
    long timer = vertx.setTimer(deadlineMillis, t -> {
      if (result.tryFail(new OutcomeUnknownException("WriteDB did not answer within " + deadlineMillis
          + " ms (SECKILL_DB_DEADLINE_MS): outcome unknown"))) {
        drop(used);
      }
    });
    used.connection.compose(work).onComplete(ar -> {
      vertx.cancelTimer(timer);
      if (ar.succeeded()) {
        result.tryComplete(ar.result());
      } else {
        suspect(used); // a refused statement too: a Galera node cut off from the others answers, and refuses all
        result.tryFail(ar.cause());
      }
    });
    return result.future().onComplete(ar -> {
      if (used.onLost == lost) {
        used.onLost = null;
      }
    });
  }

  /** Has the node of a failed connection or write checked now (with several nodes). */
  private void suspect(Link failed) {
    if (nodes != null) {
      nodes.suspect(failed.node);
    }
  }

  /** Forgets a connection that did not answer (closing it, whatever state it is in). */
  private void drop(Link dropped) {
    if (link == dropped) {
      link = null;
    }
    dropped.connection.onSuccess(SqlConnection::close);
  }

  public Future<Void> close() {
    if (nodes != null) {
      nodes.release();
    }
    Link current = link;
    link = null;
    return current == null ? Future.succeededFuture()
        : current.connection.compose(SqlConnection::close).otherwiseEmpty();
  }
}
