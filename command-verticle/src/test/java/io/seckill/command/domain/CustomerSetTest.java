package io.seckill.command.domain;

import io.seckill.shared.event.PromotionStartEvent;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CustomerSetTest {
  /** The reference key, bytes 00..0f. */
  private static final CustomerSet REFERENCE = CustomerSet.withKey(0x0706050403020100L, 0x0f0e0d0c0b0a0908L);

  /** veorq/SipHash's vectors_sip128 for messages 00..(n-1), as the two little-endian halves. */
  @Test
  void theHashIsSipHash24With128BitsOfOutput() {
    assertHash(0, "a3817f04ba25a8e66df67214c7550293");
    assertHash(1, "da87c1d86b99af44347659119b22fc45");
    assertHash(2, "8177228da4a45dc7fca38bdef60affe4");
    assertHash(3, "9c70b60c5267a94e5f33b6b02985ed51");
    assertHash(4, "f88164c12d9c8faf7d0f6e7c7bcd5579");
    assertHash(15, "5493e99933b0a8117e08ec0f97cfc3d9");
  }

  private static void assertHash(int length, String hex) {
    byte[] message = new byte[length];
    StringBuilder chars = new StringBuilder();
    for (int i = 0; i < length; i++) {
      message[i] = (byte) i;
      chars.append((char) i); // below 0x80: one UTF-8 byte each
    }
    byte[] expected = new byte[16];
    for (int i = 0; i < 16; i++) {
      expected[i] = (byte) Integer.parseInt(hex.substring(2 * i, 2 * i + 2), 16);
    }
    long high = 0;
    long low = 0;
    for (int i = 7; i >= 0; i--) {
      high = high << 8 | (expected[i] & 0xFF);
      low = low << 8 | (expected[8 + i] & 0xFF);
    }
    assertThat(REFERENCE.hashUtf8(message)).containsExactly(high, low);
    assertThat(REFERENCE.hash(chars.toString())).containsExactly(high, low);
  }

  /** An id hashes the same from its string (a grab) and from its stored UTF-8 bytes (a snapshot chunk). */
  @Test
  void anIdHashesTheSameFromItsCharsAndFromItsUtf8Bytes() {
    List<String> ids = List.of("", "a", "b123456", "0123456789abcdef", "ünïcode", "日本語のお客様", "emoji 😀 here",
        "lone \ud800 surrogate", "trailing \udbff", "\udc00 low first", "x".repeat(64), "é".repeat(33));
    for (String id : ids) {
      assertThat(REFERENCE.hash(id)).as(id).containsExactly(REFERENCE.hashUtf8(id.getBytes(StandardCharsets.UTF_8)));
      CustomerSet set = CustomerSet.empty();
      byte[] utf8 = id.getBytes(StandardCharsets.UTF_8);
      byte[] padded = new byte[utf8.length + 6];
      System.arraycopy(utf8, 0, padded, 3, utf8.length);
      assertThat(set.addUtf8(padded, 3, utf8.length)).isTrue();
      assertThat(set.contains(id)).as(id).isTrue();
      assertThat(set.add(id)).isFalse();
    }
  }

  @Test
  void holdsExactlyWhatWasAddedThroughManyGrowths() {
    CustomerSet set = CustomerSet.empty();
    for (int i = 0; i < 200_000; i++) {
      assertThat(set.add("c" + i)).isTrue();
    }
    assertThat(set.add("c17")).isFalse();
    assertThat(set.size()).isEqualTo(200_000);
    for (int i = 0; i < 200_000; i++) {
      assertThat(set.contains("c" + i)).isTrue();
      assertThat(set.contains("d" + i)).isFalse();
    }
  }

  /** Against a HashSet, with random ids: the same answers to every add and lookup. */
  @Test
  void answersAsAHashSetDoes() {
    Random random = new Random(20261206);
    Set<String> reference = new HashSet<>();
    CustomerSet set = CustomerSet.withCapacity(10);
    for (int i = 0; i < 50_000; i++) {
      String id = Integer.toString(random.nextInt(30_000), 36);
      if (random.nextBoolean()) {
        assertThat(set.add(id)).isEqualTo(reference.add(id));
      } else {
        assertThat(set.contains(id)).isEqualTo(reference.contains(id));
      }
    }
    assertThat(set.size()).isEqualTo(reference.size());
  }

  @Test
  void twoSetsHashWithKeysOfTheirOwn() {
    assertThat(CustomerSet.empty().hash("alice")).isNotEqualTo(CustomerSet.empty().hash("alice"));
  }

  @Test
  void theWireFormGivesBackASetThatAnswersTheSame() {
    CustomerSet sent = CustomerSet.of("alice", "bob", "ünïcode 😀");
    CustomerSet received = CustomerSet.decode(sent.encode());
    assertThat(received.size()).isEqualTo(3);
    assertThat(List.of("alice", "bob", "ünïcode 😀")).allMatch(received::contains);
    assertThat(received.contains("carol")).isFalse();
    assertThat(CustomerSet.decode(CustomerSet.empty().encode()).size()).isZero();
  }

  @Test
  void aWireFormOfTheWrongLengthIsRefused() {
    byte[] whole = CustomerSet.of("alice", "bob").encode();
    assertThatThrownBy(() -> CustomerSet.decode(Arrays.copyOf(whole, whole.length - 1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> CustomerSet.decode(new byte[3])).isInstanceOf(IllegalArgumentException.class);
  }

  /**
   * The footprint SPEC §5 measures: heap per customer served, after a full GC, for a promotion of 1,000,000
   * customers (a HashSet of their ids took ~300 bytes each; the goal is 64).
   */
  @Test
  void aMillionCustomersTakeLessThan64BytesEach() {
    MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    String[] ids = new String[1_000_000];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = "customer-" + i;
    }
    System.gc();
    long before = memory.getHeapMemoryUsage().getUsed();
    PromotionState state = PromotionState.restored(start(), CustomerSet.of(ids), null, ids.length + 1L);
    System.gc();
    long after = memory.getHeapMemoryUsage().getUsed();
    double perCustomer = (after - before) / (double) ids.length;
    System.out.printf("customer set: %.1f bytes per customer after a full GC (1,000,000 customers)%n", perCustomer);
    assertThat(state.hasCustomer("customer-999999")).isTrue();
    assertThat(perCustomer).isLessThanOrEqualTo(64);
  }

  private static PromotionStartEvent start() {
    Instant now = Instant.parse("2026-12-06T20:00:00Z");
    return new PromotionStartEvent(UUID.randomUUID(), UUID.randomUUID(), 1, now, 10_000_000, 0.5, now,
        now.plusSeconds(3600));
  }
}
