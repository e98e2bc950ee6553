package io.seckill.launcher;

import io.seckill.shared.config.Env;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.UUID;
import java.util.HashMap;

/**
 * The read model's audit (SPEC §8, I12) over the launcher's roles, as an operator uses it: {@code GET
 * /read-model/audit[/{id}]} on the event service (admin only) and {@code java -jar seckill.jar audit} (exit codes).
 * A consistent system, the event role stopped under grabs (lagging, with the right positions), and each kind of
 * damage done to ReadDB by hand (a coupon deleted, a coupon's sequence changed, a coupon nobody grabbed, a promotion's
 * rows dropped), each reported as diverged naming the customers.
 */
@ExtendWith(VertxExtension.class)
class ReadModelAuditTest {
  private final List<AutoCloseable> toClose = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  private record Cli(int exit, JsonObject report, String err) {
  }

  private static Cli cli(RunningSystem system, Clock clock, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = AuditCommand.run(args, new Env(system.env), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), clock);
    String text = out.toString(StandardCharsets.UTF_8).trim();
    return new Cli(exit, text.isEmpty() ? null : new JsonObject(text), err.toString(StandardCharsets.UTF_8));
  }

  private static JsonObject only(JsonObject report) {
    assertThat(report.getJsonArray("promotions")).hasSize(1);
    return report.getJsonArray("promotions").getJsonObject(0);
  }

  private static Future<HttpResponse<Buffer>> audit(WebClient client, RunningSystem system, String path, String token) {
    var request = client.get(system.config.eventPort(), "127.0.0.1", "/read-model/audit" + path);
    return token == null ? request.send() : request.bearerTokenAuthentication(token).send();
  }

  /** A started promotion of {@code coupons} with a grab by each of {@code customers}; its id. */
  private static String sale(Vertx vertx, WebClient client, RunningSystem front, int coupons, String... customers) {
    Instant now = Instant.now();
    HttpResponse<Buffer> created = Async.await(front.admin(client, HttpMethod.POST, "/admin/promotions",
        new JsonObject().put("numberOfCoupons", coupons).put("discount", 0.5).put("publishTime", now.toString())
            .put("finishTime", now.plusSeconds(3600).toString())));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    String id = created.bodyAsJsonObject().getString("promotionId");
    Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> Grabs.grab(client, front.config.commandPort(),
        id, customers[0]).map(r -> r.statusCode() == 200)));
    for (int i = 1; i < customers.length; i++) {
      assertThat(Async.await(Grabs.grab(client, front.config.commandPort(), id, customers[i])).statusCode())
          .isEqualTo(200);
    }
    return id;
  }

  private static Future<Boolean> consistent(WebClient client, RunningSystem system, String id) {
    return audit(client, system, "/" + id, TestInfra.ADMIN_TOKEN)
        .map(r -> r.statusCode() == 200 && "consistent".equals(r.bodyAsJsonObject().getString("verdict")));
  }

  @Test
  void theAuditSaysConsistentLaggingAndDivergedWhereTheyAre(Vertx vertx) throws Exception {
    RunningSystem front = RunningSystem.start("admin,command,query", Map.of());
    toClose.add(front);
    RunningSystem projection = RunningSystem.start(front.config, "event", Map.of());
    toClose.add(projection);
    WebClient client = Async.client(vertx, 8);
    Pool readDb = front.readDb(vertx);
    toClose.add(() -> readDb.close());

    String deleted = sale(vertx, client, front, 10, "a", "b", "c");
    String resequenced = sale(vertx, client, front, 10, "a", "b", "c");
    String invented = sale(vertx, client, front, 10, "a", "b", "c");
    String dropped = sale(vertx, client, front, 3, "a", "b", "c");
    String lagging = sale(vertx, client, front, 10, "a", "b");
    for (String id : List.of(deleted, resequenced, invented, dropped, lagging)) {
      Async.await(Async.eventually(vertx, Duration.ofSeconds(10), () -> consistent(client, projection, id)));
    }

    // consistent, over HTTP: the whole and one promotion; only for admins
    HttpResponse<Buffer> all = Async.await(audit(client, projection, "", TestInfra.ADMIN_TOKEN));
    assertThat(all.statusCode()).as(all.bodyAsString()).isEqualTo(200);
    assertThat(all.bodyAsJsonObject().getString("verdict")).isEqualTo("consistent");
    JsonObject soldOut = only(Async.await(audit(client, projection, "/" + dropped, TestInfra.ADMIN_TOKEN))
        .bodyAsJsonObject());
    JsonObject written = soldOut.getJsonObject("writeDb");
    JsonObject read = soldOut.getJsonObject("readDb");
    assertThat(List.of(written.getLong("lastSequence"), written.getLong("grabs"), read.getLong("lastSequence"),
        read.getLong("coupons"))).containsExactly(5L, 3L, 5L, 3L);
    assertThat(written.getBoolean("finished")).isTrue();
    assertThat(written.getString("finishReason")).isEqualTo("sold_out");
    assertThat(read.getBoolean("active")).isFalse();
    assertThat(Async.await(audit(client, projection, "", TestInfra.token("a"))).statusCode()).isEqualTo(403);
    assertThat(Async.await(audit(client, projection, "", null)).statusCode()).isEqualTo(401);
    assertThat(Async.await(audit(client, projection, "/" + UUID.randomUUID(), TestInfra.ADMIN_TOKEN))
        .statusCode()).isEqualTo(404);
    assertThat(Async.await(audit(client, projection, "/not-a-uuid", TestInfra.ADMIN_TOKEN)).statusCode())
        .isEqualTo(404);
    assertThat(cli(front, Clock.systemUTC()).exit()).isEqualTo(AuditCommand.CONSISTENT);

    // the event role stopped under grabs: lagging, with ReadDB's and WriteDB's positions
    projection.close();
    assertThat(Async.await(Grabs.grab(client, front.config.commandPort(), lagging, "c")).statusCode()).isEqualTo(200);
    assertThat(Async.await(Grabs.grab(client, front.config.commandPort(), lagging, "d")).statusCode()).isEqualTo(200);
    Cli behind = cli(front, Clock.systemUTC(), "--promotion", lagging, "--wait", "1");
    assertThat(behind.exit()).as(behind.err()).isEqualTo(AuditCommand.LAGGING);
    JsonObject entry = only(behind.report());
    assertThat(entry.getString("verdict")).isEqualTo("lagging");
    assertThat(entry.getJsonObject("readDb").getLong("lastSequence")).isEqualTo(3);
    assertThat(entry.getJsonObject("writeDb").getLong("lastSequence")).isEqualTo(5);
    assertThat(entry.getJsonObject("readDb").getInteger("remaining")).isEqualTo(8);

    // damage done by hand, the projection still stopped (its repairs would race the checks)
    exec(readDb, "DELETE FROM coupons WHERE promotion_id = ? AND customer_id = 'b'", deleted);
    exec(readDb, "UPDATE coupons SET sequence = sequence + 10 WHERE promotion_id = ? AND customer_id = 'c'",
        resequenced);
    exec(readDb, "INSERT INTO coupons (customer_id, promotion_id, sequence, discount, grabbed_at)"
        + " VALUES ('mallory', ?, 3, 0.5, UTC_TIMESTAMP(3))", invented);
    for (String table : List.of("coupons", "projection_positions", "active_promotions")) {
      exec(readDb, "DELETE FROM " + table + " WHERE promotion_id = ?", dropped);
    }
    Clock later = Clock.offset(Clock.systemUTC(), Duration.ofMinutes(1));
    Cli damaged = cli(front, later);
    assertThat(damaged.exit()).as(damaged.err()).isEqualTo(AuditCommand.DIVERGED);
    assertThat(damaged.report().getString("verdict")).isEqualTo("diverged");
    Map<String, JsonObject> byId = new HashMap<>();
    damaged.report().getJsonArray("promotions").forEach(p -> byId.put(((JsonObject) p).getString("promotionId"),
        (JsonObject) p));
    assertThat(byId.get(deleted).getString("verdict")).isEqualTo("diverged");
    assertThat(byId.get(deleted).getJsonArray("missingInReadDb").getList()).containsExactly("b");
    assertThat(byId.get(resequenced).getString("verdict")).isEqualTo("diverged");
    assertThat(byId.get(resequenced).getJsonArray("extraInReadDb").getList()).containsExactly("c");
    assertThat(byId.get(invented).getString("verdict")).isEqualTo("diverged");
    assertThat(byId.get(invented).getJsonArray("extraInReadDb").getList()).containsExactly("mallory");
    assertThat(byId.get(dropped).getString("verdict")).isEqualTo("diverged");
    assertThat(byId.get(lagging).getString("verdict")).isEqualTo("lagging");

    // the CLI's refusals
    assertThat(cli(front, later, "--promotion", UUID.randomUUID().toString()).exit())
        .isEqualTo(AuditCommand.FAILED);
    assertThat(cli(front, later, "--wait", "soon").exit()).isEqualTo(AuditCommand.FAILED);
  }

  private static void exec(Pool pool, String sql, String id) {
    Async.await(pool.preparedQuery(sql).execute(Tuple.of(id)));
  }
}
