package io.seckill.shared.http;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.seckill.shared.config.HttpLimits;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.identity.TrustedProxies;
import io.seckill.shared.metrics.Metrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.vertx.core.Handler;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.util.HashMap;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Every HTTP server of the project, bounded per caller (OWASP API4, SPEC I11): connections in all and per client
 * address capped below what the process can hold ({@link ConnectionLimiter}, one per Vert.x instance, shared by
 * every service and instance), a first request that has not arrived whole (headers and body) within the deadline of
 * its connection's opening closes its connection, and so does a kept-alive connection whose next request has not
 * arrived whole within the deadline of its first bytes, or that stays silent for the idle timeout after its previous
 * response. A refusal is a close, counted, never a crash.
 */
public final class HttpServers {
  private static final Logger LOG = LoggerFactory.getLogger(HttpServers.class);
  private static final long SWEEP_MILLIS = 500;
  private static final Map<Vertx, Shared> SHARED = new WeakHashMap<>();

  /** The process-wide part: the limiter and its meters. */
  private record Shared(ConnectionLimiter limiter, Counter refusedInAll, Counter refusedFromAddress,
                        Counter overDeadline) {
  }

  /** A connection's progress, on its server's event loop. */
  private static final class Tracked {
    final long openedAt;
    HttpServerRequest request;
    long requestAt;
    long respondedAt;
    /** When the first bytes after the previous response came (the next request begun), or 0. */
    volatile long nextBytesAt;

    Tracked(long openedAt) {
      this.openedAt = openedAt;
    }
  }

  /**
   * First in the connection's pipeline: notes when the bytes of a kept-alive connection's next request begin, so that
   * its deadline runs from there (a slowloris on a kept-alive connection), while a silent one gets the idle timeout.
   */
  private static final class NextRequestStart extends ChannelInboundHandlerAdapter {
    private final Tracked tracked;

    NextRequestStart(Tracked tracked) {
      this.tracked = tracked;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      HttpServerRequest request = tracked.request;
      if (tracked.nextBytesAt == 0 && request != null && request.isEnded()
          && (request.response().ended() || request.response().closed())) {
        tracked.nextBytesAt = System.nanoTime();
      }
      ctx.fireChannelRead(msg);
    }
  }

  private HttpServers() {
  }

  private static synchronized Shared shared(Vertx vertx, HttpLimits limits, TrustedProxies proxies) {
    return SHARED.computeIfAbsent(vertx, v -> {
      long files = openFilesLimit();
      long inUse = openFiles();
      ConnectionLimiter limiter = new ConnectionLimiter(limits.totalCap(files, inUse), limits.maxPerAddress(),
          proxies::trusts);
      Gauge.builder("seckill_http_connections_open", limiter, ConnectionLimiter::open)
          .description("HTTP connections open in this process, all services").register(Metrics.registry());
      Gauge.builder("seckill_http_connections_max", limiter, ConnectionLimiter::total)
          .description("the cap on HTTP connections open in this process").register(Metrics.registry());
      LOG.info("HTTP connections capped at {} in all ({} per address; open files limit {}, {} in use), a request"
          + " must arrive within {} ms", limiter.total(), limits.maxPerAddress(), files, inUse,
          limits.requestDeadlineMillis());
      return new Shared(limiter, refused("in_all"), refused("per_address"),
          Counter.builder("seckill_http_connections_deadline_closed").description("connections closed because a"
              + " request did not arrive whole within SECKILL_HTTP_REQUEST_DEADLINE_MS").register(Metrics.registry()));
    });
  }

  /**
   * Connections refused over a cap since the process started, for either reason (the console's live view shows
   * them per second beside the grabs' answers: a crowd behind one address meets the per-address cap there).
   */
  public static long refusedConnections() {
    double refused = 0;
    for (Counter counter : Metrics.registry().find("seckill_http_connections_refused").counters()) {
      refused += counter.count();
    }
    return (long) refused;
  }

  private static Counter refused(String reason) {
    return Counter.builder("seckill_http_connections_refused").tag("reason", reason)
        .description("connections closed at once: over a cap").register(Metrics.registry());
  }

  /** Descriptors the process has open now, or 0 off Unix. */
  static long openFiles() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getOpenFileDescriptorCount();
    }
    return 0;
  }

  /** The process's open-files limit (the JVM raises its soft limit to the hard one), or a guess off Unix. */
  static long openFilesLimit() {
    if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
      return unix.getMaxFileDescriptorCount();
    }
    return 4096;
  }

  /** An HTTP server for {@code handler} with the configuration's limits (see below). */
  public static HttpServer create(Vertx vertx, SecKillConfig config, Handler<HttpServerRequest> handler) {
    return create(vertx, config.httpLimits(), config.security().trustedProxies(), handler);
  }

  /**
   * An HTTP server for {@code handler} with the limits; call from the verticle that listens (its event loop sweeps
   * its connections every half second).
   */
  public static HttpServer create(Vertx vertx, HttpLimits limits, TrustedProxies proxies,
                                  Handler<HttpServerRequest> handler) {
    Shared shared = shared(vertx, limits, proxies);
    // no h2c: with it Vert.x makes the HTTP connection (and calls the connection handler, where the caps are
    // checked) only once a whole first request has arrived, so half-open connections were never seen, let alone capped
    HttpServer server = vertx.createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false)
        .setIdleTimeout(limits.idleTimeoutSeconds()).setIdleTimeoutUnit(TimeUnit.SECONDS));
    Map<HttpConnection, Tracked> tracked = new HashMap<>();
    server.connectionHandler(conn -> {
      String address = conn.remoteAddress().hostAddress();
      ConnectionLimiter.Verdict verdict = shared.limiter().open(address);
      if (verdict != ConnectionLimiter.Verdict.OPEN) {
        (verdict == ConnectionLimiter.Verdict.TOO_MANY_IN_ALL ? shared.refusedInAll() : shared.refusedFromAddress())
            .increment();
        LOG.warn("connection from {} refused: {} (open: {} in all, {} from it)", address, verdict,
            shared.limiter().open(), shared.limiter().openFrom(address));
        conn.close();
        return;
      }
      Tracked t = new Tracked(System.nanoTime());
      tracked.put(conn, t);
      if (conn instanceof ConnectionBase base) {
        base.channel().pipeline().addFirst(new NextRequestStart(t));
      }
      conn.closeHandler(v -> {
        tracked.remove(conn);
        shared.limiter().closed(address);
      });
    });
    server.requestHandler(request -> {
      Tracked t = tracked.get(request.connection());
      if (t != null) {
        t.request = request;
        t.requestAt = System.nanoTime();
        t.respondedAt = 0;
        t.nextBytesAt = 0;
      }
      handler.handle(request);
    });
    long deadline = TimeUnit.MILLISECONDS.toNanos(limits.requestDeadlineMillis());
    long idle = TimeUnit.SECONDS.toNanos(limits.idleTimeoutSeconds());
    vertx.setPeriodic(SWEEP_MILLIS, id -> {
      long now = System.nanoTime();
      tracked.forEach((conn, t) -> {
        if (overDeadline(t, now, deadline, idle)) {
          shared.overDeadline().increment();
          conn.close();
        }
      });
    });
    return server;
  }

  /**
   * Whether a connection has waited too long for a whole request: none within the deadline since it opened, a body
   * still coming past the deadline, a next request whose headers are still coming past the deadline from its first
   * bytes (a slowloris on a kept-alive connection), or silence for the idle timeout since the last response (an idle
   * keep-alive gets the idle timeout, longer than clients' own keep-alive, so that a client never reuses a connection
   * the server is closing). A request whose body has arrived and whose answer is being made is the server's to bound,
   * not the caller's.
   */
  static boolean overDeadline(Tracked t, long now, long deadline, long idle) {
    if (t.request == null) {
      return now - t.openedAt > deadline;
    }
    if (!t.request.isEnded()) {
      return now - t.requestAt > deadline;
    }
    if (t.request.response().ended() || t.request.response().closed()) {
      long nextBytesAt = t.nextBytesAt;
      if (nextBytesAt != 0) {
        return now - nextBytesAt > deadline;
      }
      if (t.respondedAt == 0) {
        t.respondedAt = now;
        return false;
      }
      return now - t.respondedAt > idle;
    }
    return false;
  }
}
