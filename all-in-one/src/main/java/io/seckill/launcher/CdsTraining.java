package io.seckill.launcher;

import io.seckill.embedded.EmbeddedMariaDb;
import io.seckill.shared.config.Env;
import io.seckill.shared.identity.DevIssuer;
import io.seckill.shared.identity.IdentityConfig;
import io.seckill.shared.identity.SecurityConfig;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.function.Predicate;

/**
 * {@code java -XX:ArchiveClassesAtExit=seckill.jsa -jar seckill.jar cds-training DIR}: the training run of the jar's
 * AppCDS archive, made at package time (all-in-one's pom). It starts every role on embedded defaults with its data in
 * {@code DIR} (made afresh) and ports of its own, does what a sale does (an admin creates a promotion, a customer
 * takes a ticket, grabs, reads their coupons and the active list), stops everything and exits: the JVM then writes
 * the classes it loaded into the archive, and a start with {@code -XX:SharedArchiveFile} maps them instead of loading
 * and verifying them one by one (README's start; BENCHMARKS.md has what it saves). The exit code is 0 when every step
 * answered as it should; 3, with one line saying why, when the training could not be done here (a checkout under the
 * temp dir, a MariaDB that cannot run, a step that did not answer): the build goes on, the archive then holds the
 * classes loaded until then, and the jar starts as well without it. {@code CdsArchiveIT} checks, in {@code mvn
 * verify}, that the archive holds what a sale runs.
 */
final class CdsTraining {
  private static final Duration STEP = Duration.ofSeconds(60);

  private CdsTraining() {
  }

  static int run(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: java -XX:ArchiveClassesAtExit=FILE -jar seckill.jar cds-training DIR");
      return 2;
    }
    Launcher launcher = new Launcher();
    try {
      Path dir = Path.of(args[0]).toAbsolutePath().normalize();
      clear(dir);
      Map<String, String> vars = new HashMap<>();
      System.getenv().forEach((name, value) -> {
        if (!name.startsWith("SECKILL_")) { // the training is the embedded default, whatever the shell has set
          vars.put(name, value);
        }
      });
      vars.put("SECKILL_DATA_DIR", dir.toString());
      for (String port : new String[] {"ADMIN", "COMMAND", "QUERY", "EVENT", "BROKER", "EMBEDDED_DB"}) {
        vars.put("SECKILL_" + port + "_PORT", Integer.toString(freePort()));
      }
      Env env = new Env(vars);
      launcher.start(env);
      serve(env, dir);
      System.out.println("cds-training: served a promotion, a ticket, a grab and the queries");
      return 0;
    } catch (Exception e) {
      System.err.println("cds-training: not done (" + e.getMessage() + "); the jar starts without the archive's gain");
      return 3;
    } finally {
      // mariadbd reports the pools' connections closed under it at the stop: nothing to tell a build about
      ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("ch.vorburger"))
          .setLevel(ch.qos.logback.classic.Level.OFF);
      launcher.stop();
    }
  }

  private static void serve(Env env, Path dir) throws Exception {
    IdentityConfig identity = SecurityConfig.from(env, dir, false).identity();
    DevIssuer issuer = DevIssuer.loadOrCreate(dir.resolve("identity"));
    long now = Instant.now().getEpochSecond();
    String admin = issuer.mint("cds-admin", true, 600, identity, now);
    String customer = issuer.mint("cds-customer", false, 600, identity, now);
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    String adminUrl = "http://127.0.0.1:" + env.string("SECKILL_ADMIN_PORT", "");
    String commandUrl = "http://127.0.0.1:" + env.string("SECKILL_COMMAND_PORT", "");
    String queryUrl = "http://127.0.0.1:" + env.string("SECKILL_QUERY_PORT", "");

    Instant start = Instant.now().minusSeconds(1);
    JsonObject created = new JsonObject(expect(http, post(adminUrl + "/admin/promotions", admin, new JsonObject()
        .put("numberOfCoupons", 10).put("discount", 0.5).put("publishTime", start.toString())
        .put("finishTime", start.plusSeconds(3600).toString())), 201));
    String promotion = created.getString("promotionId");
    JsonObject body = new JsonObject().put("promotionId", promotion);
    String ticket = new JsonObject(until(http, post(commandUrl + "/command/tickets", customer, body), 201))
        .getString("ticket");
    until(http, post(commandUrl + "/command/coupons", ticket, body), 200);
    until(http, get(queryUrl + "/query/coupons/cds-customer", customer), 200, answer -> answer.contains(promotion));
    expect(http, get(queryUrl + "/query/promotions", null), 200);
  }

  private static HttpRequest post(String url, String token, JsonObject body) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10))
        .header("Authorization", "Bearer " + token).POST(HttpRequest.BodyPublishers.ofString(body.encode())).build();
  }

  private static HttpRequest get(String url, String token) {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10)).GET();
    return (token == null ? request : request.header("Authorization", "Bearer " + token)).build();
  }

  private static String expect(HttpClient http, HttpRequest request, int status) throws Exception {
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != status) {
      throw new IllegalStateException(request.method() + " " + request.uri().getPath() + " answered "
          + response.statusCode() + " " + response.body() + ", not " + status);
    }
    return response.body();
  }

  private static String until(HttpClient http, HttpRequest request, int status) throws Exception {
    return until(http, request, status, answer -> true);
  }

  /** The request again until it gets {@code status} and an answer {@code wanted} (the promotion starts, ReadDB catches up). */
  private static String until(HttpClient http, HttpRequest request, int status,
                              Predicate<String> wanted) throws Exception {
    long deadline = System.nanoTime() + STEP.toNanos();
    while (true) {
      HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() == status && wanted.test(response.body())) {
        return response.body();
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(request.method() + " " + request.uri().getPath() + " still answered "
            + response.statusCode() + " " + response.body() + " after " + STEP.toSeconds() + " s");
      }
      Thread.sleep(50); // the main thread, not an event loop: the system is moving on in its own threads
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static void clear(Path dir) throws IOException {
    // an interrupted training left its MariaDB running on the data about to go
    EmbeddedMariaDb.killLeftOver(dir.resolve("mariadb"));
    if (Files.exists(dir)) {
      try (Stream<Path> paths = Files.walk(dir)) {
        for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(path);
        }
      }
    }
    Files.createDirectories(dir);
  }
}
