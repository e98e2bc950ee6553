package io.seckill.shared.identity;

/** What a customer id may be: 1 to {@value #MAX_LENGTH} characters of valid Unicode, not blank. */
public final class CustomerIds {
  public static final int MAX_LENGTH = 64;

  private CustomerIds() {
  }

  public static boolean valid(String id) {
    return id != null && !id.isBlank() && id.length() <= MAX_LENGTH && unpairedSurrogate(id) < 0;
  }

  /**
   * The index of the first unpaired surrogate, or -1. JSON lets "\ud800" through; such an id is not Unicode and
   * would reach the database as '?', where two customers distinct in memory would collide on the unique key.
   */
  public static int unpairedSurrogate(String id) {
    for (int i = 0; i < id.length(); i++) {
      char c = id.charAt(i);
      if (Character.isHighSurrogate(c) && i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return i;
      }
    }
    return -1;
  }
}
