package io.seckill.launcher;

import io.seckill.command.lease.Partitions;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import java.util.stream.IntStream;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.Queue;
import java.util.Base64;
import java.security.SecureRandom;
import java.io.IOException;
import io.vertx.core.AsyncResult;

/**
 * SPEC §6 with real processes: three command JVMs in one cluster (Hazelcast on loopback, a cluster name of the test's
 * own), admin, event and query in the test JVM, a real MariaDB and broker. Load enters through all three command
 * ports, so most grabs are routed to their partition's owner over the event bus. The tests kill the owner of the
 * busiest promotion with {@code kill -9} (five times in a row, restarting it each time) and start a member under
 * load; afterwards the ledger of every promotion must hold: every 200 in WriteDB and in ReadDB exactly once, never
 * more than the stock, one coupon per customer, sequences dense, one start and one finish.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 8, timeUnit = TimeUnit.MINUTES)
class ClusterIT {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterIT.class);
  private static final int MEMBERS = 3;
  private static final int PARTITIONS = 64;
  private static final int WORKERS = 24;
  private static final String CUT_OFF_ADDRESS = "127.0.0.2";
  private boolean cut;
  private boolean addressAdded;
  private List<Integer> hazelcastPorts;

  private RunningSystem system;
  private WebClient client;
  private Pool writeDb;
  private Pool readDb;
  private final List<Node> nodes = new ArrayList<>();
  private final Map<String, String> clusterEnv = new HashMap<>();

  /** One command JVM: its node id, ports and environment, restartable. */
  private static final class Node {
    final String id;
    final int port;
    final Map<String, String> env;
    volatile JarProcess process;
    volatile boolean up;

    Node(String id, int port, Map<String, String> env) {
      this.id = id;
      this.port = port;
      this.env = env;
    }
  }

  /** A promotion under load and what its customers were told. */
  private static final class Sale {
    final String id;
    final int coupons;
    final Set<String> accepted = ConcurrentHashMap.newKeySet();
    /** Customers whose answer was lost (a dead ingress, a 503 that may have been recorded). */
    final Set<String> uncertain = ConcurrentHashMap.newKeySet();
    /** Each 200: when its request was sent and when its answer came (nanoTime). */
    final Queue<long[]> answered200 = new ConcurrentLinkedQueue<>();

    Sale(String id, int coupons) {
      this.id = id;
      this.coupons = coupons;
    }
  }

  @BeforeEach
  void start(Vertx vertx) throws Exception {
    system = RunningSystem.start("admin,event,query", Map.of());
    client = Async.client(vertx, 64);
    writeDb = system.writeDb(vertx);
    readDb = system.readDb(vertx);
    List<Integer> hazelcastPorts = new ArrayList<>();
    for (int i = 0; i < MEMBERS + 1; i++) {
      hazelcastPorts.add(TestInfra.freePort());
    }
    this.hazelcastPorts = hazelcastPorts;
    String members = members(false);
    clusterEnv.put("SECKILL_CLUSTER_MEMBERS", members);
    clusterEnv.put("SECKILL_CLUSTER_NAME", "it-" + UUID.randomUUID());
    // the same ticket keys on every member: a ticket fetched from one is checked by whichever it enters
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    clusterEnv.put("SECKILL_TICKET_KEYS", "it:" + Base64.getUrlEncoder().withoutPadding()
        .encodeToString(secret));
    clusterEnv.put("SECKILL_PARTITIONS", String.valueOf(PARTITIONS));
    for (int i = 0; i < MEMBERS + 1; i++) {
      Map<String, String> env = new HashMap<>(RunningSystem.environment(system.config, "command"));
      env.putAll(clusterEnv);
      int port = i == 0 ? system.config.commandPort() : TestInfra.freePort();
      env.put("SECKILL_NODE_ID", "node-" + i);
      env.put("SECKILL_COMMAND_PORT", String.valueOf(port));
      env.put("SECKILL_CLUSTER_PORT", String.valueOf(hazelcastPorts.get(i)));
      env.put("SECKILL_CLUSTER_HOST", "127.0.0.1");
      // any free port, taken when the member binds it: a port picked here may be some connection's own by the time a
      // member launched later binds it (a CI run lost ClusterIT's joining member to "Address already in use")
      env.put("SECKILL_EVENTBUS_PORT", "0");
      env.put("SECKILL_COMMAND_INSTANCES", "1");
      nodes.add(new Node("node-" + i, port, env));
    }
  }

  private String members(boolean thirdApart) {
    return String.join(",", IntStream.range(0, MEMBERS + 1)
        .mapToObj(i -> (thirdApart && i == 2 ? CUT_OFF_ADDRESS : "127.0.0.1") + ":" + hazelcastPorts.get(i)).toList());
  }

  /**
   * The third member on a loopback address of its own (added to {@code lo} for the test), so that iptables can cut
   * it off by address.
   */
  private void thirdMemberApart() throws Exception {
    addressAdded = ClusterNet.addAddress(CUT_OFF_ADDRESS);
    assertThat(addressAdded).as("ip addr add " + CUT_OFF_ADDRESS).isTrue();
    String members = members(true);
    nodes.forEach(node -> node.env.put("SECKILL_CLUSTER_MEMBERS", members));
    nodes.get(2).env.put("SECKILL_CLUSTER_HOST", CUT_OFF_ADDRESS);
  }

  @AfterEach
  void stop() throws Exception {
    ClusterNet.undo(cut, addressAdded, CUT_OFF_ADDRESS);
    nodes.forEach(node -> {
      if (node.process != null) {
        node.process.close();
      }
    });
    system.close();
  }

  private void launch(Vertx vertx, Node node) throws Exception {
    node.process = JarProcess.start("cluster-" + node.id, node.env);
    Async.await(node.process.healthy(vertx, client, node.port));
    node.up = true;
  }

  /** Each of the first {@code count} members holds partitions, and together they hold all. */
  private void spread(Vertx vertx, int count) {
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> writeDb.query("SELECT COUNT(DISTINCT"
            + " owner_node), COUNT(*) FROM partition_leases WHERE lease_until >= UTC_TIMESTAMP(6)"
            + " AND owner_incarnation IS NOT NULL").execute()
        .map(rows -> {
          Row row = rows.iterator().next();
          return row.getLong(0) == count && row.getLong(1) == PARTITIONS;
        })));
  }

  private Sale sale(int coupons) {
    JsonObject body = new JsonObject().put("numberOfCoupons", coupons).put("discount", 0.5)
        .put("publishTime", Instant.now().toString()).put("finishTime", Instant.now().plusSeconds(3600).toString());
    HttpResponse<Buffer> created = Async.await(system.admin(client, HttpMethod.POST, "/admin/promotions", body));
    assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
    return new Sale(created.bodyAsJsonObject().getString("promotionId"), coupons);
  }

  /** The member holding the sale's partition, once one does (it may be moving right now). */
  private Node ownerOf(Vertx vertx, Sale sale) {
    int partition = new Partitions(PARTITIONS).of(UUID.fromString(sale.id));
    String[] owner = new String[1];
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> writeDb.preparedQuery("SELECT owner_node FROM"
        + " partition_leases WHERE partition_id = ? AND owner_incarnation IS NOT NULL"
        + " AND lease_until >= UTC_TIMESTAMP(6)").execute(Tuple.of(partition)).map(rows -> {
          owner[0] = rows.iterator().hasNext() ? rows.iterator().next().getString(0) : null;
          return owner[0] != null;
        })));
    return nodes.stream().filter(n -> n.id.equals(owner[0])).findFirst().orElseThrow();
  }

  /** Grabs from {@link #WORKERS} loops through every member that is up, until {@code running} goes false. */
  private final class Load {
    final List<Sale> sales;
    final AtomicInteger customers = new AtomicInteger();
    final AtomicInteger requests = new AtomicInteger();
    final AtomicInteger unavailable = new AtomicInteger();
    final AtomicInteger failedRequests = new AtomicInteger();
    volatile boolean running = true;
    final List<Future<Void>> loops = new ArrayList<>();
    /** Answers that break a rule, collected on the event loop and asserted at the end. */
    final List<String> violations = Collections.synchronizedList(new ArrayList<>());
    final Vertx vertx;

    Load(Vertx vertx, List<Sale> sales) {
      this.vertx = vertx;
      this.sales = sales;
      for (int i = 0; i < WORKERS; i++) {
        Promise<Void> done = Promise.promise();
        loops.add(done.future());
        next(i, done);
      }
    }

    private void next(int worker, Promise<Void> done) {
      if (!running || requests.get() > 200_000) {
        done.complete();
        return;
      }
      // the first sale is the busiest: half the customers, the others a quarter each
      int n = customers.incrementAndGet();
      Sale sale = sales.get(n % 2 == 0 ? 0 : n % 4 == 1 ? 1 : 2);
      attempt(worker, sale, "c-" + n, 0, done);
    }

    private void attempt(int worker, Sale sale, String customer, int tries, Promise<Void> done) {
      List<Node> alive = nodes.stream().filter(node -> node.up).toList();
      Node ingress = alive.get((worker + tries) % alive.size());
      requests.incrementAndGet();
      long sentAt = System.nanoTime();
      client.post(ingress.port, "127.0.0.1", "/command/coupons").timeout(10_000)
          .bearerTokenAuthentication(TestInfra.token(customer))
          .sendJsonObject(new JsonObject().put("promotionId", sale.id))
          .onComplete(ar -> {
            try {
              handle(worker, sale, customer, tries, done, ar, sentAt);
            } catch (AssertionError e) {
              violations.add(e.getMessage());
              next(worker, done);
            }
          });
    }

    private void handle(int worker, Sale sale, String customer, int tries, Promise<Void> done,
                        AsyncResult<HttpResponse<Buffer>> ar, long sentAt) {
            boolean definite = false;
            if (ar.succeeded()) {
              HttpResponse<Buffer> r = ar.result();
              if (r.statusCode() == 200) {
                sale.accepted.add(customer);
                sale.answered200.add(new long[] {sentAt, System.nanoTime()});
                definite = true;
              } else if (r.statusCode() == 429 || r.statusCode() == 400) {
                String error = r.bodyAsJsonObject().getString("error");
                assertThat(error).as(r.bodyAsString()).isIn("duplicate_order", "out_of_stock", "promotion_not_active");
                if ("duplicate_order".equals(error)) {
                  // only a grab whose first answer was lost can be a duplicate here: it was recorded
                  assertThat(sale.uncertain).as("duplicate for " + customer).contains(customer);
                  sale.accepted.add(customer);
                }
                definite = true;
              } else {
                assertThat(r.statusCode()).as(r.bodyAsString()).isEqualTo(503);
                unavailable.incrementAndGet();
                sale.uncertain.add(customer);
              }
            } else {
              failedRequests.incrementAndGet();
              sale.uncertain.add(customer);
            }
            if (definite || tries >= 200) {
              sale.uncertain.remove(customer);
              next(worker, done);
            } else {
              vertx.setTimer(50, t -> attempt(worker, sale, customer, tries + 1, done));
            }
    }

    void stop() {
      running = false;
      Async.await(Future.join(new ArrayList<>(loops)));
      assertThat(violations).as("answers that break a rule").isEmpty();
    }
  }

  /** The first {@code members} members up and holding every partition, three sales, load on them, a first 200. */
  private Load underLoad(Vertx vertx, int members) throws Exception {
    for (int i = 0; i < members; i++) {
      launch(vertx, nodes.get(i));
    }
    spread(vertx, members);
    Load load = new Load(vertx, List.of(sale(1_000_000), sale(1_000_000), sale(1_000_000)));
    untilNext200(vertx, load.sales.get(0));
    return load;
  }

  /** A ticket issued by one member (asked of the holder if need be) is good at every other member. */
  private void ticketFromOneMemberGrabsAtAnother(Sale sale) {
    String customer = "ticket-" + UUID.randomUUID();
    HttpResponse<Buffer> issued = Async.await(client.post(nodes.get(0).port, "127.0.0.1", "/command/tickets")
        .bearerTokenAuthentication(TestInfra.token(customer))
        .sendJsonObject(new JsonObject().put("promotionId", sale.id)));
    assertThat(issued.statusCode()).as(issued.bodyAsString()).isEqualTo(201);
    String ticket = issued.bodyAsJsonObject().getString("ticket");
    HttpResponse<Buffer> grabbed = Async.await(client.post(nodes.get(1).port, "127.0.0.1", "/command/coupons")
        .bearerTokenAuthentication(ticket).sendJsonObject(new JsonObject().put("promotionId", sale.id)));
    assertThat(grabbed.statusCode()).as(grabbed.bodyAsString()).isEqualTo(200);
    sale.accepted.add(customer);
  }

  /**
   * The time from now to the first 200 on {@code sale} of a grab sent after now (a 200 already on its way at the
   * kill does not count).
   */
  private Duration untilNext200(Vertx vertx, Sale sale) {
    long from = System.nanoTime();
    Async.await(Async.eventually(vertx, Duration.ofSeconds(60),
        () -> Future.succeededFuture(sale.answered200.stream().anyMatch(a -> a[0] > from))));
    long first = sale.answered200.stream().filter(a -> a[0] > from).mapToLong(a -> a[1]).min().orElseThrow();
    return Duration.ofNanos(first - from);
  }

  /**
   * Every sale cancelled (its one finish), then each one's ledger: the 200s, WriteDB and ReadDB agree exactly, no
   * oversell, one per customer ({@link Consistency}), sequences dense, one start, one finish, writer epochs never
   * going down along the sequence.
   */
  private void ledger(Vertx vertx, List<Sale> sales) {
    for (Sale sale : sales) {
      HttpResponse<Buffer> cancel = Async.await(system.admin(client, HttpMethod.POST,
          "/admin/promotions/" + sale.id + "/cancel", null));
      assertThat(cancel.statusCode()).as(cancel.bodyAsString()).isIn(200, 202);
    }
    for (Sale sale : sales) {
      assertThat(sale.uncertain).as("grabs never answered").isEmpty();
      Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> writeDb.preparedQuery("SELECT COUNT(*) FROM"
          + " events WHERE promotion_id = ? AND type = 'PromotionFinishEvent'").execute(Tuple.of(sale.id))
          .map(rows -> rows.iterator().next().getLong(0) == 1)));
      Consistency.check(vertx, writeDb, readDb, sale.id, sale.accepted, sale.coupons, Duration.ofSeconds(60))
          .await();
      List<Row> events = new ArrayList<>();
      Async.await(writeDb.preparedQuery("SELECT sequence, type, writer_epoch FROM events WHERE promotion_id = ?"
          + " ORDER BY sequence").execute(Tuple.of(sale.id))).forEach(events::add);
      Consistency.denseWithEpochsNeverDown(events, 0, 2);
      int starts = 0;
      int finishes = 0;
      for (Row row : events) {
        starts += "PromotionStartEvent".equals(row.getString(1)) ? 1 : 0;
        finishes += "PromotionFinishEvent".equals(row.getString(1)) ? 1 : 0;
      }
      assertThat(starts).as("one start").isEqualTo(1);
      assertThat(finishes).as("one finish").isEqualTo(1);
      assertThat(events.get(events.size() - 1).getString(1)).as("the finish is last").isEqualTo("PromotionFinishEvent");
      assertThat(sale.accepted).as("the sale sold coupons").isNotEmpty();
    }
  }

  @Test
  void theOwnerOfTheBusiestPromotionKilledFiveTimesLosesNothingAndDoublesNothing(Vertx vertx) throws Exception {
    Load load = underLoad(vertx, MEMBERS);
    List<Sale> sales = load.sales;
    ticketFromOneMemberGrabsAtAnother(sales.get(1));
    List<String> resident = new ArrayList<>();
    for (Node node : nodes.subList(0, MEMBERS)) {
      resident.add(node.id + " " + node.process.residentMegabytes() + " MB");
    }
    LOG.info("resident memory per command member under load: {}", resident);
    List<Duration> recoveries = new ArrayList<>();
    // 5 in every run; BENCHMARKS.md's W5 runs it with -Dseckill.cluster.kills=10
    int kills = Integer.getInteger("seckill.cluster.kills", 5);
    for (int round = 0; round < kills; round++) {
      Node owner = ownerOf(vertx, sales.get(0));
      owner.up = false;
      owner.process.kill();
      Duration recovery = untilNext200(vertx, sales.get(0));
      recoveries.add(recovery);
      LOG.info("kill {} of {} (owner of the busiest promotion): first 200 on it {} ms after", round + 1, owner.id,
          recovery.toMillis());
      launch(vertx, owner);
      spread(vertx, MEMBERS);
      untilNext200(vertx, sales.get(0));
    }
    load.stop();
    List<Long> millis = recoveries.stream().map(Duration::toMillis).sorted().toList();
    LOG.info("W5 over {} kills: first 200 after the owner's death p50 {} ms, max {} ms ({}); {} requests, {} answered"
            + " 503, {} failed at the ingress", millis.size(), millis.get(millis.size() / 2),
        millis.get(millis.size() - 1), millis, load.requests.get(), load.unavailable.get(), load.failedRequests.get());
    ledger(vertx, sales);
    assertThat(Collections.max(millis)).as("failover (W5) well within the bound").isLessThan(30_000L);
  }

  /**
   * SPEC §6 and W5 for a pause: the holder of the busiest sale stopped ({@code kill -STOP}, a long GC pause or a frozen
   * VM) for 5 s, five times: a grab of that sale sent after the pause is answered 200 through another member within
   * 5 s; woken ({@code kill -CONT}), the member answers no grab from its old state: grabs sent to it at once are
   * routed to the new holder or refused with 503, never decided from what it held before the pause.
   */
  @Test
  void aPausedHolderLosesItsPartitionsWithinFiveSecondsAndWakesUpServingNothingStale(Vertx vertx) throws Exception {
    Load load = underLoad(vertx, MEMBERS);
    List<Sale> sales = load.sales;
    List<Long> recoveries = new ArrayList<>();
    int pauses = Integer.getInteger("seckill.cluster.pauses", 5);
    for (int round = 0; round < pauses; round++) {
      Node owner = ownerOf(vertx, sales.get(0));
      owner.up = false;
      owner.process.signal("STOP");
      long stoppedAt = System.nanoTime();
      Duration recovery;
      try {
        recovery = untilNext200(vertx, sales.get(0));
        long wake = stoppedAt + Duration.ofSeconds(5).toNanos();
        Async.await(Async.eventually(vertx, Duration.ofSeconds(30),
            () -> Future.succeededFuture(System.nanoTime() > wake)));
      } finally {
        owner.process.signal("CONT");
      }
      recoveries.add(recovery.toMillis());
      LOG.info("pause {} of {} (holder of the busiest promotion): first 200 on it {} ms after the stop", round + 1,
          owner.id, recovery.toMillis());
      // woken: what it is asked at once is routed or refused, never answered from its old state
      Sale probe = sales.get(0);
      List<Future<HttpResponse<Buffer>>> asked = new ArrayList<>();
      List<String> probed = new ArrayList<>();
      for (int i = 0; i < 20; i++) {
        String customer = "woken-" + round + "-" + i;
        probed.add(customer);
        asked.add(client.post(owner.port, "127.0.0.1", "/command/coupons").timeout(10_000)
            .bearerTokenAuthentication(TestInfra.token(customer))
            .sendJsonObject(new JsonObject().put("promotionId", probe.id)));
      }
      Async.await(Future.join(asked));
      for (int i = 0; i < asked.size(); i++) {
        Future<HttpResponse<Buffer>> answer = asked.get(i);
        assertThat(answer.succeeded()).as("the woken member answers").isTrue();
        HttpResponse<Buffer> r = answer.result();
        assertThat(r.statusCode()).as(r.bodyAsString()).isIn(200, 503);
        if (r.statusCode() == 200) {
          probe.accepted.add(probed.get(i));
        } else {
          probe.uncertain.add(probed.get(i));
        }
      }
      // a customer told 503 asks again until it has a definite answer (the grab may have been recorded)
      for (String customer : new ArrayList<>(probe.uncertain)) {
        if (!customer.startsWith("woken-")) {
          continue;
        }
        HttpResponse<Buffer>[] last = new HttpResponse[1];
        Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> client.post(nodes.get(
                (nodes.indexOf(owner) + 1) % MEMBERS).port, "127.0.0.1", "/command/coupons")
            .bearerTokenAuthentication(TestInfra.token(customer))
            .sendJsonObject(new JsonObject().put("promotionId", probe.id)).map(r -> {
              last[0] = r;
              return r.statusCode() != 503;
            })));
        assertThat(last[0].statusCode()).as(last[0].bodyAsString()).isIn(200, 429);
        probe.uncertain.remove(customer);
        probe.accepted.add(customer);
      }
      owner.up = true;
      spread(vertx, MEMBERS);
      untilNext200(vertx, sales.get(0));
    }
    load.stop();
    List<Long> millis = recoveries.stream().sorted().toList();
    LOG.info("W5 over {} pauses: first 200 after the holder's pause p50 {} ms, max {} ms ({}); {} requests, {}"
            + " answered 503, {} failed at the ingress", millis.size(), millis.get(millis.size() / 2),
        millis.get(millis.size() - 1), millis, load.requests.get(), load.unavailable.get(), load.failedRequests.get());
    ledger(vertx, sales);
    assertThat(millis).as("W5 for a pause: first 200 within 5 s of the stop").allMatch(ms -> ms <= 5000);
  }

  @Test
  void aMemberJoiningUnderLoadTakesPartitionsAndNothingIsLostOrDoubled(Vertx vertx) throws Exception {
    Load load = underLoad(vertx, MEMBERS - 1);
    List<Sale> sales = load.sales;
    launch(vertx, nodes.get(MEMBERS - 1));
    spread(vertx, MEMBERS);
    for (Sale sale : sales) {
      untilNext200(vertx, sale);
    }
    load.stop();
    LOG.info("join under load: {} requests, {} answered 503, {} failed at the ingress", load.requests.get(),
        load.unavailable.get(), load.failedRequests.get());
    ledger(vertx, sales);
  }

  /**
   * A member cut off from the others (every packet to or from its cluster address dropped) but not from WriteDB:
   * correctness holds (no 200 lost, nothing doubled, no oversell), availability may drop (grabs routed across the cut
   * time out as 503); healed, the cluster merges and the load goes on. Needs root and iptables (CI installs it).
   */
  @Test
  void aMemberCutOffFromTheOthersNeverGivesAWrongAnswer(Vertx vertx) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(ClusterNet.iptablesWorks(),
        "iptables (as root) is needed to cut a member off");
    thirdMemberApart();
    Load load = underLoad(vertx, MEMBERS);
    List<Sale> sales = load.sales;
    cut = ClusterNet.iptables("-I", CUT_OFF_ADDRESS);
    assertThat(cut).as("iptables rules added").isTrue();
    long cutAt = System.nanoTime();
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30), () -> {
      try {
        return Future.succeededFuture(nodes.get(2).process.log().contains("members serving: [node-2]"));
      } catch (IOException e) {
        return Future.failedFuture(e);
      }
    }));
    LOG.info("cut off: node-2 saw itself alone {} ms after the cut", (System.nanoTime() - cutAt) / 1_000_000);
    // a while under load with the cut in place
    long until = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    Async.await(Async.eventually(vertx, Duration.ofSeconds(20),
        () -> Future.succeededFuture(System.nanoTime() > until)));
    int unavailableDuringCut = load.unavailable.get();
    ClusterNet.iptables("-D", CUT_OFF_ADDRESS);
    cut = false;
    for (Sale sale : sales) {
      untilNext200(vertx, sale);
    }
    load.stop();
    LOG.info("cut off for 10 s: {} requests, {} answered 503 (up to {} during the cut), {} failed at the ingress",
        load.requests.get(), load.unavailable.get(), unavailableDuringCut, load.failedRequests.get());
    ledger(vertx, sales);
  }
}
