package io.seckill.shared.identity;

import java.util.Base64;

/** Base64url without padding, as JWTs use it. */
final class Base64Url {
  static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
  static final Base64.Decoder DECODER = Base64.getUrlDecoder();

  private Base64Url() {
  }

  static String encode(byte[] bytes) {
    return ENCODER.encodeToString(bytes);
  }

  /** True when every character of {@code s[from, to)} is in the base64url alphabet. */
  static boolean alphabet(CharSequence s, int from, int to) {
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      boolean ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
      if (!ok) {
        return false;
      }
    }
    return true;
  }
}
