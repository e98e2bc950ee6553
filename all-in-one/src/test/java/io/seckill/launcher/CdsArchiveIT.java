package io.seckill.launcher;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.ArrayList;

/**
 * The jar's AppCDS archive ({@code target/seckill.jsa}, made at package time by {@link CdsTraining}) is one the JVM
 * maps for README's start, and it holds what a sale runs, not only what a start loads: the grab's decision, the
 * ticket check, the event store, the projection and the query side.
 */
class CdsArchiveIT {
  private static final Path JAR = Path.of("target/seckill.jar").toAbsolutePath();
  private static final Path ARCHIVE = Path.of("target/seckill.jsa").toAbsolutePath();
  private static final String JAVA = Path.of(System.getProperty("java.home"), "bin", "java").toString();

  private static void archiveMade() {
    if (!Files.isRegularFile(ARCHIVE)) {
      String missing = ARCHIVE + " is missing (packaged with -Dseckill.cds.skip=true, or the training run did not start)";
      if ("true".equals(System.getenv("CI"))) {
        throw new IllegalStateException(missing);
      }
      Assumptions.abort(missing);
    }
  }

  /** Runs the JVM on the jar with {@code options}, bounded; its output (standard output and error). */
  private static String java(Path dataDir, List<String> options, String... args) throws IOException,
      InterruptedException {
    List<String> command = new ArrayList<>(List.of(JAVA));
    command.addAll(options);
    command.addAll(List.of("-jar", JAR.toString()));
    command.addAll(List.of(args));
    Path output = Files.createTempFile(Path.of("target"), "cds-it", ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(output.toFile());
    builder.environment().put("SECKILL_DATA_DIR", dataDir.toString());
    Process process = builder.start();
    try {
      if (!process.waitFor(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException(command + " did not finish in 60 s");
      }
    } finally {
      process.destroyForcibly();
    }
    String text = Files.readString(output, StandardCharsets.UTF_8);
    Files.delete(output);
    assertThat(process.exitValue()).as(text).isZero();
    return text;
  }

  @Test
  void readmesStartMapsTheArchive() throws Exception {
    archiveMade();
    Path data = Files.createDirectories(Path.of("target/cds-it"));
    // -Xshare:on: a start that cannot map the archive fails instead of going on without it
    String log = java(data, List.of("-Xshare:on", "-XX:SharedArchiveFile=" + ARCHIVE, "-Xlog:class+load=info"),
        "token", "cds-check");
    assertThat(log).contains("io.seckill.launcher.Launcher source: shared objects file (top)");
  }

  @Test
  void theArchiveHoldsWhatASaleRuns() throws Exception {
    archiveMade();
    String dictionary = java(Files.createDirectories(Path.of("target/cds-it")), List.of("-XX:SharedArchiveFile=" + ARCHIVE,
        "-XX:+PrintSharedArchiveAndExit"));
    assertThat(dictionary).contains(
        "io.seckill.command.domain.GrabDecider ",
        "io.seckill.shared.identity.Tickets ",
        "io.seckill.command.store.EventStore ",
        "io.seckill.event.projection.Projector ",
        "io.seckill.query.QueryVerticle ",
        "io.seckill.admin.AdminVerticle ");
  }
}
