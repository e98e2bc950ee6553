package io.seckill.launcher;

import io.seckill.shared.config.SecKillConfig;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The whole CQRS loop over HTTP, started by the launcher exactly as {@code java -jar} does (all roles, external
 * MariaDB and broker given by environment): admin -> command -> WriteDB -> relay -> ActiveMQ -> projection ->
 * ReadDB -> query.
 */
@ExtendWith(VertxExtension.class)
class EndToEndTest {
  private static RunningSystem system;
  private static SecKillConfig config;
  private static WebClient client;

  @BeforeAll
  static void startSystem(Vertx vertx) throws Exception {
    system = RunningSystem.start("all", Map.of());
    config = system.config;
    client = Async.client(vertx, 64);
  }

  @AfterAll
  static void stopSystem() {
    system.close();
  }

  private static Future<HttpResponse<Buffer>> grab(String promotionId, String customer) {
    return Grabs.grab(client, config.commandPort(), promotionId, customer);
  }

  private static Future<JsonObject> adminGet(String promotionId) {
    return client.get(config.adminPort(), "127.0.0.1", "/admin/promotions/" + promotionId)
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).send().map(HttpResponse::bodyAsJsonObject);
  }

  @Test
  void aFlashCrowdOfFortyGetsExactlyFiveCouponsVisibleOnTheReadSide(Vertx vertx, VertxTestContext ctx) {
    Instant now = Instant.now();
    JsonObject promotion = new JsonObject().put("numberOfCoupons", 5).put("discount", 0.7)
        .put("publishTime", now.plusSeconds(1).toString()).put("finishTime", now.plusSeconds(3600).toString());
    List<Future<HttpResponse<Buffer>>> grabs = new ArrayList<>();
    String[] id = new String[1];
    long[] grabsDone = new long[1];
    client.post(config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).sendJsonObject(promotion)
        .compose(created -> {
          ctx.verify(() -> assertThat(created.statusCode()).isEqualTo(201));
          id[0] = created.bodyAsJsonObject().getString("promotionId");
          return Async.eventually(vertx, Duration.ofSeconds(5),
              () -> adminGet(id[0]).map(p -> "active".equals(p.getString("status"))));
        })
        .compose(started -> {
          for (int i = 0; i < 40; i++) {
            grabs.add(grab(id[0], "e2e-customer-" + i));
          }
          return Future.all(grabs);
        })
        .compose(all -> {
          grabsDone[0] = System.nanoTime();
          Set<String> winners = new TreeSet<>();
          ctx.verify(() -> {
            int outOfStock = 0;
            for (Future<HttpResponse<Buffer>> f : grabs) {
              HttpResponse<Buffer> r = f.result();
              if (r.statusCode() == 200) {
                winners.add(r.bodyAsJsonObject().getString("customerId"));
              } else {
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("out_of_stock");
                outOfStock++;
              }
            }
            assertThat(winners).hasSize(5);
            assertThat(outOfStock).isEqualTo(35);
          });
          return Async.eventually(vertx, Duration.ofSeconds(2), () -> {
            List<Future<HttpResponse<Buffer>>> reads = new ArrayList<>();
            winners.forEach(w -> reads.add(Grabs.coupons(client, config.queryPort(), w)));
            return Future.all(reads).map(r -> reads.stream().allMatch(read -> {
              JsonArray coupons = read.result().bodyAsJsonArray();
              return coupons.size() == 1 && id[0].equals(coupons.getJsonObject(0).getString("promotionId"));
            }));
          });
        })
        .compose(visible -> Future.all(adminGet(id[0]),
            client.get(config.queryPort(), "127.0.0.1", "/query/promotions/" + id[0]).send(),
            client.get(config.queryPort(), "127.0.0.1", "/query/promotions").send(),
            Grabs.coupons(client, config.queryPort(), "e2e-customer-none"),
            grab(id[0], "e2e-late")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          JsonObject admin = all.resultAt(0);
          assertThat(admin.getString("status")).isEqualTo("finished");
          assertThat(((HttpResponse<Buffer>) all.resultAt(1)).statusCode()).isEqualTo(404);
          JsonArray active = ((HttpResponse<Buffer>) all.resultAt(2)).bodyAsJsonArray();
          assertThat(active.stream().map(o -> ((JsonObject) o).getString("promotionId"))).doesNotContain(id[0]);
          assertThat(((HttpResponse<Buffer>) all.resultAt(3)).bodyAsJsonArray()).isEmpty();
          HttpResponse<Buffer> late = all.resultAt(4);
          assertThat(late.statusCode()).isEqualTo(429);
          assertThat(late.bodyAsJsonObject().getString("error")).isEqualTo("out_of_stock");
          ctx.completeNow();
        })));
  }

  /** Customer ids are exact: ids differing only in case or a trailing space are different customers everywhere. */
  @Test
  void customersDifferingOnlyInCaseOrTrailingSpaceAreDistinct(Vertx vertx, VertxTestContext ctx) {
    Instant now = Instant.now();
    List<String> customers = List.of("Kim", "kim", "kim ", "KIM");
    String[] id = new String[1];
    List<HttpResponse<Buffer>> grabs = new ArrayList<>();
    client.post(config.adminPort(), "127.0.0.1", "/admin/promotions").bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
        .sendJsonObject(new JsonObject().put("numberOfCoupons", 10).put("discount", 0.5)
            .put("publishTime", now.toString()).put("finishTime", now.plusSeconds(3600).toString()))
        .compose(created -> {
          id[0] = created.bodyAsJsonObject().getString("promotionId");
          return Async.eventually(vertx, Duration.ofSeconds(5),
              () -> adminGet(id[0]).map(p -> "active".equals(p.getString("status"))));
        })
        .compose(active -> {
          Future<Void> chain = Future.succeededFuture();
          for (String customer : customers) {
            chain = chain.compose(v -> grab(id[0], customer).map(r -> {
              grabs.add(r);
              return null;
            }));
          }
          return chain;
        })
        .compose(all -> Async.eventually(vertx, Duration.ofSeconds(5), () -> Future.all(customers.stream()
                .map(c -> Grabs.coupons(client, config.queryPort(), c).map(r -> r.bodyAsJsonArray().stream()
                        .filter(o -> id[0].equals(((JsonObject) o).getString("promotionId"))).count()))
                .toList())
            .map(counts -> counts.list().stream().allMatch(n -> ((Long) n) == 1L))))
        .onComplete(ctx.succeeding(visible -> ctx.verify(() -> {
          for (int i = 0; i < customers.size(); i++) {
            assertThat(grabs.get(i).statusCode()).as(customers.get(i) + ": " + grabs.get(i).bodyAsString())
                .isEqualTo(200);
            assertThat(grabs.get(i).bodyAsJsonObject().getString("customerId")).isEqualTo(customers.get(i));
          }
          ctx.completeNow();
        })));
  }

  @Test
  void everyServiceIsHealthyAndServesMetrics(VertxTestContext ctx) {
    List<Future<HttpResponse<Buffer>>> checks = new ArrayList<>();
    for (int port : new int[]{config.adminPort(), config.commandPort(), config.queryPort(), config.eventPort()}) {
      checks.add(client.get(port, "127.0.0.1", "/health").send());
      checks.add(client.get(port, "127.0.0.1", "/metrics").send());
    }
    Future.all(checks).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (Future<HttpResponse<Buffer>> check : checks) {
        assertThat(check.result().statusCode()).as(check.result().bodyAsString()).isEqualTo(200);
      }
      assertThat(checks.get(3).result().bodyAsString()).contains("seckill_relay_lag_events", "seckill_grabs_total");
      ctx.completeNow();
    })));
  }
}
