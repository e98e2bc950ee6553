package io.seckill.shared.http;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

import java.time.Instant;
import java.time.format.DateTimeParseException;
import io.vertx.core.json.Json;

/** Reading request bodies and fields, turning every kind of bad input into a 400. */
public final class Bodies {
  private Bodies() {
  }

  /** The body as a JSON object, or a 400 with {@code error}. */
  public static JsonObject jsonObject(RoutingContext ctx, String error) {
    Buffer buffer = ctx.body().buffer();
    if (buffer == null || buffer.length() == 0) {
      throw ApiException.badRequest(error, "request body must be a JSON object");
    }
    Object value;
    try {
      value = Json.decodeValue(buffer);
    } catch (DecodeException e) {
      throw ApiException.badRequest(error, "request body is not valid JSON");
    }
    if (!(value instanceof JsonObject json)) {
      throw ApiException.badRequest(error, "request body must be a JSON object");
    }
    return json;
  }

  /** An ISO-8601 instant string or epoch milliseconds; a 400 naming the field otherwise. */
  public static Instant instant(JsonObject json, String field, String error) {
    Object value = json.getValue(field);
    if (value == null) {
      throw ApiException.badRequest(error, field + " is required");
    }
    if (value instanceof Number number) {
      if (number instanceof Double || number instanceof Float) {
        throw ApiException.badRequest(error, field + " must be an ISO-8601 instant or epoch milliseconds");
      }
      return Instant.ofEpochMilli(number.longValue());
    }
    if (value instanceof String text) {
      try {
        return Instant.parse(text);
      } catch (DateTimeParseException e) {
        throw ApiException.badRequest(error, field + " must be an ISO-8601 instant like 2026-11-28T16:00:00Z");
      }
    }
    throw ApiException.badRequest(error, field + " must be an ISO-8601 instant or epoch milliseconds");
  }
}
