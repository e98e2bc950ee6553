package io.seckill.command.http;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.Rejection;
import io.seckill.command.domain.TicketPolicy;
import io.seckill.command.service.GrabService;
import io.seckill.command.service.Unavailable;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.InstantText;
import io.seckill.shared.http.ApiException;
import io.seckill.shared.http.HttpErrors;
import io.seckill.shared.http.ServiceRouter;
import io.seckill.shared.identity.Guard;
import io.seckill.shared.identity.TicketChallenge;
import io.seckill.shared.identity.TokenRefused;
import io.seckill.shared.identity.Tickets;
import io.vertx.core.AsyncResult;
import io.vertx.core.Handler;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.Arrays;
import java.time.Duration;
import io.seckill.shared.metrics.LatencyBuckets;

/**
 * {@code POST /command/coupons} and {@code POST /command/tickets}. A grab carries a ticket (checked here with one
 * MAC) or an identity token (checked by the {@link Guard}); the customer is the token's, a body {@code customerId}
 * that differs and a ticket of another promotion are 403. The service decides; the decision maps to a status.
 * Rejection bodies and headers are built once; the 200 body is written directly. Outcomes are counted on meters
 * registered once ({@code seckill_grabs_total{outcome}}, {@code seckill_grab_seconds}).
 */
public final class CommandRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(CommandRoutes.class);
  private static final Duration[] LATENCY_BUCKETS = Arrays.stream(
      LatencyBuckets.millis()).mapToObj(Duration::ofMillis)
      .toArray(Duration[]::new);
  static final String GRAB_PATH = "/command/coupons";

  private final GrabService service;
  private final Guard guard;
  private final Tickets tickets;
  private final TicketPolicy ticketPolicy;
  private final Clock clock;
  /** Null unless SECKILL_TICKET_CHALLENGE=pow. */
  private final TicketChallenge challenge;
  private final Map<Rejection, Buffer> rejectionBodies = new EnumMap<>(Rejection.class);
  private final Map<Rejection, Counter> rejected = new EnumMap<>(Rejection.class);
  /** {@link #status} by the rejection's ordinal. */
  private final int[] rejectionStatus = new int[Rejection.values().length];
  private final Counter accepted;
  private final Counter failed;
  private final Timer latency;
  private final GrabTallies tallies;

  public CommandRoutes(GrabService service, Guard guard, Clock clock, MeterRegistry registry, GrabTallies tallies) {
    this.service = service;
    this.tallies = tallies;
    this.guard = guard;
    this.tickets = guard.security().tickets();
    this.ticketPolicy = new TicketPolicy(guard.security().config().ticketLeadSeconds(),
        guard.security().config().ticketTtlSeconds());
    this.clock = clock;
    this.challenge = guard.security().ticketChallenge();
    for (Rejection rejection : Rejection.values()) {
      rejectionBodies.put(rejection, new JsonObject().put("error", rejection.code())
          .put("message", rejection.message()).toBuffer());
      rejected.put(rejection, outcome(registry, rejection.code()));
      rejectionStatus[rejection.ordinal()] = status(rejection);
    }
    accepted = outcome(registry, "accepted");
    failed = outcome(registry, "unavailable");
    // a few fixed buckets (seckill_grab_seconds_bucket), so that Prometheus can take a p99 over every member
    latency = Timer.builder("seckill_grab_seconds")
        .description("time from a grab's parsed request to its answer (the 200 waits for the commit)")
        .serviceLevelObjectives(LATENCY_BUCKETS).register(registry);
  }

  private static Counter outcome(MeterRegistry registry, String outcome) {
    return Counter.builder("seckill_grabs_total").description("grab requests answered, by outcome")
        .tag("outcome", outcome).register(registry);
  }

  public void mount(Router router) {
    router.post(GRAB_PATH).handler(ctx -> grab(ctx.request(), ctx.body().buffer()));
    router.post("/command/tickets").handler(guard.authenticated()).handler(this::ticket);
    router.get("/command/challenge").handler(guard.authenticated()).handler(this::challenge);
    router.get("/command/stats").handler(guard.admin()).handler(this::stats);
  }

  /** This member's answers per promotion (the console's live view sums them over the members). */
  private void stats(RoutingContext ctx) {
    String raw = ctx.request().getParam("promotionId");
    UUID only = null;
    if (raw != null) {
      try {
        only = UUID.fromString(raw);
      } catch (IllegalArgumentException e) {
        HttpErrors.send(ctx, 400, "invalid_request", "promotionId must be a UUID, got '" + raw + "'");
        return;
      }
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(tallies.toJson(only).toBuffer());
  }

  private void challenge(RoutingContext ctx) {
    if (challenge == null) {
      HttpErrors.send(ctx, 404, "not_found", "tickets need no challenge here (SECKILL_TICKET_CHALLENGE is off)");
      return;
    }
    ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON)
        .end(challenge.create(Guard.caller(ctx).customerId(), clock.millis() / 1000).toBuffer());
  }

  /**
   * The server's request handler: a grab whose body has a declared length within the limit (what every client
   * sends) is served here, without the router (its route matching and body handler cost a flash crowd about a tenth
   * of the command process's time per grab); it passes the same address limit first. Every other request, a
   * chunked or oversized grab included, goes to {@code router}, whose grab route is the same handler.
   */
  public Handler<HttpServerRequest> grabsFirst(Handler<HttpServerRequest> router) {
    return request -> {
      if (request.method() != HttpMethod.POST || !GRAB_PATH.equals(request.path())) {
        router.handle(request);
        return;
      }
      long length = declaredLength(request.getHeader(HttpHeaders.CONTENT_LENGTH));
      // a browser's grab (Origin) goes through the router for its CORS headers; load tools and servers send none
      if (length < 0 || length > ServiceRouter.BODY_LIMIT
          || request.headers().contains(HttpHeaders.TRANSFER_ENCODING)
          || request.headers().contains(HttpHeaders.ORIGIN)) {
        router.handle(request);
        return;
      }
      request.body().onSuccess(body -> {
        try {
          if (guard.addressAllowed(request)) {
            grab(request, body);
          }
        } catch (RuntimeException e) { // what the router's failure handler does for a route
          HttpErrors.unhandled(request, e);
        }
      });
    };
  }

  /** The Content-Length header's value, or -1 when there is none or it is not a plain number. */
  static long declaredLength(String header) {
    if (header == null || header.isEmpty() || header.length() > 18) {
      return -1;
    }
    long length = 0;
    for (int i = 0; i < header.length(); i++) {
      char c = header.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      length = length * 10 + (c - '0');
    }
    return length;
  }

  private void grab(HttpServerRequest http, Buffer body) {
    String token = Guard.bearer(http);
    if (token == null) {
      return;
    }
    HttpServerResponse response = http.response();
    if (tickets.isTicket(token)) {
      Tickets.Ticket ticket;
      try {
        ticket = tickets.check(token, clock.millis() / 1000);
      } catch (TokenRefused e) {
        Guard.unauthorized(response, e.getMessage());
        return;
      }
      if (guard.customerAllowed(response, ticket.customerId())) {
        grab(response, body, ticket.customerId(), ticket.promotionId());
      } else {
        tallies.record(ticket.promotionId(), GrabTallies.Outcome.RATE_LIMITED, -1, true);
      }
      return;
    }
    guard.identify(http).onSuccess(caller -> {
      if (guard.customerAllowed(response, caller.customerId())) {
        grab(response, body, caller.customerId(), null);
      }
    });
  }

  /** The grab of {@code customerId}; {@code ticketPromotion} is the promotion its ticket is bound to, if any. */
  private void grab(HttpServerResponse response, Buffer body, String customerId, UUID ticketPromotion) {
    GrabRequest request;
    try {
      request = parse(body, customerId);
    } catch (ApiException e) {
      HttpErrors.send(response, e);
      return;
    }
    if (ticketPromotion != null && !ticketPromotion.equals(request.promotionId())) {
      Guard.forbidden(response, "this ticket is for promotion " + ticketPromotion + ", not "
          + request.promotionId());
      return;
    }
    long began = System.nanoTime();
    boolean known = ticketPromotion != null;
    service.grab(request.promotionId(), customerId)
        .onComplete(ar -> answer(response, request, customerId, known, System.nanoTime() - began, ar));
  }

  /**
   * The grab's answer. Hot: kept under the JIT's size for inlining a hot method (325 bytes of bytecode), the failure
   * apart ({@link #notRecorded}); a W1 A/B measured 5% fewer requests/s when this was a lambda over that size.
   */
  private void answer(HttpServerResponse response, GrabRequest request, String customerId, boolean known, long nanos,
                      AsyncResult<GrabDecision> ar) {
    latency.record(nanos, TimeUnit.NANOSECONDS);
    if (ar.failed()) {
      notRecorded(response, request, customerId, known, nanos, ar.cause());
      return;
    }
    GrabDecision decision = ar.result();
    response.headers().set(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON);
    if (decision instanceof GrabDecision.Accepted grabbed) {
      accepted.increment();
      tallies.record(request.promotionId(), GrabTallies.Outcome.ACCEPTED, nanos, known);
      response.end(Buffer.buffer(body(grabbed.coupon())));
    } else {
      Rejection rejection = ((GrabDecision.Rejected) decision).rejection();
      rejected.get(rejection).increment();
      tallies.record(request.promotionId(), GrabTallies.Outcome.of(rejection), nanos, known);
      response.setStatusCode(rejectionStatus[rejection.ordinal()]).end(rejectionBodies.get(rejection));
    }
  }

  /** Nothing was decided (503, Retry-After), or the grab's write failed (503: asking again is safe). */
  private void notRecorded(HttpServerResponse response, GrabRequest request, String customerId, boolean known,
                           long nanos, Throwable cause) {
    failed.increment();
    tallies.record(request.promotionId(), GrabTallies.Outcome.UNAVAILABLE, nanos, known);
    if (!(cause instanceof Unavailable) && !(cause instanceof ApiException)) {
      LOG.warn("grab of {} by {} not recorded: {}", request.promotionId(), customerId, cause.getMessage());
    }
    sendFailure(response, cause, "the grab could not be recorded; try again");
  }

  /**
   * What the service's failure says: {@link Unavailable}, 503 with its reason; an older cluster member's refusal as it
   * came; anything else, 503 with {@code otherwise}.
   */
  private static void sendFailure(HttpServerResponse response, Throwable cause, String otherwise) {
    if (cause instanceof Unavailable unavailable) {
      HttpErrors.send(response, 503, "unavailable", unavailable.getMessage());
    } else if (cause instanceof ApiException api) {
      HttpErrors.send(response, api);
    } else {
      HttpErrors.send(response, 503, "unavailable", otherwise);
    }
  }

  /** A refused grab's HTTP status (SPEC §2): 400 when the promotion is not open, 429 when there is nothing for this customer. */
  static int status(Rejection rejection) {
    return switch (rejection) {
      case PROMOTION_NOT_ACTIVE -> 400;
      case OUT_OF_STOCK, DUPLICATE_ORDER -> 429;
    };
  }

  /** The body; a {@code customerId} in it that is not the caller's is a 403. */
  private static GrabRequest parse(Buffer body, String customerId) {
    GrabRequest request = GrabRequest.parse(body);
    if (request.customerId() != null && !request.customerId().equals(customerId)) {
      throw new ApiException(403, "forbidden", "customerId in the body is not the token's customer");
    }
    return request;
  }

  private void ticket(RoutingContext ctx) {
    String customerId = Guard.caller(ctx).customerId();
    GrabRequest request = parse(ctx.body().buffer(), customerId);
    if (challenge != null) {
      String refusal = challenge.refusal(ctx.request().getHeader("X-Altcha"), customerId, clock.millis() / 1000);
      if (refusal != null) {
        Guard.forbidden(ctx, refusal);
        return;
      }
    }
    service.ticket(ticketPolicy, request.promotionId()).onComplete(ar -> {
      if (ar.failed()) {
        sendFailure(ctx.response(), ar.cause(), "the ticket could not be issued; try again");
      } else if (ar.result().isEmpty()) {
        HttpErrors.send(ctx, 400, Rejection.PROMOTION_NOT_ACTIVE.code(), "promotion " + request.promotionId()
            + " is unknown, finished, or opens more than " + ticketPolicy.leadSeconds() + " s from now");
      } else {
        issued(ctx, customerId, request.promotionId(), ar.result().get());
      }
    });
  }

  /** 201 with the ticket, its validity and, from a member that sends them, the sale's times. */
  private void issued(RoutingContext ctx, String customerId, UUID promotionId, TicketPolicy.Validity validity) {
    String ticket = tickets.issue(customerId, promotionId, validity.notBefore(), validity.expiresAt());
    JsonObject body = new JsonObject().put("ticket", ticket).put("promotionId", promotionId.toString())
        .put("customerId", customerId)
        .put("notBefore", Instant.ofEpochSecond(validity.notBefore()).toString())
        .put("expiresAt", Instant.ofEpochSecond(validity.expiresAt()).toString());
    if (validity.publishTimeMillis() > 0) {
      body.put("publishTime", Instant.ofEpochMilli(validity.publishTimeMillis()).toString())
          .put("finishTime", Instant.ofEpochMilli(validity.finishTimeMillis()).toString());
    }
    ctx.response().setStatusCode(201).putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(body.toBuffer());
  }

  /** {@code {"promotionId","customerId","sequence","discount","time"}}, written directly. */
  static String body(CouponGrabbedEvent coupon) {
    StringBuilder json = new StringBuilder(224) // with a customer id of 64 characters, it fits
        .append("{\"promotionId\":\"").append(coupon.promotionId())
        .append("\",\"customerId\":\"");
    JsonStringEncoder.getInstance().quoteAsString(coupon.customerId(), json);
    json.append("\",\"sequence\":").append(coupon.sequence())
        .append(",\"discount\":").append(coupon.discount())
        .append(",\"time\":\"");
    return InstantText.append(json, coupon.time()).append("\"}").toString();
  }
}
