package io.seckill.launcher;

import io.seckill.launcher.NemesisSchedule.Fault;
import io.seckill.launcher.NemesisSchedule.Step;
import io.seckill.shared.config.AmqpConfig;
import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.seckill.shared.testing.Async;
import io.seckill.shared.testing.CrashableMariaDb;
import io.seckill.shared.testing.TestInfra;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Pool;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The seeded nemesis (SPEC I1-I5, I9, I11): the whole system from the jar (broker | admin,query | event | three
 * command members, one MariaDB for WriteDB and ReadDB), customers grabbing three sales through every live member, and
 * a schedule of faults drawn from a seed ({@link NemesisSchedule}), one at a time and overlapping. At the end a
 * checker ({@link SaleChecker}, the shape of Jepsen's bank test) reads WriteDB, ReadDB and every answer the customers
 * got, names each kind of violation, and the longest time without a 200 after each fault healed, by fault type.
 *
 * <p>{@code -Dseckill.nemesis.seed=N} replays a seed; {@code -Dseckill.nemesis.seconds=S} sets the length (default 120);
 * {@code -Dseckill.nemesis.fresh=true} adds a run on a fresh seed (printed). The seed and the schedule are logged first
 * and are in the failure message, so a failing run is a bug report anyone can replay.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 90, timeUnit = TimeUnit.MINUTES)
class NemesisIT {
  private static final Logger LOG = LoggerFactory.getLogger(NemesisIT.class);
  private static final long FIXED_SEED = 20261205L;
  private static final int MEMBERS = 3;
  private static final String CUT_OFF_ADDRESS = "127.0.0.2";

  private final List<AutoCloseable> toClose = java.util.Collections.synchronizedList(new ArrayList<>());
  private boolean cut;
  private boolean addressAdded;

  /** A process of the system the nemesis can kill, pause and start again. */
  private static final class Proc {
    final String name;
    final Map<String, String> env;
    final int httpPort;
    volatile JarProcess process;
    /** Up and not paused: customers may send to it. */
    volatile boolean up;
    volatile boolean paused;
    /** Bumped by every kill: a start still under way for an earlier generation stops what it started. */
    final java.util.concurrent.atomic.AtomicInteger generation = new java.util.concurrent.atomic.AtomicInteger();

    Proc(String name, Map<String, String> env, int httpPort) {
      this.name = name;
      this.env = env;
      this.httpPort = httpPort;
    }
  }

  @AfterEach
  void stop() throws Exception {
    ClusterNet.undo(cut, addressAdded, CUT_OFF_ADDRESS);
    for (int i = toClose.size() - 1; i >= 0; i--) {
      try {
        toClose.get(i).close();
      } catch (Exception e) {
        LOG.warn("close: {}", e.getMessage());
      }
    }
  }

  @Test
  void theSystemUnderASeededNemesisNeverBreaksAnInvariant(Vertx vertx) throws Exception {
    long seconds = Long.getLong("seckill.nemesis.seconds", 120);
    String given = System.getProperty("seckill.nemesis.seed", "");
    List<Long> seeds = new ArrayList<>();
    seeds.add(given.isBlank() ? FIXED_SEED : Long.parseLong(given.trim()));
    if (Boolean.getBoolean("seckill.nemesis.fresh")) {
      seeds.add(new java.security.SecureRandom().nextLong());
    }
    List<String> failures = new ArrayList<>();
    for (long seed : seeds) {
      String report = run(vertx, seed, seconds * 1000);
      if (report != null) {
        failures.add(report);
      }
      stop();
      toClose.clear();
      cut = false;
      addressAdded = false;
    }
    assertThat(failures).as("nemesis runs with violations (replay with -Dseckill.nemesis.seed=...)").isEmpty();
  }

  /** One run on {@code seed}: null when the checker found nothing, else its report. */
  private String run(Vertx vertx, long seed, long lengthMillis) throws Exception {
    boolean cuts = ClusterNet.iptablesWorks();
    List<Step> schedule = NemesisSchedule.draw(seed, lengthMillis, 10_000, cuts);
    StringBuilder plan = new StringBuilder();
    schedule.forEach(step -> plan.append("\n  ").append(step));
    LOG.info("nemesis seed {} ({} s, member cut-offs {}): {} faults{}", seed, lengthMillis / 1000,
        cuts ? "on" : "off (needs root and iptables)", schedule.size(), plan);

    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    CrashableMariaDb db = CrashableMariaDb.start(Path.of("target", "nemesis-mariadb-" + suffix),
        List.of("w_nemesis", "r_nemesis"));
    toClose.add(db);
    int brokerPort = TestInfra.freePort();
    SecKillConfig config = TestInfra.freshConfig()
        .withDatabases(new DbConfig("127.0.0.1", db.port(), "w_nemesis", "root", "", 4),
            new DbConfig("127.0.0.1", db.port(), "r_nemesis", "root", "", 4))
        .withAmqp(new AmqpConfig("127.0.0.1", brokerPort, null, null, "seckill"));
    Map<String, String> amqp = Map.of("SECKILL_AMQP_URL", "amqp://127.0.0.1:" + brokerPort);
    WebClient client = Async.client(vertx, 64);

    Proc broker = new Proc("nemesis-broker", Map.of("SECKILL_ROLES", "broker", "SECKILL_BROKER_PORT",
        String.valueOf(brokerPort), "SECKILL_DATA_DIR", "target/nemesis-broker-" + suffix), -1);
    launch(vertx, client, broker, brokerPort);
    Proc front = new Proc("nemesis-admin-query", with(RunningSystem.environment(config, "admin,query"), amqp),
        config.adminPort());
    Proc event = new Proc("nemesis-event", with(RunningSystem.environment(config, "event"), amqp), config.eventPort());
    launch(vertx, client, front, -1);
    launch(vertx, client, event, -1);

    if (cuts) {
      addressAdded = ClusterNet.addAddress(CUT_OFF_ADDRESS);
    }
    List<Integer> hazelcastPorts = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      hazelcastPorts.add(TestInfra.freePort());
    }
    List<String> members = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      members.add((i == 2 && addressAdded ? CUT_OFF_ADDRESS : "127.0.0.1") + ":" + hazelcastPorts.get(i));
    }
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    List<Proc> commands = new ArrayList<>();
    for (int i = 0; i < MEMBERS; i++) {
      Map<String, String> env = with(RunningSystem.environment(config, "command"), amqp);
      int port = i == 0 ? config.commandPort() : TestInfra.freePort();
      env.put("SECKILL_CLUSTER_MEMBERS", String.join(",", members));
      env.put("SECKILL_CLUSTER_NAME", "nemesis-" + suffix);
      env.put("SECKILL_TICKET_KEYS", "nemesis:" + java.util.Base64.getUrlEncoder().withoutPadding()
          .encodeToString(secret));
      env.put("SECKILL_NODE_ID", "node-" + i);
      env.put("SECKILL_COMMAND_PORT", String.valueOf(port));
      env.put("SECKILL_CLUSTER_PORT", String.valueOf(hazelcastPorts.get(i)));
      env.put("SECKILL_CLUSTER_HOST", i == 2 && addressAdded ? CUT_OFF_ADDRESS : "127.0.0.1");
      env.put("SECKILL_EVENTBUS_PORT", String.valueOf(TestInfra.freePort()));
      env.put("SECKILL_COMMAND_INSTANCES", "1");
      Proc member = new Proc("nemesis-command-" + i, env, port);
      commands.add(member);
      launch(vertx, client, member, -1);
    }

    List<Crowd> crowds = new ArrayList<>();
    for (int s = 0; s < 3; s++) {
      JsonObject body = new JsonObject().put("numberOfCoupons", s == 2 ? 3_000 : 1_000_000).put("discount", 0.5)
          .put("publishTime", Instant.now().toString())
          .put("finishTime", Instant.now().plusSeconds(7200).toString());
      HttpResponse<Buffer> created = Async.await(client.post(config.adminPort(), "127.0.0.1", "/admin/promotions")
          .bearerTokenAuthentication(TestInfra.ADMIN_TOKEN).sendJsonObject(body));
      assertThat(created.statusCode()).as(created.bodyAsString()).isEqualTo(201);
      String id = created.bodyAsJsonObject().getString("promotionId");
      crowds.add(new Crowd(vertx, client, () -> commands.stream().filter(c -> c.up).map(c -> c.httpPort).toList(),
          id, "s" + s + "-", s == 0 ? 12 : 6, 2_000_000));
    }
    // the third sale (3,000 coupons) sells out during the run: out_of_stock and the finish are under fault too
    crowds.get(0).untilFirst200After(System.nanoTime(), Duration.ofSeconds(60));

    Map<String, Proc> procs = new HashMap<>();
    procs.put("broker", broker);
    procs.put("event", event);
    for (int i = 0; i < MEMBERS; i++) {
      procs.put("command-" + i, commands.get(i));
    }
    int[] ports = {brokerPort};
    List<long[]> heals = new ArrayList<>();
    List<Fault> healedFaults = new ArrayList<>();
    List<Boolean> healedAlone = new ArrayList<>();
    int[] active = {0};
    java.util.Set<Step> skipped = new java.util.HashSet<>();
    long start = System.nanoTime();
    record Action(long atMillis, boolean heal, Step step) {
    }
    // at equal times an injection goes first: a restart's heal is due the moment it is injected (0 s)
    PriorityQueue<Action> actions = new PriorityQueue<>(java.util.Comparator.comparingLong(Action::atMillis)
        .thenComparing(Action::heal));
    schedule.forEach(step -> {
      actions.add(new Action(step.atMillis(), false, step));
      actions.add(new Action(step.healMillis(), true, step));
    });
    while (!actions.isEmpty()) {
      Action next = actions.poll();
      long due = start + next.atMillis * 1_000_000;
      awaitCondition(vertx, Duration.ofMinutes(30), "the next step's time", () -> System.nanoTime() >= due ? null : "");
      Step step = next.step;
      Proc target = procs.get(step.target());
      LOG.info("nemesis: {} {} on {} at {} s", next.heal ? "heal" : "inject", step.fault(), step.target(),
          (System.nanoTime() - start) / 1_000_000_000.0);
      if (!next.heal) {
        if (!inject(step, target, db)) {
          skipped.add(step);
          LOG.info("nemesis: {} skipped: {} is not running (still coming back from an earlier fault)", step.fault(),
              step.target());
          continue;
        }
        active[0]++;
      } else if (skipped.contains(step)) {
        continue;
      } else {
        heal(vertx, client, step, target, db, ports[0]);
        active[0]--;
        heals.add(new long[] {System.nanoTime()});
        healedFaults.add(step.fault());
        healedAlone.add(active[0] == 0);
      }
    }
    long faultsOver = System.nanoTime();
    // everything up again: every member, the event role, the broker
    awaitCondition(vertx, Duration.ofMinutes(3), "every process up again after the last heal", () -> {
      List<String> down = procs.values().stream().filter(p -> !p.up).map(p -> p.name).toList();
      return down.isEmpty() ? null : "still down: " + down;
    });
    long quietUntil = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    Async.await(Async.eventually(vertx, Duration.ofSeconds(30),
        () -> Future.succeededFuture(System.nanoTime() > quietUntil)));
    crowds.forEach(Crowd::stop);

    Pool writeDb = Databases.pool(vertx, config.writeDb(), "nemesis-check-w-" + suffix);
    Pool readDb = Databases.pool(vertx, config.readDb(), "nemesis-check-r-" + suffix);
    SaleChecker checker = new SaleChecker(vertx, writeDb, readDb);
    for (Crowd crowd : crowds) {
      Async.await(Async.eventually(vertx, Duration.ofSeconds(60), () -> client.post(config.adminPort(), "127.0.0.1",
              "/admin/promotions/" + crowd.promotionId + "/cancel").bearerTokenAuthentication(TestInfra.ADMIN_TOKEN)
          .send().map(r -> r.statusCode() == 202 || r.statusCode() == 409 || r.statusCode() == 200)
          .otherwise(false)));
    }
    for (Crowd crowd : crowds) {
      checker.check(crowd, crowd.promotionId.equals(crowds.get(2).promotionId) ? 3_000 : 1_000_000);
    }

    // the longest time without a 200 after each heal, by fault type (first 200 of a grab sent after the heal)
    List<long[]> all200 = new ArrayList<>();
    crowds.forEach(c -> all200.addAll(c.answered200));
    // a heal while another fault still lasts is counted apart: the time to a 200 after it is the other fault's too
    Map<Fault, List<Long>> outage = new EnumMap<>(Fault.class);
    Map<Fault, List<Long>> overlapped = new EnumMap<>(Fault.class);
    for (int i = 0; i < heals.size(); i++) {
      long healedAt = heals.get(i)[0];
      long first = all200.stream().filter(a -> a[0] > healedAt).mapToLong(a -> a[1]).min().orElse(faultsOver);
      (healedAlone.get(i) ? outage : overlapped).computeIfAbsent(healedFaults.get(i), f -> new ArrayList<>())
          .add((first - healedAt) / 1_000_000);
    }
    StringBuilder table = new StringBuilder(String.format("%n  %-16s %6s %10s %10s   %s", "fault", "healed",
        "p50 ms", "max ms", "healed while another fault lasted: count, max ms"));
    for (Fault fault : Fault.values()) {
      List<Long> alone = outage.getOrDefault(fault, List.of()).stream().sorted().toList();
      List<Long> during = overlapped.getOrDefault(fault, List.of());
      if (alone.isEmpty() && during.isEmpty()) {
        continue;
      }
      table.append(String.format("%n  %-16s %6d %10s %10s   %d, %s", fault, alone.size(),
          alone.isEmpty() ? "-" : alone.get(alone.size() / 2), alone.isEmpty() ? "-" : alone.get(alone.size() - 1),
          during.size(), during.isEmpty() ? "-" : during.stream().max(Long::compare).orElseThrow()));
    }
    int requests = crowds.stream().mapToInt(c -> c.requests.get()).sum();
    int accepted = crowds.stream().mapToInt(c -> c.accepted.size()).sum();
    int unavailable = crowds.stream().mapToInt(c -> c.unavailable.get()).sum();
    String summary = String.format("nemesis seed %d: %d faults (%d skipped), %d grabs sent, %d customers accepted,"
            + " %d answered 503; violations %d%s%s", seed, schedule.size(), skipped.size(), requests, accepted,
        unavailable, checker.violations().size(),
        table, checker.violations().isEmpty() ? "" : "\n  " + String.join("\n  ", checker.violations()));
    LOG.info(summary);
    return checker.violations().isEmpty() ? null : summary + "\nschedule:" + plan;
  }

  /**
   * Waits (test thread) until {@code missing} returns null, checking every 25 ms; past {@code bound} fails naming
   * {@code what} and the last thing still missing.
   */
  private static void awaitCondition(Vertx vertx, Duration bound, String what,
                                     java.util.function.Supplier<String> missing) {
    String[] last = {""};
    try {
      Async.await(Async.eventually(vertx, bound, () -> {
        last[0] = missing.get();
        return Future.succeededFuture(last[0] == null);
      }), bound.plusSeconds(5));
    } catch (IllegalStateException e) {
      throw new IllegalStateException("waited " + bound.toSeconds() + " s for " + what + ": " + last[0], e);
    }
  }

  private static Map<String, String> with(Map<String, String> env, Map<String, String> more) {
    Map<String, String> all = new HashMap<>(env);
    all.putAll(more);
    return all;
  }

  private void launch(Vertx vertx, WebClient client, Proc proc, int tcpPort) throws Exception {
    proc.process = JarProcess.start(proc.name, proc.env);
    toClose.add(() -> proc.process.close());
    if (tcpPort > 0) {
      Async.await(proc.process.listening(vertx, tcpPort), Duration.ofSeconds(95));
    } else {
      Async.await(proc.process.healthyOrDegraded(vertx, client, proc.httpPort), Duration.ofSeconds(95));
    }
    proc.up = true;
  }

  /** Injects a fault; false when its target process is not running (a pause needs a live process). */
  private boolean inject(Step step, Proc target, CrashableMariaDb db) throws Exception {
    boolean pause = step.fault() == Fault.COMMAND_PAUSE || step.fault() == Fault.EVENT_PAUSE
        || step.fault() == Fault.BROKER_PAUSE;
    if (pause && (!target.up || !target.process.alive())) {
      return false;
    }
    switch (step.fault()) {
      case COMMAND_KILL, EVENT_KILL, BROKER_KILL, COMMAND_RESTART -> {
        target.up = false;
        target.generation.incrementAndGet();
        target.process.kill();
      }
      case COMMAND_PAUSE, EVENT_PAUSE, BROKER_PAUSE -> {
        target.up = false;
        target.paused = true;
        target.process.signal("STOP");
      }
      case MEMBER_CUT -> cut = ClusterNet.iptables("-I", CUT_OFF_ADDRESS);
      case DB_KILL -> db.kill();
    }
    return true;
  }

  /**
   * Starts a killed process again, and again every 2 s while it cannot come up (a command member or the event role
   * exits when the database is down at its start); up once it answers (its /health may say DOWN while another fault
   * lasts). A start overtaken by a later kill stops what it started.
   */
  private void revive(Vertx vertx, WebClient client, Proc target, int brokerPort, int generation) {
    vertx.executeBlocking(() -> JarProcess.start(target.name, target.env)).compose(started -> {
      toClose.add(started::close);
      if (target.generation.get() != generation) {
        started.close();
        return Future.failedFuture("overtaken by a later kill");
      }
      target.process = started;
      return (target.httpPort > 0 ? started.healthyOrDegraded(vertx, client, target.httpPort)
          : started.listening(vertx, brokerPort)).map(v -> started);
    }).onComplete(ar -> {
      if (target.generation.get() != generation) {
        if (ar.succeeded()) {
          ar.result().close();
        }
        return;
      }
      if (ar.succeeded()) {
        target.up = true;
        return;
      }
      LOG.warn("{} did not come back ({}); starting it again in 2 s", target.name, ar.cause().getMessage());
      vertx.setTimer(2000, t -> revive(vertx, client, target, brokerPort, generation));
    });
  }

  private void heal(Vertx vertx, WebClient client, Step step, Proc target, CrashableMariaDb db, int brokerPort)
      throws Exception {
    switch (step.fault()) {
      case COMMAND_KILL, EVENT_KILL, BROKER_KILL, COMMAND_RESTART ->
          revive(vertx, client, target, brokerPort, target.generation.get());
      case COMMAND_PAUSE, EVENT_PAUSE, BROKER_PAUSE -> {
        target.process.signal("CONT");
        target.paused = false;
        target.up = true;
      }
      case MEMBER_CUT -> {
        ClusterNet.iptables("-D", CUT_OFF_ADDRESS);
        cut = false;
      }
      case DB_KILL -> db.restart();
    }
  }
}
