package io.seckill.loadtest;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Every grab a simulation made and how it was answered, checked at the end against the query API: a customer
 * whose grab got a 200 holds exactly one coupon of that promotion, a customer who got a 429 holds none. That is
 * the oversell check (no coupon beyond the 200s) and the one-per-customer check, seen from the outside. Each
 * customer's coupons are read with that customer's own identity token.
 */
final class Ledger {
  private static final int PARALLEL_READS = 64;
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** (promotionId, customerId) of each grab, and whether it was accepted. */
  private final Map<Grab, Boolean> grabs = new ConcurrentHashMap<>();

  record Grab(String promotionId, String customerId) {
  }

  void record(String promotionId, String customerId, int status) {
    if (status == 200) {
      grabs.put(new Grab(promotionId, customerId), true);
    } else {
      grabs.putIfAbsent(new Grab(promotionId, customerId), false);
    }
  }

  long accepted(String promotionId) {
    return grabs.entrySet().stream().filter(e -> e.getValue() && e.getKey().promotionId().equals(promotionId)).count();
  }

  Map<String, Long> acceptedByPromotion() {
    return grabs.entrySet().stream().filter(Map.Entry::getValue)
        .collect(Collectors.groupingBy(e -> e.getKey().promotionId(), Collectors.counting()));
  }

  int size() {
    return grabs.size();
  }

  /**
   * Reads each customer's coupons until every grab is reflected (the read side lags the 200 by design), for at
   * most {@code within}; throws listing the first mismatches otherwise.
   */
  void verify(Duration within) {
    List<Grab> pending = new ArrayList<>(grabs.keySet());
    long deadline = System.nanoTime() + within.toNanos();
    List<String> mismatches = List.of();
    for (int round = 1; ; round++) {
      List<Grab> next = new ArrayList<>();
      List<String> found = new ArrayList<>();
      long retryAfter = 0;
      for (int from = 0; from < pending.size(); from += PARALLEL_READS) {
        List<Grab> chunk = pending.subList(from, Math.min(pending.size(), from + PARALLEL_READS));
        List<CompletableFuture<HttpResponse<String>>> reads = chunk.stream()
            .map(g -> HTTP.sendAsync(HttpRequest.newBuilder(URI.create(Target.QUERY + "/query/coupons/"
                + g.customerId())).header("Authorization", "Bearer " + Identity.token(g.customerId())).build(),
                HttpResponse.BodyHandlers.ofString()))
            .toList();
        for (int i = 0; i < chunk.size(); i++) {
          Grab grab = chunk.get(i);
          HttpResponse<String> response = reads.get(i).join();
          if (response.statusCode() == 429) {
            // the query service's rate limit for this one address: read it again after its Retry-After
            next.add(grab);
            retryAfter = Math.max(retryAfter, response.headers().firstValueAsLong("Retry-After").orElse(1));
            continue;
          }
          int held = response.statusCode() == 200 ? response.body().split(grab.promotionId(), -1).length - 1 : -1;
          int expected = grabs.get(grab) ? 1 : 0;
          if (held != expected) {
            next.add(grab);
            found.add(grab.customerId() + " holds " + held + " coupons of " + grab.promotionId() + ", expected "
                + expected);
          }
        }
      }
      if (next.isEmpty()) {
        return;
      }
      pending = next;
      if (retryAfter > 0 && round < 600) {
        Identity.pause(retryAfter);
        continue;
      }
      mismatches = found;
      if (System.nanoTime() > deadline) {
        throw new AssertionError(mismatches.size() + " customers disagree with their grab's answer, e.g. "
            + mismatches.subList(0, Math.min(5, mismatches.size())));
      }
      Target.pause();
    }
  }
}
