package io.seckill.shared.event;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import io.vertx.core.json.DecodeException;

/**
 * The JSON form of events, used in the event store's payload column and on the broker.
 * A broker message body is either one event (an object) or a batch (an array of events, in order).
 */
public final class EventCodec {
  private EventCodec() {
  }

  public static JsonObject toJson(SecKillEvent event) {
    JsonObject json = new JsonObject()
        .put("eventId", event.eventId().toString())
        .put("type", event.type())
        .put("promotionId", event.promotionId().toString())
        .put("sequence", event.sequence())
        .put("time", event.time().toString());
    if (event instanceof PromotionStartEvent start) {
      json.put("numberOfCoupons", start.numberOfCoupons())
          .put("discount", start.discount())
          .put("publishTime", start.publishTime().toString())
          .put("finishTime", start.finishTime().toString());
    } else if (event instanceof CouponGrabbedEvent grabbed) {
      json.put("customerId", grabbed.customerId()).put("discount", grabbed.discount());
    } else if (event instanceof PromotionFinishEvent finish) {
      json.put("reason", finish.reason().wire());
    }
    return json;
  }

  /** The JSON text of an event, written directly (this runs for every accepted grab). */
  public static String encode(SecKillEvent event) {
    StringBuilder json = new StringBuilder(320) // a grab's event, with a customer id of 64 characters, fits
        .append("{\"eventId\":\"").append(event.eventId())
        .append("\",\"type\":\"").append(event.type())
        .append("\",\"promotionId\":\"").append(event.promotionId())
        .append("\",\"sequence\":").append(event.sequence())
        .append(",\"time\":\"");
    InstantText.append(json, event.time()).append('"');
    if (event instanceof PromotionStartEvent start) {
      json.append(",\"numberOfCoupons\":").append(start.numberOfCoupons())
          .append(",\"discount\":").append(start.discount())
          .append(",\"publishTime\":\"").append(start.publishTime())
          .append("\",\"finishTime\":\"").append(start.finishTime()).append('"');
    } else if (event instanceof CouponGrabbedEvent grabbed) {
      json.append(",\"customerId\":\"");
      JsonStringEncoder.getInstance().quoteAsString(grabbed.customerId(), json);
      json.append("\",\"discount\":").append(grabbed.discount());
    } else if (event instanceof PromotionFinishEvent finish) {
      json.append(",\"reason\":\"").append(finish.reason().wire()).append('"');
    }
    return json.append('}').toString();
  }

  /** A batch body made of events already encoded (as stored in the event store): no decode, no re-encode. */
  public static String batchOf(List<String> encodedEvents) {
    int length = 2;
    for (String event : encodedEvents) {
      length += event.length() + 1;
    }
    StringBuilder body = new StringBuilder(length).append('[');
    for (int i = 0; i < encodedEvents.size(); i++) {
      if (i > 0) {
        body.append(',');
      }
      body.append(encodedEvents.get(i));
    }
    return body.append(']').toString();
  }

  /** @throws IllegalArgumentException when the JSON is not an event */
  public static SecKillEvent fromJson(JsonObject json) {
    try {
      UUID eventId = UUID.fromString(json.getString("eventId"));
      UUID promotionId = UUID.fromString(json.getString("promotionId"));
      long sequence = json.getLong("sequence");
      Instant time = Instant.parse(json.getString("time"));
      String type = json.getString("type");
      return switch (type) {
        case PromotionStartEvent.TYPE -> new PromotionStartEvent(eventId, promotionId, sequence, time,
            json.getInteger("numberOfCoupons"), json.getDouble("discount"),
            Instant.parse(json.getString("publishTime")), Instant.parse(json.getString("finishTime")));
        case CouponGrabbedEvent.TYPE -> new CouponGrabbedEvent(eventId, promotionId, sequence, time,
            json.getString("customerId"), json.getDouble("discount"));
        case PromotionFinishEvent.TYPE -> new PromotionFinishEvent(eventId, promotionId, sequence, time,
            FinishReason.fromWire(json.getString("reason")));
        default -> throw new IllegalArgumentException("unknown event type: " + type);
      };
    } catch (RuntimeException e) {
      if (e instanceof IllegalArgumentException iae) {
        throw iae;
      }
      throw new IllegalArgumentException("not an event: " + e.getMessage(), e);
    }
  }

  public static SecKillEvent decode(String json) {
    return fromJson(new JsonObject(json));
  }

  /** Decodes a message body: one event (object) or a batch (array). */
  public static List<SecKillEvent> decodeBody(String body) {
    String trimmed = body.trim();
    try {
      if (trimmed.startsWith("[")) {
        JsonArray array = new JsonArray(trimmed);
        List<SecKillEvent> events = new ArrayList<>(array.size());
        for (int i = 0; i < array.size(); i++) {
          events.add(fromJson(array.getJsonObject(i)));
        }
        return events;
      }
      return List.of(fromJson(new JsonObject(trimmed)));
    } catch (DecodeException | ClassCastException e) {
      throw new IllegalArgumentException("message body is not JSON of events: " + e.getMessage(), e);
    }
  }
}
