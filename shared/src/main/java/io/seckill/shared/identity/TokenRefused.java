package io.seckill.shared.identity;

/** A token or ticket that is not acceptable; the message says why (it goes to the caller, never the token). */
public final class TokenRefused extends Exception {
  public TokenRefused(String message) {
    super(message, null, false, false);
  }
}
