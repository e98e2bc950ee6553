package io.seckill.command;

import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.db.SqlTime;
import io.seckill.shared.event.CouponGrabbedEvent;
import io.seckill.shared.event.EventCodec;
import io.seckill.shared.event.SecKillEvent;
import io.seckill.shared.messaging.AmqpSecKillMessageSubscriber;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.Grabs;
import io.seckill.shared.testing.ShiftedClock;
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
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

/** The real command verticle on a real MariaDB and ActiveMQ, driven over HTTP. */
@ExtendWith(VertxExtension.class)
class CommandVerticleTest {
  private static SecKillConfig config;
  private static WebClient client;
  private static Pool writeDb;
  private static String deploymentId;
  private static final List<SecKillEvent> relayed = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void deploy(Vertx vertx) {
    config = TestInfra.freshConfig();
    deploymentId = Async.await(vertx.deployVerticle(new CommandVerticle(config, Clock.systemUTC())));
    client = Async.client(vertx, 64);
    writeDb = Databases.pool(vertx, config.writeDb(), "command-test");
    Async.await(AmqpSecKillMessageSubscriber.create(vertx, config.amqp()).subscribe(batch -> {
      relayed.addAll(batch);
      return Future.succeededFuture();
    }));
  }

  /** Everything the relays of processes on {@code config}'s broker address send from now on. */
  static List<SecKillEvent> brokerOf(Vertx vertx, SecKillConfig config) {
    List<SecKillEvent> received = new CopyOnWriteArrayList<>();
    Async.await(AmqpSecKillMessageSubscriber.create(vertx, config.amqp()).subscribe(batch -> {
      received.addAll(batch);
      return Future.succeededFuture();
    }));
    return received;
  }

  /** Eventually the broker has had each of the promotion's sequences 1..last (in whatever order, maybe twice). */
  static Future<Void> relayedUpTo(Vertx vertx, List<SecKillEvent> received, UUID id, long last) {
    return Async.eventually(vertx, Duration.ofSeconds(10), () -> Future.succeededFuture(received.stream()
        .filter(e -> e.promotionId().equals(id)).map(SecKillEvent::sequence).distinct().count() == last))
        .map(v -> {
          assertThat(received.stream().filter(e -> e.promotionId().equals(id)).map(SecKillEvent::sequence).distinct()
              .sorted().toList()).isEqualTo(java.util.stream.LongStream.rangeClosed(1, last).boxed().toList());
          return null;
        });
  }

  /** What the admin verticle writes when a promotion is created. */
  static Future<UUID> createPromotion(int coupons, Instant publish, Instant finish) {
    UUID id = UUID.randomUUID();
    return insertPromotion(writeDb, id, coupons, publish, finish).map(id);
  }

  static Future<Void> insertPromotion(Pool db, UUID id, int coupons, Instant publish, Instant finish) {
    return db.preparedQuery("INSERT INTO promotions (promotion_id, number_of_coupons, discount, publish_time,"
            + " finish_time, status, version, created_at, updated_at)"
            + " VALUES (?, ?, 0.75, ?, ?, 'scheduled', 1, UTC_TIMESTAMP(3), UTC_TIMESTAMP(6))")
        .execute(Tuple.of(id.toString(), coupons, SqlTime.toDb(publish), SqlTime.toDb(finish)))
        .mapEmpty();
  }

  static Future<UUID> startedPromotion(Vertx vertx, int coupons) {
    Instant now = Instant.now();
    return createPromotion(coupons, now.minusSeconds(1), now.plusSeconds(3600))
        .compose(id -> Async.eventually(vertx, Duration.ofSeconds(5), () -> eventCount(id, "PromotionStartEvent")
            .map(n -> n == 1)).map(id));
  }

  static Future<Integer> eventCount(UUID promotion, String type) {
    return countEvents(writeDb, promotion, type);
  }

  static Future<Integer> countEvents(Pool writeDb, UUID promotion, String type) {
    return writeDb.preparedQuery("SELECT COUNT(*) FROM events WHERE promotion_id = ? AND type = ?")
        .execute(Tuple.of(promotion.toString(), type)).map(rows -> rows.iterator().next().getInteger(0));
  }

  static Future<HttpResponse<Buffer>> grab(UUID promotion, String customer) {
    return grab(config, promotion, customer);
  }

  /** A grab sent to the command verticle of {@code on} (a test's own deployment). */
  static Future<HttpResponse<Buffer>> grab(SecKillConfig on, UUID promotion, String customer) {
    return Grabs.grab(client, on.commandPort(), promotion, customer);
  }

  @Test
  void anAcceptedGrabIsCommittedBeforeThe200(Vertx vertx, VertxTestContext ctx) {
    startedPromotion(vertx, 10)
        .compose(id -> grab(id, "alice").compose(response -> writeDb
            .preparedQuery("SELECT sequence FROM events WHERE promotion_id = ? AND customer_id = 'alice'")
            .execute(Tuple.of(id.toString()))
            .map(rows -> {
              ctx.verify(() -> {
                assertThat(response.statusCode()).isEqualTo(200);
                JsonObject body = response.bodyAsJsonObject();
                assertThat(body.getString("promotionId")).isEqualTo(id.toString());
                assertThat(body.getString("customerId")).isEqualTo("alice");
                assertThat(body.getLong("sequence")).isEqualTo(2L);
                assertThat(body.getDouble("discount")).isEqualTo(0.75);
                assertThat(Instant.parse(body.getString("time"))).isBeforeOrEqualTo(Instant.now());
                assertThat(rows.size()).isEqualTo(1);
                assertThat(rows.iterator().next().getLong(0)).isEqualTo(2L);
              });
              return id;
            }))
        .compose(same -> grab(same, "alice")))
        .onComplete(ctx.succeeding(duplicate -> ctx.verify(() -> {
          assertThat(duplicate.statusCode()).isEqualTo(429);
          assertThat(duplicate.bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
          ctx.completeNow();
        })));
  }

  @Test
  void fortyCustomersAtOnceForFiveCouponsGetExactlyFive(Vertx vertx, VertxTestContext ctx) {
    startedPromotion(vertx, 5).compose(id -> {
      List<Future<HttpResponse<Buffer>>> grabs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        grabs.add(grab(id, "crowd-" + i));
      }
      return Future.all(grabs).compose(all -> Future.all(
              eventCount(id, "CouponGrabbedEvent"), eventCount(id, "PromotionFinishEvent"),
              writeDb.preparedQuery("SELECT status FROM promotions WHERE promotion_id = ?").execute(Tuple.of(id.toString())))
          .map(counts -> {
            ctx.verify(() -> {
              Map<String, Integer> outcomes = new TreeMap<>();
              for (Future<HttpResponse<Buffer>> f : grabs) {
                HttpResponse<Buffer> r = f.result();
                String key = r.statusCode() + (r.statusCode() == 200 ? "" : " " + r.bodyAsJsonObject().getString("error"));
                outcomes.merge(key, 1, Integer::sum);
              }
              assertThat(outcomes).isEqualTo(Map.of("200", 5, "429 out_of_stock", 35));
              assertThat((Integer) counts.resultAt(0)).isEqualTo(5);
              assertThat((Integer) counts.resultAt(1)).isEqualTo(1);
              Row status = ((io.vertx.sqlclient.RowSet<Row>) counts.resultAt(2)).iterator().next();
              assertThat(status.getString(0)).isEqualTo("finished");
            });
            return null;
          }));
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void grabsOutsideTheWindowOrOfUnknownPromotionsAreNotActive(Vertx vertx, VertxTestContext ctx) {
    Instant now = Instant.now();
    createPromotion(5, now.plusSeconds(3600), now.plusSeconds(7200))
        .compose(future -> Future.all(grab(future, "a"), grab(UUID.randomUUID(), "a")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < 2; i++) {
            HttpResponse<Buffer> response = all.resultAt(i);
            assertThat(response.statusCode()).isEqualTo(400);
            assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("promotion_not_active");
          }
          ctx.completeNow();
        })));
  }

  @Test
  void badRequestsGet4xxJson(VertxTestContext ctx) {
    var post = client.post(config.commandPort(), "127.0.0.1", "/command/coupons")
        .bearerTokenAuthentication(TestInfra.token("a"));
    String id = UUID.randomUUID().toString();
    Future.all(List.of(
            post.sendJsonObject(new JsonObject().put("customerId", "a")),
            post.sendJsonObject(new JsonObject().put("promotionId", id).put("customerId", "x".repeat(65))),
            post.sendJsonObject(new JsonObject().put("promotionId", id).put("customerId", "")),
            post.sendJsonObject(new JsonObject().put("promotionId", "nope").put("customerId", "a")),
            post.sendJsonObject(new JsonObject().put("promotionId", 12).put("customerId", "a")),
            post.sendBuffer(Buffer.buffer("{\"promotionId\":")),
            post.sendBuffer(Buffer.buffer("[]")),
            post.send(),
            post.sendBuffer(Buffer.buffer("x".repeat(70_000)))))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          for (int i = 0; i < all.size(); i++) {
            HttpResponse<Buffer> response = all.resultAt(i);
            boolean tooLarge = i == all.size() - 1;
            assertThat(response.statusCode()).as("request %d", i).isEqualTo(tooLarge ? 413 : 400);
            assertThat(response.bodyAsJsonObject().getString("error"))
                .isEqualTo(tooLarge ? "payload_too_large" : "invalid_request");
            assertThat(response.bodyAsJsonObject().getString("message")).isNotBlank();
          }
          ctx.completeNow();
        })));
  }

  /**
   * A grab streamed without a Content-Length does not take the server's short way (a body of declared length) but
   * the router's grab route, the same handler behind the body limit: served alike, and over 64 KiB a 413.
   */
  @Test
  void aGrabStreamedWithoutALengthIsServedTheSameAndBoundedTheSame(Vertx vertx, VertxTestContext ctx) {
    HttpClient http = vertx.createHttpClient();
    startedPromotion(vertx, 10)
        .compose(id -> Future.all(
            chunked(http, TestInfra.token("streamer"), new JsonObject().put("promotionId", id.toString()).toBuffer()),
            chunked(http, TestInfra.token("streamer"), new JsonObject().put("promotionId", id.toString()).toBuffer()),
            chunked(http, TestInfra.token("big"), Buffer.buffer("{\"promotionId\":\"" + id + "\",\"x\":\""
                + "x".repeat(70_000) + "\"}")))
            .map(all -> Map.entry(id, all)))
        .onComplete(ctx.succeeding(result -> ctx.verify(() -> {
          var all = result.getValue();
          List<Map.Entry<Integer, JsonObject>> answers = List.of(all.resultAt(0), all.resultAt(1), all.resultAt(2));
          long accepted = answers.subList(0, 2).stream().filter(a -> a.getKey() == 200).count();
          assertThat(accepted).as(answers.toString()).isEqualTo(1);
          JsonObject coupon = answers.subList(0, 2).stream().filter(a -> a.getKey() == 200).findFirst()
              .orElseThrow().getValue();
          assertThat(coupon.getString("customerId")).isEqualTo("streamer");
          assertThat(coupon.getString("promotionId")).isEqualTo(result.getKey().toString());
          assertThat(answers.subList(0, 2)).anySatisfy(a -> {
            assertThat(a.getKey()).isEqualTo(429);
            assertThat(a.getValue().getString("error")).isEqualTo("duplicate_order");
          });
          assertThat(answers.get(2).getKey()).isEqualTo(413);
          assertThat(answers.get(2).getValue().getString("error")).isEqualTo("payload_too_large");
          http.close();
          ctx.completeNow();
        })));
  }

  /** A grab sent with Transfer-Encoding: chunked; its status and JSON body. */
  private static Future<Map.Entry<Integer, JsonObject>> chunked(HttpClient http, String token, Buffer body) {
    return http.request(HttpMethod.POST, config.commandPort(), "127.0.0.1", "/command/coupons")
        .compose(request -> {
          request.setChunked(true).putHeader("Authorization", "Bearer " + token)
              .putHeader("Content-Type", "application/json");
          return request.send(body);
        })
        .compose(response -> response.body().map(b -> Map.entry(response.statusCode(), b.toJsonObject())));
  }

  @Test
  void aPromotionFinishesByTimeOnceAndThenRefuses(Vertx vertx, VertxTestContext ctx) {
    Instant now = Instant.now();
    createPromotion(50, now.minusSeconds(1), now.plusMillis(1500))
        .compose(id -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> eventCount(id, "PromotionFinishEvent").map(n -> n == 1)).map(id))
        .compose(id -> Future.all(grab(id, "late"), eventCount(id, "PromotionStartEvent"),
            eventCount(id, "PromotionFinishEvent")))
        .onComplete(ctx.succeeding(all -> ctx.verify(() -> {
          HttpResponse<Buffer> late = all.resultAt(0);
          assertThat(late.statusCode()).isEqualTo(400);
          assertThat(late.bodyAsJsonObject().getString("error")).isEqualTo("promotion_not_active");
          assertThat((Integer) all.resultAt(1)).isEqualTo(1);
          assertThat((Integer) all.resultAt(2)).isEqualTo(1);
          ctx.completeNow();
        })));
  }

  @Test
  void anAdminChangeToAScheduledPromotionIsPickedUp(Vertx vertx, VertxTestContext ctx) {
    Instant now = Instant.now();
    createPromotion(3, now.plusSeconds(3600), now.plusSeconds(7200))
        .compose(id -> writeDb.preparedQuery("UPDATE promotions SET publish_time = ?, number_of_coupons = 7,"
                + " version = version + 1, updated_at = UTC_TIMESTAMP(6) WHERE promotion_id = ?")
            .execute(Tuple.of(SqlTime.toDb(now.minusSeconds(1)), id.toString())).map(id))
        .compose(id -> Async.eventually(vertx, Duration.ofSeconds(5),
            () -> eventCount(id, "PromotionStartEvent").map(n -> n == 1)).map(id))
        .compose(id -> writeDb.preparedQuery("SELECT payload FROM events WHERE promotion_id = ?")
            .execute(Tuple.of(id.toString())))
        .onComplete(ctx.succeeding(rows -> ctx.verify(() -> {
          assertThat(new JsonObject(rows.iterator().next().getString(0)).getInteger("numberOfCoupons")).isEqualTo(7);
          ctx.completeNow();
        })));
  }

  @Test
  void committedEventsAreRelayedToTheBrokerInOrder(Vertx vertx, VertxTestContext ctx) {
    startedPromotion(vertx, 3)
        .compose(id -> grab(id, "r1").compose(r -> grab(id, "r2")).compose(r -> grab(id, "r3")).map(id))
        .compose(id -> Async.eventually(vertx, Duration.ofSeconds(5), () -> Future.succeededFuture(
            relayed.stream().filter(e -> e.promotionId().equals(id)).map(SecKillEvent::sequence).distinct().count()
                == 5)).map(id))
        .onComplete(ctx.succeeding(id -> ctx.verify(() -> {
          // each sequence first arrives in order (the relay announces its newest again every 2 s: a repeat of the head)
          assertThat(relayed.stream().filter(e -> e.promotionId().equals(id)).map(SecKillEvent::sequence).distinct())
              .containsExactly(1L, 2L, 3L, 4L, 5L);
          ctx.completeNow();
        })));
  }

  @Test
  void aRestartedCommandVerticleRebuildsItsStateFromItsEvents(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig own = TestInfra.freshConfig();
    Pool db = Databases.pool(vertx, own.writeDb(), "replay-test");
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    java.util.function.Function<String, Future<HttpResponse<Buffer>>> grabOwn = customer -> grab(own, id, customer);
    vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC()))
        .compose(first -> insertPromotion(db, id, 4, now.minusSeconds(1), now.plusSeconds(3600))
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> grabOwn.apply("p1").map(r -> r.statusCode() == 200 || r.statusCode() == 429)))
            .compose(v -> grabOwn.apply("p2"))
            .compose(v -> vertx.undeploy(first)))
        .compose(v -> vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC())))
        .compose(second -> Future.all(grabOwn.apply("p1"), grabOwn.apply("p2"))
            .compose(dups -> grabOwn.apply("p3").compose(r3 -> grabOwn.apply("p4"))
                .compose(r4 -> grabOwn.apply("p5"))
                .map(r5 -> List.of(dups.resultAt(0), dups.resultAt(1), r5))))
        .compose(responses -> db.preparedQuery("SELECT type, COUNT(*) FROM events WHERE promotion_id = ? GROUP BY type")
            .execute(Tuple.of(id.toString())).map(rows -> {
              ctx.verify(() -> {
                @SuppressWarnings("unchecked") List<HttpResponse<Buffer>> r = (List<HttpResponse<Buffer>>) (List<?>) responses;
                assertThat(r.get(0).bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
                assertThat(r.get(1).bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
                assertThat(r.get(2).bodyAsJsonObject().getString("error")).isEqualTo("out_of_stock");
                Map<String, Integer> counts = new TreeMap<>();
                rows.forEach(row -> counts.put(row.getString(0), row.getInteger(1)));
                assertThat(counts).isEqualTo(Map.of("PromotionStartEvent", 1, "CouponGrabbedEvent", 4,
                    "PromotionFinishEvent", 1));
              });
              return null;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void aCrowdArrivingAtThePublishTimeBeforeTheStartTimerIsServedNotRefused(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig own = TestInfra.freshConfig();
    Pool db = Databases.pool(vertx, own.writeDb(), "publish-time-test");
    ShiftedClock clock = new ShiftedClock();
    CommandVerticle verticle = new CommandVerticle(own, clock);
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    List<Future<HttpResponse<Buffer>>> crowd = new ArrayList<>();
    vertx.deployVerticle(verticle)
        .compose(deployed -> insertPromotion(db, id, 5, now.plusSeconds(3600), now.plusSeconds(7200))
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> Future.succeededFuture(verticle.service().promotion(id) != null)))
            .compose(known -> {
              // the publish time comes; the start timer (armed for an hour from now in real time) has not fired
              clock.shift(Duration.ofSeconds(3601));
              for (int i = 0; i < 20; i++) {
                crowd.add(grab(own, id, "early-" + i));
              }
              return Future.all(crowd);
            })
            .compose(all -> db.preparedQuery("SELECT type, COUNT(*) FROM events WHERE promotion_id = ? GROUP BY type")
                .execute(Tuple.of(id.toString())))
            .compose(rows -> {
              ctx.verify(() -> {
                Map<String, Integer> outcomes = new TreeMap<>();
                for (Future<HttpResponse<Buffer>> grab : crowd) {
                  HttpResponse<Buffer> r = grab.result();
                  outcomes.merge(r.statusCode() == 200 ? "200" : r.bodyAsJsonObject().getString("error"), 1,
                      Integer::sum);
                }
                assertThat(outcomes).isEqualTo(Map.of("200", 5, "out_of_stock", 15));
                Map<String, Integer> counts = new TreeMap<>();
                rows.forEach(row -> counts.put(row.getString(0), row.getInteger(1)));
                assertThat(counts).isEqualTo(Map.of("PromotionStartEvent", 1, "CouponGrabbedEvent", 5,
                    "PromotionFinishEvent", 1));
              });
              return vertx.undeploy(deployed);
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * The restart of a node that still runs (same node id, new incarnation) takes every lease at once; the old
   * incarnation's next grab is refused by WriteDB's fence (503, nothing written), and it steps down from there on.
   */
  @Test
  void aNewIncarnationOfTheNodeTakesOverAndTheOldOneIsFencedByTheDatabase(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig first = TestInfra.freshConfig();
    SecKillConfig second = first.withPorts(TestInfra.freePort(), TestInfra.freePort(), TestInfra.freePort(),
        TestInfra.freePort()).withLease(first.lease().asNode(first.lease().nodeId()));
    Pool db = Databases.pool(vertx, first.writeDb(), "fence-test");
    List<SecKillEvent> broker = brokerOf(vertx, first);
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    vertx.deployVerticle(new CommandVerticle(first, Clock.systemUTC()))
        .compose(deployed -> insertPromotion(db, id, 10, now.minusSeconds(1), now.plusSeconds(3600))
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> grab(first, id, "before").map(r -> r.statusCode() == 200)))
            .compose(v -> vertx.deployVerticle(new CommandVerticle(second, Clock.systemUTC())))
            .compose(taken -> grab(first, id, "stale")
                .compose(stale -> {
                  ctx.verify(() -> {
                    assertThat(stale.statusCode()).as(stale.bodyAsString()).isEqualTo(503);
                    assertThat(stale.bodyAsJsonObject().getString("error")).isEqualTo("unavailable");
                    assertThat(stale.getHeader("Retry-After")).isEqualTo("1");
                  });
                  return Future.all(grab(first, id, "after-fenced"), grab(second, id, "stale"),
                      grab(second, id, "before"));
                })
                .compose(after -> {
                  ctx.verify(() -> {
                    assertThat(((HttpResponse<Buffer>) after.resultAt(0)).statusCode()).isEqualTo(503);
                    assertThat(((HttpResponse<Buffer>) after.resultAt(1)).statusCode()).isEqualTo(200);
                    HttpResponse<Buffer> again = after.resultAt(2);
                    assertThat(again.statusCode()).isEqualTo(429);
                    assertThat(again.bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
                  });
                  return db.preparedQuery("SELECT customer_id, writer_epoch FROM events WHERE promotion_id = ?"
                      + " AND customer_id IS NOT NULL ORDER BY sequence").execute(Tuple.of(id.toString()));
                })
                .compose(rows -> {
                  ctx.verify(() -> {
                    List<String> customers = new ArrayList<>();
                    List<Long> epochs = new ArrayList<>();
                    rows.forEach(row -> {
                      customers.add(row.getString(0));
                      epochs.add(row.getLong(1));
                    });
                    // the stale incarnation's "stale" grab left nothing; the new one's was written at a later epoch
                    assertThat(customers).containsExactly("before", "stale");
                    assertThat(epochs.get(1)).isGreaterThan(epochs.get(0));
                  });
                  // what each incarnation committed reached the broker: the start and "before", then "stale"
                  return relayedUpTo(vertx, broker, id, 3).compose(v -> vertx.undeploy(taken));
                }))
            .compose(v -> vertx.undeploy(deployed)))
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * A command process of another node holds nothing while the leases are held (its grabs are 503 with Retry-After);
   * when the holder stops (releasing its leases), it claims them and serves, from the same state.
   */
  @Test
  void anotherNodeClaimsThePartitionsWhenTheHolderReleasesThem(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig holder = TestInfra.freshConfig();
    SecKillConfig other = holder.withPorts(TestInfra.freePort(), TestInfra.freePort(), TestInfra.freePort(),
        TestInfra.freePort()).withLease(holder.lease().asNode("other-node"));
    Pool db = Databases.pool(vertx, holder.writeDb(), "claim-test");
    List<SecKillEvent> broker = brokerOf(vertx, holder);
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    vertx.deployVerticle(new CommandVerticle(holder, Clock.systemUTC()))
        .compose(held -> insertPromotion(db, id, 10, now.minusSeconds(1), now.plusSeconds(3600))
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> grab(holder, id, "first").map(r -> r.statusCode() == 200)))
            .compose(v -> vertx.deployVerticle(new CommandVerticle(other, Clock.systemUTC())))
            .compose(waiting -> grab(other, id, "early")
                .compose(early -> {
                  ctx.verify(() -> {
                    assertThat(early.statusCode()).as(early.bodyAsString()).isEqualTo(503);
                    assertThat(early.getHeader("Retry-After")).isEqualTo("1");
                  });
                  return vertx.undeploy(held);
                })
                .compose(v -> Async.eventually(vertx, Duration.ofSeconds(10),
                    () -> grab(other, id, "second").map(r -> r.statusCode() == 200)))
                .compose(v -> grab(other, id, "first"))
                .compose(dup -> {
                  ctx.verify(() -> assertThat(dup.bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order"));
                  return relayedUpTo(vertx, broker, id, 3).compose(v -> vertx.undeploy(waiting));
                })))
        .onComplete(ctx.succeedingThenComplete());
  }

  /**
   * A write that fails (here: an event this process did not decide took the next sequence) fails its grabs with a
   * 503 and rebuilds the promotion from the store, which then includes that event.
   */
  @Test
  void aFailedWriteRebuildsThePromotionFromTheStore(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig own = TestInfra.freshConfig();
    Pool db = Databases.pool(vertx, own.writeDb(), "rebuild-test");
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    java.util.function.Function<String, Future<HttpResponse<Buffer>>> grabOwn = customer -> grab(own, id, customer);
    CouponGrabbedEvent foreign = new CouponGrabbedEvent(UUID.randomUUID(), id, 3,
        now.truncatedTo(ChronoUnit.MILLIS), "intruder", 0.75);
    List<HttpResponse<Buffer>> answers = new ArrayList<>();
    vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC()))
        .compose(deployed -> insertPromotion(db, id, 10, now.minusSeconds(1), now.plusSeconds(3600))
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> grabOwn.apply("first").map(r -> r.statusCode() == 200)))
            .compose(v -> db.preparedQuery("INSERT INTO events (event_id, promotion_id, sequence, type, customer_id,"
                    + " occurred_at, payload) VALUES (?, ?, 3, 'CouponGrabbedEvent', 'intruder', ?, ?)")
                .execute(Tuple.of(foreign.eventId().toString(), id.toString(), SqlTime.toDb(foreign.time()),
                    EventCodec.encode(foreign))))
            .compose(v -> grabOwn.apply("second"))
            .compose(conflicting -> {
              answers.add(conflicting);
              return Async.eventually(vertx, Duration.ofSeconds(10),
                  () -> grabOwn.apply("second").map(r -> r.statusCode() == 200));
            })
            .compose(v -> Future.all(grabOwn.apply("intruder"), grabOwn.apply("third")))
            .compose(after -> {
              ctx.verify(() -> {
                assertThat(answers.get(0).statusCode()).isEqualTo(503);
                HttpResponse<Buffer> intruder = after.resultAt(0);
                assertThat(intruder.bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
                HttpResponse<Buffer> third = after.resultAt(1);
                assertThat(third.statusCode()).isEqualTo(200);
                assertThat(third.bodyAsJsonObject().getLong("sequence")).isEqualTo(5L);
              });
              return vertx.undeploy(deployed);
            }))
        .onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void healthIsUpWithDatabaseAndBroker(VertxTestContext ctx) {
    client.get(config.commandPort(), "127.0.0.1", "/health").send()
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertThat(r.statusCode()).isEqualTo(200);
          assertThat(r.bodyAsJsonObject().getJsonObject("checks").getMap())
              .containsOnlyKeys("writeDb", "groupCommit", "broker", "partitionLeases", "identityKeys");
          ctx.completeNow();
        })));
  }

  @Test
  void aCancelRequestedWhileTheCommandSideWasDownFinishesOnceAcrossRestarts(Vertx vertx, VertxTestContext ctx) {
    SecKillConfig own = TestInfra.freshConfig();
    Pool db = Databases.pool(vertx, own.writeDb(), "cancel-restart-test");
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC()))
        .compose(first -> insertPromotion(db, id, 4, now.minusSeconds(1), now.plusSeconds(3600))
            .compose(v -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> grab(own, id, "c1").map(r -> r.statusCode() == 200)))
            .compose(v -> vertx.undeploy(first)))
        // what the admin's cancel writes, while no command verticle runs (and long enough ago for no poll to see it)
        .compose(v -> db.preparedQuery("UPDATE promotions SET cancel_requested_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR,"
            + " version = version + 1, updated_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR WHERE promotion_id = ?")
            .execute(Tuple.of(id.toString())))
        .compose(v -> vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC())))
        .compose(second -> Async.eventually(vertx, Duration.ofSeconds(5),
                () -> countEvents(db, id, "PromotionFinishEvent").map(n -> n == 1))
            .compose(v -> grab(own, id, "c2"))
            .compose(late -> vertx.undeploy(second).map(late)))
        .compose(late -> vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC()))
            .compose(third -> grab(own, id, "c3").compose(r3 -> vertx.undeploy(third).map(List.of(late, r3)))))
        .compose(late -> db.preparedQuery("SELECT JSON_VALUE(payload, '$.reason'), sequence FROM events"
                + " WHERE promotion_id = ? AND type = 'PromotionFinishEvent'").execute(Tuple.of(id.toString()))
            .map(rows -> {
              ctx.verify(() -> {
                for (HttpResponse<Buffer> r : late) {
                  assertThat(r.statusCode()).isEqualTo(400);
                  assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("promotion_not_active");
                }
                assertThat(rows.size()).isEqualTo(1);
                Row finish = rows.iterator().next();
                assertThat(finish.getString(0)).isEqualTo("cancelled");
                assertThat(finish.getLong(1)).isEqualTo(3L);
              });
              return null;
            }))
        .onComplete(ctx.succeedingThenComplete());
  }
}
