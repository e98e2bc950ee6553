package io.seckill.admin;

import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.UUID;
import io.vertx.core.http.HttpMethod;

/** The real admin verticle on a real MariaDB, over HTTP. */
@ExtendWith(VertxExtension.class)
class AdminVerticleTest {
  private static SecKillConfig config;
  private static WebClient client;
  private static Pool writeDb;

  @BeforeAll
  static void deploy(Vertx vertx) {
    config = TestInfra.freshConfig();
    Async.await(vertx.deployVerticle(new AdminVerticle(config, Clock.systemUTC())));
    client = Async.client(vertx, 8);
    writeDb = Databases.pool(vertx, config.writeDb(), "admin-test");
  }

  private static JsonObject body(int coupons) {
    Instant now = Instant.now();
    return new JsonObject().put("numberOfCoupons", coupons).put("discount", 0.9)
        .put("publishTime", now.plusSeconds(3600).toString()).put("finishTime", now.plusSeconds(7200).toString());
  }

  private Future<HttpResponse<Buffer>> create(JsonObject body) {
    return client.post(config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).sendJsonObject(body);
  }

  private Future<HttpResponse<Buffer>> send(HttpMethod method, String path, JsonObject body) {
    var request = client.request(method, config.adminPort(), "127.0.0.1", path)
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN);
    return body == null ? request.send() : request.sendJsonObject(body);
  }

  @Test
  void everyAdminCallNeedsTheToken(VertxTestContext ctx) {
    client.get(config.adminPort(), "127.0.0.1", "/admin/promotions").send()
        .compose(noToken -> client.get(config.adminPort(), "127.0.0.1", "/admin/promotions")
            .bearerTokenAuthentication("wrong").send().map(wrong -> new HttpResponse[]{noToken, wrong}))
        .compose(r -> client.post(config.adminPort(), "127.0.0.1", "/admin/promotions").sendJsonObject(body(5))
            .map(post -> new HttpResponse[]{r[0], r[1], post}))
        .onComplete(ctx.succeeding(responses -> ctx.verify(() -> {
          for (HttpResponse<?> response : responses) {
            assertThat(response.statusCode()).isEqualTo(401);
            assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
          }
          ctx.completeNow();
        })));
  }

  @Test
  void createReturns201WithLocationAndTheScheduledPromotion(VertxTestContext ctx) {
    create(body(50)).compose(created -> {
      ctx.verify(() -> {
        assertThat(created.statusCode()).isEqualTo(201);
        JsonObject json = created.bodyAsJsonObject();
        assertThat(json.getString("status")).isEqualTo("scheduled");
        assertThat(json.getInteger("numberOfCoupons")).isEqualTo(50);
        assertThat(created.getHeader("Location")).isEqualTo("/admin/promotions/" + json.getString("promotionId"));
      });
      return send(HttpMethod.GET, created.getHeader("Location"), null)
          .map(got -> new Object[]{created.bodyAsJsonObject(), got});
    }).compose(pair -> send(HttpMethod.GET, "/admin/promotions", null)
        .map(list -> new Object[]{pair[0], pair[1], list}))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject created = (JsonObject) r[0];
          @SuppressWarnings("unchecked") HttpResponse<Buffer> got = (HttpResponse<Buffer>) r[1];
          @SuppressWarnings("unchecked") HttpResponse<Buffer> list = (HttpResponse<Buffer>) r[2];
          assertThat(got.statusCode()).isEqualTo(200);
          assertThat(got.bodyAsJsonObject()).isEqualTo(created);
          JsonArray all = list.bodyAsJsonArray();
          assertThat(all.stream().map(o -> ((JsonObject) o).getString("promotionId")))
              .contains(created.getString("promotionId"));
          ctx.completeNow();
        })));
  }

  @Test
  void badBodiesGet400NamingTheField(VertxTestContext ctx) {
    Future.all(
            create(body(0)),
            create(body(5).put("discount", 2)),
            create(body(5).put("publishTime", "soon")),
            client.post(config.adminPort(), "127.0.0.1", "/admin/promotions")
                .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).sendBuffer(Buffer.buffer("{not json")),
            client.post(config.adminPort(), "127.0.0.1", "/admin/promotions")
                .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).sendBuffer(Buffer.buffer("[1,2]")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          String[] fields = {"numberOfCoupons", "discount", "publishTime", "JSON", "JSON object"};
          for (int i = 0; i < fields.length; i++) {
            HttpResponse<Buffer> response = all.resultAt(i);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("invalid_promotion");
            assertThat(response.bodyAsJsonObject().getString("message")).contains(fields[i]);
          }
          ctx.completeNow();
        })));
  }

  @Test
  void aScheduledPromotionCanChangeAndBeDeletedOnce(VertxTestContext ctx) {
    create(body(10)).compose(created -> {
      String path = created.getHeader("Location");
      return send(HttpMethod.PUT, path, body(20))
          .compose(updated -> {
            ctx.verify(() -> {
              assertThat(updated.statusCode()).isEqualTo(200);
              assertThat(updated.bodyAsJsonObject().getInteger("numberOfCoupons")).isEqualTo(20);
            });
            return send(HttpMethod.DELETE, path, null);
          })
          .compose(deleted -> {
            ctx.verify(() -> assertThat(deleted.statusCode()).isEqualTo(204));
            return Future.all(send(HttpMethod.GET, path, null),
                send(HttpMethod.DELETE, path, null),
                send(HttpMethod.PUT, path, body(5)));
          });
    }).onComplete(ctx.succeeding(after -> ctx.verify(() -> {
      for (int i = 0; i < 3; i++) {
        HttpResponse<Buffer> response = after.resultAt(i);
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
      }
      ctx.completeNow();
    })));
  }

  @Test
  void oncePromotionStartedItCannotChange(VertxTestContext ctx) {
    create(body(10)).compose(created -> {
      String id = created.bodyAsJsonObject().getString("promotionId");
      String path = created.getHeader("Location");
      // the command side moves status on when it writes the start event
      return writeDb.preparedQuery("UPDATE promotions SET status = 'active' WHERE promotion_id = ?")
          .execute(Tuple.of(id))
          .compose(v -> Future.all(send(HttpMethod.PUT, path, body(5)),
              send(HttpMethod.DELETE, path, null),
              send(HttpMethod.GET, path, null)));
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (int i = 0; i < 2; i++) {
        HttpResponse<Buffer> response = all.resultAt(i);
        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("already_started");
      }
      HttpResponse<Buffer> got = all.resultAt(2);
      assertThat(got.bodyAsJsonObject().getString("status")).isEqualTo("active");
      ctx.completeNow();
    })));
  }

  @Test
  void unknownIdsAre404AndHealthIsUp(VertxTestContext ctx) {
    Future.all(send(HttpMethod.GET, "/admin/promotions/" + UUID.randomUUID(), null),
            send(HttpMethod.GET, "/admin/promotions/not-a-uuid", null),
            client.get(config.adminPort(), "127.0.0.1", "/health").send(),
            client.get(config.adminPort(), "127.0.0.1", "/metrics").send())
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          assertThat(((HttpResponse<Buffer>) all.resultAt(0)).statusCode()).isEqualTo(404);
          assertThat(((HttpResponse<Buffer>) all.resultAt(1)).statusCode()).isEqualTo(404);
          HttpResponse<Buffer> health = all.resultAt(2);
          assertThat(health.statusCode()).isEqualTo(200);
          assertThat(health.bodyAsJsonObject().getString("status")).isEqualTo("UP");
          HttpResponse<Buffer> metrics = all.resultAt(3);
          assertThat(metrics.statusCode()).isEqualTo(200);
          assertThat(metrics.getHeader("Content-Type")).startsWith("text/plain");
          ctx.completeNow();
        })));
  }
}
