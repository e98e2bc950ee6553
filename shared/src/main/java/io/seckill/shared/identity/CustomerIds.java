package io.seckill.shared.identity;

/** What a customer id may be: 1 to 64 characters of valid Unicode, not blank. */
public final class CustomerIds {
  private CustomerIds() {
  }

  public static boolean valid(String id) {
    if (id == null || id.isEmpty() || id.length() > ClaimsCheck.MAX_CUSTOMER_ID || id.isBlank()) {
      return false;
    }
    // JSON lets "\ud800" through; such an id is not Unicode and would reach the database as '?'
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return false;
      }
    }
    return true;
  }
}
