package io.seckill.command.store;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;

/**
 * The stored form of a chunk's customers ({@code customer_chunks.customers}): per customer, the length of its
 * UTF-8 bytes in two bytes (big-endian), then those bytes. No separator can clash with an id, and decoding is a
 * walk over the bytes.
 */
public final class CustomerChunkCodec {
  private static final int MAX_LENGTH = 0xFFFF;

  private CustomerChunkCodec() {
  }

  public static byte[] encode(List<String> customers) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(customers.size() * 24);
    for (String customer : customers) {
      byte[] bytes = customer.getBytes(StandardCharsets.UTF_8);
      if (bytes.length > MAX_LENGTH) {
        throw new IllegalArgumentException("customer id of " + bytes.length + " bytes");
      }
      out.write(bytes.length >>> 8);
      out.write(bytes.length);
      out.write(bytes, 0, bytes.length);
    }
    return out.toByteArray();
  }

  /**
   * Adds the customers of {@code blob} to {@code into}; returns how many it holds.
   *
   * @throws IllegalArgumentException when the bytes are not such a list (a length running past the end)
   */
  public static int decode(byte[] blob, Collection<String> into) {
    int count = 0;
    int at = 0;
    while (at < blob.length) {
      if (at + 2 > blob.length) {
        throw new IllegalArgumentException("customer chunk cut inside a length at byte " + at);
      }
      int length = ((blob[at] & 0xFF) << 8) | (blob[at + 1] & 0xFF);
      at += 2;
      if (at + length > blob.length) {
        throw new IllegalArgumentException("customer chunk cut inside a customer id at byte " + at);
      }
      into.add(new String(blob, at, length, StandardCharsets.UTF_8));
      at += length;
      count++;
    }
    return count;
  }
}
