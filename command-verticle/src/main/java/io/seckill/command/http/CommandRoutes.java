package io.seckill.command.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.Rejection;
import io.seckill.command.service.GrabGateway;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.http.ApiException;
import io.seckill.shared.http.HttpErrors;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code POST /command/coupons}: parse, let the service decide, map the decision to a status. Rejection bodies
 * and headers are built once; the 200 body is written directly. Outcomes are counted on meters registered once
 * ({@code seckill_grabs_total{outcome}}, {@code seckill_grab_seconds}), not looked up per request.
 */
public final class CommandRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(CommandRoutes.class);

  private final GrabGateway service;
  private final Map<Rejection, Buffer> rejectionBodies = new EnumMap<>(Rejection.class);
  private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
  private final Counter accepted;
  private final Counter failed;
  private final Timer latency;

  public CommandRoutes(GrabGateway service, MeterRegistry registry) {
    this.service = service;
    for (Rejection rejection : Rejection.values()) {
      rejectionBodies.put(rejection, new JsonObject().put("error", rejection.code())
          .put("message", rejection.message()).toBuffer());
      rejected.put(rejection, outcome(registry, rejection.code()));
    }
    accepted = outcome(registry, "accepted");
    failed = outcome(registry, "unavailable");
    latency = Timer.builder("seckill_grab_seconds")
        .description("time from a grab's parsed request to its answer (the 200 waits for the commit)")
        .register(registry);
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("seckill_grabs_total").description("grab requests answered, by outcome")
        .tag("outcome", outcome).register(registry);
  }

  public void mount(Router router) {
    router.post("/command/coupons").handler(this::grab);
  }

  private void grab(RoutingContext ctx) {
    GrabRequest request = GrabRequest.parse(ctx.body().buffer());
    long began = System.nanoTime();
    service.grab(request.promotionId(), request.customerId()).onComplete(ar -> {
      latency.record(System.nanoTime() - began, TimeUnit.NANOSECONDS);
      if (ar.failed()) {
        failed.increment();
        if (ar.cause() instanceof ApiException api) {
          HttpErrors.send(ctx, api);
        } else {
          LOG.warn("grab of {} by {} not recorded: {}", request.promotionId(), request.customerId(),
              ar.cause().getMessage());
          HttpErrors.send(ctx, 503, "unavailable", "the grab could not be recorded; try again");
        }
        return;
      }
      GrabDecision decision = ar.result();
      MultiMap headers = ctx.response().headers();
      headers.set(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON);
      if (decision instanceof GrabDecision.Accepted grabbed) {
        accepted.increment();
        ctx.response().end(Buffer.buffer(body(grabbed.coupon())));
      } else {
        Rejection rejection = ((GrabDecision.Rejected) decision).rejection();
        rejected.get(rejection).increment();
        ctx.response().setStatusCode(rejection.status()).end(rejectionBodies.get(rejection));
      }
    });
  }

  /** {@code {"promotionId","customerId","sequence","discount","time"}}, written directly. */
  static String body(CouponGrabbedEvent coupon) {
    StringBuilder json = new StringBuilder(160)
        .append("{\"promotionId\":\"").append(coupon.promotionId())
        .append("\",\"customerId\":\"");
    JsonStringEncoder.getInstance().quoteAsString(coupon.customerId(), json);
    return json.append("\",\"sequence\":").append(coupon.sequence())
        .append(",\"discount\":").append(coupon.discount())
        .append(",\"time\":\"").append(coupon.time()).append("\"}")
        .toString();
  }
}
