package io.seckill.event.audit;

import io.seckill.event.audit.CouponMerge.Coupon;
import io.seckill.event.audit.CouponMerge.Need;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;

class CouponMergeTest {
  /** Feeds both sides in chunks of {@code chunk}, as the store does, until the merge needs nothing. */
  private static CouponMerge merged(long position, List<Coupon> written, List<Coupon> read, int chunk) {
    CouponMerge merge = new CouponMerge(position, 5);
    int w = 0;
    int r = 0;
    while (true) {
      Need need = merge.advance();
      if (need == Need.NOTHING) {
        return merge;
      }
      if (need == Need.WRITTEN) {
        List<Coupon> next = written.subList(w, Math.min(written.size(), w + chunk));
        w += next.size();
        merge.written(next, next.size() < chunk);
      } else {
        List<Coupon> next = read.subList(r, Math.min(read.size(), r + chunk));
        r += next.size();
        merge.read(next, next.size() < chunk);
      }
    }
  }

  private static List<Coupon> sorted(List<Coupon> coupons) {
    List<Coupon> all = new ArrayList<>(coupons);
    all.sort(Comparator.comparing(Coupon::customerId, CouponMerge::compare));
    return all;
  }

  @Test
  void aReadModelHoldingEveryGrabUpToItsPositionMatches() {
    List<Coupon> written = sorted(List.of(new Coupon("a", 2), new Coupon("b", 3), new Coupon("c", 4)));

    CouponMerge merge = merged(4, written, written, 2);

    assertThat(merge.missingCount()).isZero();
    assertThat(merge.extraCount()).isZero();
    assertThat(merge.grabs()).isEqualTo(3);
    assertThat(merge.grabsUpToPosition()).isEqualTo(3);
    assertThat(merge.coupons()).isEqualTo(3);
  }

  @Test
  void grabsAboveThePositionMayBeAbsent() {
    List<Coupon> written = sorted(List.of(new Coupon("a", 2), new Coupon("b", 3), new Coupon("c", 4)));

    CouponMerge merge = merged(3, written, sorted(List.of(new Coupon("a", 2), new Coupon("b", 3))), 1);

    assertThat(merge.missingCount()).isZero();
    assertThat(merge.extraCount()).isZero();
    assertThat(merge.grabsUpToPosition()).isEqualTo(2);
  }

  @Test
  void aGrabAtOrBelowThePositionWithoutItsCouponIsMissing() {
    List<Coupon> written = sorted(List.of(new Coupon("a", 2), new Coupon("b", 3), new Coupon("c", 4)));

    CouponMerge merge = merged(4, written, sorted(List.of(new Coupon("a", 2), new Coupon("c", 4))), 2);

    assertThat(merge.missing()).containsExactly("b");
    assertThat(merge.extraCount()).isZero();
  }

  @Test
  void aCouponNobodyGrabbedAnotherSequenceOrAboveThePositionIsExtra() {
    List<Coupon> written = sorted(List.of(new Coupon("a", 2), new Coupon("b", 3), new Coupon("c", 4)));
    List<Coupon> read = sorted(List.of(new Coupon("a", 2), new Coupon("b", 7), new Coupon("c", 4),
        new Coupon("zed", 5)));

    CouponMerge merge = merged(3, written, read, 3);

    // b: another sequence; c: above ReadDB's own position 3; zed: never grabbed
    assertThat(merge.extra()).containsExactly("b", "c", "zed");
    assertThat(merge.missingCount()).isZero();
  }

  @Test
  void idsAreOrderedByCodePointAsTheBinaryCollationOrdersTheirBytes() {
    // U+FF5E is above U+D83D (the high surrogate of U+1F600) as UTF-16, below U+1F600 as code points and UTF-8
    assertThat(CouponMerge.compare("\uFF5E", "\uD83D\uDE00")).isNegative();
    assertThat("\uFF5E".compareTo("\uD83D\uDE00")).isPositive();
    assertThat(CouponMerge.compare("ab", "abc")).isNegative();
    assertThat(CouponMerge.compare("B", "a")).isNegative();
  }

  @Test
  void anyChunkingGivesTheSameCountsAsAMapComparison() {
    Random random = new Random(42);
    for (int round = 0; round < 200; round++) {
      TreeMap<String, Long> written = new TreeMap<>(CouponMerge::compare);
      TreeMap<String, Long> read = new TreeMap<>(CouponMerge::compare);
      int n = random.nextInt(60);
      for (int i = 0; i < n; i++) {
        written.put("c" + random.nextInt(100), (long) i + 2);
      }
      long position = random.nextInt(n + 3);
      written.forEach((c, s) -> {
        if (s <= position && random.nextInt(10) > 0) {
          read.put(c, random.nextInt(20) == 0 ? s + 100 : s);
        }
      });
      for (int i = 0; i < random.nextInt(3); i++) {
        read.put("x" + random.nextInt(100), 1L);
      }
      long missing = written.entrySet().stream().filter(e -> e.getValue() <= position && !read.containsKey(e.getKey()))
          .count();
      long extra = read.entrySet().stream().filter(e -> !e.getValue().equals(written.get(e.getKey()))
          || e.getValue() > position).count();

      CouponMerge merge = merged(position, toList(written), toList(read), 1 + random.nextInt(7));

      assertThat(merge.missingCount()).as("round %d", round).isEqualTo(missing);
      assertThat(merge.extraCount()).as("round %d", round).isEqualTo(extra);
      assertThat(merge.grabs()).isEqualTo(written.size());
      assertThat(merge.coupons()).isEqualTo(read.size());
    }
  }

  private static List<Coupon> toList(TreeMap<String, Long> map) {
    List<Coupon> list = new ArrayList<>();
    map.forEach((c, s) -> list.add(new Coupon(c, s)));
    return list;
  }
}
