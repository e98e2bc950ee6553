package io.seckill.shared.http;

import io.vertx.core.Vertx;
import io.vertx.ext.web.Router;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** A router's routes as the document names them, and the refusal of an undocumented one. */
class ApiDocumentRoutesTest {
  @Test
  void routesAreNamedAsInTheDocumentAndAnUndocumentedOneIsRefused() {
    Vertx vertx = Vertx.vertx();
    try {
      Router router = Router.router(vertx);
      router.route().handler(ctx -> ctx.next());
      router.route("/admin/*").handler(ctx -> ctx.next());
      router.get("/query/coupons/:customerId").handler(ctx -> ctx.end());
      router.post("/admin/promotions/:promotionId/cancel").handler(ctx -> ctx.end());
      assertThat(ApiDocument.routes(router)).containsExactly("GET /query/coupons/{customerId}",
          "POST /admin/promotions/{promotionId}/cancel");
      ApiDocument.check("test", router);
      router.delete("/query/coupons/:customerId").handler(ctx -> ctx.end());
      assertThatThrownBy(() -> ApiDocument.check("test", router))
          .hasMessageContaining("DELETE /query/coupons/{customerId}");
    } finally {
      vertx.close();
    }
  }
}
