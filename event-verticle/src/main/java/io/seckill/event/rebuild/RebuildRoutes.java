package io.seckill.event.rebuild;

import io.seckill.shared.http.HttpErrors;
import io.seckill.shared.identity.Guard;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.UUID;

/**
 * {@code POST /read-model/rebuilds} (body {@code {}} or {@code {"promotionId"}}: 202 with the new rebuild's status and
 * its {@code Location}) and {@code GET /read-model/rebuilds/{rebuildId}} (SPEC §8), admin tokens only. 409
 * {@code rebuild_running} while one runs; 404 for an unknown promotion or rebuild; 503 {@code rebuild_unavailable}
 * without WriteDB settings ({@code rebuilder} null) or when a database does not answer.
 */
public final class RebuildRoutes {
  private static final Logger LOG = LoggerFactory.getLogger(RebuildRoutes.class);
  public static final String PATH = "/read-model/rebuilds";

  private final Rebuilder rebuilder;
  private final Guard guard;
  private final String noWriteDb;

  public RebuildRoutes(Rebuilder rebuilder, Guard guard, String noWriteDb) {
    this.rebuilder = rebuilder;
    this.guard = guard;
    this.noWriteDb = noWriteDb;
  }

  public void mount(Router router) {
    router.post(PATH).handler(guard.admin()).handler(this::start);
    router.get(PATH + "/:rebuildId").handler(guard.admin()).handler(this::status);
  }

  private void start(RoutingContext ctx) {
    UUID promotion;
    try {
      promotion = promotionOf(ctx.body().asString());
    } catch (IllegalArgumentException e) {
      HttpErrors.send(ctx, 400, "invalid_request", e.getMessage());
      return;
    }
    if (rebuilder == null) {
      HttpErrors.send(ctx, 503, "rebuild_unavailable", noWriteDb);
      return;
    }
    rebuilder.start(promotion).onComplete(ar -> {
      if (ar.succeeded()) {
        String location = PATH + "/" + ar.result().rebuildId();
        ctx.response().setStatusCode(202).putHeader(HttpHeaders.LOCATION, location)
            .putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(ar.result().toJson().toBuffer());
      } else if (ar.cause() instanceof RebuildStore.RebuildRunning running) {
        HttpErrors.send(ctx, 409, "rebuild_running", "rebuild " + running.running() + " is running (GET " + PATH
            + "/" + running.running() + "): one at a time");
      } else if (ar.cause() instanceof Rebuilder.NoSuchPromotion missing) {
        HttpErrors.send(ctx, 404, "not_found", missing.getMessage());
      } else {
        LOG.warn("rebuild not started: {}", ar.cause().getMessage());
        HttpErrors.send(ctx, 503, "rebuild_unavailable", "the rebuild could not start: " + ar.cause().getMessage());
      }
    });
  }

  /** The body's promotion id: null for the whole read model (no body, {@code {}}). */
  static UUID promotionOf(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("the body must be a JSON object: {} or {\"promotionId\": \"...\"}");
    }
    for (String field : json.fieldNames()) {
      if (!field.equals("promotionId")) {
        throw new IllegalArgumentException("unknown field " + field + ": the body is {} or {\"promotionId\": \"...\"}");
      }
    }
    Object id = json.getValue("promotionId");
    if (id == null) {
      return null;
    }
    try {
      if (!(id instanceof String text)) {
        throw new IllegalArgumentException();
      }
      return UUID.fromString(text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("promotionId must be a promotion id (a UUID)");
    }
  }

  private void status(RoutingContext ctx) {
    String raw = ctx.pathParam("rebuildId");
    UUID id;
    try {
      id = UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      HttpErrors.send(ctx, 404, "not_found", "no rebuild " + raw);
      return;
    }
    if (rebuilder == null) {
      HttpErrors.send(ctx, 503, "rebuild_unavailable", noWriteDb);
      return;
    }
    rebuilder.status(id).onComplete(ar -> {
      if (ar.failed()) {
        HttpErrors.send(ctx, 503, "rebuild_unavailable", "ReadDB did not answer: " + ar.cause().getMessage());
      } else if (ar.result().isEmpty()) {
        HttpErrors.send(ctx, 404, "not_found", "no rebuild " + id);
      } else {
        ctx.response().putHeader(HttpHeaders.CONTENT_TYPE, HttpErrors.JSON).end(ar.result().get().toJson().toBuffer());
      }
    });
  }
}
