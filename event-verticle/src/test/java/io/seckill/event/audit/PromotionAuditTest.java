package io.seckill.event.audit;

import io.seckill.event.audit.CouponMerge.Coupon;
import io.seckill.event.audit.PromotionAudit.Read;
import io.seckill.event.audit.PromotionAudit.Written;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/** Given what the events say and what ReadDB holds, then the verdict. */
class PromotionAuditTest {
  private static final UUID ID = UUID.fromString("00000000-0000-0000-0000-0000000000aa");
  private static final Instant NOW = Instant.parse("2026-12-05T10:00:00Z");
  private static final Instant LONG_AGO = NOW.minusSeconds(3600);
  /** Start (1), grabs by a, b, c (2-4) of 3 coupons, finish (5, sold out). */
  private static final Written SOLD_OUT = new Written(5, 1, 3, 5, "sold_out", LONG_AGO);
  private static final List<Coupon> GRABS = List.of(new Coupon("a", 2), new Coupon("b", 3), new Coupon("c", 4));

  private static CouponMerge merge(long position, List<Coupon> written, List<Coupon> read) {
    CouponMerge merge = new CouponMerge(position, 100);
    merge.written(written, true);
    merge.read(read, true);
    assertThat(merge.advance()).isEqualTo(CouponMerge.Need.NOTHING);
    return merge;
  }

  private static PromotionAudit judge(Written written, Read read, long relayed, List<Coupon> coupons) {
    return PromotionAudit.judge(ID, written, read, relayed, merge(read.position(), GRABS, coupons), NOW);
  }

  @Test
  void everythingAppliedAndMatchingIsConsistent() {
    PromotionAudit audit = judge(SOLD_OUT, new Read(5, false, 0), 5, GRABS);

    assertThat(audit.verdict()).isEqualTo(Verdict.CONSISTENT);
    assertThat(audit.toJson().getJsonObject("writeDb").getString("finishReason")).isEqualTo("sold_out");
  }

  @Test
  void behindWithAllItHoldsMatchingIsLagging() {
    PromotionAudit audit = judge(SOLD_OUT, new Read(3, true, 1), 5, GRABS.subList(0, 2));

    assertThat(audit.verdict()).isEqualTo(Verdict.LAGGING);
    assertThat(audit.toJson().getJsonObject("readDb").getLong("lastSequence")).isEqualTo(3);
  }

  @Test
  void aMissingCouponBelowThePositionIsDiverged() {
    PromotionAudit audit = judge(SOLD_OUT, new Read(5, false, 0), 5, List.of(GRABS.get(0), GRABS.get(2)));

    assertThat(audit.verdict()).isEqualTo(Verdict.DIVERGED);
    assertThat(audit.toJson().getJsonArray("missingInReadDb").getList()).containsExactly("b");
  }

  @Test
  void aCouponNobodyGrabbedIsDiverged() {
    PromotionAudit audit = judge(SOLD_OUT, new Read(5, false, 0), 5,
        List.of(GRABS.get(0), GRABS.get(1), GRABS.get(2), new Coupon("mallory", 4)));

    assertThat(audit.verdict()).isEqualTo(Verdict.DIVERGED);
    assertThat(audit.toJson().getJsonArray("extraInReadDb").getList()).containsExactly("mallory");
  }

  @Test
  void wrongRemainingOrActivityIsDiverged() {
    assertThat(judge(SOLD_OUT, new Read(3, true, 2), 5, GRABS.subList(0, 2)).verdict()).isEqualTo(Verdict.DIVERGED);
    assertThat(judge(SOLD_OUT, new Read(5, true, 0), 5, GRABS).verdict()).isEqualTo(Verdict.DIVERGED);
    assertThat(judge(SOLD_OUT, new Read(3, false, 0), 5, GRABS.subList(0, 2)).verdict()).isEqualTo(Verdict.DIVERGED);
  }

  @Test
  void aPositionBeyondTheEventsIsDiverged() {
    assertThat(judge(SOLD_OUT, new Read(6, false, 0), 5, GRABS).verdict()).isEqualTo(Verdict.DIVERGED);
  }

  @Test
  void nothingHeldOfAPromotionTheBrokerHadLongAgoIsDiverged() {
    PromotionAudit lost = judge(SOLD_OUT, new Read(0, false, 0), 5, List.of());
    PromotionAudit onItsWay = PromotionAudit.judge(ID, new Written(5, 1, 3, 5, "sold_out", NOW.minusSeconds(5)),
        new Read(0, false, 0), 5, merge(0, GRABS, List.of()), NOW);
    PromotionAudit notRelayed = judge(SOLD_OUT, new Read(0, false, 0), -1, List.of());

    assertThat(lost.verdict()).isEqualTo(Verdict.DIVERGED);
    assertThat(onItsWay.verdict()).isEqualTo(Verdict.LAGGING);
    assertThat(notRelayed.verdict()).isEqualTo(Verdict.LAGGING);
  }

  @Test
  void aPromotionWithoutEventsOrRowsIsConsistent() {
    PromotionAudit audit = PromotionAudit.judge(ID, new Written(0, 0, 0, 0, null, null), new Read(0, false, 0), -1,
        merge(0, List.of(), List.of()), NOW);

    assertThat(audit.verdict()).isEqualTo(Verdict.CONSISTENT);
  }

  @Test
  void theOverallVerdictIsTheWorst() {
    assertThat(Verdict.worst(List.of(Verdict.CONSISTENT, Verdict.LAGGING))).isEqualTo(Verdict.LAGGING);
    assertThat(Verdict.worst(List.of(Verdict.DIVERGED, Verdict.LAGGING))).isEqualTo(Verdict.DIVERGED);
    assertThat(Verdict.worst(List.of())).isEqualTo(Verdict.CONSISTENT);
  }
}
