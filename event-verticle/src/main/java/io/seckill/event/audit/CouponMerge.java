package io.seckill.event.audit;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * WriteDB's grabs of one promotion against ReadDB's coupons of it, both read in chunks sorted by customer id (byte
 * order: both columns are {@code utf8mb4_nopad_bin}, whose order is the code points'), merged as they come, so that a
 * sale of a million customers is compared with two chunks in memory. ReadDB's coupons are judged against its own
 * position (the last sequence it applied): a grab at or below it must be there with its sequence; above it, its
 * absence is lag, not damage; a coupon the events do not give (unknown customer, other sequence, above the position)
 * is damage. At most {@code shown} customer ids of each kind are kept; all are counted.
 */
public final class CouponMerge {
  /** A customer's coupon: its CouponGrabbedEvent's sequence. */
  public record Coupon(String customerId, long sequence) {
  }

  /** What the merge needs next to go on. */
  public enum Need { WRITTEN, READ, NOTHING }

  private final long position;
  private final int shown;
  private final ArrayDeque<Coupon> written = new ArrayDeque<>();
  private final ArrayDeque<Coupon> read = new ArrayDeque<>();
  private boolean writtenDone;
  private boolean readDone;
  private long grabs;
  private long grabsUpToPosition;
  private long coupons;
  private long missingCount;
  private long extraCount;
  private final List<String> missing = new ArrayList<>();
  private final List<String> extra = new ArrayList<>();

  public CouponMerge(long position, int shown) {
    this.position = position;
    this.shown = shown;
  }

  /** The next chunk of WriteDB's grabs (sorted by customer id, after the previous chunk's); {@code last}: no more. */
  public void written(List<Coupon> chunk, boolean last) {
    written.addAll(chunk);
    writtenDone = last;
  }

  /** The next chunk of ReadDB's coupons, likewise. */
  public void read(List<Coupon> chunk, boolean last) {
    read.addAll(chunk);
    readDone = last;
  }

  /** Compares all it can; says which side it needs more of, or {@link Need#NOTHING} once both sides are done. */
  public Need advance() {
    while (true) {
      Coupon w = written.peekFirst();
      Coupon r = read.peekFirst();
      if (w == null && !writtenDone) {
        return Need.WRITTEN;
      }
      if (r == null && !readDone) {
        return Need.READ;
      }
      if (w == null && r == null) {
        return Need.NOTHING;
      }
      int order = w == null ? 1 : r == null ? -1 : compare(w.customerId(), r.customerId());
      if (order < 0) {
        writtenOnly(written.pollFirst());
      } else if (order > 0) {
        readOnly(read.pollFirst());
      } else {
        both(written.pollFirst(), read.pollFirst());
      }
    }
  }

  private void writtenOnly(Coupon w) {
    countWritten(w);
    if (w.sequence() <= position) {
      missingCount++;
      if (missing.size() < shown) {
        missing.add(w.customerId());
      }
    }
  }

  private void readOnly(Coupon r) {
    coupons++;
    extra(r.customerId());
  }

  private void both(Coupon w, Coupon r) {
    countWritten(w);
    coupons++;
    if (w.sequence() != r.sequence() || r.sequence() > position) {
      extra(r.customerId());
    }
  }

  private void countWritten(Coupon w) {
    grabs++;
    if (w.sequence() <= position) {
      grabsUpToPosition++;
    }
  }

  private void extra(String customerId) {
    extraCount++;
    if (extra.size() < shown) {
      extra.add(customerId);
    }
  }

  /** Code point order, which is UTF-8 byte order ({@link String#compareTo} is UTF-16's, not the same past U+FFFF). */
  static int compare(String a, String b) {
    int i = 0;
    int j = 0;
    while (i < a.length() && j < b.length()) {
      int ca = a.codePointAt(i);
      int cb = b.codePointAt(j);
      if (ca != cb) {
        return Integer.compare(ca, cb);
      }
      i += Character.charCount(ca);
      j += Character.charCount(cb);
    }
    return Integer.compare(a.length() - i, b.length() - j);
  }

  public long grabs() {
    return grabs;
  }

  public long grabsUpToPosition() {
    return grabsUpToPosition;
  }

  public long coupons() {
    return coupons;
  }

  public long missingCount() {
    return missingCount;
  }

  public long extraCount() {
    return extraCount;
  }

  /** Customers whose grab at or below ReadDB's position has no coupon there (at most {@code shown}). */
  public List<String> missing() {
    return Collections.unmodifiableList(missing);
  }

  /** Customers whose coupon in ReadDB the events do not give (at most {@code shown}). */
  public List<String> extra() {
    return Collections.unmodifiableList(extra);
  }
}
