package io.seckill.command.http;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.seckill.shared.http.ApiException;
import io.seckill.shared.identity.CustomerIds;
import io.vertx.core.buffer.Buffer;

import java.io.IOException;
import java.util.UUID;

/**
 * The body of {@code POST /command/coupons} and {@code POST /command/tickets}, read with Jackson's streaming
 * parser: the two fields are taken as they stream by (no map of the whole object is built on the hot path).
 * {@code customerId} is optional (the customer is the token's; a body that names one must name the same).
 * Every kind of bad input is a 400 {@code invalid_request} naming what is wrong.
 */
record GrabRequest(UUID promotionId, String customerId) {
  static final String INVALID = "invalid_request";
  private static final JsonFactory JSON = new JsonFactory();

  static GrabRequest parse(Buffer body) {
    if (body == null || body.length() == 0) {
      throw ApiException.badRequest(INVALID, "request body must be a JSON object");
    }
    String promotionId = null;
    String customerId = null;
    try (JsonParser parser = JSON.createParser(body.getBytes())) {
      if (parser.nextToken() != JsonToken.START_OBJECT) {
        throw ApiException.badRequest(INVALID, "request body must be a JSON object");
      }
      for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
        String field = parser.currentName();
        JsonToken value = parser.nextToken();
        if ("promotionId".equals(field)) {
          promotionId = string(parser, value, field);
        } else if ("customerId".equals(field)) {
          customerId = string(parser, value, field);
        } else {
          parser.skipChildren();
        }
      }
      if (parser.nextToken() != null) {
        throw ApiException.badRequest(INVALID, "request body is not valid JSON");
      }
    } catch (IOException e) {
      throw ApiException.badRequest(INVALID, "request body is not valid JSON");
    }
    return new GrabRequest(promotionId(promotionId), customerId(customerId));
  }

  private static String string(JsonParser parser, JsonToken value, String field) throws IOException {
    if (value == JsonToken.VALUE_NULL) {
      return null;
    }
    if (value != JsonToken.VALUE_STRING) {
      throw ApiException.badRequest(INVALID, field + " must be a string");
    }
    return parser.getText();
  }

  private static UUID promotionId(String raw) {
    if (raw == null) {
      throw ApiException.badRequest(INVALID, "promotionId is required and must be a string");
    }
    try {
      return UUID.fromString(raw);
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest(INVALID, "promotionId must be a UUID");
    }
  }

  private static String customerId(String customerId) {
    if (customerId == null) {
      return null;
    }
    if (customerId.isBlank() || customerId.length() > CustomerIds.MAX_LENGTH) {
      throw ApiException.badRequest(INVALID, "customerId must be 1 to " + CustomerIds.MAX_LENGTH + " characters");
    }
    int surrogate = CustomerIds.unpairedSurrogate(customerId);
    if (surrogate >= 0) {
      throw ApiException.badRequest(INVALID, "customerId must be valid Unicode: unpaired surrogate \\u"
          + Integer.toHexString(customerId.charAt(surrogate)) + " at " + surrogate);
    }
    return customerId;
  }
}
