package io.seckill.query.http;

import io.seckill.query.store.ReadModelQueries;
import io.seckill.shared.http.ApiException;
import io.seckill.shared.http.HttpErrors;
import io.seckill.shared.identity.Caller;
import io.seckill.shared.identity.CustomerIds;
import io.seckill.shared.identity.Guard;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.util.UUID;
import io.vertx.core.buffer.Buffer;

/** {@code /query/...}: active promotions (public) and a customer's coupons (theirs or an admin's only), from ReadDB. */
public final class QueryRoutes {
  private final ReadModelQueries queries;
  private final Guard guard;

  public QueryRoutes(ReadModelQueries queries, Guard guard) {
    this.queries = queries;
    this.guard = guard;
  }

  public void mount(Router router) {
    router.get("/query/promotions").handler(ctx -> reply(ctx, queries.activePromotions()));
    router.get("/query/promotions/:promotionId").handler(this::promotion);
    router.get("/query/coupons/:customerId").handler(guard.authenticated()).handler(this::coupons);
  }

  private void promotion(RoutingContext ctx) {
    String raw = ctx.pathParam("promotionId");
    UUID id;
    try {
      id = UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_request", "promotionId must be a UUID");
    }
    reply(ctx, queries.activePromotion(id).compose(found -> found.isPresent()
        ? Future.succeededFuture(found.get().toBuffer())
        : Future.failedFuture(new ApiException(404, "not_found", "promotion " + id + " is not active"))));
  }

  private void coupons(RoutingContext ctx) {
    String customerId = ctx.pathParam("customerId");
    if (customerId.isBlank() || customerId.length() > CustomerIds.MAX_LENGTH) {
      throw ApiException.badRequest("invalid_request", "customerId must be 1 to " + CustomerIds.MAX_LENGTH + " characters");
    }
    Caller caller = Guard.caller(ctx);
    if (!caller.admin() && !caller.customerId().equals(customerId)) {
      Guard.forbidden(ctx, "a customer may read only their own coupons");
      return;
    }
    reply(ctx, queries.coupons(customerId));
  }

  private static void reply(RoutingContext ctx, Future<Buffer> body) {
    body.onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(ar.result());
      }
    });
  }
}
