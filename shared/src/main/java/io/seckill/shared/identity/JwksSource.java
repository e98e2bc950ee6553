package io.seckill.shared.identity;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;

/**
 * The identity provider's public keys, one copy per JVM: either fixed (the embedded development issuer's key) or
 * fetched from a JWKS URL, re-fetched every {@code maxAgeSeconds}, when a token names a key id not held (at most
 * once per {@code minRefreshSeconds}), and every {@code minRefreshSeconds} while none is held. Holding no key
 * means every token is refused and {@code /health} says so; it never means "accept all".
 */
public final class JwksSource {
  private static final Logger LOG = LoggerFactory.getLogger(JwksSource.class);

  /** A key set and its version (bumped by every load that changed it). */
  public record Keys(long version, List<JsonObject> jwks) {
  }

  private final Vertx vertx;
  private final String url;
  private final HttpClient client;
  private final RefreshThrottle throttle;
  private final long minRefreshMillis;
  private final long maxAgeMillis;
  private volatile Keys keys;
  private Future<Boolean> inFlight;
  private volatile int fetches;

  private JwksSource(Vertx vertx, String url, List<JsonObject> fixed, long minRefreshSeconds, long maxAgeSeconds) {
    this.vertx = vertx;
    this.url = url;
    this.keys = new Keys(1, List.copyOf(fixed));
    this.minRefreshMillis = minRefreshSeconds * 1000;
    this.maxAgeMillis = maxAgeSeconds * 1000;
    this.throttle = new RefreshThrottle(minRefreshSeconds * 1_000_000_000L);
    this.client = url == null ? null : vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000));
  }

  public static JwksSource fixed(Vertx vertx, List<JsonObject> jwks) {
    return new JwksSource(vertx, null, jwks, 1, 1);
  }

  public static JwksSource remote(Vertx vertx, String url, long minRefreshSeconds, long maxAgeSeconds) {
    return new JwksSource(vertx, url, List.of(), minRefreshSeconds, maxAgeSeconds);
  }

  /** Loads the keys once; a failure is logged and retried in the background (tokens are refused meanwhile). */
  public Future<Void> start() {
    if (url == null) {
      return Future.succeededFuture();
    }
    throttle.tryAcquire(System.nanoTime());
    return load().transform(ar -> {
      if (ar.failed()) {
        LOG.warn("identity keys not loaded from {} ({}); tokens are refused until they are", url,
            ar.cause().getMessage());
      }
      schedule();
      return Future.succeededFuture();
    });
  }

  private void schedule() {
    long delay = keys.jwks().isEmpty() ? minRefreshMillis : maxAgeMillis;
    vertx.setTimer(Math.max(1000, delay), t -> load()
        .onFailure(e -> LOG.warn("identity keys not refreshed from {}: {}", url, e.getMessage()))
        .onComplete(ar -> schedule()));
  }

  public Keys current() {
    return keys;
  }

  public boolean hasKeys() {
    return !keys.jwks().isEmpty();
  }

  /** How many times the JWKS URL was fetched (for tests and diagnostics). */
  public int fetches() {
    return fetches;
  }

  /**
   * A token named a key id we do not hold: re-fetch, unless a fetch is under way (then its outcome is shared) or
   * one started less than {@code minRefreshSeconds} ago. True when the keys changed.
   */
  public synchronized Future<Boolean> refreshForUnknownKey() {
    if (url == null) {
      return Future.succeededFuture(false);
    }
    if (inFlight != null) {
      return inFlight;
    }
    if (!throttle.tryAcquire(System.nanoTime())) {
      return Future.succeededFuture(false);
    }
    long before = keys.version();
    Promise<Boolean> promise = Promise.promise();
    inFlight = promise.future();
    load().onComplete(ar -> {
      synchronized (JwksSource.this) {
        inFlight = null;
      }
      promise.complete(ar.succeeded() && keys.version() != before);
    });
    return promise.future();
  }

  private Future<Void> load() {
    fetches++;
    return client.request(new RequestOptions().setMethod(HttpMethod.GET).setAbsoluteURI(url).setIdleTimeout(5000))
        .compose(request -> request.send())
        .compose(response -> response.statusCode() == 200
            ? response.body()
            : Future.failedFuture("JWKS answered HTTP " + response.statusCode()))
        .compose(body -> {
          List<JsonObject> loaded = new ArrayList<>();
          JsonArray array = new JsonObject(body).getJsonArray("keys");
          if (array != null) {
            for (Object key : array) {
              if (key instanceof JsonObject jwk && ("RSA".equals(jwk.getString("kty")) || "EC".equals(jwk.getString("kty")))
                  && (jwk.getValue("use") == null || "sig".equals(jwk.getValue("use")))) {
                loaded.add(jwk);
              }
            }
          }
          if (loaded.isEmpty()) {
            return Future.failedFuture("the JWKS holds no RSA or EC signing key");
          }
          Keys old = keys;
          if (!old.jwks().equals(loaded)) {
            keys = new Keys(old.version() + 1, List.copyOf(loaded));
            LOG.info("identity keys loaded from {}: {}", url, loaded.stream().map(k -> k.getString("kid")).toList());
          }
          return Future.<Void>succeededFuture();
        });
  }

  public Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }
}
