package io.seckill.launcher;

import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.AttackTokens;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import java.nio.file.Path;

/**
 * 10,000 malformed requests (bodies, headers, tokens, paths) against the running jar, 64 at a time: each one is
 * answered within 10 s with a 4xx and a JSON error {@code {"error", "message"}}; never a 5xx, never a hang. The
 * generator is seeded (the seed is printed on failure) so that a failure can be replayed.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 5, timeUnit = TimeUnit.MINUTES)
class MalformedRequestsIT {
  private static final int REQUESTS = 10_000;
  private static final int IN_FLIGHT = 64;
  private static JarProcess jar;
  private static SecKillConfig config;
  private static WebClient client;
  private static String promotionId;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    config = TestInfra.freshConfig();
    Map<String, String> env = new HashMap<>(RunningSystem.environment(config, "admin,command,event,query"));
    env.put("SECKILL_DATA_DIR", "target/it-malformed-data");
    env.putAll(TestInfra.identityEnvironment(Path.of("target/it-malformed-data")));
    jar = JarProcess.start("malformed", env);
    client = Async.client(vertx, IN_FLIGHT);
    Async.await(Future.all(jar.healthy(vertx, client, config.adminPort()), jar.healthy(vertx, client, config.commandPort()),
        jar.healthy(vertx, client, config.queryPort())));
    Instant now = Instant.now();
    promotionId = Async.await(client.post(config.adminPort(), "127.0.0.1", "/admin/promotions")
        .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).sendJsonObject(new JsonObject().put("numberOfCoupons", 5)
            .put("discount", 0.5).put("publishTime", now.toString()).put("finishTime", now.plusSeconds(3600).toString())))
        .bodyAsJsonObject().getString("promotionId");
  }

  @AfterAll
  static void stop() {
    if (jar != null) {
      jar.close();
    }
  }

  /** One malformed request: what it is (for the report) and how to send it. */
  private record Malformed(String what, HttpMethod method, int port, String path, Map<String, String> headers, Buffer body) {
  }

  private static final String[] JUNK_JSON = {
      "", "{", "}", "[]", "null", "true", "1e999999", "\"x\"", "{\"promotionId\":", "{\"promotionId\":null}",
      "{\"promotionId\":[]}", "{\"promotionId\":{}}", "{\"promotionId\":1.5}", "{\"promotionId\":\"not-a-uuid\"}",
      "{\"promotionId\":\"%s\",\"customerId\":\"\"}", "{\"promotionId\":\"%s\",\"customerId\":\"\\ud800\"}",
      "{\"promotionId\":\"%s\",\"customerId\":7}", "{\"promotionId\":\"%s\"} trailing", "{\"promotionId\":\"%s\",}",
      "{\"numberOfCoupons\":-1}", "{\"numberOfCoupons\":\"many\",\"discount\":2}", "{\"discount\":0}",
      "{\"publishTime\":\"yesterday\"}", "{\"a\":" + "[".repeat(5000) + "]".repeat(5000) + "}",
  };

  private static Buffer body(Random random) {
    int kind = random.nextInt(6);
    return switch (kind) {
      case 0 -> {
        byte[] bytes = new byte[random.nextInt(300)];
        random.nextBytes(bytes);
        yield Buffer.buffer(bytes);
      }
      case 1 -> Buffer.buffer("x".repeat(70_000));
      case 2 -> Buffer.buffer(new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
      default -> Buffer.buffer(String.format(JUNK_JSON[random.nextInt(JUNK_JSON.length)], promotionId)
          .getBytes(StandardCharsets.UTF_8));
    };
  }

  private static String junk(Random random, int max) {
    String alphabet = "abcXYZ019-_.~%20éü€😀";
    StringBuilder s = new StringBuilder();
    int n = 1 + random.nextInt(max);
    for (int i = 0; i < n; i++) {
      s.appendCodePoint(alphabet.codePointAt(alphabet.offsetByCodePoints(0, random.nextInt(alphabet.codePointCount(0,
          alphabet.length())))));
    }
    return s.toString();
  }

  private static List<Malformed> generate(long seed) {
    Random random = new Random(seed);
    List<String> attacks = new ArrayList<>(AttackTokens.all().values());
    List<Malformed> requests = new ArrayList<>(REQUESTS);
    for (int i = 0; i < REQUESTS; i++) {
      Map<String, String> headers = new HashMap<>();
      int shape = random.nextInt(9);
      String token = switch (random.nextInt(4)) {
        case 0 -> attacks.get(random.nextInt(attacks.size()));
        case 1 -> junk(random, 40) + "." + junk(random, 40) + "." + junk(random, 40);
        default -> random.nextBoolean() ? TestInfra.token("fuzz-" + random.nextInt(50)) : TestInfra.ADMIN_TOKEN;
      };
      if (token != null) {
        headers.put("Authorization", random.nextInt(10) == 0 ? "Bearer  " + token + " x" : "Bearer " + token);
      }
      if (random.nextBoolean()) {
        headers.put("Content-Type", random.nextBoolean() ? "application/json; charset=latin-7" : junk(random, 30));
      }
      if (random.nextInt(5) == 0) {
        headers.put("X-Forwarded-For", junk(random, 60));
      }
      if (random.nextInt(5) == 0) {
        headers.put("X-Altcha", junk(random, 200));
      }
      Malformed request = switch (shape) {
        case 0, 1, 2 -> new Malformed("grab body", HttpMethod.POST, config.commandPort(), "/command/coupons", headers, body(random));
        case 3 -> new Malformed("ticket body", HttpMethod.POST, config.commandPort(), "/command/tickets", headers, body(random));
        case 4 -> new Malformed("promotion body", HttpMethod.POST, config.adminPort(), "/admin/promotions", headers, body(random));
        case 5 -> new Malformed("promotion update", HttpMethod.PUT, config.adminPort(), "/admin/promotions/"
            + (random.nextBoolean() ? UUID.randomUUID() : junk(random, 20)), headers, body(random));
        case 6 -> {
          if (TestInfra.ADMIN_TOKEN.equals(token)) {
            // an admin may read anyone's coupons: a customer's token makes the foreign id an attack
            headers.put("Authorization", "Bearer " + TestInfra.token("fuzz-reader"));
          }
          yield new Malformed("coupons of a bad or foreign id", HttpMethod.GET, config.queryPort(), "/query/coupons/"
              + (random.nextBoolean() ? "x".repeat(65 + random.nextInt(100)) : "victim-" + random.nextInt(1000)), headers, null);
        }
        case 7 -> new Malformed("unknown path", random.nextBoolean() ? HttpMethod.GET : HttpMethod.POST,
            List.of(config.adminPort(), config.commandPort(), config.queryPort()).get(random.nextInt(3)),
            "/" + junk(random, 30).replace("%", "") + "/" + UUID.randomUUID(), headers, random.nextBoolean() ? body(random) : null);
        default -> new Malformed("wrong method", List.of(HttpMethod.DELETE, HttpMethod.PATCH, HttpMethod.PUT).get(random.nextInt(3)),
            config.commandPort(), "/command/coupons", headers, body(random));
      };
      requests.add(request);
    }
    return requests;
  }


  @Test
  void tenThousandMalformedRequestsAreEachA4xxWithAJsonError(Vertx vertx) {
    long seed = Long.getLong("malformed.seed", System.nanoTime());
    List<Malformed> requests = generate(seed);
    Map<String, String> failures = new ConcurrentHashMap<>();
    Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    Promise<Void> all = Promise.promise();
    AtomicInteger done = new AtomicInteger();
    Runnable[] pump = new Runnable[1];
    pump[0] = () -> {
      int i = next.getAndIncrement();
      if (i >= requests.size()) {
        return;
      }
      Malformed m = requests.get(i);
      HttpRequest<Buffer> request = client.request(m.method(), m.port(), "127.0.0.1", m.path()).timeout(10_000);
      m.headers().forEach(request::putHeader);
      Future<HttpResponse<Buffer>> sent = m.body() == null ? request.send() : request.sendBuffer(m.body());
      sent.onComplete(ar -> {
        if (ar.failed()) {
          failures.put(i + " " + m.what() + " " + m.method() + " " + m.path(), "no answer: " + ar.cause().getMessage());
        } else {
          HttpResponse<Buffer> r = ar.result();
          statuses.computeIfAbsent(r.statusCode(), s -> new AtomicInteger()).incrementAndGet();
          String problem = null;
          if (r.statusCode() < 400 || r.statusCode() >= 500) {
            problem = "status " + r.statusCode();
          } else {
            try {
              JsonObject json = r.bodyAsJsonObject();
              if (json == null || json.getString("error") == null || json.getString("message") == null) {
                problem = "no JSON error: " + r.bodyAsString();
              }
            } catch (RuntimeException e) {
              problem = "body is not JSON: " + r.bodyAsString();
            }
          }
          if (problem != null) {
            failures.put(i + " " + m.what() + " " + m.method() + " " + m.path() + " " + m.headers().keySet(), problem);
          }
        }
        if (done.incrementAndGet() == requests.size()) {
          all.complete();
        } else {
          pump[0].run();
        }
      });
    };
    vertx.runOnContext(v -> {
      for (int i = 0; i < IN_FLIGHT; i++) {
        pump[0].run();
      }
    });
    Async.await(all.future());
    assertThat(new TreeMap<>(failures)).as("seed %d, statuses %s", seed, new TreeMap<>(statuses)).isEmpty();
    assertThat(statuses.values().stream().mapToInt(AtomicInteger::get).sum()).isEqualTo(REQUESTS);
  }
}
