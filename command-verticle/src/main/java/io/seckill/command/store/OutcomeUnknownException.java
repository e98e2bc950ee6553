package io.seckill.command.store;

/**
 * A write to WriteDB whose outcome is not known: its connection was lost, or no answer came within its deadline. It
 * may have committed or not; only a read of the store tells (the promotions it touched are rebuilt from it).
 */
public final class OutcomeUnknownException extends RuntimeException {
  public OutcomeUnknownException(String message) {
    super(message, null, false, false);
  }
}
