package io.seckill.event.audit;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * One promotion's audit (SPEC §8, I12): what WriteDB's events say against what ReadDB holds, judged at ReadDB's own
 * position, so that a read side that is merely behind is {@link Verdict#LAGGING}, not {@link Verdict#DIVERGED}.
 * Pure: the store reads, this decides.
 *
 * @param written  what the events say
 * @param read     what ReadDB holds besides its coupons
 * @param relayed  the relay's cursor (the last sequence the broker accepted), or -1 when none was saved
 * @param coupons  the coupons merged against the grabs
 */
public record PromotionAudit(UUID promotionId, Written written, Read read, long relayed, CouponMerge coupons,
                             Verdict verdict, List<String> reasons) {

  /**
   * What WriteDB's events of a promotion say: its last sequence, the sequences of its start and finish (0: none),
   * the coupons its start offered, why it finished (null: not finished), and when its first event happened (null:
   * none).
   */
  public record Written(long lastSequence, long startSequence, int numberOfCoupons, long finishSequence,
                        String finishReason, Instant firstEventAt) {
  }

  /**
   * A promotion ReadDB holds nothing of is lagging for this long after its first event, if the broker has accepted
   * its events; after that it is one ReadDB lost (its rows deleted, a restore from before it), not one on its way.
   */
  public static final Duration NOTHING_HELD_GRACE = Duration.ofSeconds(30);

  /** What ReadDB holds of a promotion besides its coupons: its position (0: none), and its active row if any. */
  public record Read(long position, boolean active, int remaining) {
  }

  /** Judges a promotion once {@code coupons} has merged both sides. */
  public static PromotionAudit judge(UUID promotionId, Written written, Read read, long relayed, CouponMerge coupons,
                                     Instant now) {
    List<String> damage = new ArrayList<>();
    long position = read.position();
    if (position == 0 && !read.active() && coupons.coupons() == 0 && relayed > 0 && written.firstEventAt() != null
        && written.firstEventAt().plus(NOTHING_HELD_GRACE).isBefore(now)) {
      damage.add("ReadDB holds nothing of this promotion, whose events up to sequence " + relayed + " the broker"
          + " accepted, the first at " + written.firstEventAt());
    }
    if (position > written.lastSequence()) {
      damage.add("ReadDB's position " + position + " is beyond the events' last sequence " + written.lastSequence());
    }
    if (coupons.missingCount() > 0) {
      damage.add(coupons.missingCount() + " grabs at or below ReadDB's position have no coupon in ReadDB");
    }
    if (coupons.extraCount() > 0) {
      damage.add(coupons.extraCount() + " coupons in ReadDB are not what the events give (unknown customer, another"
          + " sequence, or above ReadDB's position)");
    }
    boolean started = written.startSequence() > 0 && written.startSequence() <= position;
    boolean finished = written.finishSequence() > 0 && written.finishSequence() <= position;
    boolean active = started && !finished;
    if (read.active() != active) {
      damage.add("ReadDB lists the promotion as " + (read.active() ? "active" : "not active") + "; the events up to"
          + " sequence " + position + " say " + (active ? "active" : finished ? "finished" : "not started"));
    } else if (active) {
      long remaining = written.numberOfCoupons() - coupons.grabsUpToPosition();
      if (read.remaining() != remaining) {
        damage.add("ReadDB says " + read.remaining() + " coupons remain; the events up to sequence " + position
            + " say " + remaining);
      }
    }
    Verdict verdict;
    List<String> reasons;
    if (!damage.isEmpty()) {
      verdict = Verdict.DIVERGED;
      reasons = damage;
    } else if (position < written.lastSequence()) {
      verdict = Verdict.LAGGING;
      reasons = List.of("ReadDB has applied up to sequence " + position + " of " + written.lastSequence());
    } else {
      verdict = Verdict.CONSISTENT;
      reasons = List.of();
    }
    return new PromotionAudit(promotionId, written, read, relayed, coupons, verdict, reasons);
  }

  /** SPEC §8's promotion entry. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("promotionId", promotionId.toString())
        .put("verdict", verdict.json())
        .put("reasons", new JsonArray(reasons))
        .put("writeDb", new JsonObject()
            .put("lastSequence", written.lastSequence())
            .put("grabs", coupons.grabs())
            .put("finished", written.finishSequence() > 0)
            .put("finishReason", written.finishReason()))
        .put("readDb", new JsonObject()
            .put("lastSequence", read.position())
            .put("coupons", coupons.coupons())
            .put("remaining", read.active() ? read.remaining() : null)
            .put("active", read.active()))
        .put("relay", new JsonObject()
            .put("lastSequence", relayed < 0 ? null : relayed)
            .put("behind", relayed < 0 ? written.lastSequence() : Math.max(0, written.lastSequence() - relayed)))
        .put("missingInReadDb", new JsonArray(new ArrayList<>(coupons.missing())))
        .put("missingCount", coupons.missingCount())
        .put("extraInReadDb", new JsonArray(new ArrayList<>(coupons.extra())))
        .put("extraCount", coupons.extraCount());
  }
}
