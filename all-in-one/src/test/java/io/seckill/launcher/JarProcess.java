package io.seckill.launcher;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.ext.web.client.WebClient;
import io.seckill.shared.testing.Async;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.ArrayList;
import java.nio.file.Files;

/** {@code java -jar seckill.jar} in a JVM of its own, with the roles and settings given by environment. */
final class JarProcess implements AutoCloseable {
  private final Process process;
  private final String name;

  private JarProcess(Process process, String name) {
    this.process = process;
    this.name = name;
  }

  /** The all-in-one jar (README's start command). */
  static JarProcess start(String name, Map<String, String> env) throws IOException {
    return start(name, env, System.getProperty("seckill.jar", "target/seckill.jar"));
  }

  /** seckill-slim.jar, the image's jar: no embedded MariaDB. */
  static JarProcess startSlim(String name, Map<String, String> env) throws IOException {
    return start(name, env, System.getProperty("seckill.slim.jar", "target/seckill-slim.jar"));
  }

  /** The all-in-one jar under an open-files limit of {@code openFiles} (soft and hard), as {@code ulimit -n} sets it. */
  static JarProcess startWithOpenFiles(String name, Map<String, String> env, int openFiles) throws IOException {
    String jar = System.getProperty("seckill.jar", "target/seckill.jar");
    if (!new File(jar).isFile()) {
      throw new IllegalStateException(jar + " is missing: integration tests run after mvn package");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$0\""
        + " -Xmx512m -jar \"$1\"", java, jar));
    builder.environment().putAll(env);
    File log = new File("target", "it-" + name + ".log");
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    return new JarProcess(builder.start(), name);
  }

  private static JarProcess start(String name, Map<String, String> env, String jar) throws IOException {
    if (!new File(jar).isFile()) {
      throw new IllegalStateException(jar + " is missing: integration tests run after mvn package");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> command = new ArrayList<>(List.of(java, "-Xmx512m"));
    // as README starts the jar: on the AppCDS archive mvn package made beside it (a JVM's start to its first answer
    // is what the fault tests' bounds after a restart measure); a stale archive is only warned about and not used
    File archive = new File(new File(jar).getParentFile(), "seckill.jsa");
    if (archive.isFile() && new File(jar).getName().equals("seckill.jar")) {
      command.add("-XX:SharedArchiveFile=" + archive.getPath());
    }
    command.addAll(List.of("-jar", jar));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().putAll(env);
    File log = new File("target", "it-" + name + ".log");
    builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
    return new JarProcess(builder.start(), name);
  }

  /** Succeeds once {@code /health} on {@code port} answers 200; fails if the process dies or 90 s pass. */
  Future<Void> healthy(Vertx vertx, WebClient client, int port) {
    return Async.eventually(vertx, Duration.ofSeconds(90), () -> {
      if (!process.isAlive()) {
        return Future.failedFuture(new Async.GiveUp(name + " exited with " + process.exitValue()
            + " (see target/it-" + name + ".log)"));
      }
      return client.get(port, "127.0.0.1", "/health").send().map(r -> r.statusCode() == 200).otherwise(false);
    });
  }

  /**
   * Succeeds once {@code /health} on {@code port} answers at all (200, or 503 while a dependency is down): the
   * process serves; fails if the process dies or 90 s pass.
   */
  Future<Void> healthyOrDegraded(Vertx vertx, WebClient client, int port) {
    return Async.eventually(vertx, Duration.ofSeconds(90), () -> {
      if (!process.isAlive()) {
        return Future.failedFuture(new Async.GiveUp(name + " exited with " + process.exitValue()
            + " (see target/it-" + name + ".log)"));
      }
      return client.get(port, "127.0.0.1", "/health").send().map(r -> r.statusCode() == 200 || r.statusCode() == 503)
          .otherwise(false);
    });
  }

  /** Succeeds once something accepts TCP connections on {@code port} (a broker-only process has no HTTP). */
  Future<Void> listening(Vertx vertx, int port) {
    var net = vertx.createNetClient();
    return Async.eventually(vertx, Duration.ofSeconds(90), () -> {
      if (!process.isAlive()) {
        return Future.failedFuture(new Async.GiveUp(name + " exited with " + process.exitValue()
            + " (see target/it-" + name + ".log)"));
      }
      return net.connect(port, "127.0.0.1").compose(socket -> socket.close().map(true)).otherwise(false);
    });
  }

  /** The exit code, once the process ends by itself within {@code bound}. */
  int exitWithin(Duration bound) throws InterruptedException {
    if (!process.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new IllegalStateException(name + " still runs after " + bound);
    }
    return process.exitValue();
  }

  /** Sends a signal by name (STOP, CONT) to the JVM. */
  void signal(String signal) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + signal + " of " + name + " failed");
    }
  }

  /** What the process has logged so far. */
  String log() throws IOException {
    return Files.readString(Path.of("target", "it-" + name + ".log"));
  }

  /** The JVM's resident set size (VmRSS), in MB. */
  long residentMegabytes() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(process.pid()), "status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }

  /** Whether the JVM still runs. */
  boolean alive() {
    return process.isAlive();
  }

  /** kill -9. */
  void kill() {
    process.destroyForcibly();
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    kill();
  }
}
