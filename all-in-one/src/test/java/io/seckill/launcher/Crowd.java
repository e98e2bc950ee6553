package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * Customers grabbing one promotion through the command ports {@code ingress} names, each worker a closed loop: a new
 * customer per grab, asked again (same customer, after 50 ms) while the answer is a 503 or none came, as a real client
 * retries (a customer asks again while the crowd is paused; only new customers wait). What every customer was told is kept for the checker: the 200s (with when they were sent and answered),
 * and the answers that break a rule (a 5xx other than 503, a refusal with an unknown code, a {@code duplicate_order} for
 * a customer whose first answer was not lost). Bounded: at most {@code maxRequests} requests, each with a timeout.
 */
final class Crowd {
  private static final long REQUEST_TIMEOUT_MS = 10_000;
  /** How long a customer keeps asking (through every fault the test injects meanwhile) before it counts as unanswered. */
  private static final Duration GIVE_UP = Duration.ofSeconds(90);

  final String promotionId;
  final Set<String> accepted = ConcurrentHashMap.newKeySet();
  /** Customers whose answer was lost or was a 503 (the grab may have been recorded): asked again. */
  final Set<String> uncertain = ConcurrentHashMap.newKeySet();
  /** Each 200: when its request was sent and when its answer came (nanoTime). */
  final Queue<long[]> answered200 = new ConcurrentLinkedQueue<>();
  final List<String> violations = Collections.synchronizedList(new ArrayList<>());
  final AtomicInteger requests = new AtomicInteger();
  final AtomicInteger unavailable = new AtomicInteger();
  final AtomicInteger noAnswer = new AtomicInteger();
  final AtomicInteger inFlight = new AtomicInteger();
  private final Vertx vertx;
  private final WebClient client;
  private final Supplier<List<Integer>> ingress;
  private final String prefix;
  private final int maxRequests;
  private final AtomicInteger customers = new AtomicInteger();
  private final List<Future<Void>> loops = new ArrayList<>();
  private volatile boolean running = true;
  private volatile boolean paused;
  private final Queue<Runnable> parked = new ConcurrentLinkedQueue<>();

  Crowd(Vertx vertx, WebClient client, Supplier<List<Integer>> ingress, String promotionId, String prefix,
        int workers, int maxRequests) {
    this.vertx = vertx;
    this.client = client;
    this.ingress = ingress;
    this.promotionId = promotionId;
    this.prefix = prefix;
    this.maxRequests = maxRequests;
    for (int i = 0; i < workers; i++) {
      Promise<Void> done = Promise.promise();
      loops.add(done.future());
      int worker = i;
      vertx.runOnContext(v -> next(worker, done));
    }
  }

  private void next(int worker, Promise<Void> done) {
    if (!running || requests.get() >= maxRequests) {
      done.complete();
      return;
    }
    attempt(worker, prefix + customers.incrementAndGet(), 0, System.nanoTime(), done);
  }

  private void attempt(int worker, String customer, int tries, long since, Promise<Void> done) {
    if (paused && running && tries == 0) {
      parked.add(() -> attempt(worker, customer, tries, System.nanoTime(), done));
      return;
    }
    List<Integer> ports = ingress.get();
    if (ports.isEmpty()) {
      vertx.setTimer(50, t -> attempt(worker, customer, tries, since, done));
      return;
    }
    int port = ports.get((worker + tries) % ports.size());
    requests.incrementAndGet();
    inFlight.incrementAndGet();
    long sentAt = System.nanoTime();
    client.post(port, "127.0.0.1", "/command/coupons").timeout(REQUEST_TIMEOUT_MS)
        .bearerTokenAuthentication(TestInfra.token(customer))
        .sendJsonObject(new JsonObject().put("promotionId", promotionId))
        .onComplete(ar -> {
          inFlight.decrementAndGet();
          boolean definite = answered(customer, ar, sentAt);
          long trying = System.nanoTime() - since;
          if (definite || trying > GIVE_UP.toNanos()) {
            uncertain.remove(customer);
            if (!definite) {
              violations.add("customer " + customer + " got no definite answer in " + GIVE_UP.toSeconds() + " s ("
                  + tries + " tries)");
            }
            next(worker, done);
          } else {
            vertx.setTimer(50, t -> attempt(worker, customer, tries + 1, since, done));
          }
        });
  }

  /** Records one answer; whether it is definite (the customer's grab was decided). */
  private boolean answered(String customer, AsyncResult<HttpResponse<Buffer>> ar, long sentAt) {
    if (ar.failed()) {
      noAnswer.incrementAndGet();
      uncertain.add(customer);
      return false;
    }
    HttpResponse<Buffer> r = ar.result();
    int status = r.statusCode();
    if (status == 200) {
      accepted.add(customer);
      answered200.add(new long[] {sentAt, System.nanoTime()});
      return true;
    }
    if (status == 503) {
      unavailable.incrementAndGet();
      if (r.getHeader("Retry-After") == null) {
        violations.add("503 without Retry-After: " + r.bodyAsString());
      }
      uncertain.add(customer);
      return false;
    }
    String error = null;
    try {
      error = r.bodyAsJsonObject().getString("error");
    } catch (RuntimeException e) {
      violations.add(status + " without a JSON body: " + r.bodyAsString());
      return true;
    }
    if (status == 429 && "duplicate_order".equals(error)) {
      // only a grab whose first answer was lost may be a duplicate: it was recorded
      if (!uncertain.contains(customer)) {
        violations.add("duplicate_order for " + customer + ", whose grab was never answered 200");
      }
      accepted.add(customer);
      return true;
    }
    if ((status == 429 && "out_of_stock".equals(error)) || (status == 400 && "promotion_not_active".equals(error))) {
      return true;
    }
    violations.add("unexpected answer " + status + ": " + r.bodyAsString());
    return true;
  }

  /** Stops sending new grabs (those asked again go on) until {@link #resume}; completes once none is in flight. */
  Future<Void> pause() {
    paused = true;
    return Async.eventually(vertx, Duration.ofSeconds(30), () -> Future.succeededFuture(inFlight.get() == 0));
  }

  void resume() {
    paused = false;
    Runnable r;
    while ((r = parked.poll()) != null) {
      Runnable run = r;
      vertx.runOnContext(v -> run.run());
    }
  }

  /** The time from {@code from} (nanoTime) to the first 200 of a grab sent after it, once there is one. */
  Duration untilFirst200After(long from, Duration bound) {
    Async.await(Async.eventually(vertx, bound,
        () -> Future.succeededFuture(answered200.stream().anyMatch(a -> a[0] > from))));
    long first = answered200.stream().filter(a -> a[0] > from).mapToLong(a -> a[1]).min().orElseThrow();
    return Duration.ofNanos(first - from);
  }

  /** Stops the workers and waits for every customer in flight to get a definite answer. */
  void stop() {
    running = false;
    resume();
    Async.await(Future.join(new ArrayList<>(loops)));
  }
}
