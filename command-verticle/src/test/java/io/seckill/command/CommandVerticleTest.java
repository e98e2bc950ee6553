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
import java.util.stream.LongStream;

import io.vertx.sqlclient.RowSet;

import static io.seckill.shared.testing.Async.await;
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
              .sorted().toList()).isEqualTo(LongStream.rangeClosed(1, last).boxed().toList());
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
  void anAcceptedGrabIsCommittedBeforeThe200(Vertx vertx) {
    UUID id = await(startedPromotion(vertx, 10));

    HttpResponse<Buffer> response = await(grab(id, "alice"));
    RowSet<Row> stored = await(writeDb
        .preparedQuery("SELECT sequence FROM events WHERE promotion_id = ? AND customer_id = 'alice'")
        .execute(Tuple.of(id.toString())));

    assertThat(response.statusCode()).isEqualTo(200);
    JsonObject body = response.bodyAsJsonObject();
    assertThat(body.getString("promotionId")).isEqualTo(id.toString());
    assertThat(body.getString("customerId")).isEqualTo("alice");
    assertThat(body.getLong("sequence")).isEqualTo(2L);
    assertThat(body.getDouble("discount")).isEqualTo(0.75);
    assertThat(Instant.parse(body.getString("time"))).isBeforeOrEqualTo(Instant.now());
    assertThat(stored.size()).isEqualTo(1);
    assertThat(stored.iterator().next().getLong(0)).isEqualTo(2L);

    HttpResponse<Buffer> duplicate = await(grab(id, "alice"));
    assertThat(duplicate.statusCode()).isEqualTo(429);
    assertThat(duplicate.bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
  }


  @Test
  void fortyCustomersAtOnceForFiveCouponsGetExactlyFive(Vertx vertx) {
    UUID id = await(startedPromotion(vertx, 5));

    List<Future<HttpResponse<Buffer>>> crowd = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      crowd.add(grab(id, "crowd-" + i));
    }
    await(Future.all(crowd));

    assertThat(outcomes(crowd)).isEqualTo(Map.of("200", 5, "out_of_stock", 35));
    assertThat(await(eventCount(id, "CouponGrabbedEvent"))).isEqualTo(5);
    assertThat(await(eventCount(id, "PromotionFinishEvent"))).isEqualTo(1);
    assertThat(await(writeDb.preparedQuery("SELECT status FROM promotions WHERE promotion_id = ?")
        .execute(Tuple.of(id.toString()))).iterator().next().getString(0)).isEqualTo("finished");
  }

  /** "200" or the error code, counted, of the answers to {@code grabs}. */
  private static Map<String, Integer> outcomes(List<Future<HttpResponse<Buffer>>> grabs) {
    Map<String, Integer> outcomes = new TreeMap<>();
    for (Future<HttpResponse<Buffer>> grab : grabs) {
      HttpResponse<Buffer> r = grab.result();
      outcomes.merge(r.statusCode() == 200 ? "200" : r.bodyAsJsonObject().getString("error"), 1, Integer::sum);
    }
    return outcomes;
  }

  /** The promotion's events by type, counted. */
  private static Map<String, Integer> eventTypes(Pool db, UUID id) {
    Map<String, Integer> counts = new TreeMap<>();
    await(db.preparedQuery("SELECT type, COUNT(*) FROM events WHERE promotion_id = ? GROUP BY type")
        .execute(Tuple.of(id.toString()))).forEach(row -> counts.put(row.getString(0), row.getInteger(1)));
    return counts;
  }

  /** Waits until {@code customer}'s grab on {@code on} answers 200 (the promotion is served there). */
  private static void firstGrab(Vertx vertx, SecKillConfig on, UUID id, String customer) {
    await(Async.eventually(vertx, Duration.ofSeconds(5),
        () -> grab(on, id, customer).map(r -> r.statusCode() == 200)));
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
  void aRestartedCommandVerticleRebuildsItsStateFromItsEvents(Vertx vertx) {
    SecKillConfig own = TestInfra.freshConfig();
    Pool db = Databases.pool(vertx, own.writeDb(), "replay-test");
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    String first = await(vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC())));
    await(insertPromotion(db, id, 4, now.minusSeconds(1), now.plusSeconds(3600)));
    firstGrab(vertx, own, id, "p1");
    await(grab(own, id, "p2"));
    await(vertx.undeploy(first));

    await(vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC())));

    assertThat(await(grab(own, id, "p1")).bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
    assertThat(await(grab(own, id, "p2")).bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
    await(grab(own, id, "p3"));
    await(grab(own, id, "p4"));
    assertThat(await(grab(own, id, "p5")).bodyAsJsonObject().getString("error")).isEqualTo("out_of_stock");
    assertThat(eventTypes(db, id)).isEqualTo(Map.of("PromotionStartEvent", 1, "CouponGrabbedEvent", 4,
        "PromotionFinishEvent", 1));
  }


  @Test
  void aCrowdArrivingAtThePublishTimeBeforeTheStartTimerIsServedNotRefused(Vertx vertx) {
    SecKillConfig own = TestInfra.freshConfig();
    Pool db = Databases.pool(vertx, own.writeDb(), "publish-time-test");
    ShiftedClock clock = new ShiftedClock();
    CommandVerticle verticle = new CommandVerticle(own, clock);
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    String deployed = await(vertx.deployVerticle(verticle));
    await(insertPromotion(db, id, 5, now.plusSeconds(3600), now.plusSeconds(7200)));
    await(Async.eventually(vertx, Duration.ofSeconds(5),
        () -> Future.succeededFuture(verticle.service().promotion(id) != null)));

    // the publish time comes; the start timer (armed for an hour from now in real time) has not fired
    clock.shift(Duration.ofSeconds(3601));
    List<Future<HttpResponse<Buffer>>> crowd = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      crowd.add(grab(own, id, "early-" + i));
    }
    await(Future.all(crowd));

    assertThat(outcomes(crowd)).isEqualTo(Map.of("200", 5, "out_of_stock", 15));
    assertThat(eventTypes(db, id)).isEqualTo(Map.of("PromotionStartEvent", 1, "CouponGrabbedEvent", 5,
        "PromotionFinishEvent", 1));
    await(vertx.undeploy(deployed));
  }


  /**
   * The restart of a node that still runs (same node id, new incarnation) takes every lease at once; the old
   * incarnation's next grab is refused by WriteDB's fence (503, nothing written), and it steps down from there on.
   */
  @Test
  void aNewIncarnationOfTheNodeTakesOverAndTheOldOneIsFencedByTheDatabase(Vertx vertx) {
    SecKillConfig first = TestInfra.freshConfig();
    SecKillConfig second = first.withPorts(TestInfra.freePort(), TestInfra.freePort(), TestInfra.freePort(),
        TestInfra.freePort()).withLease(first.lease().asNode(first.lease().nodeId()));
    Pool db = Databases.pool(vertx, first.writeDb(), "fence-test");
    List<SecKillEvent> broker = brokerOf(vertx, first);
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    String deployed = await(vertx.deployVerticle(new CommandVerticle(first, Clock.systemUTC())));
    await(insertPromotion(db, id, 10, now.minusSeconds(1), now.plusSeconds(3600)));
    firstGrab(vertx, first, id, "before");

    String taken = await(vertx.deployVerticle(new CommandVerticle(second, Clock.systemUTC())));

    HttpResponse<Buffer> stale = await(grab(first, id, "stale"));
    assertThat(stale.statusCode()).as(stale.bodyAsString()).isEqualTo(503);
    assertThat(stale.bodyAsJsonObject().getString("error")).isEqualTo("unavailable");
    assertThat(stale.getHeader("Retry-After")).isEqualTo("1");
    assertThat(await(grab(first, id, "after-fenced")).statusCode()).isEqualTo(503);
    assertThat(await(grab(second, id, "stale")).statusCode()).isEqualTo(200);
    HttpResponse<Buffer> again = await(grab(second, id, "before"));
    assertThat(again.statusCode()).isEqualTo(429);
    assertThat(again.bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");

    List<String> customers = new ArrayList<>();
    List<Long> epochs = new ArrayList<>();
    await(db.preparedQuery("SELECT customer_id, writer_epoch FROM events WHERE promotion_id = ?"
        + " AND customer_id IS NOT NULL ORDER BY sequence").execute(Tuple.of(id.toString()))).forEach(row -> {
          customers.add(row.getString(0));
          epochs.add(row.getLong(1));
        });
    // the stale incarnation's "stale" grab left nothing; the new one's was written at a later epoch
    assertThat(customers).containsExactly("before", "stale");
    assertThat(epochs.get(1)).isGreaterThan(epochs.get(0));
    // what each incarnation committed reached the broker: the start and "before", then "stale"
    await(relayedUpTo(vertx, broker, id, 3));
    await(vertx.undeploy(taken));
    await(vertx.undeploy(deployed));
  }


  /**
   * A command process of another node holds nothing while the leases are held (its grabs are 503 with Retry-After);
   * when the holder stops (releasing its leases), it claims them and serves, from the same state.
   */
  @Test
  void anotherNodeClaimsThePartitionsWhenTheHolderReleasesThem(Vertx vertx) {
    SecKillConfig holder = TestInfra.freshConfig();
    SecKillConfig other = holder.withPorts(TestInfra.freePort(), TestInfra.freePort(), TestInfra.freePort(),
        TestInfra.freePort()).withLease(holder.lease().asNode("other-node"));
    Pool db = Databases.pool(vertx, holder.writeDb(), "claim-test");
    List<SecKillEvent> broker = brokerOf(vertx, holder);
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    String held = await(vertx.deployVerticle(new CommandVerticle(holder, Clock.systemUTC())));
    await(insertPromotion(db, id, 10, now.minusSeconds(1), now.plusSeconds(3600)));
    firstGrab(vertx, holder, id, "first");
    String waiting = await(vertx.deployVerticle(new CommandVerticle(other, Clock.systemUTC())));

    HttpResponse<Buffer> early = await(grab(other, id, "early"));
    assertThat(early.statusCode()).as(early.bodyAsString()).isEqualTo(503);
    assertThat(early.getHeader("Retry-After")).isEqualTo("1");

    await(vertx.undeploy(held));
    await(Async.eventually(vertx, Duration.ofSeconds(10),
        () -> grab(other, id, "second").map(r -> r.statusCode() == 200)));
    assertThat(await(grab(other, id, "first")).bodyAsJsonObject().getString("error")).isEqualTo("duplicate_order");
    await(relayedUpTo(vertx, broker, id, 3));
    await(vertx.undeploy(waiting));
  }


  /**
   * A write that fails (here: an event this process did not decide took the next sequence) fails its grabs with a
   * 503 and rebuilds the promotion from the store, which then includes that event.
   */
  @Test
  void aFailedWriteRebuildsThePromotionFromTheStore(Vertx vertx) {
    SecKillConfig own = TestInfra.freshConfig();
    Pool db = Databases.pool(vertx, own.writeDb(), "rebuild-test");
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    CouponGrabbedEvent foreign = new CouponGrabbedEvent(UUID.randomUUID(), id, 3,
        now.truncatedTo(ChronoUnit.MILLIS), "intruder", 0.75);
    String deployed = await(vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC())));
    await(insertPromotion(db, id, 10, now.minusSeconds(1), now.plusSeconds(3600)));
    firstGrab(vertx, own, id, "first");
    await(db.preparedQuery("INSERT INTO events (event_id, promotion_id, sequence, type, customer_id,"
            + " occurred_at, payload) VALUES (?, ?, 3, 'CouponGrabbedEvent', 'intruder', ?, ?)")
        .execute(Tuple.of(foreign.eventId().toString(), id.toString(), SqlTime.toDb(foreign.time()),
            EventCodec.encode(foreign))));

    assertThat(await(grab(own, id, "second")).statusCode()).isEqualTo(503);

    firstGrab(vertx, own, id, "second");
    assertThat(await(grab(own, id, "intruder")).bodyAsJsonObject().getString("error"))
        .isEqualTo("duplicate_order");
    HttpResponse<Buffer> third = await(grab(own, id, "third"));
    assertThat(third.statusCode()).isEqualTo(200);
    assertThat(third.bodyAsJsonObject().getLong("sequence")).isEqualTo(5L);
    await(vertx.undeploy(deployed));
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
  void aCancelRequestedWhileTheCommandSideWasDownFinishesOnceAcrossRestarts(Vertx vertx) {
    SecKillConfig own = TestInfra.freshConfig();
    Pool db = Databases.pool(vertx, own.writeDb(), "cancel-restart-test");
    UUID id = UUID.randomUUID();
    Instant now = Instant.now();
    String first = await(vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC())));
    await(insertPromotion(db, id, 4, now.minusSeconds(1), now.plusSeconds(3600)));
    firstGrab(vertx, own, id, "c1");
    await(vertx.undeploy(first));
    // what the admin's cancel writes, while no command verticle runs (and long enough ago for no poll to see it)
    await(db.preparedQuery("UPDATE promotions SET cancel_requested_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR,"
        + " version = version + 1, updated_at = UTC_TIMESTAMP(6) - INTERVAL 1 HOUR WHERE promotion_id = ?")
        .execute(Tuple.of(id.toString())));

    String second = await(vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC())));
    await(Async.eventually(vertx, Duration.ofSeconds(5),
        () -> countEvents(db, id, "PromotionFinishEvent").map(n -> n == 1)));
    HttpResponse<Buffer> late = await(grab(own, id, "c2"));
    await(vertx.undeploy(second));
    String third = await(vertx.deployVerticle(new CommandVerticle(own, Clock.systemUTC())));
    HttpResponse<Buffer> later = await(grab(own, id, "c3"));
    await(vertx.undeploy(third));

    for (HttpResponse<Buffer> r : List.of(late, later)) {
      assertThat(r.statusCode()).isEqualTo(400);
      assertThat(r.bodyAsJsonObject().getString("error")).isEqualTo("promotion_not_active");
    }
    RowSet<Row> finishes = await(db.preparedQuery("SELECT JSON_VALUE(payload, '$.reason'), sequence FROM events"
        + " WHERE promotion_id = ? AND type = 'PromotionFinishEvent'").execute(Tuple.of(id.toString())));
    assertThat(finishes.size()).isEqualTo(1);
    Row finish = finishes.iterator().next();
    assertThat(finish.getString(0)).isEqualTo("cancelled");
    assertThat(finish.getLong(1)).isEqualTo(3L);
  }
}
