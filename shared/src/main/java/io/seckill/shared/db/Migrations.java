package io.seckill.shared.db;

import io.vertx.core.Future;
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
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Versioned SQL migrations, one set per database: {@code db/<set>/index.txt} lists the scripts in order
 * ({@code V1__events.sql}, ...). Applied at start under a named lock so that two processes starting at once on
 * the same database do not race; each applied version is recorded in {@code schema_migrations}.
 */
public final class Migrations {
  private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

  public static final String WRITE = "write";
  public static final String READ = "read";

  private Migrations() {
  }

  record Script(String version, List<String> statements) {
  }

  public static Future<Void> migrate(Vertx vertx, Pool pool, String set) {
    return vertx.executeBlocking(() -> load(set))
        .compose(scripts -> pool.withConnection(conn -> withLock(conn, set, () -> apply(conn, set, scripts))));
  }

  private static Future<Void> withLock(SqlConnection conn, String set, java.util.function.Supplier<Future<Void>> work) {
    String lock = "seckill_migrations_" + set;
    return conn.preparedQuery("SELECT GET_LOCK(?, 60)").execute(Tuple.of(lock))
        .compose(rows -> {
          Integer got = rows.iterator().next().getInteger(0);
          if (got == null || got != 1) {
            return Future.failedFuture("could not take migration lock " + lock);
          }
          return work.get().eventually(() -> conn.preparedQuery("SELECT RELEASE_LOCK(?)").execute(Tuple.of(lock)));
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
