package io.seckill.command;

import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.identity.LimitHold;
import io.seckill.shared.identity.RateLimit;
import io.seckill.shared.identity.TicketKey;
import io.seckill.shared.identity.Tickets;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.function.Function;
import io.seckill.shared.identity.TicketChallengeTest;

/**
 * Grab tickets and rate limits on the real command verticle (SPEC 2.1): each refusal rule is sent as an attack and
 * must be refused. The verticle runs with two ticket keys (K2 signs, K1 is the previous one) so that rotation is
 * exercised; a second deployment has low limits.
 */
@ExtendWith(VertxExtension.class)
class CommandSecurityTest {
  private static final TicketKey K1 = new TicketKey("k1", "previous-previous-previous-prev!".getBytes(StandardCharsets.US_ASCII));
  private static final TicketKey K2 = new TicketKey("k2", "current-current-current-current!".getBytes(StandardCharsets.US_ASCII));
  private static final TicketKey RETIRED = new TicketKey("k0", "retired-retired-retired-retired!".getBytes(StandardCharsets.US_ASCII));
  private static SecKillConfig config;
  private static WebClient client;
  private static Pool writeDb;

  @BeforeAll
  static void deploy(Vertx vertx) {
    SecKillConfig fresh = TestInfra.freshConfig();
    config = fresh.withSecurity(fresh.security().withTicketKeys(List.of(K2, K1)));
    Async.await(vertx.deployVerticle(new CommandVerticle(config, Clock.systemUTC())));
    client = Async.client(vertx, 64);
    writeDb = Databases.pool(vertx, config.writeDb(), "command-security-test");
  }

  private static Future<UUID> promotion(Vertx vertx, int coupons, Instant publish, Instant finish) {
    UUID id = UUID.randomUUID();
    Future<Void> inserted = CommandVerticleTest.insertPromotion(writeDb, id, coupons, publish, finish);
    // wait until the command side has read the row: a ticket is then issued
    return inserted.compose(v -> Async.eventually(vertx, Duration.ofSeconds(5), () -> ticket(config, id, "probe")
        .map(r -> r.statusCode() == 201))).map(id);
  }

  private static Future<HttpResponse<Buffer>> ticket(SecKillConfig on, UUID promotion, String customer) {
    return client.post(on.commandPort(), "127.0.0.1", "/command/tickets")
        .bearerTokenAuthentication(TestInfra.token(customer))
        .sendJsonObject(new JsonObject().put("promotionId", promotion.toString()));
  }

  private static Future<HttpResponse<Buffer>> grabWith(SecKillConfig on, String credential, JsonObject body) {
    return client.post(on.commandPort(), "127.0.0.1", "/command/coupons").bearerTokenAuthentication(credential)
        .sendJsonObject(body);
  }

  private static JsonObject body(UUID promotion) {
    return new JsonObject().put("promotionId", promotion.toString());
  }

  private static void assertError(HttpResponse<Buffer> response, int status, String error) {
    assertThat(response.statusCode()).as(response.bodyAsString()).isEqualTo(status);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo(error);
    if (status == 401) {
      assertThat(response.getHeader("WWW-Authenticate")).isEqualTo("Bearer");
    }
  }

  @Test
  void aTicketGrabsOnceForItsCustomerAndItsPromotionOnly(Vertx vertx, VertxTestContext ctx) {
    Instant now = Instant.now();
    Future.all(promotion(vertx, 5, now.minusSeconds(1), now.plusSeconds(3600)),
            promotion(vertx, 5, now.minusSeconds(1), now.plusSeconds(3600)))
        .compose(both -> {
          UUID a = both.resultAt(0);
          UUID b = both.resultAt(1);
          return ticket(config, a, "tina").compose(issued -> {
            ctx.verify(() -> {
              assertThat(issued.statusCode()).isEqualTo(201);
              JsonObject json = issued.bodyAsJsonObject();
              assertThat(json.getString("customerId")).isEqualTo("tina");
              assertThat(json.getString("promotionId")).isEqualTo(a.toString());
              assertThat(Instant.parse(json.getString("expiresAt"))).isAfter(now).isBeforeOrEqualTo(now.plusSeconds(3601));
              assertThat(Instant.parse(json.getString("notBefore"))).isBeforeOrEqualTo(Instant.now());
            });
            String t = issued.bodyAsJsonObject().getString("ticket");
            return Future.all(List.of(grabWith(config, t, body(b)),
                    grabWith(config, t, body(a).put("customerId", "someone-else"))))
                .compose(refused -> grabWith(config, t, body(a)).compose(first -> grabWith(config, t, body(a))
                    .map(again -> List.<HttpResponse<Buffer>>of(refused.resultAt(0), refused.resultAt(1), first, again))));
          });
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertError(r.get(0), 403, "forbidden");
          assertError(r.get(1), 403, "forbidden");
          assertThat(r.get(2).statusCode()).isEqualTo(200);
          assertThat(r.get(2).bodyAsJsonObject().getString("customerId")).isEqualTo("tina");
          assertError(r.get(3), 429, "duplicate_order");
          ctx.completeNow();
        })));
  }

  @Test
  void expiredRetiredAndForgedTicketsAre401sThePreviousKeyStillWorks(Vertx vertx, VertxTestContext ctx) {
    Instant now = Instant.now();
    long sec = now.getEpochSecond();
    promotion(vertx, 5, now.minusSeconds(1), now.plusSeconds(3600)).compose(id -> {
      String expired = new Tickets(List.of(K2)).issue("eve", id, sec - 120, sec - 60);
      String retired = new Tickets(List.of(RETIRED)).issue("eve", id, sec, sec + 600);
      String forged = new Tickets(List.of(new TicketKey("k2", "guessed-guessed-guessed-guessed!"
          .getBytes(StandardCharsets.US_ASCII)))).issue("eve", id, sec, sec + 600);
      String previous = new Tickets(List.of(K1)).issue("pat", id, sec, sec + 600);
      return Future.all(List.of(grabWith(config, expired, body(id)), grabWith(config, retired, body(id)),
          grabWith(config, forged, body(id)), grabWith(config, previous, body(id))));
    }).onComplete(ctx.succeeding(all -> ctx.verify(() -> {
      for (int i = 0; i < 3; i++) {
        assertError(all.resultAt(i), 401, "unauthorized");
      }
      HttpResponse<Buffer> previous = all.resultAt(3);
      assertThat(previous.statusCode()).isEqualTo(200);
      assertThat(previous.bodyAsJsonObject().getString("customerId")).isEqualTo("pat");
      ctx.completeNow();
    })));
  }

  @Test
  void ticketsAreIssuedFromTheLeadTimeUntilTheFinishOnly(Vertx vertx, VertxTestContext ctx) {
    Instant now = Instant.now();
    UUID tooEarly = UUID.randomUUID();
    UUID unknown = UUID.randomUUID();
    UUID finished = UUID.randomUUID();
    int lead = config.security().ticketLeadSeconds();
    CommandVerticleTest.insertPromotion(writeDb, tooEarly, 5, now.plusSeconds(lead + 3600), now.plusSeconds(lead + 7200))
        .compose(v -> promotion(vertx, 1, now.plusSeconds(lead - 60), now.plusSeconds(lead + 60)))
        .compose(soon -> CommandVerticleTest.insertPromotion(writeDb, finished, 5, now.minusSeconds(1), now.plusMillis(800))
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5), () -> CommandVerticleTest.countEvents(writeDb,
                finished, "PromotionFinishEvent").map(n -> n == 1)))
            .compose(v -> Future.all(List.of(ticket(config, soon, "early-bird"), ticket(config, tooEarly, "early-bird"),
                ticket(config, unknown, "early-bird"), ticket(config, finished, "early-bird")))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          HttpResponse<Buffer> withinLead = all.resultAt(0);
          assertThat(withinLead.statusCode()).isEqualTo(201);
          for (int i = 1; i < 4; i++) {
            assertError(all.resultAt(i), 400, "promotion_not_active");
          }
          ctx.completeNow();
        })));
  }

  /** A grab's answer: status, error code (null on a 200), Retry-After, and the milliseconds from send to answer. */
  private record Answer(int status, String error, String retryAfter, long millis) {
    boolean rateLimited() {
      return status == 429 && "rate_limited".equals(error);
    }
  }

  private static Future<Answer> timedGrab(SecKillConfig on, String credential, UUID promotion) {
    long sent = System.nanoTime();
    return grabWith(on, credential, body(promotion)).map(r -> new Answer(r.statusCode(),
        r.statusCode() == 200 ? null : r.bodyAsJsonObject().getString("error"), r.getHeader("Retry-After"),
        (System.nanoTime() - sent) / 1_000_000));
  }

  /** {@code rounds} grabs one after the other, each sent when the previous one is answered (a bot's loop). */
  private static Future<Void> closedLoop(SecKillConfig on, String credential, UUID promotion, int rounds,
                                         ConcurrentLinkedQueue<Answer> answers) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < rounds; i++) {
      chain = chain.compose(v -> timedGrab(on, credential, promotion).map(answer -> {
        answers.add(answer);
        return null;
      }));
    }
    return chain;
  }

  @Test
  void refusalsOverALimitAreHeldWithinACapSoThatABotsLoopSlowsDown(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig fresh = TestInfra.freshConfig();
    long hold = 1000;
    // per customer: 1 at once, 1 a second; a refusal is held 1 s, at most 3 are held at once
    SecKillConfig held = fresh.withSecurity(fresh.security().withLimits(TestInfra.GENEROUS, new RateLimit(1, 1, 1000))
        .withLimitHold(new LimitHold(hold, 3)));
    Instant now = Instant.now();
    UUID id = UUID.randomUUID();
    Pool db = Databases.pool(vertx, held.writeDb(), "hold-test");
    String hammer = TestInfra.token("held-hammer");
    ConcurrentLinkedQueue<Answer> loops = new ConcurrentLinkedQueue<>();
    AtomicInteger refusalsBeforeBystander = new AtomicInteger(-1);
    vertx.deployVerticle(new CommandVerticle(held, Clock.systemUTC()))
        .compose(deployed -> CommandVerticleTest.insertPromotion(db, id, 100, now.minusSeconds(1), now.plusSeconds(3600)))
        .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5), () -> CommandVerticleTest.countEvents(db, id,
            "PromotionStartEvent").map(n -> n == 1)))
        .compose(v -> timedGrab(held, hammer, id)) // the customer's one at once: its coupon
        .compose(first -> {
          ctx.verify(() -> assertThat(first.status()).isEqualTo(200));
          // six more at once: three refusals are held (the cap), the others are answered at once
          List<Future<Answer>> six = new ArrayList<>();
          for (int i = 0; i < 6; i++) {
            six.add(timedGrab(held, hammer, id));
          }
          return Async.eventually(vertx, Duration.ofMillis(hold * 7 / 10),
                  () -> Future.succeededFuture(six.stream().filter(Future::isComplete).count() >= 3))
              .map(x -> {
                ctx.verify(() -> assertThat(six.stream().filter(Future::isComplete).count())
                    .as("answered before the hold ends: the refusals over the cap (and one the refill let through)")
                    .isEqualTo(3));
                return null;
              })
              .compose(x -> Future.all(new ArrayList<>(six)))
              .map(all -> {
                ctx.verify(() -> {
                  List<Answer> answers = six.stream().map(Future::result).toList();
                  assertThat(answers).allMatch(a -> a.rateLimited() || "duplicate_order".equals(a.error()),
                      answers.toString());
                  List<Answer> wereHeld = answers.stream().filter(a -> a.millis() >= hold).toList();
                  assertThat(wereHeld).as(answers.toString()).hasSize(3).allMatch(Answer::rateLimited)
                      .allMatch(a -> Long.parseLong(a.retryAfter()) >= 1);
                });
                return null;
              });
        })
        .compose(v -> {
          // a bot's three loops, each sending its next grab when it hears back: every refusal it gets is held, so
          // it cannot go faster than one grab per loop per hold; a bystander grabbing meanwhile is answered at once
          long started = System.nanoTime();
          Future<Void> bot = Future.all(List.of(closedLoop(held, hammer, id, 3, loops),
              closedLoop(held, hammer, id, 3, loops), closedLoop(held, hammer, id, 3, loops))).mapEmpty();
          Future<Void> bystander = vertx.timer(100).compose(t -> timedGrab(held, TestInfra.token("held-bystander"), id))
              .map(answer -> {
                refusalsBeforeBystander.set((int) loops.stream().filter(Answer::rateLimited).count());
                ctx.verify(() -> assertThat(answer.status()).as(answer.toString()).isEqualTo(200));
                return null;
              });
          return Future.all(bot, bystander).map(all -> {
            long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
            ctx.verify(() -> {
              assertThat(refusalsBeforeBystander.get()).isZero();
              assertThat(loops).hasSize(9);
              // what the bucket let through meanwhile (1 at once, then 1 a second) was answered at once; the rest
              // were refusals, each held for the whole hold
              long passed = loops.stream().filter(a -> !a.rateLimited()).count();
              assertThat(passed).as(loops.toString()).isLessThanOrEqualTo(1 + elapsedMillis / 1000 + 1);
              assertThat(loops.stream().filter(Answer::rateLimited)).as(loops.toString()).isNotEmpty()
                  .allMatch(a -> a.millis() >= hold);
              assertThat(elapsedMillis).isGreaterThanOrEqualTo(hold);
            });
            return null;
          });
        })
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void callersOverTheirLimitGet429WithRetryAfterAndNothingElse(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig fresh = TestInfra.freshConfig();
    // per customer: 3 at once, 1 a second; per address: 40 at once, 1 a second; refusals sent at once (this test
    // counts which requests are refused; the next one holds them)
    SecKillConfig limited = fresh.withSecurity(fresh.security().withLimits(new RateLimit(40, 1, 1000),
        new RateLimit(3, 1, 1000)).withLimitHold(LimitHold.OFF));
    Instant now = Instant.now();
    UUID id = UUID.randomUUID();
    Pool db = Databases.pool(vertx, limited.writeDb(), "limit-test");
    vertx.deployVerticle(new CommandVerticle(limited, Clock.systemUTC()))
        .compose(deployed -> CommandVerticleTest.insertPromotion(db, id, 100, now.minusSeconds(1), now.plusSeconds(3600)))
        .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5), () -> CommandVerticleTest.countEvents(db, id,
            "PromotionStartEvent").map(n -> n == 1)))
        .compose(v -> {
          // one customer hammering: 3 answered, then 429 rate_limited (the others are not affected)
          List<Future<HttpResponse<Buffer>>> flood = new ArrayList<>();
          for (int i = 0; i < 8; i++) {
            flood.add(grabWith(limited, TestInfra.token("hammer"), body(id)));
          }
          return Future.all(new ArrayList<>(flood)).compose(f -> grabWith(limited, TestInfra.token("bystander"), body(id))
              .map(bystander -> {
                ctx.verify(() -> {
                  long limitedCount = flood.stream().filter(r -> r.result().statusCode() == 429
                      && "rate_limited".equals(r.result().bodyAsJsonObject().getString("error"))).count();
                  assertThat(limitedCount).isEqualTo(5);
                  HttpResponse<Buffer> one = flood.stream().map(Future::result)
                      .filter(r -> "rate_limited".equals(r.bodyAsJsonObject().getString("error"))).findFirst().orElseThrow();
                  assertThat(Long.parseLong(one.getHeader("Retry-After"))).isBetween(1L, 2L);
                  assertThat(bystander.statusCode()).isEqualTo(200);
                });
                return null;
              }));
        })
        .compose(v -> {
          // one address flooding with garbage tokens: refused by the address limit before any token is read
          List<Future<HttpResponse<Buffer>>> flood = new ArrayList<>();
          for (int i = 0; i < 60; i++) {
            flood.add(grabWith(limited, "garbage", body(id)));
          }
          return Future.all(new ArrayList<>(flood)).map(f -> {
            ctx.verify(() -> {
              long unauthorized = flood.stream().filter(r -> r.result().statusCode() == 401).count();
              long limitedCount = flood.stream().filter(r -> r.result().statusCode() == 429).count();
              assertThat(unauthorized + limitedCount).isEqualTo(60);
              assertThat(limitedCount).isGreaterThanOrEqualTo(60 - 40);
              assertThat(unauthorized).isPositive();
              assertThat(flood.stream().map(r -> r.result().bodyAsJsonObject().getString("error")).distinct())
                  .containsExactlyInAnyOrder("unauthorized", "rate_limited");
            });
            return null;
          });
        })
        .compose(v -> {
          // the same address streaming grabs without a Content-Length (the router's way, not the short one) is
          // limited alike: its bucket is empty, and at most one token comes back in the moment these take
          HttpClient http = vertx.createHttpClient();
          List<Future<Integer>> streamed = new ArrayList<>();
          for (int i = 0; i < 5; i++) {
            streamed.add(http.request(HttpMethod.POST, limited.commandPort(), "127.0.0.1", "/command/coupons")
                .compose(request -> request.setChunked(true).putHeader("Authorization", "Bearer "
                    + TestInfra.token("streamer-" + request.hashCode())).send(body(id).toBuffer()))
                .compose(response -> response.body().map(b -> response.statusCode() == 429
                    && "rate_limited".equals(b.toJsonObject().getString("error")) ? 429 : response.statusCode())));
          }
          return Future.all(new ArrayList<>(streamed)).map(f -> {
            ctx.verify(() -> assertThat(streamed.stream().filter(r -> r.result() == 429).count())
                .as(streamed.stream().map(Future::result).toList().toString()).isGreaterThanOrEqualTo(4));
            http.close();
            return null;
          });
        })
        .compose(v -> client.get(limited.commandPort(), "127.0.0.1", "/metrics").send())
        .onComplete(ctx.succeeding(metrics -> ctx.verify(() -> {
          String text = metrics.bodyAsString();
          assertThat(text).containsPattern("seckill_rate_limited_total\\{scope=\"customer\"} [1-9]");
          assertThat(text).containsPattern("seckill_rate_limited_total\\{scope=\"address\"} [1-9]");
          // health and metrics are never limited
          ctx.completeNow();
        })));
  }

  @Test
  void withProofOfWorkOnATicketNeedsASolvedChallengeOfItsOwn(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig fresh = TestInfra.freshConfig();
    SecKillConfig pow = fresh.withSecurity(fresh.security().withProofOfWork(true, 3_000));
    Instant now = Instant.now();
    UUID id = UUID.randomUUID();
    Pool db = Databases.pool(vertx, pow.writeDb(), "pow-test");
    String token = TestInfra.token("solver");
    vertx.deployVerticle(new CommandVerticle(pow, Clock.systemUTC()))
        .compose(deployed -> CommandVerticleTest.insertPromotion(db, id, 10, now.minusSeconds(1), now.plusSeconds(3600)))
        .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5), () -> CommandVerticleTest.countEvents(db, id,
            "PromotionStartEvent").map(n -> n == 1)))
        .compose(v -> Future.all(client.get(pow.commandPort(), "127.0.0.1", "/command/challenge").send(),
            client.get(pow.commandPort(), "127.0.0.1", "/command/challenge").bearerTokenAuthentication(token).send(),
            ticket(pow, id, "solver"), client.get(config.commandPort(), "127.0.0.1", "/command/challenge")
                .bearerTokenAuthentication(token).send()))
        .compose(first -> {
          ctx.verify(() -> {
            assertError(first.resultAt(0), 401, "unauthorized");
            assertError(first.resultAt(2), 403, "forbidden");
            assertError(first.resultAt(3), 404, "not_found");
          });
          JsonObject challenge = ((HttpResponse<Buffer>) first.resultAt(1)).bodyAsJsonObject();
          String solved;
          try {
            solved = TicketChallengeTest.solve(challenge);
          } catch (Exception e) {
            return Future.failedFuture(e);
          }
          Function<String, Future<HttpResponse<Buffer>>> withSolution = customer ->
              client.post(pow.commandPort(), "127.0.0.1", "/command/tickets").bearerTokenAuthentication(TestInfra.token(customer))
                  .putHeader("X-Altcha", solved).sendJsonObject(body(id));
          return withSolution.apply("someone-else").compose(other -> withSolution.apply("solver")
              .compose(issued -> withSolution.apply("solver").map(again -> List.of(other, issued, again))));
        })
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertError(r.get(0), 403, "forbidden");
          assertThat(r.get(1).statusCode()).isEqualTo(201);
          assertError(r.get(2), 403, "forbidden");
          assertThat(r.get(2).bodyAsJsonObject().getString("message")).contains("used already");
          ctx.completeNow();
        })));
  }
}
