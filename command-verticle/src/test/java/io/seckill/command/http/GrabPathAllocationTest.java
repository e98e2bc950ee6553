package io.seckill.command.http;

import io.seckill.command.domain.GrabDecider;
import io.seckill.command.domain.GrabDecision;
import io.seckill.command.domain.PromotionState;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.PromotionStartEvent;
import io.vertx.core.buffer.Buffer;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A guard against regressions on the grab's hot path in memory, measured in bytes allocated (deterministic, where
 * time is not): a grab's body read, decided, applied to its promotion, its event encoded for the store and its 200
 * written, 100,000 times after as many to warm the JIT up. The bound is the figure measured when it was set, with
 * room for the JIT's day-to-day differences; a change that allocates more on this path must raise it on purpose.
 */
class GrabPathAllocationTest {
  /** Measured 2026-12-06 on the CI machine's JDK 17: see BENCHMARKS.md ("Allocation per grab"). */
  static final long BOUND_BYTES_PER_GRAB = 3_000;
  private static final int GRABS = 100_000;

  private final UUID promotion = UUID.randomUUID();
  private final Instant publish = Instant.parse("2026-12-06T20:00:00Z");
  private final GrabDecider decider = new GrabDecider();
  private final Buffer[] bodies = new Buffer[2 * GRABS];
  private final String[] customers = new String[2 * GRABS];

  @Test
  void aDecidedGrabAllocatesLessThanItsBound() {
    for (int i = 0; i < bodies.length; i++) {
      customers[i] = "b" + i;
      bodies[i] = Buffer.buffer("{\"promotionId\":\"" + promotion + "\"}");
    }
    PromotionState state = PromotionState.started(new PromotionStartEvent(UUID.randomUUID(), promotion, 1, publish,
        10_000_000, 0.5, publish, publish.plusSeconds(3600)));
    long sink = run(state, 0); // warm-up: the same path, other customers
    com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    long before = threads.getCurrentThreadAllocatedBytes();
    sink += run(state, GRABS);
    long perGrab = (threads.getCurrentThreadAllocatedBytes() - before) / GRABS;
    System.out.printf("grab path: %d bytes allocated per accepted grab (%d)%n", perGrab, sink);
    assertThat(state.grabbed()).isEqualTo(2 * GRABS);
    assertThat(perGrab).isLessThanOrEqualTo(BOUND_BYTES_PER_GRAB);
  }

  private long run(PromotionState state, int from) {
    long sink = 0;
    Instant now = publish.plusSeconds(1);
    for (int i = from; i < from + GRABS; i++) {
      GrabRequest request = GrabRequest.parse(bodies[i]);
      GrabDecision decision = decider.decide(state, customers[i], now);
      GrabDecision.Accepted accepted = (GrabDecision.Accepted) decision;
      accepted.events().forEach(state::apply);
      CouponGrabbedEvent coupon = accepted.coupon();
      sink += EventCodec.encode(coupon).length() + CommandRoutes.body(coupon).length()
          + request.promotionId().hashCode();
    }
    return sink;
  }
}
