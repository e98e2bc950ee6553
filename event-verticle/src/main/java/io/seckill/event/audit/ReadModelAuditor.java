package io.seckill.event.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BiConsumer;
import java.util.Locale;

/**
 * The audit (SPEC §8): every promotion, or one, audited one after the other (never two at once: the audit reads in
 * chunks, off the hot path, and takes one connection of each database at a time), and the overall verdict, the worst.
 * Used by the event service's {@code GET /read-model/audit} and by {@code java -jar seckill.jar audit}.
 */
public final class ReadModelAuditor {
  private final AuditStore store;
  private final Clock clock;
  private final BiConsumer<List<PromotionAudit>, Boolean> done;

  /** {@code done} hears every finished audit's promotions, and whether it was of all of them (metrics). */
  public ReadModelAuditor(AuditStore store, Clock clock, BiConsumer<List<PromotionAudit>, Boolean> done) {
    this.store = store;
    this.clock = clock;
    this.done = done;
  }

  /** Every promotion either side knows. */
  public Future<JsonObject> all() {
    return store.promotions().compose(ids -> {
      List<PromotionAudit> audits = new ArrayList<>(ids.size());
      Future<Void> chain = Future.succeededFuture();
      for (UUID id : ids) {
        chain = chain.compose(v -> store.audit(id).map(audit -> {
          audits.add(audit);
          return null;
        }));
      }
      return chain.map(v -> report(audits, true));
    });
  }

  /** One promotion; empty when neither side knows it. */
  public Future<Optional<JsonObject>> one(UUID id) {
    return store.known(id).compose(known -> !known ? Future.succeededFuture(Optional.empty())
        : store.audit(id).map(audit -> Optional.of(report(List.of(audit), false))));
  }

  private JsonObject report(List<PromotionAudit> audits, boolean all) {
    done.accept(audits, all);
    JsonArray promotions = new JsonArray();
    List<Verdict> verdicts = new ArrayList<>(audits.size());
    for (PromotionAudit audit : audits) {
      promotions.add(audit.toJson());
      verdicts.add(audit.verdict());
    }
    return new JsonObject().put("verdict", Verdict.worst(verdicts).json())
        .put("checkedAt", clock.instant().toString()).put("promotions", promotions);
  }

  /** The overall verdict of a report. */
  public static Verdict verdictOf(JsonObject report) {
    return Verdict.valueOf(report.getString("verdict").toUpperCase(Locale.ROOT));
  }
}
