package io.seckill.command.domain;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

/**
 * The customers a promotion has served, in 21-43 bytes each whatever the ids' length (16 bytes a slot, the table
 * between three eighths and three quarters full): each id is kept as its 128-bit SipHash-2-4 (of its UTF-8 bytes,
 * under a key drawn at random for this set) in an open-addressing table of long pairs, with linear probing. A
 * {@code HashSet<String>} of 14-character ids took 101 bytes per customer, 1 GB for a sale of 10,000,000 coupons.
 *
 * <p>Two different ids answer the same only if their 128-bit hashes are equal: for 10,000,000 customers the chance
 * that any two of them do is below 2^-80, and the random key means nobody can choose an id that collides with
 * another's. The database's unique (promotion, customer) key stays the guard of I2 either way; a collision could
 * only refuse a customer, never give one a second coupon.
 *
 * <p>Writes are confined to one event loop; a set that no longer changes (a finished promotion's, sent to every
 * loop) may be read from any thread: lookups allocate nothing and write nothing.
 */
public final class CustomerSet {
  private static final float LOAD = 0.75f;
  private static final int MIN_SLOTS = 16;
  private static final int MAX_SLOTS = 1 << 29; // 8 GB of table: far past SPEC's 10,000,000 coupons
  private static final SecureRandom RANDOM = new SecureRandom();

  private final long k0;
  private final long k1;
  /** Slot i holds the hash's two halves at 2i and 2i+1; (0, 0) marks an empty slot (see {@link #storable}). */
  private long[] slots;
  private int size;
  private int growAt;

  private CustomerSet(long k0, long k1, int expected) {
    this.k0 = k0;
    this.k1 = k1;
    int count = MIN_SLOTS;
    while (count < MAX_SLOTS && count * LOAD < expected) {
      count <<= 1;
    }
    allocate(count);
  }

  /** An empty set with a new random key, sized for {@code expected} customers without growing. */
  public static CustomerSet withCapacity(int expected) {
    return new CustomerSet(RANDOM.nextLong(), RANDOM.nextLong(), expected);
  }

  public static CustomerSet empty() {
    return withCapacity(0);
  }

  /** A set of these customers. */
  public static CustomerSet of(String... customerIds) {
    CustomerSet set = withCapacity(customerIds.length);
    for (String customerId : customerIds) {
      set.add(customerId);
    }
    return set;
  }

  /** An empty set hashing with the given key (tests: known hashes). */
  static CustomerSet withKey(long k0, long k1) {
    return new CustomerSet(k0, k1, 0);
  }

  public int size() {
    return size;
  }

  /** Adds {@code customerId}; false when it was there already. */
  public boolean add(String customerId) {
    long[] v = SCRATCH.get();
    sipChars(customerId, v);
    return addHash(v[0], v[1]);
  }

  public boolean contains(String customerId) {
    long[] v = SCRATCH.get();
    sipChars(customerId, v);
    return find(v[0], v[1]);
  }

  /** Adds the customer whose UTF-8 id is {@code utf8[from, from + length)}; false when it was there already. */
  public boolean addUtf8(byte[] utf8, int from, int length) {
    long[] v = SCRATCH.get();
    sipUtf8(utf8, from, length, v);
    return addHash(v[0], v[1]);
  }

  /** This set's hash of {@code customerId}, its two halves (tests: the reference vectors). */
  long[] hash(String customerId) {
    long[] v = SCRATCH.get();
    sipChars(customerId, v);
    return new long[] {v[0], v[1]};
  }

  long[] hashUtf8(byte[] utf8) {
    long[] v = SCRATCH.get();
    sipUtf8(utf8, 0, utf8.length, v);
    return new long[] {v[0], v[1]};
  }

  // --- the table ---

  private void allocate(int count) {
    slots = new long[count * 2];
    growAt = (int) (count * LOAD);
  }

  private boolean addHash(long high, long low) {
    low = storable(high, low);
    int i = slot(slots, high, low);
    if (occupied(slots, i)) {
      return false;
    }
    slots[2 * i] = high;
    slots[2 * i + 1] = low;
    if (++size > growAt) {
      grow();
    }
    return true;
  }

  private boolean find(long high, long low) {
    long[] table = slots;
    return occupied(table, slot(table, high, storable(high, low)));
  }

  /** (0, 0) marks an empty slot: a hash of (0, 0) is kept as (0, 1). */
  private static long storable(long high, long low) {
    return high == 0 && low == 0 ? 1 : low;
  }

  /** Where (high, low) is in {@code table}, or the empty slot where it would go (linear probing from its hash). */
  private static int slot(long[] table, long high, long low) {
    int mask = table.length / 2 - 1;
    int i = (int) high & mask;
    while (occupied(table, i) && (table[2 * i] != high || table[2 * i + 1] != low)) {
      i = (i + 1) & mask;
    }
    return i;
  }

  private static boolean occupied(long[] table, int i) {
    return table[2 * i] != 0 || table[2 * i + 1] != 0;
  }

  private void grow() {
    if (slots.length / 2 >= MAX_SLOTS) {
      throw new IllegalStateException("customer set full at " + size + " customers");
    }
    long[] old = slots;
    allocate(old.length); // twice the slots: old.length is two longs a slot
    for (int j = 0; j < old.length / 2; j++) {
      if (occupied(old, j)) {
        int i = slot(slots, old[2 * j], old[2 * j + 1]);
        slots[2 * i] = old[2 * j];
        slots[2 * i + 1] = old[2 * j + 1];
      }
    }
  }

  // --- the wire form: a frozen set sent to other processes keeps its key ---

  /** The key, the size and the table: {@link #decode} gives back a set that answers exactly as this one. */
  public byte[] encode() {
    ByteBuffer out = ByteBuffer.allocate(16 + 4 + 16 * size);
    out.putLong(k0).putLong(k1).putInt(size);
    for (int j = 0; j < slots.length / 2; j++) {
      if (occupied(slots, j)) {
        out.putLong(slots[2 * j]).putLong(slots[2 * j + 1]);
      }
    }
    return out.array();
  }

  /** @throws IllegalArgumentException when {@code bytes} is not what {@link #encode} writes */
  public static CustomerSet decode(byte[] bytes) {
    ByteBuffer in = ByteBuffer.wrap(bytes);
    if (bytes.length < 20) {
      throw new IllegalArgumentException("customer set of " + bytes.length + " bytes");
    }
    long k0 = in.getLong();
    long k1 = in.getLong();
    int count = in.getInt();
    if (count < 0 || bytes.length != 20 + 16L * count) {
      throw new IllegalArgumentException("customer set of " + bytes.length + " bytes for " + count + " customers");
    }
    CustomerSet set = new CustomerSet(k0, k1, count);
    for (int n = 0; n < count; n++) {
      set.addHash(in.getLong(), in.getLong());
    }
    return set;
  }

  // --- SipHash-2-4 with 128 bits of output, over the id's UTF-8 bytes, allocating nothing ---

  /** SipHash's four words while hashing, the two halves of the hash after; one per thread, reused. */
  private static final ThreadLocal<long[]> SCRATCH = ThreadLocal.withInitial(() -> new long[4]);

  private void init(long[] v) {
    v[0] = k0 ^ 0x736f6d6570736575L;
    v[1] = k1 ^ 0x646f72616e646f6dL ^ 0xee; // 0xee: the 128-bit variant
    v[2] = k0 ^ 0x6c7967656e657261L;
    v[3] = k1 ^ 0x7465646279746573L;
  }

  private void sipChars(String id, long[] v) {
    init(v);
    long word = 0;
    int bits = 0;
    long total = 0;
    int n = id.length();
    for (int c = 0; c < n; c++) {
      int code = id.charAt(c);
      int encoded; // up to four UTF-8 bytes, the first in the lowest byte
      int count;
      if (code < 0x80) {
        encoded = code;
        count = 1;
      } else if (code < 0x800) {
        encoded = (0xC0 | code >>> 6) | (0x80 | code & 0x3F) << 8;
        count = 2;
      } else if (!Character.isSurrogate((char) code)) {
        encoded = (0xE0 | code >>> 12) | (0x80 | code >>> 6 & 0x3F) << 8 | (0x80 | code & 0x3F) << 16;
        count = 3;
      } else if (Character.isHighSurrogate((char) code) && c + 1 < n && Character.isLowSurrogate(id.charAt(c + 1))) {
        int point = Character.toCodePoint((char) code, id.charAt(++c));
        encoded = (0xF0 | point >>> 18) | (0x80 | point >>> 12 & 0x3F) << 8 | (0x80 | point >>> 6 & 0x3F) << 16
            | (0x80 | point & 0x3F) << 24;
        count = 4;
      } else {
        encoded = '?'; // a lone surrogate, as String.getBytes(UTF_8) writes it
        count = 1;
      }
      for (int b = 0; b < count; b++) {
        word |= (long) ((encoded >>> (8 * b)) & 0xFF) << bits;
        bits += 8;
        total++;
        if (bits == 64) {
          compress(v, word);
          word = 0;
          bits = 0;
        }
      }
    }
    finish(v, word | total << 56);
  }

  private void sipUtf8(byte[] utf8, int from, int length, long[] v) {
    init(v);
    int whole = from + (length & ~7);
    for (int at = from; at < whole; at += 8) {
      long word = 0;
      for (int b = 0; b < 8; b++) {
        word |= (long) (utf8[at + b] & 0xFF) << (8 * b);
      }
      compress(v, word);
    }
    long last = (long) length << 56;
    for (int at = whole; at < from + length; at++) {
      last |= (long) (utf8[at] & 0xFF) << (8 * (at - whole));
    }
    finish(v, last);
  }

  private static void compress(long[] v, long word) {
    v[3] ^= word;
    rounds(v, 2);
    v[0] ^= word;
  }

  /** The last word (the tail and the length in its top byte), then the finalization: v[0], v[1] = the hash. */
  private static void finish(long[] v, long last) {
    compress(v, last);
    v[2] ^= 0xee;
    rounds(v, 4);
    long high = v[0] ^ v[1] ^ v[2] ^ v[3];
    v[1] ^= 0xdd;
    rounds(v, 4);
    long low = v[0] ^ v[1] ^ v[2] ^ v[3];
    v[0] = high;
    v[1] = low;
  }

  private static void rounds(long[] v, int count) {
    long v0 = v[0];
    long v1 = v[1];
    long v2 = v[2];
    long v3 = v[3];
    for (int r = 0; r < count; r++) {
      v0 += v1;
      v1 = Long.rotateLeft(v1, 13) ^ v0;
      v0 = Long.rotateLeft(v0, 32);
      v2 += v3;
      v3 = Long.rotateLeft(v3, 16) ^ v2;
      v0 += v3;
      v3 = Long.rotateLeft(v3, 21) ^ v0;
      v2 += v1;
      v1 = Long.rotateLeft(v1, 17) ^ v2;
      v2 = Long.rotateLeft(v2, 32);
    }
    v[0] = v0;
    v[1] = v1;
    v[2] = v2;
    v[3] = v3;
  }
}
