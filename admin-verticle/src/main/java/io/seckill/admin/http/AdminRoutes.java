package io.seckill.admin.http;

import io.seckill.admin.domain.Promotion;
import io.seckill.admin.domain.PromotionRequest;
import io.seckill.admin.store.PromotionStore;
import io.seckill.admin.store.PromotionStore.ChangeOutcome;
import io.seckill.shared.http.ApiException;
import io.seckill.shared.http.Bodies;
import io.seckill.shared.http.HttpErrors;
import io.seckill.shared.identity.Guard;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

import java.time.Clock;
import java.util.UUID;

/** {@code /admin/promotions}: CRUD of promotions before they start, for admin identity tokens only. */
public final class AdminRoutes {
  private final PromotionStore store;
  private final Clock clock;
  private final Guard guard;

  public AdminRoutes(PromotionStore store, Clock clock, Guard guard) {
    this.store = store;
    this.clock = clock;
    this.guard = guard;
  }

  public void mount(Router router) {
    router.route("/admin/*").handler(guard.admin());
    router.post("/admin/promotions").handler(this::create);
    router.get("/admin/promotions").handler(this::list);
    router.get("/admin/promotions/:promotionId").handler(this::get);
    router.put("/admin/promotions/:promotionId").handler(this::update);
    router.delete("/admin/promotions/:promotionId").handler(this::delete);
    router.post("/admin/promotions/:promotionId/cancel").handler(this::cancel);
  }

  private void create(RoutingContext ctx) {
    var terms = PromotionRequest.parse(Bodies.jsonObject(ctx, PromotionRequest.ERROR), clock.instant());
    store.create(terms).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      Promotion promotion = ar.result();
      ctx.response().setStatusCode(201)
          .putHeader(HttpHeaders.LOCATION, "/admin/promotions/" + promotion.promotionId())
          .putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON)
          .end(promotion.toJson().toBuffer());
    });
  }

  private void list(RoutingContext ctx) {
    store.list().onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      JsonArray array = new JsonArray();
      ar.result().forEach(p -> array.add(p.toJson()));
      ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(array.toBuffer());
    });
  }

  private void get(RoutingContext ctx) {
    UUID id = promotionId(ctx);
    store.find(id).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result().isEmpty()) {
        HttpErrors.send(ctx, 404, "not_found", "no promotion " + id);
      } else {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(ar.result().get().toJson().toBuffer());
      }
    });
  }

  private void update(RoutingContext ctx) {
    UUID id = promotionId(ctx);
    var terms = PromotionRequest.parse(Bodies.jsonObject(ctx, PromotionRequest.ERROR), clock.instant());
    store.update(id, terms).compose(outcome -> outcome == ChangeOutcome.CHANGED
            ? store.find(id).map(found -> found.orElseThrow())
            : Future.failedFuture(refusal(id, outcome)))
        .onComplete(ar -> {
          if (ar.failed()) {
            ctx.fail(ar.cause());
          } else {
            ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(ar.result().toJson().toBuffer());
          }
        });
  }

  private void delete(RoutingContext ctx) {
    UUID id = promotionId(ctx);
    store.delete(id).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
      } else if (ar.result() != ChangeOutcome.CHANGED) {
        HttpErrors.send(ctx, refusal(id, ar.result()));
      } else {
        ctx.response().setStatusCode(204).end();
      }
    });
  }

  private void cancel(RoutingContext ctx) {
    UUID id = promotionId(ctx);
    store.cancel(id).onComplete(ar -> {
      if (ar.failed()) {
        ctx.fail(ar.cause());
        return;
      }
      switch (ar.result()) {
        case DELETED -> ctx.response().setStatusCode(204).end();
        case REQUESTED -> ctx.response().setStatusCode(202).putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON)
            .end(new JsonObject().put("promotionId", id.toString()).put("status", "cancelling").toBuffer());
        case ALREADY_FINISHED -> HttpErrors.send(ctx, 409, "already_finished", "promotion " + id + " has finished");
        case NOT_FOUND -> HttpErrors.send(ctx, 404, "not_found", "no promotion " + id);
      }
    });
  }

  private static ApiException refusal(UUID id, ChangeOutcome outcome) {
    return outcome == ChangeOutcome.NOT_FOUND
        ? new ApiException(404, "not_found", "no promotion " + id)
        : new ApiException(409, "already_started", "promotion " + id + " has started; it can no longer change");
  }

  private static UUID promotionId(RoutingContext ctx) {
    String raw = ctx.pathParam("promotionId");
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw new ApiException(404, "not_found", "no promotion " + raw);
    }
  }
}
