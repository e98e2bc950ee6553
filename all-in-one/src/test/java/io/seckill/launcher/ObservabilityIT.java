package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import io.vertx.core.http.HttpMethod;

/**
 * {@code docker/observability/} (SPEC §9) against the real thing: Debian's {@code promtool} checks the configuration
 * and the alert rules and runs their unit tests; then a real Prometheus on loopback scrapes a running system (every
 * role in one process) under a short sale (grabs accepted and refused, an audit, a rebuild), evaluating the same
 * alert rules. Every expression of every Grafana dashboard panel must return data, every metric an alert names must
 * have series, every rule must evaluate without error, and no alert may fire on this healthy system. A metric renamed
 * in the code fails here. Needs {@code prometheus} and {@code promtool} (Debian package {@code prometheus}, which
 * {@code .ci/run} installs): skipped without them, except under {@code CI=true}, where it fails.
 */
class ObservabilityIT {
  private static final Path OBSERVABILITY = Path.of("..", "docker", "observability").toAbsolutePath().normalize();
  /** Metric names in an expression (PromQL functions and keywords are not among these prefixes). */
  private static final Pattern METRIC = Pattern.compile("\\b(seckill_[a-z0-9_]+|jvm_[a-z0-9_]+|process_[a-z0-9_]+"
      + "|system_[a-z0-9_]+|up)\\b");
  private final Closer toClose = new Closer();

  @AfterEach
  void stop() throws Exception {
    toClose.close();
  }

  private static Path tool(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path candidate = Path.of(dir, name);
      if (Files.isExecutable(candidate)) {
        return candidate;
      }
    }
    String missing = name + " is not installed (Debian: apt-get install prometheus)";
    if ("true".equals(System.getenv("CI"))) {
      throw new IllegalStateException(missing + "; .ci/run installs it");
    }
    Assumptions.abort(missing);
    return null;
  }

  /** Runs a command in {@code dir}, bounded; its output. */
  private static String run(Path dir, String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    if (!process.waitFor(60, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException(String.join(" ", command) + " did not finish in 60 s");
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as(String.join(" ", command) + ":\n" + output).isZero();
    return output;
  }

  @Test
  void dashboardsAndAlertsHoldAgainstARealPrometheusScrapingTheSystem() throws Exception {
    Path promtool = tool("promtool");
    Path prometheus = tool("prometheus");
    System.out.print(run(OBSERVABILITY, promtool.toString(), "check", "config", "prometheus.yml"));
    System.out.print(run(OBSERVABILITY, promtool.toString(), "check", "rules", "alerts.yml"));
    System.out.print(run(OBSERVABILITY, promtool.toString(), "test", "rules", "alerts.test.yml"));

    Vertx vertx = toClose.vertx();
    RunningSystem system = toClose.add(RunningSystem.start("admin,command,query,event", Map.of()));
    WebClient client = Async.client(vertx, 32);

    // the system's one registry is served on every port: one target, so that every series is there once
    int port = TestInfra.freePort();
    Path work = Files.createDirectories(Path.of("target", "prometheus").toAbsolutePath());
    Path data = work.resolve("data-" + System.nanoTime());
    Path config = work.resolve("prometheus.yml");
    Files.writeString(config, """
        global:
          scrape_interval: 1s
          evaluation_interval: 1s
        rule_files:
          - %s
        scrape_configs:
          - job_name: seckill
            static_configs:
              - targets: ["127.0.0.1:%d"]
        """.formatted(OBSERVABILITY.resolve("alerts.yml"), system.config.adminPort()));
    Process server = new ProcessBuilder(prometheus.toString(), "--config.file=" + config,
        "--storage.tsdb.path=" + data, "--web.listen-address=127.0.0.1:" + port, "--log.level=warn")
        .redirectErrorStream(true).redirectOutput(work.resolve("prometheus.log").toFile()).start();
    toClose.add(() -> {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    });

    // a short sale: 100 coupons, 150 customers, 20 of them twice; an audit and a rebuild of the read model
    String sale = Async.await(system.admin(client, HttpMethod.POST, "/admin/promotions",
            new JsonObject().put("numberOfCoupons", 100).put("discount", 0.5).put("publishTime", Instant.now().toString())
                .put("finishTime", Instant.now().plusSeconds(3600).toString()))
        .map(r -> r.bodyAsJsonObject().getString("promotionId")));
    Async.await(Async.eventually(vertx, Duration.ofSeconds(15), () -> Grabs.grab(client, system.config.commandPort(),
        sale, "obs-0").map(r -> r.statusCode() == 200)));
    List<Future<HttpResponse<Buffer>>> grabs = new ArrayList<>();
    for (int i = 1; i < 150; i++) {
      grabs.add(Grabs.grab(client, system.config.commandPort(), sale, "obs-" + i));
    }
    for (int i = 0; i < 20; i++) {
      grabs.add(Grabs.grab(client, system.config.commandPort(), sale, "obs-" + i));
    }
    Async.await(Future.all(grabs));
    assertThat(grabs.stream().map(g -> g.result().statusCode())).containsOnly(200, 429);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> eventPort(client, system, "/read-model/audit")
        .map(r -> r.statusCode() == 200 && "consistent".equals(r.bodyAsJsonObject().getString("verdict")))));
    HttpResponse<Buffer> rebuild = Async.await(client.post(system.config.eventPort(), "127.0.0.1", "/read-model/rebuilds")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).sendJsonObject(new JsonObject()));
    assertThat(rebuild.statusCode()).as(rebuild.bodyAsString()).isEqualTo(202);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(60), () -> eventPort(client, system,
        rebuild.getHeader("Location")).map(r -> "swapped".equals(r.bodyAsJsonObject().getString("state")))));

    // Prometheus up, and scraping long enough for [1m] rates (two samples) and for the rules' evaluations
    Async.await(Async.eventually(vertx, Duration.ofSeconds(60), () -> client.get(port, "127.0.0.1", "/-/ready").send()
        .map(r -> r.statusCode() == 200).otherwise(false)));
    Async.await(Async.eventually(vertx, Duration.ofSeconds(60), () -> query(client, port,
        "count_over_time(up{job=\"seckill\"}[1m])").map(result -> !result.isEmpty()
        && Double.parseDouble(result.getJsonObject(0).getJsonArray("value").getString(1)) >= 12)));

    List<String> failures = new ArrayList<>();
    int panels = 0;
    for (String file : List.of("sale-overview.json", "cluster.json", "jvm.json")) {
      JsonObject dashboard = new JsonObject(Files.readString(OBSERVABILITY.resolve("grafana/dashboards/" + file)));
      for (Object p : dashboard.getJsonArray("panels")) {
        JsonObject panel = (JsonObject) p;
        for (Object t : panel.getJsonArray("targets")) {
          String expr = ((JsonObject) t).getString("expr");
          panels++;
          JsonArray result = Async.await(query(client, port, expr));
          if (result.isEmpty()) {
            failures.add(file + " \"" + panel.getString("title") + "\": no data from " + expr);
          }
        }
      }
    }
    JsonArray groups = Async.await(api(client, port, "/api/v1/rules")).getJsonArray("groups");
    Set<String> metrics = new TreeSet<>();
    int rules = 0;
    for (Object g : groups) {
      for (Object r : ((JsonObject) g).getJsonArray("rules")) {
        JsonObject rule = (JsonObject) r;
        rules++;
        if (!"ok".equals(rule.getString("health"))) {
          failures.add("rule " + rule.getString("name") + " evaluates with an error: " + rule.getString("lastError"));
        }
        if ("firing".equals(rule.getString("state"))) {
          failures.add("alert " + rule.getString("name") + " fires on a healthy system: " + rule.getJsonArray("alerts"));
        }
        Matcher names = METRIC.matcher(rule.getString("query"));
        while (names.find()) {
          metrics.add(names.group(1));
        }
      }
    }
    for (String metric : metrics) {
      if (Async.await(query(client, port, "count({__name__=\"" + metric + "\"})")).isEmpty()) {
        failures.add("an alert names " + metric + ", which the system does not export");
      }
    }
    System.out.printf("ObservabilityIT: %d panel expressions, %d rules naming %d metrics %s checked against"
        + " Prometheus%n", panels, rules, metrics.size(), metrics);
    assertThat(rules).as("rules Prometheus loaded").isEqualTo(8);
    assertThat(failures).as("dashboards and alerts against the running system").isEmpty();
  }

  private static Future<HttpResponse<Buffer>> eventPort(WebClient client, RunningSystem system, String path) {
    return client.get(system.config.eventPort(), "127.0.0.1", path).bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .send();
  }

  private static Future<JsonObject> api(WebClient client, int port, String path) {
    return client.get(port, "127.0.0.1", path).send().map(r -> {
      JsonObject body = r.bodyAsJsonObject();
      if (r.statusCode() != 200 || !"success".equals(body.getString("status"))) {
        throw new IllegalStateException(path + ": " + r.statusCode() + " " + r.bodyAsString());
      }
      return body.getJsonObject("data");
    });
  }

  /** An instant query's result vector (or scalar, as one element). */
  private static Future<JsonArray> query(WebClient client, int port, String expr) {
    return client.get(port, "127.0.0.1", "/api/v1/query").addQueryParam("query", expr).send().map(r -> {
      JsonObject body = r.bodyAsJsonObject();
      if (r.statusCode() != 200 || !"success".equals(body.getString("status"))) {
        throw new IllegalStateException(expr + ": " + r.statusCode() + " " + r.bodyAsString());
      }
      Object result = body.getJsonObject("data").getValue("result");
      return result instanceof JsonArray vector ? vector : new JsonArray().add(new JsonObject().put("value", result));
    });
  }
}
