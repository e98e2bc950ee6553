package io.seckill.launcher;

import io.seckill.shared.http.ApiDocument;
import io.seckill.shared.testing.Async;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SPEC 2: the OpenAPI document and the routers agree both ways. Each service refuses to start with an undocumented
 * route (so "every route is in it" holds once the system is up); here the whole system starts and every documented
 * operation must be served by one of its services. Every service serves the same document.
 */
@ExtendWith(VertxExtension.class)
class ApiDocumentTest {
  @Test
  void everyDocumentedOperationIsARouteAndEveryRouteIsDocumented(Vertx vertx, VertxTestContext ctx) throws Exception {
    RunningSystem system = RunningSystem.start("all", Map.of());
    WebClient client = Async.client(vertx, 8);
    List<Future<HttpResponse<Buffer>>> documents = List.of(system.config.adminPort(), system.config.commandPort(),
            system.config.queryPort(), system.config.eventPort()).stream()
        .map(port -> client.get(port, "127.0.0.1", "/openapi.json").send()).toList();
    Future.all(documents).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      try {
        assertThat(ApiDocument.served()).isEqualTo(ApiDocument.documented());
        assertThat(ApiDocument.documented()).contains("POST /command/coupons", "POST /command/tickets",
            "GET /command/challenge", "POST /admin/promotions/{promotionId}/cancel", "GET /query/coupons/{customerId}",
            "GET /openapi.json", "GET /.well-known/jwks.json");
        for (Future<HttpResponse<Buffer>> document : documents) {
          HttpResponse<Buffer> response = document.result();
          assertThat(response.statusCode()).isEqualTo(200);
          JsonObject json = response.bodyAsJsonObject();
          assertThat(json.getString("openapi")).isEqualTo("3.1.0");
          assertThat(json.getJsonObject("components").getJsonObject("securitySchemes").fieldNames())
              .containsExactlyInAnyOrder("identityToken", "grabTicket");
          assertThat(response.bodyAsBuffer()).isEqualTo(ApiDocument.BODY);
        }
        ctx.completeNow();
      } finally {
        system.close();
      }
    })));
  }
}
