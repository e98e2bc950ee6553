package io.seckill.shared.event;

import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Event ids: random (version 4) UUIDs from {@link ThreadLocalRandom}. An event id must be unique, not
 * unguessable, and {@link UUID#randomUUID()} pays for a shared SecureRandom on every accepted grab.
 * 122 random bits make a collision as unlikely as with randomUUID; the unique key on event_id would refuse one.
 */
public final class EventIds {
  private EventIds() {
  }

  public static UUID next() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long most = (random.nextLong() & ~0xF000L) | 0x4000L;                   // version 4
    long least = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
    return new UUID(most, least);
  }
}
