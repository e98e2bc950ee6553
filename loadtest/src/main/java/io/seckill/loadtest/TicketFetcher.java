package io.seckill.loadtest;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code tickets PORT PROMOTION TOKENS_FILE COUNT OUT_FILE CONNECTIONS}: fetches a grab ticket for each of the
 * first COUNT identity tokens (one per line, customer b0, b1, ...) from {@code POST /command/tickets}, CONNECTIONS
 * requests in flight, each from its own client address ({@code X-Forwarded-For}, the harness being the trusted
 * proxy), and writes the tickets in the same order. It is the benchmark's "tickets issued per second" run: each
 * request is an RS256 identity-token check and an HS256 signature on the command side. Prints one RESULT line.
 */
final class TicketFetcher {
  private TicketFetcher() {
  }

  static void run(String[] args) throws Exception {
    int port = Integer.parseInt(args[1]);
    String promotion = args[2];
    List<String> tokens = Files.readAllLines(Path.of(args[3]), StandardCharsets.US_ASCII);
    int count = Math.min(Integer.parseInt(args[4]), tokens.size());
    Path out = Path.of(args[5]);
    int connections = Integer.parseInt(args[6]);
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient(new HttpClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port),
        new PoolOptions().setHttp1MaxSize(connections).setMaxWaitQueueSize(-1));
    String[] tickets = new String[count];
    long[] latencies = new long[count];
    AtomicInteger next = new AtomicInteger();
    AtomicInteger failed = new AtomicInteger();
    AtomicInteger done = new AtomicInteger();
    Buffer body = new JsonObject().put("promotionId", promotion).toBuffer();
    Promise<Void> all = Promise.promise();
    long began = System.nanoTime();
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= count) {
        return;
      }
      long sent = System.nanoTime();
      client.request(new RequestOptions().setMethod(HttpMethod.POST).setURI("/command/tickets")
              .putHeader("Authorization", "Bearer " + tokens.get(i))
              .putHeader("Content-Type", "application/json")
              .putHeader("X-Forwarded-For", "198.51.100." + (i % connections % 250 + 1)))
          .compose(request -> request.send(body))
          .compose(response -> response.body().map(b -> response.statusCode() == 201 ? new JsonObject(b).getString("ticket") : null))
          .onComplete(ar -> {
            latencies[i] = System.nanoTime() - sent;
            if (ar.succeeded() && ar.result() != null) {
              tickets[i] = ar.result();
            } else {
              failed.incrementAndGet();
            }
            if (done.incrementAndGet() == count) {
              all.tryComplete();
            } else {
              pump[0].run();
            }
          });
    };
    vertx.runOnContext(v -> {
      for (int c = 0; c < Math.min(connections, count); c++) {
        pump[0].run();
      }
    });
    all.future().toCompletionStage().toCompletableFuture().get(600, TimeUnit.SECONDS);
    double seconds = (System.nanoTime() - began) / 1e9;
    List<String> lines = new ArrayList<>(count);
    for (String ticket : tickets) {
      lines.add(ticket == null ? "-" : ticket);
    }
    Files.write(out, lines, StandardCharsets.US_ASCII);
    Arrays.sort(latencies);
    System.out.printf("RESULT requests=%d rps=%.0f p50_ms=%.2f p99_ms=%.2f ok=%d rejected=0 other=%d errors=0%n",
        count, count / seconds, latencies[count / 2] / 1e6, latencies[(int) (count * 0.99)] / 1e6,
        count - failed.get(), failed.get());
    client.close();
    vertx.close();
  }

}
