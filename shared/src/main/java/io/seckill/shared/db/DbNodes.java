package io.seckill.shared.db;

import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.DbNode;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.sqlclient.Row;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which node of a database of several (a Galera cluster, SPEC §10) this process uses now: one for all its pools and
 * connections of that database, so that its writes go through one node at a time (Galera's advice for hot rows).
 * It starts on the first node that is usable, in the order configured, and stays on a node while it is usable (a
 * node that comes back does not take the writes back: every switch costs the statements in flight); when it is not,
 * it moves to the next usable one in that order, so the processes of a deployment move the same way.
 *
 * <p>A node is usable when it answers within the deadline and, if it is a Galera node, is synced with a primary
 * component ({@code wsrep_ready} ON, {@code wsrep_local_state} 4): a node cut off from the others answers, but
 * refuses every statement, and a joiner or donor is not up to date. The node in use is checked every second and
 * at once when a connection to it fails ({@link #suspect}). One per Vert.x instance and database (a local map),
 * released by its last user.
 */
public final class DbNodes implements Shareable {
  private static final Logger LOG = LoggerFactory.getLogger(DbNodes.class);
  private static final long CHECK_MILLIS = 1000;
  private static final String STATUS = "SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_ready', 'wsrep_local_state')";

  private final Vertx vertx;
  private final DbConfig db;
  private final String key;
  private final List<DbNode> nodes;
  private final long timer;
  private volatile int current;
  private boolean checking;
  private int users;

  private DbNodes(Vertx vertx, DbConfig db, String key) {
    this.vertx = vertx;
    this.db = db;
    this.key = key;
    this.nodes = db.nodes();
    this.current = 0;
    this.timer = vertx.setPeriodic(CHECK_MILLIS, CHECK_MILLIS, t -> check());
  }

  /** The one for {@code db} in this Vert.x instance; {@link #release} it when done. */
  public static DbNodes of(Vertx vertx, DbConfig db) {
    LocalMap<String, DbNodes> all = vertx.sharedData().getLocalMap("seckill.db-nodes");
    String key = db.user() + "@" + db.nodes() + "/" + db.database();
    synchronized (DbNodes.class) {
      DbNodes nodes = all.get(key);
      if (nodes == null) {
        nodes = new DbNodes(vertx, db, key);
        all.put(key, nodes);
        nodes.check();
      }
      nodes.users++;
      return nodes;
    }
  }

  public void release() {
    synchronized (DbNodes.class) {
      if (--users == 0) {
        vertx.sharedData().<String, DbNodes>getLocalMap("seckill.db-nodes").remove(key);
        vertx.cancelTimer(timer);
      }
    }
  }

  /** The index of the node in use. */
  public int current() {
    return current;
  }

  public DbNode node(int index) {
    return nodes.get(index);
  }

  /** A connection to {@code node} failed or was lost: check it now if it is the one in use. */
  public void suspect(int node) {
    if (node == current) {
      check();
    }
  }

  /** The node in use is checked; if it is not usable, the next usable one in the order configured is taken. */
  private void check() {
    synchronized (this) {
      if (checking) {
        return;
      }
      checking = true;
    }
    int from = current;
    probe(from).compose(ok -> ok == null ? Future.succeededFuture(from) : next(from, 1, Map.of(from, ok)))
        .onComplete(ar -> {
          synchronized (this) {
            checking = false;
          }
        });
  }

  /** Tries the nodes after {@code from}, in order, wrapping around; stays on {@code from} when none is usable. */
  private Future<Integer> next(int from, int step, Map<Integer, String> why) {
    if (step == nodes.size()) {
      LOG.warn("{}: no node usable ({}); staying on {}", db.database(), why, nodes.get(from));
      return Future.succeededFuture(from);
    }
    int candidate = (from + step) % nodes.size();
    return probe(candidate).compose(failure -> {
      if (failure == null) {
        current = candidate;
        LOG.warn("{}: now through node {} ({} is not usable: {})", db.database(), nodes.get(candidate),
            nodes.get(from), why.get(from));
        return Future.succeededFuture(candidate);
      }
      Map<Integer, String> more = new HashMap<>(why);
      more.put(candidate, failure);
      return next(from, step + 1, more);
    });
  }

  /** Null when the node is usable, else why not. */
  private Future<String> probe(int index) {
    DbNode node = nodes.get(index);
    Future<String> verdict = MySQLConnection.connect(vertx, Databases.connectOptions(db, node))
        .compose(conn -> conn.query(STATUS).execute()
            .map(rows -> {
              Map<String, String> status = new HashMap<>();
              for (Row row : rows) {
                status.put(row.getString(0).toLowerCase(), row.getString(1));
              }
              return usable(status);
            })
            .eventually(conn::close));
    return Databases.bounded(verdict, db.deadlineMillis(), "node " + node).otherwise(Throwable::getMessage);
  }

  /** Null when a node with this status is usable (a server without Galera has none of it), else why not. */
  static String usable(Map<String, String> status) {
    String ready = status.get("wsrep_ready");
    String state = status.get("wsrep_local_state");
    if (ready != null && !"ON".equalsIgnoreCase(ready)) {
      return "not in a primary component (wsrep_ready " + ready + ")";
    }
    if (state != null && !"4".equals(state)) {
      return "not synced (wsrep_local_state " + state + ")";
    }
    return null;
  }
}
