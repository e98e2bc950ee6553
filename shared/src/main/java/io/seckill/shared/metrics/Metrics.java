package io.seckill.shared.metrics;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * The JVM's one Prometheus registry: Vert.x's own meters (when the launcher builds Vert.x with it) and ours.
 */
public final class Metrics {
  private static final PrometheusMeterRegistry REGISTRY = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  private Metrics() {
  }

  public static PrometheusMeterRegistry registry() {
    return REGISTRY;
  }
}
