package io.seckill.shared.event;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Event ids: time-ordered (version 7) UUIDs, 48 bits of Unix milliseconds then 74 random bits from
 * {@link ThreadLocalRandom}. An event id must be unique, not unguessable: {@link UUID#randomUUID()} pays for a
 * shared SecureRandom on every accepted grab, and its random order scatters every insert across the event store's
 * unique event_id index, where time-ordered ids land at its right-hand edge. Within a millisecond 74 random bits
 * keep collisions as unlikely as with randomUUID; the unique key would refuse one.
 */
public final class EventIds {
  private EventIds() {
  }

  public static UUID next() {
    return at(System.currentTimeMillis());
  }

  static UUID at(long epochMillis) {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long most = (epochMillis << 16) | 0x7000L | (random.nextLong() & 0x0FFFL);               // version 7
    long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;           // IETF variant
    return new UUID(most, least);
  }
}
