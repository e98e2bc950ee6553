package io.seckill.shared.http;

import io.seckill.shared.config.DbConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import java.time.Duration;
import io.vertx.core.CompositeFuture;
import io.seckill.shared.metrics.Metrics;

/** /health and seckill_dependency_up follow the dependencies; every failure is a JSON error, a 5xx counted. */
@ExtendWith(VertxExtension.class)
class ServiceRouterTest {

  private static int serve(Vertx vertx, Router router) {
    return Async.await(vertx.createHttpServer().requestHandler(router).listen(0, "127.0.0.1")).actualPort();
  }

  @Test
  void healthIs503WhileADependencyIsDownAnd200WhenItIsBack(Vertx vertx, VertxTestContext ctx) {
    AtomicBoolean brokerUp = new AtomicBoolean(false);
    var unreachable = Databases.pool(vertx, new DbConfig("127.0.0.1", TestInfra.freePort(), "x", "root", "", 1), "down");
    int down = serve(vertx, ServiceRouter.create(vertx, "test-down", Map.of("db", HealthCheck.database(unreachable))));
    var db = TestInfra.db();
    var reachable = Databases.pool(vertx, new DbConfig("127.0.0.1", db.port(), "mysql", "root", "", 1), "up");
    int flipping = serve(vertx, ServiceRouter.create(vertx, "test-flipping", Map.of("db", HealthCheck.database(reachable),
        "broker", HealthCheck.of("broker link", brokerUp::get))));
    WebClient client = WebClient.create(vertx);
    Future.all(client.get(down, "127.0.0.1", "/health").send(), client.get(flipping, "127.0.0.1", "/health").send())
        .compose(before -> {
          brokerUp.set(true);
          return client.get(flipping, "127.0.0.1", "/health").send().map(after -> new Object[]{before, after});
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          var before = (CompositeFuture) r[0];
          HttpResponse<Buffer> dbDown = before.resultAt(0);
          assertThat(dbDown.statusCode()).isEqualTo(503);
          assertThat(dbDown.bodyAsJsonObject().getJsonObject("checks").getString("db")).startsWith("DOWN");
          HttpResponse<Buffer> brokerDown = before.resultAt(1);
          assertThat(brokerDown.statusCode()).isEqualTo(503);
          assertThat(brokerDown.bodyAsJsonObject().getJsonObject("checks").getString("db")).isEqualTo("UP");
          @SuppressWarnings("unchecked") HttpResponse<Buffer> after = (HttpResponse<Buffer>) r[1];
          assertThat(after.statusCode()).isEqualTo(200);
          assertThat(after.bodyAsJsonObject().getString("status")).isEqualTo("UP");
        })))
        // the probes behind seckill_dependency_up follow the same checks, every 5 s
        .compose(v -> Async.eventually(vertx, Duration.ofSeconds(15), () -> Future.succeededFuture(
            up("test-down", "db") == 0 && up("test-flipping", "db") == 1 && up("test-flipping", "broker") == 1)))
        .onComplete(ctx.succeedingThenComplete());
  }

  private static double up(String service, String dependency) {
    var gauge = Metrics.registry().find("seckill_dependency_up").tag("service", service)
        .tag("dependency", dependency).gauge();
    return gauge == null ? -1 : gauge.value();
  }

  private static double serverErrors(String status) {
    var counter = Metrics.registry().find("seckill_http_server_errors").tag("status", status)
        .counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void failuresAreJsonErrors(Vertx vertx, VertxTestContext ctx) {
    Router router = ServiceRouter.create(vertx, "test-errors", Map.of());
    double errorsBefore = serverErrors("500");
    router.post("/echo").handler(c -> c.json(Bodies.jsonObject(c, "invalid_request")));
    router.get("/boom").handler(c -> {
      throw new IllegalStateException("bug");
    });
    router.get("/things/:id").handler(c -> c.end(c.pathParam("id")));
    int port = serve(vertx, router);
    WebClient client = WebClient.create(vertx);
    Future.all(client.get(port, "127.0.0.1", "/nowhere").send(),
            client.put(port, "127.0.0.1", "/echo").send(),
            client.post(port, "127.0.0.1", "/echo").sendBuffer(Buffer.buffer(new byte[70_000])),
            client.post(port, "127.0.0.1", "/echo").sendBuffer(Buffer.buffer("{bad")),
            client.get(port, "127.0.0.1", "/boom").send(),
            client.get(port, "127.0.0.1", "/things/%ZZ").send())
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          int[] statuses = {404, 405, 413, 400, 500, 400};
          String[] errors = {"not_found", "method_not_allowed", "payload_too_large", "invalid_request", "internal_error",
              "invalid_request"};
          for (int i = 0; i < statuses.length; i++) {
            HttpResponse<Buffer> response = all.resultAt(i);
            assertThat(response.statusCode()).isEqualTo(statuses[i]);
            assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo(errors[i]);
          }
          assertThat(serverErrors("500")).as("seckill_http_server_errors_total{status=500}").isGreaterThanOrEqualTo(errorsBefore + 1);
          ctx.completeNow();
        })));
  }
}
