package io.seckill.query;

import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.SqlTime;
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
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.List;
import java.util.ArrayList;

/** The real query verticle reading a real ReadDB that the test fills as the projector would. */
@ExtendWith(VertxExtension.class)
class QueryVerticleTest {
  private static final Instant PUBLISH = Instant.parse("2026-11-28T16:00:00Z");
  private static final Instant FINISH = Instant.parse("2026-11-28T18:00:00Z");
  private static final UUID ACTIVE = UUID.randomUUID();
  private static final UUID FINISHED = UUID.randomUUID();
  private static SecKillConfig config;
  private static WebClient client;

  @BeforeAll
  static void deployAndFill(Vertx vertx) {
    config = TestInfra.freshConfig();
    Async.await(vertx.deployVerticle(new QueryVerticle(config)));
    client = Async.client(vertx, 4);
    Pool readDb = Databases.pool(vertx, config.readDb(), "query-test");
    Async.await(readDb.preparedQuery("INSERT INTO active_promotions (promotion_id, number_of_coupons,"
            + " remaining_coupons, discount, publish_time, finish_time) VALUES (?, 100, 97, 0.8, ?, ?)")
        .execute(Tuple.of(ACTIVE.toString(), SqlTime.toDb(PUBLISH), SqlTime.toDb(FINISH)))
        .compose(v -> readDb.preparedQuery("INSERT INTO coupons (customer_id, promotion_id, sequence, discount,"
            + " grabbed_at) VALUES (?, ?, ?, ?, ?)").executeBatch(List.of(
                Tuple.of("zoe", ACTIVE.toString(), 2L, 0.8, SqlTime.toDb(PUBLISH.plusSeconds(1))),
                Tuple.of("zoe", FINISHED.toString(), 7L, 0.5, SqlTime.toDb(PUBLISH.plusSeconds(2))),
                Tuple.of("yan", ACTIVE.toString(), 3L, 0.8, SqlTime.toDb(PUBLISH.plusSeconds(3)))))));
  }

  private Future<HttpResponse<Buffer>> get(String path) {
    return client.get(config.queryPort(), "127.0.0.1", path).send();
  }

  private Future<HttpResponse<Buffer>> coupons(String customer) {
    return Grabs.coupons(client, config.queryPort(), customer);
  }

  private Future<HttpResponse<Buffer>> getAs(String path, String token) {
    return client.get(config.queryPort(), "127.0.0.1", path).bearerTokenAuthentication(token).send();
  }

  @Test
  void couponsAreForTheirCustomerOrAnAdminOnly(VertxTestContext ctx) {
    Future.all(List.of(getAs("/query/coupons/zoe", TestInfra.token("yan")), get("/query/coupons/zoe"),
            getAs("/query/coupons/zoe", "garbage"), getAs("/query/coupons/zoe", TestInfra.ADMIN_TOKEN)))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          HttpResponse<Buffer> other = all.resultAt(0);
          assertThat(other.statusCode()).isEqualTo(403);
          assertThat(other.bodyAsJsonObject().getString("error")).isEqualTo("forbidden");
          assertThat(other.bodyAsString()).doesNotContain("promotionId");
          for (int i = 1; i <= 2; i++) {
            HttpResponse<Buffer> refused = all.resultAt(i);
            assertThat(refused.statusCode()).isEqualTo(401);
            assertThat(refused.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
            assertThat(refused.bodyAsJsonObject().getString("error")).isEqualTo("unauthorized");
          }
          HttpResponse<Buffer> admin = all.resultAt(3);
          assertThat(admin.statusCode()).isEqualTo(200);
          assertThat(admin.bodyAsJsonArray()).hasSize(2);
          ctx.completeNow();
        })));
  }

  @Test
  void activePromotionsCarryTheirRemainingCoupons(VertxTestContext ctx) {
    Future.all(get("/query/promotions"), get("/query/promotions/" + ACTIVE))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          HttpResponse<Buffer> list = all.resultAt(0);
          assertThat(list.statusCode()).isEqualTo(200);
          JsonArray promotions = list.bodyAsJsonArray();
          assertThat(promotions).hasSize(1);
          JsonObject one = ((HttpResponse<Buffer>) all.resultAt(1)).bodyAsJsonObject();
          assertThat(one).isEqualTo(promotions.getJsonObject(0));
          assertThat(one.getString("promotionId")).isEqualTo(ACTIVE.toString());
          assertThat(one.getInteger("numberOfCoupons")).isEqualTo(100);
          assertThat(one.getInteger("remainingCoupons")).isEqualTo(97);
          assertThat(one.getString("publishTime")).isEqualTo("2026-11-28T16:00:00Z");
          assertThat(one.getString("finishTime")).isEqualTo("2026-11-28T18:00:00Z");
          ctx.completeNow();
        })));
  }

  @Test
  void aCustomersCouponsComeInOrderAndNoneIsAnEmptyList(VertxTestContext ctx) {
    Future.all(coupons("zoe"), coupons("nobody"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonArray zoe = ((HttpResponse<Buffer>) all.resultAt(0)).bodyAsJsonArray();
          assertThat(zoe).hasSize(2);
          assertThat(zoe.getJsonObject(0).getString("promotionId")).isEqualTo(ACTIVE.toString());
          assertThat(zoe.getJsonObject(0).getLong("sequence")).isEqualTo(2L);
          assertThat(zoe.getJsonObject(0).getString("time")).isEqualTo("2026-11-28T16:00:01Z");
          assertThat(zoe.getJsonObject(1).getDouble("discount")).isEqualTo(0.5);
          HttpResponse<Buffer> nobody = all.resultAt(1);
          assertThat(nobody.statusCode()).isEqualTo(200);
          assertThat(nobody.bodyAsJsonArray()).isEmpty();
          ctx.completeNow();
        })));
  }

  @Test
  void manyLookupsAtOnceEachGetTheirOwnCustomersCoupons(VertxTestContext ctx) {
    String[] customers = {"zoe", "yan", "nobody"};
    int[] expected = {2, 1, 0};
    List<Future<HttpResponse<Buffer>>> lookups = new ArrayList<>();
    for (int i = 0; i < 90; i++) {
      lookups.add(coupons(customers[i % 3]));
    }
    Future.all(lookups).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (int i = 0; i < lookups.size(); i++) {
        JsonArray coupons = lookups.get(i).result().bodyAsJsonArray();
        assertThat(coupons).hasSize(expected[i % 3]);
        for (Object coupon : coupons) {
          assertThat(((JsonObject) coupon).getString("customerId")).isEqualTo(customers[i % 3]);
        }
      }
      ctx.completeNow();
    })));
  }

  @Test
  void unknownOrMalformedGetJsonErrors(VertxTestContext ctx) {
    Future.all(get("/query/promotions/" + FINISHED), get("/query/promotions/not-a-uuid"),
            getAs("/query/coupons/" + "x".repeat(65), TestInfra.ADMIN_TOKEN), get("/health"))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          HttpResponse<Buffer> notActive = all.resultAt(0);
          assertThat(notActive.statusCode()).isEqualTo(404);
          assertThat(notActive.bodyAsJsonObject().getString("error")).isEqualTo("not_found");
          HttpResponse<Buffer> malformed = all.resultAt(1);
          assertThat(malformed.statusCode()).isEqualTo(400);
          assertThat(malformed.bodyAsJsonObject().getString("error")).isEqualTo("invalid_request");
          assertThat(((HttpResponse<Buffer>) all.resultAt(2)).statusCode()).isEqualTo(400);
          assertThat(((HttpResponse<Buffer>) all.resultAt(3)).statusCode()).isEqualTo(200);
          ctx.completeNow();
        })));
  }
}
