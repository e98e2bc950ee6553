package io.seckill.launcher;

import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.Env;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import java.nio.file.Path;

/**
 * Roles started by the launcher in this JVM, configured through the environment exactly as the jar is, against
 * the test JVM's MariaDB and ActiveMQ, with fresh databases, queue and ports.
 */
final class RunningSystem implements AutoCloseable {
  final SecKillConfig config;
  final Map<String, String> env;
  private final Launcher launcher = new Launcher();

  private RunningSystem(SecKillConfig config, Map<String, String> env) {
    this.config = config;
    this.env = env;
  }

  /** The environment that points the jar at {@code config}'s databases, broker and ports. */
  static Map<String, String> environment(SecKillConfig config, String roles) {
    Map<String, String> env = new HashMap<>();
    env.put("SECKILL_ROLES", roles);
    env.put("SECKILL_AMQP_URL", config.amqp().url());
    env.put("SECKILL_AMQP_ADDRESS", config.amqp().address());
    env.put("SECKILL_ADMIN_PORT", String.valueOf(config.adminPort()));
    env.put("SECKILL_COMMAND_PORT", String.valueOf(config.commandPort()));
    env.put("SECKILL_QUERY_PORT", String.valueOf(config.queryPort()));
    env.put("SECKILL_EVENT_PORT", String.valueOf(config.eventPort()));
    env.put("SECKILL_DATA_DIR", "target/system-data");
    env.putAll(TestInfra.identityEnvironment(Path.of("target/system-data")));
    db(env, "SECKILL_WRITE_DB_", config.writeDb());
    db(env, "SECKILL_READ_DB_", config.readDb());
    return env;
  }

  private static void db(Map<String, String> env, String prefix, DbConfig db) {
    env.put(prefix + "HOST", db.host());
    env.put(prefix + "PORT", String.valueOf(db.port()));
    env.put(prefix + "DATABASE", db.database());
    env.put(prefix + "USER", db.user());
  }

  static RunningSystem start(String roles, Map<String, String> extra) throws Exception {
    return start(TestInfra.freshConfig(), roles, extra);
  }

  /** As {@link #start(String, Map)} on {@code config}'s databases, broker and ports. */
  static RunningSystem start(SecKillConfig config, String roles, Map<String, String> extra) throws Exception {
    Map<String, String> env = environment(config, roles);
    env.putAll(extra);
    RunningSystem system = new RunningSystem(config, env);
    system.launcher.start(new Env(env));
    return system;
  }

  /** An admin API call with the test issuer's admin token ({@code body} null: none). */
  Future<HttpResponse<Buffer>> admin(WebClient client, HttpMethod method, String path, JsonObject body) {
    HttpRequest<Buffer> request = client.request(method, config.adminPort(), "127.0.0.1", path)
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN);
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  /**
   * Waits (60 s at most) until the command role answers {@code /health} with 200, then opens a promotion of
   * {@code coupons} from now for an hour: its id.
   */
  String openPromotion(Vertx vertx, WebClient client, int coupons) {
    Async.await(Async.eventually(vertx, Duration.ofSeconds(60), () -> client.get(config.commandPort(), "127.0.0.1",
        "/health").send().map(r -> r.statusCode() == 200).otherwise(false)));
    JsonObject body = new JsonObject().put("numberOfCoupons", coupons).put("discount", 0.5)
        .put("publishTime", Instant.now().toString()).put("finishTime", Instant.now().plusSeconds(3600).toString());
    HttpResponse<Buffer> created = Async.await(admin(client, HttpMethod.POST, "/admin/promotions", body));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return created.bodyAsJsonObject().getString("promotionId");
  }

  Pool writeDb(Vertx vertx) {
    return Databases.pool(vertx, config.writeDb(), "test-write-" + config.writeDb().database());
  }

  Pool readDb(Vertx vertx) {
    return Databases.pool(vertx, config.readDb(), "test-read-" + config.readDb().database());
  }

  @Override
  public void close() {
    launcher.stop();
  }
}
