package io.seckill.event.audit;

import io.seckill.shared.http.HttpErrors;
import io.seckill.shared.identity.Guard;
import io.vertx.core.Future;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * {@code GET /read-model/audit} and {@code GET /read-model/audit/{promotionId}} (SPEC §8), admin tokens only. Without
 * WriteDB settings ({@code auditor} null) or when a database does not answer: 503 {@code audit_unavailable}.
 */
public final class AuditRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(AuditRoutes.class);
  public static final String NO_WRITE_DB = "this event service has no WriteDB settings to read the events with: set"
      + " SECKILL_WRITE_DB_HOST, _PORT, _DATABASE and a read-only _USER/_PASSWORD (SELECT on events, promotions and"
      + " relay_cursors) for the event role";

  private final ReadModelAuditor auditor;
  private final Guard guard;

  public AuditRoutes(ReadModelAuditor auditor, Guard guard) {
    this.auditor = auditor;
    this.guard = guard;
  }

  public void mount(Router router) {
    router.get("/read-model/audit").handler(guard.admin()).handler(ctx -> {
      if (available(ctx)) {
        answer(ctx, auditor.all());
      }
    });
    router.get("/read-model/audit/:promotionId").handler(guard.admin()).handler(ctx -> {
      String raw = ctx.pathParam("promotionId");
      UUID id;
      try {
        id = UUID.fromString(raw);
      } catch (IllegalArgumentException e) {
        HttpErrors.send(ctx, 404, "not_found", "no promotion " + raw);
        return;
      }
      if (available(ctx)) {
        UUID promotion = id;
        answer(ctx, auditor.one(id).compose(found -> found.map(Future::succeededFuture)
            .orElseGet(() -> Future.failedFuture(new NotFound(promotion)))));
      }
    });
  }

  private boolean available(RoutingContext ctx) {
    if (auditor == null) {
      HttpErrors.send(ctx, 503, "audit_unavailable", NO_WRITE_DB);
      return false;
    }
    return true;
  }

  private static void answer(RoutingContext ctx, Future<JsonObject> report) {
    report.onComplete(ar -> {
      if (ar.succeeded()) {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(ar.result().toBuffer());
      } else if (ar.cause() instanceof NotFound missing) {
        HttpErrors.send(ctx, 404, "not_found", "no promotion " + missing.id + " in WriteDB or ReadDB");
      } else {
        LOG.warn("audit failed: {}", ar.cause().getMessage());
        ctx.response().putHeader("Retry-After", "5");
        HttpErrors.send(ctx, 503, "audit_unavailable", "the audit could not read a database: "
            + ar.cause().getMessage());
      }
    });
  }

  private static final class NotFound extends RuntimeException {
    final UUID id;

    NotFound(UUID id) {
      super(null, null, false, false);
      this.id = id;
    }
  }
}
