package io.seckill.command.store;

import io.seckill.shared.config.DbConfig;
import io.seckill.shared.db.Databases;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes this process the one command writer of its WriteDB: a named lock ({@code GET_LOCK}) held by a dedicated
 * connection for the life of the process. Decisions are made in memory from this process's state, so a second
 * command process on the same WriteDB would decide against stale state; it is refused at start instead. The
 * server frees the lock when the holder's connection ends (a process killed with -9 included), so a restart
 * waits for it at most {@code waitSeconds}. If the connection is lost, the lock is taken again as soon as
 * possible; until then {@link #held()} is false and the service refuses grabs.
 */
public final class WriterLock {
  private static final Logger LOG = LoggerFactory.getLogger(WriterLock.class);
  private static final long RETRY_MILLIS = 1000;

  private final Vertx vertx;
  private final DbConfig db;
  private final String name;
  private volatile boolean held;
  private SqlConnection connection;
  private boolean closed;
  private boolean retakeWarned;

  public WriterLock(Vertx vertx, DbConfig db) {
    this.vertx = vertx;
    this.db = db;
    // lock names are server-wide (at most 64 characters): one per database
    String full = "seckill_command_writer_" + db.database();
    this.name = full.length() <= 64 ? full : full.substring(0, 55) + Integer.toHexString(full.hashCode());
  }

  /** Takes the lock, waiting at most {@code waitSeconds} for a previous holder; fails if another process keeps it. */
  public Future<Void> acquire(int waitSeconds) {
    return MySQLConnection.connect(vertx, Databases.connectOptions(db)).compose(conn ->
        conn.preparedQuery("SELECT GET_LOCK(?, ?)").execute(Tuple.of(name, waitSeconds)).compose(rows -> {
          Integer got = rows.iterator().next().getInteger(0);
          if (got == null || got != 1) {
            return conn.close().transform(x -> Future.failedFuture(new IllegalStateException(
                "another command process is the writer of WriteDB " + db.database() + " (lock " + name
                    + " still held after " + waitSeconds + " s); run exactly one command process per WriteDB")));
          }
          connection = conn;
          held = true;
          conn.closeHandler(v -> lost(conn));
          LOG.info("this process is the command writer of {}", db.database());
          return Future.<Void>succeededFuture();
        }, err -> conn.close().transform(x -> Future.<Void>failedFuture(err))));
  }

  public boolean held() {
    return held;
  }

  private void lost(SqlConnection conn) {
    if (closed || conn != connection) {
      return;
    }
    held = false;
    connection = null;
    LOG.error("lost the writer lock of {} with its connection; refusing grabs until it is taken again", db.database());
    retake();
  }

  private void retake() {
    if (closed) {
      return;
    }
    acquire(0).onSuccess(v -> retakeWarned = false).onFailure(err -> {
      if (!retakeWarned) {
        LOG.warn("writer lock of {} not taken again: {}; retrying every {} ms", db.database(), err.getMessage(),
            RETRY_MILLIS);
        retakeWarned = true;
      }
      vertx.setTimer(RETRY_MILLIS, t -> retake());
    });
  }

  /** Releases the lock (closing its connection frees it). */
  public Future<Void> close() {
    closed = true;
    held = false;
    SqlConnection conn = connection;
    connection = null;
    return conn == null ? Future.succeededFuture() : conn.close();
  }
}
