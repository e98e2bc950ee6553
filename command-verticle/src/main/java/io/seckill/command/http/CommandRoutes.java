package io.seckill.command.http;

import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.Rejection;
import io.seckill.command.service.GrabGateway;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.http.ApiException;
import io.seckill.shared.http.Bodies;
import io.seckill.shared.http.HttpErrors;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;

/** {@code POST /command/coupons}: parse, let the service decide, map the decision to a status. */
public final class CommandRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(CommandRoutes.class);
  private static final String INVALID = "invalid_request";
  private static final int MAX_CUSTOMER_ID = 64;

  private final GrabGateway service;
  private final Map<Rejection, Buffer> rejectionBodies = new EnumMap<>(Rejection.class);

  public CommandRoutes(GrabGateway service) {
    this.service = service;
    for (Rejection rejection : Rejection.values()) {
      rejectionBodies.put(rejection, new JsonObject().put("error", rejection.code())
          .put("message", rejection.message()).toBuffer());
    }
  }

  public void mount(Router router) {
    router.post("/command/coupons").handler(this::grab);
  }

  private void grab(RoutingContext ctx) {
    JsonObject body = Bodies.jsonObject(ctx, INVALID);
    UUID promotionId = promotionId(body);
    String customerId = customerId(body);
    service.grab(promotionId, customerId).onComplete(ar -> {
      if (ar.failed()) {
        if (ar.cause() instanceof ApiException api) {
          HttpErrors.send(ctx, api);
        } else {
          LOG.warn("grab of {} by {} not recorded: {}", promotionId, customerId, ar.cause().getMessage());
          HttpErrors.send(ctx, 503, "unavailable", "the grab could not be recorded; try again");
        }
        return;
      }
      GrabDecision decision = ar.result();
      if (decision instanceof GrabDecision.Accepted accepted) {
        CouponGrabbedEvent coupon = accepted.coupon();
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(new JsonObject()
            .put("promotionId", coupon.promotionId().toString())
            .put("customerId", coupon.customerId())
            .put("sequence", coupon.sequence())
            .put("discount", coupon.discount())
            .put("time", coupon.time().toString())
            .toBuffer());
      } else {
        Rejection rejection = ((GrabDecision.Rejected) decision).rejection();
        ctx.response().setStatusCode(rejection.status()).putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON)
            .end(rejectionBodies.get(rejection));
      }
    });
  }

  private static UUID promotionId(JsonObject body) {
    if (!(body.getValue("promotionId") instanceof String raw)) {
      throw ApiException.badRequest(INVALID, "promotionId is required and must be a string");
    }
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(INVALID, "promotionId must be a UUID");
    }
  }

  private static String customerId(JsonObject body) {
    if (!(body.getValue("customerId") instanceof String customerId)) {
      throw ApiException.badRequest(INVALID, "customerId is required and must be a string");
    }
    if (customerId.isBlank() || customerId.length() > MAX_CUSTOMER_ID) {
      throw ApiException.badRequest(INVALID, "customerId must be 1 to " + MAX_CUSTOMER_ID + " characters");
    }
    return customerId;
  }
}
