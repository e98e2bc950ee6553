package io.seckill.shared.identity;

import java.util.Locale;

/**
 * Who may use a page's development sign-in (a token for a typed name, signed by the embedded development issuer):
 * the console's (SECKILL_CONSOLE_DEV_SIGNIN) and the shop front's (SECKILL_SHOP_DEV_SIGNIN). Offered only when the
 * system is its own issuer, whatever this says.
 */
public enum DevSignIn {
  OFF, LOOPBACK, ON;

  /** {@code value} of the variable {@code name}: off, loopback or on. */
  public static DevSignIn parse(String name, String value) {
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "off" -> OFF;
      case "loopback" -> LOOPBACK;
      case "on" -> ON;
      default -> throw new IllegalArgumentException(name + " must be off, loopback or on, got '" + value + "'");
    };
  }

  /** Whether a caller at {@code remoteAddress} may sign in this way. */
  public boolean allows(String remoteAddress) {
    return switch (this) {
      case OFF -> false;
      case ON -> true;
      case LOOPBACK -> remoteAddress != null && (remoteAddress.startsWith("127.")
          || remoteAddress.equals("::1") || remoteAddress.equals("0:0:0:0:0:0:0:1"));
    };
  }
}
