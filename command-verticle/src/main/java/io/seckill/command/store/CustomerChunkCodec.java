package io.seckill.command.store;

import io.seckill.command.domain.CustomerSet;

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
    return walk(blob, (bytes, at, length) -> into.add(new String(bytes, at, length, StandardCharsets.UTF_8)));
  }

  /**
   * Adds the customers of {@code blob} to {@code into} from their UTF-8 bytes (no string made); returns how many it
   * holds, those already in {@code into} included.
   *
   * @throws IllegalArgumentException when the bytes are not such a list (a length running past the end)
   */
  public static int decode(byte[] blob, CustomerSet into) {
    return walk(blob, into::addUtf8);
  }

  /**
   * How many customers {@code blob} holds.
   *
   * @throws IllegalArgumentException when the bytes are not such a list (a length running past the end)
   */
  public static int count(byte[] blob) {
    return walk(blob, (bytes, at, length) -> { });
  }

  private interface Customer {
    void add(byte[] blob, int at, int length);
  }

  private static int walk(byte[] blob, Customer each) {
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
      each.add(blob, at, length);
      at += length;
      count++;
    }
    return count;
  }
}
