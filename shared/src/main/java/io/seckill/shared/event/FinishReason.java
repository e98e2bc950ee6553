package io.seckill.shared.event;

/** Why a promotion finished; {@link #wire()} is the JSON value. */
public enum FinishReason {
  TIME_UP("time_up"),
  SOLD_OUT("sold_out"),
  CANCELLED("cancelled");

  private final String wire;

  FinishReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  public static FinishReason fromWire(String wire) {
    for (FinishReason reason : values()) {
      if (reason.wire.equals(wire)) {
        return reason;
      }
    }
    throw new IllegalArgumentException("unknown finish reason: " + wire);
  }
}
