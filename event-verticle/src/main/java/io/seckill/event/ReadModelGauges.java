package io.seckill.event;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.seckill.event.audit.PromotionAudit;
import io.seckill.event.audit.Verdict;
import io.seckill.event.rebuild.RebuildStatus;
import io.seckill.event.rebuild.Rebuilder;
import io.seckill.shared.metrics.Metrics;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.BiConsumer;
import java.util.function.Consumer;

/** The audit's and the rebuild's meters on {@code /metrics}, removed with {@link #close}. */
final class ReadModelGauges {
  private static final Logger LOG = LoggerFactory.getLogger(ReadModelGauges.class);

  private final List<Meter> meters = new ArrayList<>();
  private final AtomicLongArray verdicts = new AtomicLongArray(Verdict.values().length);
  private final AtomicLong lastAudit = new AtomicLong();

  /** What an audit's end tells: the verdict counts after an audit of all promotions, and any divergence. */
  BiConsumer<List<PromotionAudit>, Boolean> audits() {
    for (Verdict verdict : Verdict.values()) {
      meters.add(Gauge.builder("seckill_read_model_audit_promotions", verdicts, v -> v.get(verdict.ordinal()))
          .tag("verdict", verdict.json()).description("promotions by verdict in the last audit of all promotions")
          .register(Metrics.registry()));
    }
    meters.add(Gauge.builder("seckill_read_model_audit_last_seconds", lastAudit, AtomicLong::get)
        .description("when the last audit finished (Unix seconds, 0: none yet)").register(Metrics.registry()));
    return (audits, all) -> {
      lastAudit.set(System.currentTimeMillis() / 1000);
      if (all) {
        long[] counts = new long[verdicts.length()];
        audits.forEach(a -> counts[a.verdict().ordinal()]++);
        for (int i = 0; i < counts.length; i++) {
          verdicts.set(i, counts[i]);
        }
      }
      for (PromotionAudit audit : audits) {
        if (audit.verdict() == Verdict.DIVERGED) {
          LOG.warn("audit: promotion {} diverged: {}", audit.promotionId(), String.join("; ", audit.reasons()));
        }
      }
    };
  }

  /** What a rebuild's end tells: its outcome counted. */
  static Consumer<RebuildStatus> rebuildOutcomes() {
    return done -> rebuilds(done.state()).increment();
  }

  /** The gauges of {@code rebuilder}'s current or last rebuild, and its outcome counters from zero. */
  Rebuilder rebuilding(Rebuilder rebuilder) {
    meters.add(Gauge.builder("seckill_read_model_rebuild_running", rebuilder,
            r -> r.current() != null && !r.current().state().finished() ? 1 : 0)
        .description("1 while this process runs a rebuild of the read model").register(Metrics.registry()));
    meters.add(Gauge.builder("seckill_read_model_rebuild_events_applied", rebuilder,
            r -> r.current() == null ? 0 : r.current().eventsApplied())
        .description("events applied by this process's current or last rebuild").register(Metrics.registry()));
    meters.add(Gauge.builder("seckill_read_model_rebuild_events_target", rebuilder,
            r -> r.current() == null ? 0 : r.current().eventsTotal())
        // not "_total": Prometheus reserves that suffix for counters and the registry strips it from a gauge's name
        .description("events this process's current or last rebuild must apply").register(Metrics.registry()));
    meters.add(Gauge.builder("seckill_read_model_rebuild_events_per_second", rebuilder,
            r -> r.current() == null ? 0 : r.current().eventsPerSecond())
        .description("the rate of this process's current or last rebuild").register(Metrics.registry()));
    for (RebuildStatus.State outcome : new RebuildStatus.State[] {RebuildStatus.State.SWAPPED,
        RebuildStatus.State.FAILED}) {
      meters.add(rebuilds(outcome));
    }
    return rebuilder;
  }

  private static Counter rebuilds(RebuildStatus.State outcome) {
    return Counter.builder("seckill_read_model_rebuilds").tag("outcome", outcome.json())
        .description("rebuilds of the read model run by this process, by outcome").register(Metrics.registry());
  }

  void close() {
    meters.forEach(Metrics.registry()::remove);
    meters.clear();
  }
}
