package io.seckill.event.audit;

import java.util.Collection;
import java.util.Locale;

/** An audit's verdict (SPEC §8), worst first when several are combined. */
public enum Verdict {
  /** ReadDB holds exactly what WriteDB's events say, up to their last sequence. */
  CONSISTENT,
  /** ReadDB is behind WriteDB, and everything it holds matches the events up to its own position. */
  LAGGING,
  /** ReadDB holds something the events do not say, or lacks something below its own position. */
  DIVERGED;

  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The worst of {@code verdicts}; consistent when there are none. */
  public static Verdict worst(Collection<Verdict> verdicts) {
    Verdict worst = CONSISTENT;
    for (Verdict v : verdicts) {
      if (v.ordinal() > worst.ordinal()) {
        worst = v;
      }
    }
    return worst;
  }
}
