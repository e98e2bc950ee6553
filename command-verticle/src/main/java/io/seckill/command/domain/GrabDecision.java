package io.seckill.command.domain;

import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.SecKillEvent;

import java.util.List;

/** The outcome of a grab: the events to append (the coupon, maybe the sold-out finish) or a rejection. */
public sealed interface GrabDecision permits GrabDecision.Accepted, GrabDecision.Rejected {

  record Accepted(CouponGrabbedEvent coupon, List<SecKillEvent> events) implements GrabDecision {
  }

  record Rejected(Rejection rejection) implements GrabDecision {
  }
}
