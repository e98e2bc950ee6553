package io.seckill.shared.db;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Versioned SQL migrations, one set per database: {@code db/<set>/index.txt} lists the scripts in order
 * ({@code V1__events.sql}, ...). Applied at start under a lease row ({@code schema_lock}) so that two processes
 * starting at once on the same database do not race; each applied version is recorded in {@code schema_migrations}.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  public static final String WRITE = "write";
  public static final String READ = "read";
  private static final String LOCK_TABLE = "CREATE TABLE IF NOT EXISTS schema_lock (name VARCHAR(16) NOT NULL PRIMARY KEY,"
      + " holder CHAR(36) NULL, lease_until DATETIME(6) NULL) ENGINE=InnoDB";
  private static final String LOCK_ROW = "INSERT IGNORE INTO schema_lock (name) VALUES (?)";
  private static final String TAKE = "UPDATE schema_lock SET holder = ?, lease_until = DATE_ADD(UTC_TIMESTAMP(6),"
      + " INTERVAL 120 SECOND) WHERE name = ? AND (holder IS NULL OR lease_until < UTC_TIMESTAMP(6))";
  private static final String GIVE = "UPDATE schema_lock SET holder = NULL, lease_until = NULL"
      + " WHERE name = ? AND holder = ?";
  /** Longer than the lease: a holder that died mid-way is waited out. */
  private static final Duration LOCK_WAIT = Duration.ofSeconds(180);

  private Migrations() {
  }

  record Script(String version, List<String> statements) {
  }

  public static Future<Void> migrate(Vertx vertx, Pool pool, String set) {
    return vertx.executeBlocking(() -> load(set))
        .compose(scripts -> pool.withConnection(conn -> withLock(vertx, conn, set, () -> apply(conn, set, scripts))));
  }

  /**
   * Runs {@code work} while this process holds the set's row in {@code schema_lock}: a lease (120 s, by the
   * database's clock) taken with one conditional UPDATE and given back after, so that processes starting at once
   * apply each script once. Not {@code GET_LOCK}, which Galera refuses and a database failover forgets; not a row
   * lock held in a transaction either, since every DDL statement commits it. The others try again every 200 ms.
   */
  private static Future<Void> withLock(Vertx vertx, SqlConnection conn, String set, Supplier<Future<Void>> work) {
    String holder = UUID.randomUUID().toString();
    return Databases.retryConflicts(vertx, () -> conn.query(LOCK_TABLE).execute())
        .compose(v -> Databases.retryConflicts(vertx, () -> conn.preparedQuery(LOCK_ROW).execute(Tuple.of(set))))
        .compose(v -> take(vertx, conn, set, holder, System.nanoTime() + LOCK_WAIT.toNanos()))
        .compose(v -> work.get().eventually(() -> Databases.retryConflicts(vertx,
            () -> conn.preparedQuery(GIVE).execute(Tuple.of(set, holder)))));
  }

  private static Future<Void> take(Vertx vertx, SqlConnection conn, String set, String holder, long deadline) {
    return Databases.retryConflicts(vertx, () -> conn.preparedQuery(TAKE).execute(Tuple.of(holder, set)))
        .compose(rows -> {
          if (rows.rowCount() == 1) {
            return Future.succeededFuture();
          }
          if (System.nanoTime() > deadline) {
            return Future.failedFuture("migrations of " + set + " held by another process for over "
                + LOCK_WAIT.toSeconds() + " s (schema_lock)");
          }
          Promise<Void> retry = Promise.promise();
          vertx.setTimer(200, t -> take(vertx, conn, set, holder, deadline).onComplete(retry));
          return retry.future();
        });
  }

  private static Future<Void> apply(SqlConnection conn, String set, List<Script> scripts) {
    return conn.query("CREATE TABLE IF NOT EXISTS schema_migrations ("
            + "version VARCHAR(100) NOT NULL PRIMARY KEY, "
            + "applied_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3))").execute()
        .compose(v -> conn.query("SELECT version FROM schema_migrations").execute())
        .compose(rows -> {
          Set<String> applied = new HashSet<>();
          for (Row row : rows) {
            applied.add(row.getString(0));
          }
          Future<Void> chain = Future.succeededFuture();
          for (Script script : scripts) {
            if (applied.contains(script.version())) {
              continue;
            }
            chain = chain.compose(v -> applyOne(conn, set, script));
          }
          return chain;
        });
  }

  private static Future<Void> applyOne(SqlConnection conn, String set, Script script) {
    Future<Void> chain = Future.succeededFuture();
    for (String statement : script.statements()) {
      chain = chain.compose(v -> conn.query(statement).execute().mapEmpty());
    }
    return chain
        .compose(v -> conn.preparedQuery("INSERT INTO schema_migrations (version) VALUES (?)")
            .execute(Tuple.of(script.version())))
        .onSuccess(v -> LOG.info("applied migration {}/{}", set, script.version()))
        .mapEmpty();
  }

  static List<Script> load(String set) {
    String index = read("db/" + set + "/index.txt");
    List<Script> scripts = new ArrayList<>();
    for (String line : index.split("\n")) {
      String name = line.trim();
      if (name.isEmpty() || name.startsWith("#")) {
        continue;
      }
      String version = name.endsWith(".sql") ? name.substring(0, name.length() - 4) : name;
      scripts.add(new Script(version, statements(read("db/" + set + "/" + name))));
    }
    return scripts;
  }

  /** Splits a script on semicolons that end a line; lines starting with {@code --} are comments. */
  static List<String> statements(String script) {
    List<String> statements = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String line : script.split("\n")) {
      String trimmed = line.trim();
      if (trimmed.startsWith("--") || trimmed.isEmpty()) {
        continue;
      }
      current.append(line).append('\n');
      if (trimmed.endsWith(";")) {
        String statement = current.toString().trim();
        statements.add(statement.substring(0, statement.length() - 1));
        current.setLength(0);
      }
    }
    if (!current.toString().isBlank()) {
      statements.add(current.toString().trim());
    }
    return statements;
  }

  private static String read(String resource) {
    try (InputStream in = Migrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing migration resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
