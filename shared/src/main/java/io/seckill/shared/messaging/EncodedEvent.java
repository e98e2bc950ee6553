package io.seckill.shared.messaging;

/** An event as its JSON text, with the two fields the broker message carries as properties. */
public record EncodedEvent(String eventId, String type, String json) {
}
