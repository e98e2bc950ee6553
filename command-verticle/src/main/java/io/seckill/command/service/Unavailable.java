package io.seckill.command.service;

/**
 * Nothing was decided: the promotion's partition is not served here now (held elsewhere, loading, leases not renewed
 * in time, moving between members) or the promotion is recovering from a write that did not commit. Asking again is
 * safe; the HTTP layer answers 503 {@code unavailable} with Retry-After.
 */
public final class Unavailable extends RuntimeException {
  public Unavailable(String message) {
    super(message, null, false, false);
  }
}
