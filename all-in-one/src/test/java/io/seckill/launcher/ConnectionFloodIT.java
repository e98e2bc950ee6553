package io.seckill.launcher;

import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.UUID;
import io.vertx.core.json.JsonObject;

/**
 * OWASP API4 (SPEC I11): one address opens more half-open connections than the process can hold (2,500 against an
 * open-files limit of 2,048), each a request line and one header, then a header every half second (slowloris); then
 * more addresses, each up to its own cap, open more than the total cap (derived from the open-files limit) lets in.
 * Customers from another address keep being answered on the connections they hold, the connections over either cap
 * are refused at once (each counted), the half-open ones are closed by the request deadline, the log stays small, and
 * once the flood is gone the flooding addresses are served again on new connections.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 5, timeUnit = TimeUnit.MINUTES)
class ConnectionFloodIT {
  private static final Logger LOG = LoggerFactory.getLogger(ConnectionFloodIT.class);
  private static final int FLOOD = 2_500;
  private static final int OPEN_FILES = 2_048;
  private static final long DEADLINE_MS = 3_000;
  private static final int PER_ADDRESS = 200;
  private JarProcess system;
  private final List<Socket> sockets = new ArrayList<>();

  @AfterEach
  void stop() {
    sockets.forEach(s -> {
      try {
        s.close();
      } catch (IOException ignored) {
        // closing anyway
      }
    });
    if (system != null) {
      system.close();
    }
  }

  private static Future<Integer> status(WebClient client, int port, String path) {
    return client.get(port, "127.0.0.1", path).timeout(5_000).send().map(HttpResponse::statusCode);
  }

  @Test
  void halfOpenConnectionsFromOneAddressNeitherStopTheServiceNorFillTheLog(Vertx vertx) throws Exception {
    var config = TestInfra.freshConfig();
    Map<String, String> env = new HashMap<>(RunningSystem.environment(config, "admin,command,query,event"));
    env.put("SECKILL_HTTP_REQUEST_DEADLINE_MS", String.valueOf(DEADLINE_MS));
    env.put("SECKILL_HTTP_MAX_CONNECTIONS_PER_ADDRESS", String.valueOf(PER_ADDRESS));
    system = JarProcess.startWithOpenFiles("flood", env, OPEN_FILES);
    Path log = Path.of("target", "it-flood.log");
    long logBefore = Files.exists(log) ? Files.size(log) : 0;
    WebClient local = Async.client(vertx, 8);
    // every service listening (the query API comes up last)
    Async.await(system.healthy(vertx, local, config.commandPort()));
    Async.await(system.healthy(vertx, local, config.queryPort()));
    // a customer on another loopback address: its own client, one kept-alive connection per service, opened before
    // the flood (while the total cap is full, no new connection gets in, from any address: that is the cap)
    WebClient other = WebClient.create(vertx, new WebClientOptions().setLocalAddress("127.0.0.2")
        .setDefaultHost("127.0.0.1"), new PoolOptions().setHttp1MaxSize(1));
    assertThat(Async.await(status(other, config.commandPort(), "/health"))).isEqualTo(200);
    assertThat(Async.await(status(other, config.queryPort(), "/query/promotions"))).isEqualTo(200);
    String before = Async.await(other.get(config.commandPort(), "127.0.0.1", "/metrics").send()).bodyAsString();
    int totalCap = (int) counter(before, "seckill_http_connections_max");
    assertThat(totalCap).as("the total cap, from the open-files limit").isBetween(PER_ADDRESS + 1, OPEN_FILES);
    // after 127.0.0.1's flood, this many more addresses at their own cap hold 300 more than the total cap lets in
    int others = (totalCap - PER_ADDRESS + 300) / PER_ADDRESS + 1;

    long floodStart = System.nanoTime();
    int connected = 0;
    for (int i = 0; i < FLOOD + others * PER_ADDRESS; i++) {
      String from = i < FLOOD ? "127.0.0.1" : "127.0.0." + (10 + (i - FLOOD) / PER_ADDRESS);
      Socket socket = new Socket();
      try {
        socket.bind(new InetSocketAddress(from, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", config.commandPort()), 2_000);
        socket.setSoTimeout(1);
        socket.getOutputStream().write(("POST /command/coupons HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            .getBytes(StandardCharsets.US_ASCII));
        sockets.add(socket);
        connected++;
      } catch (IOException e) {
        socket.close();
      }
      if (i % 500 == 499) {
        // the others are answered while the flood builds up
        assertThat(Async.await(status(other, config.commandPort(), "/health"))).as("command /health at " + i)
            .isEqualTo(200);
        assertThat(Async.await(status(other, config.queryPort(), "/query/promotions"))).as("query at " + i)
            .isEqualTo(200);
      }
    }
    long floodEnd = System.nanoTime();
    LOG.info("flood: {} of {} connections made in {} ms ({} from 127.0.0.1, {} from each of {} more addresses; total"
        + " cap {})", connected, FLOOD + others * PER_ADDRESS, (floodEnd - floodStart) / 1_000_000, FLOOD, PER_ADDRESS,
        others, totalCap);

    // slowloris: a header every half second on every connection still open, until the server has closed them all;
    // each was opened before floodEnd, so each is over its deadline by floodEnd + DEADLINE_MS (a sweep and margin more)
    long closedBy = floodEnd + Duration.ofMillis(DEADLINE_MS + 5_000).toNanos();
    int rounds = 0;
    List<Socket> open = new ArrayList<>(sockets);
    while (!open.isEmpty() && System.nanoTime() < closedBy) {
      for (Iterator<Socket> it = open.iterator(); it.hasNext(); ) {
        Socket socket = it.next();
        if (closedByServer(socket, rounds)) {
          it.remove();
        }
      }
      rounds++;
      assertThat(Async.await(status(other, config.commandPort(), "/health"))).as("/health during the flood")
          .isEqualTo(200);
      long next = System.nanoTime() + Duration.ofMillis(500).toNanos();
      Async.await(Async.eventually(vertx, Duration.ofSeconds(5), () -> Future.succeededFuture(System.nanoTime() > next)));
    }
    long flooded = (System.nanoTime() - floodStart) / 1_000_000;
    LOG.info("flood: every connection closed by the server {} ms after the flood began ({} still open)", flooded,
        open.size());
    assertThat(open).as("half-open connections the server never closed").isEmpty();

    String metrics = Async.await(other.get(config.commandPort(), "127.0.0.1", "/metrics").send())
        .bodyAsString();
    assertThat(counter(metrics, "seckill_http_connections_refused_total{reason=\"per_address\""))
        .as("connections refused over the per-address cap").isPositive();
    assertThat(counter(metrics, "seckill_http_connections_refused_total{reason=\"in_all\""))
        .as("connections refused over the total cap").isPositive();
    assertThat(counter(metrics, "seckill_http_connections_deadline_closed_total")).as("closed by the deadline")
        .isPositive();

    // recovered: the flooding addresses are served again, on new connections
    for (String from : List.of("127.0.0.1", "127.0.0.10")) {
      for (int port : List.of(config.commandPort(), config.queryPort())) {
        assertThat(freshConnectionStatus(from, port)).as("a new connection from " + from + " to " + port)
            .isEqualTo("HTTP/1.1 200");
      }
    }
    assertThat(counter(Async.await(other.get(config.commandPort(), "127.0.0.1", "/metrics").send()).bodyAsString(),
        "seckill_http_connections_open")).as("open connections once the flood is gone").isLessThan(20);
    // and a grab is answered
    HttpResponse<Buffer> grab = Async.await(other.post(config.commandPort(), "127.0.0.1", "/command/coupons")
        .bearerTokenAuthentication(TestInfra.token("after-flood")).sendJsonObject(
            new JsonObject().put("promotionId", UUID.randomUUID().toString())));
    assertThat(grab.statusCode()).as(grab.bodyAsString()).isIn(400, 404);

    long logged = Files.size(log) - logBefore;
    long refusals = Files.readAllLines(log).stream().filter(l -> l.contains("refused: TOO_MANY")).count();
    LOG.info("flood: the log grew {} bytes, {} refusal lines, over {} ms", logged, refusals, flooded);
    assertThat(refusals).as("refusal lines (at most 20 a second)").isLessThanOrEqualTo(20 * (flooded / 1000 + 2));
    assertThat(logged).as("log growth").isLessThan(1_000_000L);
  }

  /** The status line of GET /health over a new connection from {@code from}. */
  private static String freshConnectionStatus(String from, int port) throws IOException {
    try (Socket socket = new Socket()) {
      socket.bind(new InetSocketAddress(from, 0));
      socket.connect(new InetSocketAddress("127.0.0.1", port), 2_000);
      socket.setSoTimeout(5_000);
      socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
          .getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readNBytes(12), StandardCharsets.US_ASCII);
    }
  }

  /** Sends one more header line; whether the server has closed the connection (EOF or reset). */
  private static boolean closedByServer(Socket socket, int round) {
    try {
      InputStream in = socket.getInputStream();
      try {
        if (in.read() < 0) {
          return true;
        }
      } catch (SocketTimeoutException e) {
        // nothing to read yet: still open
      }
      socket.getOutputStream().write(("X-Slow-" + round + ": 1\r\n").getBytes(StandardCharsets.US_ASCII));
      return false;
    } catch (IOException e) {
      return true;
    }
  }

  private static double counter(String metrics, String prefix) {
    return metrics.lines().filter(l -> l.startsWith(prefix)).mapToDouble(l -> Double.parseDouble(
        l.substring(l.lastIndexOf(' ') + 1))).sum();
  }
}
