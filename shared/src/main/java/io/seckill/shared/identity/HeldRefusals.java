package io.seckill.shared.identity;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The refusals a JVM holds now, within {@link LimitHold#maxHeld}: thread-safe, shared by every event loop. A
 * holder asks {@link #tryHold} and, when it was granted, calls {@link #release} once the refusal is sent (or its
 * connection is gone).
 */
public final class HeldRefusals {
  private final LimitHold hold;
  private final AtomicInteger held = new AtomicInteger();

  public HeldRefusals(LimitHold hold) {
    this.hold = hold;
  }

  /** True when one more refusal may be held now (and it is counted); false: send it at once. */
  public boolean tryHold() {
    if (!hold.enabled()) {
      return false;
    }
    if (held.incrementAndGet() > hold.maxHeld()) {
      held.decrementAndGet();
      return false;
    }
    return true;
  }

  public void release() {
    held.decrementAndGet();
  }

  public long millis() {
    return hold.millis();
  }

  /** Refusals held now. */
  public int held() {
    return held.get();
  }
}
