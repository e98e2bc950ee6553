package io.seckill.event.rebuild;

import io.seckill.shared.db.Databases;

import io.seckill.event.projection.ProjectionPlan;
import io.seckill.event.store.ReadModelStore;
import io.seckill.event.store.ReadModelTables;
import io.seckill.shared.db.Migrations;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.HashSet;
import java.time.Duration;

/**
 * Rebuilds the read model from WriteDB's events while the live projection goes on and queries are served (SPEC §8),
 * as EventStore's catch-up subscriptions and Marten's rebuild-beside-then-switch do:
 * <ol>
 *   <li>registered in {@code read_model_rebuilds} (one at a time across every process: 409 otherwise), beating;</li>
 *   <li>state {@code running}: empty shadow tables ({@code <table>_rb_<tag>}) filled from the events, promotion by
 *   promotion in pages, the next page read while the last one is written;</li>
 *   <li>{@code catching_up}: the shadow tables brought up to the live projection's positions (an overlap is harmless:
 *   applying an event twice changes nothing);</li>
 *   <li>the swap. The whole read model: one {@code RENAME TABLE} of the three live tables and the three shadow tables,
 *   then what the live projection committed to the old tables between the catch-up and the rename is applied to the
 *   new ones from the events (a top-up: the new tables are never ahead of what they say, at worst a few events
 *   behind for those milliseconds), and the old tables dropped. One promotion: its rows replaced in one transaction
 *   holding its live position row locked;</li>
 *   <li>{@code swapped}, or {@code failed} with the reason: the old tables stay in service, the shadow ones are
 *   dropped.</li>
 * </ol>
 * A process that dies mid-way leaves a row whose heartbeat stops and tables tagged with its id: {@link #reap()} (at
 * every event process's start, then every few seconds) marks it failed and drops them; old tables left by a death
 * between the rename and the top-up are topped up from before they go.
 */
public final class Rebuilder {
  private static final Logger LOG = LoggerFactory.getLogger(Rebuilder.class);
  static final int PAGE = 4000;
  private static final int CATCH_UP_ROUNDS = 20;
  /** Catching up stops once the shadow is this close to the live projection; the swap takes the rest. */
  private static final long CLOSE_ENOUGH = 2 * PAGE;

  private final Vertx vertx;
  private final RebuildStore store;
  private final ReadModelStore live;
  private final Clock clock;
  private final Consumer<RebuildStatus> finished;
  private final int eventsPerSecond;
  private Job current;

  /**
   * {@code finished} hears every rebuild this process ran, once it swapped or failed (metrics, logs);
   * {@code eventsPerSecond} paces the rebuild's fill and catch-up (0: no pace).
   */
  public Rebuilder(Vertx vertx, RebuildStore store, Clock clock, int eventsPerSecond, Consumer<RebuildStatus> finished) {
    this.vertx = vertx;
    this.eventsPerSecond = eventsPerSecond;
    this.store = store;
    this.live = new ReadModelStore(store.readDb());
    this.clock = clock;
    this.finished = finished;
  }

  /** The rebuild this process runs or ran last; null if none. */
  public RebuildStatus current() {
    return current == null ? null : current.status();
  }

  /**
   * Starts a rebuild of the whole read model ({@code promotion} null) or of one promotion; its first status. Fails with
   * {@link NoSuchPromotion} for a promotion WriteDB does not know and {@link RebuildStore.RebuildRunning} while
   * another rebuild runs. ReadDB's schema is migrated first: a ReadDB dropped and created again empty is rebuilt.
   */
  public Future<RebuildStatus> start(UUID promotion) {
    Future<Boolean> known = promotion == null ? Future.succeededFuture(true) : store.promotionWritten(promotion);
    return known.compose(yes -> yes ? Future.succeededFuture() : Future.failedFuture(new NoSuchPromotion(promotion)))
        .compose(v -> Migrations.migrate(vertx, store.readDb(), Migrations.READ))
        .compose(v -> store.reapStale())
        .compose(v -> {
          UUID id = UUID.randomUUID();
          Instant now = clock.instant();
          return store.register(id, promotion, now).map(registered -> {
            Job job = new Job(id, promotion, now);
            current = job;
            job.run();
            return job.status();
          });
        });
  }

  /** A rebuild's status: this process's own, fresh, or what ReadDB last recorded of it. */
  public Future<Optional<RebuildStatus>> status(UUID id) {
    if (current != null && current.id.equals(id)) {
      return Future.succeededFuture(Optional.of(current.status()));
    }
    return store.find(id);
  }

  /**
   * Cleans up after rebuilds whose process died: marks them failed, tops the live tables up from any old tables a
   * death between the rename and the drop left, and drops every rebuild table whose rebuild is not running.
   */
  public Future<Void> reap() {
    // the tables are listed before the running rebuilds are: a rebuild registers before it creates its tables, so a
    // table listed here whose rebuild started since is still seen running below
    return store.reapStale().compose(reaped -> store.leftoverTables()).compose(tables -> store.running()
        .compose(running -> {
          Set<String> runningTags = new HashSet<>();
          running.forEach(id -> runningTags.add(ReadModelTables.tagOf(id)));
          if (current != null && !current.status().state().finished()) {
            runningTags.add(ReadModelTables.tagOf(current.id));
          }
          Map<String, List<String>> byTag = new HashMap<>();
          for (String table : tables) {
            String tag = ReadModelTables.tagOf(table);
            if (!runningTags.contains(tag)) {
              byTag.computeIfAbsent(tag, t -> new ArrayList<>()).add(table);
            }
          }
          Future<Void> chain = Future.succeededFuture();
          for (Map.Entry<String, List<String>> left : byTag.entrySet()) {
            String tag = left.getKey();
            boolean old = left.getValue().contains(ReadModelTables.old(tag).positions());
            chain = chain.compose(v -> (old ? topUp(ReadModelTables.old(tag), null) : Future.<Long>succeededFuture(0L))
                .compose(n -> store.drop(left.getValue()))
                .onSuccess(n -> LOG.info("rebuild {}: removed the tables its process left ({})", tag,
                    String.join(", ", left.getValue()))));
          }
          return chain;
        }));
  }

  /**
   * Applies to the live tables, through the live projection's own locked path, what {@code from}'s positions are
   * past theirs by; the events applied.
   */
  private Future<Long> topUp(ReadModelTables from, Job job) {
    return Future.all(store.positions(from, null), store.positions(ReadModelTables.LIVE, null)).compose(both -> {
      Map<UUID, Behind.Range> behind = Behind.of(both.resultAt(1), both.resultAt(0));
      Future<Long> chain = Future.succeededFuture(0L);
      for (Map.Entry<UUID, Behind.Range> entry : behind.entrySet()) {
        chain = chain.compose(sum -> copy(entry.getKey(), entry.getValue(), live::apply, job).map(n -> sum + n));
      }
      return chain;
    });
  }

  /**
   * Reads a promotion's events in {@code range} page by page and hands them to {@code sink}; the events applied. One
   * page is written while the next is read.
   */
  private Future<Long> copy(UUID promotion, Behind.Range range,
                            Function<List<SecKillEvent>, Future<ProjectionPlan>> sink, Job job) {
    long[] applied = new long[1];
    Function<List<SecKillEvent>, Future<ProjectionPlan>> counted = page -> sink.apply(page)
        .onSuccess(plan -> {
          applied[0] += plan.applied();
          if (job != null) {
            job.applied += plan.applied();
          }
        });
    return store.events(promotion, range.after(), range.upTo(), PAGE)
        .compose(page -> pages(promotion, range, page, counted, job, Future.succeededFuture()))
        .map(v -> applied[0]);
  }

  private Future<Void> pages(UUID promotion, Behind.Range range, List<SecKillEvent> page,
                             Function<List<SecKillEvent>, Future<ProjectionPlan>> sink, Job job,
                             Future<ProjectionPlan> previous) {
    if (page.isEmpty()) {
      return previous.mapEmpty();
    }
    if (job != null && job.abort != null) {
      return previous.transform(ar -> Future.failedFuture(job.abort));
    }
    long last = page.get(page.size() - 1).sequence();
    Future<List<SecKillEvent>> next = page.size() < PAGE || last >= range.upTo() ? Future.succeededFuture(List.of())
        : store.events(promotion, last, range.upTo(), PAGE);
    return pace(job).compose(v -> {
      Future<ProjectionPlan> written = sink.apply(page);
      // one page written at a time while the next is read: two writes of one promotion at once could commit out of
      // order, and the earlier page's position would then overwrite the later one's (RebuildTest caught it)
      return Future.all(previous, written, next).transform(ar -> ar.succeeded()
          ? pages(promotion, range, next.result(), sink, job, written)
          : written.transform(w -> Future.failedFuture(ar.cause())));
    });
  }

  /** Waits, when the rebuild is paced, until its events so far are due. */
  private Future<Void> pace(Job job) {
    if (eventsPerSecond <= 0 || job == null) {
      return Future.succeededFuture();
    }
    long early = job.applied * 1000 / eventsPerSecond
        - Duration.between(job.startedAt, clock.instant()).toMillis();
    return early >= 1 ? vertx.timer(early).mapEmpty() : Future.succeededFuture();
  }

  /** One rebuild, run on this verticle's event loop. */
  private final class Job {
    final UUID id;
    final UUID promotion;
    final Instant startedAt;
    final ReadModelTables shadow;
    final ReadModelTables old;
    final ReadModelStore shadowStore;
    final Map<UUID, Long> shadowPositions = new HashMap<>();
    RebuildStatus.State state = RebuildStatus.State.RUNNING;
    long applied;
    long total;
    Instant finishedAt;
    String error;
    /** Set when ReadDB says this rebuild is no longer the running one: it stops at the next page. */
    volatile RuntimeException abort;
    long heartbeatTimer = -1;

    Job(UUID id, UUID promotion, Instant startedAt) {
      this.id = id;
      this.promotion = promotion;
      this.startedAt = startedAt;
      String tag = ReadModelTables.tagOf(id);
      this.shadow = ReadModelTables.shadow(tag);
      this.old = ReadModelTables.old(tag);
      this.shadowStore = new ReadModelStore(store.readDb(), shadow);
    }

    RebuildStatus status() {
      Instant at = finishedAt == null ? clock.instant() : finishedAt;
      return new RebuildStatus(id, promotion, state, applied, Math.max(total, applied),
          RebuildStatus.rate(applied, startedAt, at), startedAt, finishedAt, error);
    }

    void run() {
      LOG.info("rebuild {} of {} started", id, promotion == null ? "the whole read model" : "promotion " + promotion);
      heartbeatTimer = vertx.setPeriodic(1000, t -> store.heartbeat(status()).onComplete(ar -> {
        if (ar.succeeded() && !ar.result() && !state.finished()) {
          abort = new IllegalStateException("ReadDB no longer lists this rebuild as running (declared dead after "
              + RebuildStore.STALE_SECONDS + " s without a heartbeat)");
        }
      }));
      store.createShadow(shadow)
          .compose(v -> store.heads(promotion))
          .compose(heads -> {
            total = heads.values().stream().mapToLong(Long::longValue).sum();
            return fill(Behind.of(Map.of(), heads));
          })
          .compose(v -> store.indexShadow(shadow))
          .compose(v -> {
            state = RebuildStatus.State.CATCHING_UP;
            return catchUp(0);
          })
          .compose(v -> promotion == null ? swapAll() : swapOne())
          .onComplete(ar -> {
            vertx.cancelTimer(heartbeatTimer);
            finishedAt = clock.instant();
            if (ar.succeeded()) {
              state = RebuildStatus.State.SWAPPED;
              LOG.info("rebuild {} swapped in: {} events in {} ms ({} events/s)", id, applied,
                  Duration.between(startedAt, finishedAt).toMillis(), Math.round(status().eventsPerSecond()));
            } else {
              state = RebuildStatus.State.FAILED;
              error = ar.cause().getMessage() == null ? ar.cause().toString() : ar.cause().getMessage();
              LOG.warn("rebuild {} failed, the old tables stay in service: {}", id, error);
            }
            RebuildStatus done = status();
            store.finish(done).onFailure(e -> LOG.warn("rebuild {}: its end not recorded in ReadDB ({}); it will be"
                    + " marked failed once its heartbeat is {} s old", id, e.getMessage(), RebuildStore.STALE_SECONDS));
            if (ar.failed()) {
              store.drop(shadow.all()).onFailure(e -> LOG.warn("rebuild {}: shadow tables not dropped yet ({}); the"
                  + " next clean-up drops them", id, e.getMessage()));
            }
            finished.accept(done);
          });
    }

    private Future<Void> fill(Map<UUID, Behind.Range> behind) {
      Future<Long> chain = Future.succeededFuture(0L);
      for (Map.Entry<UUID, Behind.Range> entry : behind.entrySet()) {
        chain = chain.compose(n -> copy(entry.getKey(), entry.getValue(), this::applyToShadow, this));
      }
      return chain.mapEmpty();
    }

    /**
     * One page into the shadow tables, planned now (in page order), written in one transaction; a hole in WriteDB's
     * sequences fails the rebuild.
     */
    private Future<ProjectionPlan> applyToShadow(List<SecKillEvent> events) {
      ProjectionPlan plan = ReadModelStore.planKnown(events, shadowPositions);
      if (!plan.gaps().isEmpty()) {
        ProjectionPlan.Gap gap = plan.gaps().get(0);
        return Future.failedFuture(new IllegalStateException("WriteDB's events of promotion " + gap.promotionId()
            + " skip from sequence " + gap.expected() + " to " + gap.received() + ": the event store has a hole"));
      }
      if (plan.changesNothing()) {
        return Future.succeededFuture(plan);
      }
      return Databases.bounded(store.readDb().withTransaction(conn -> shadowStore.write(conn,
          plan)), Databases.OFF_PATH_MILLIS, "ReadDB rebuild write").map(plan);
    }

    /** Rounds of catching up with the live positions until close enough (the swap takes the rest). */
    private Future<Void> catchUp(int round) {
      return store.positions(ReadModelTables.LIVE, promotion).compose(livePositions -> {
        Map<UUID, Behind.Range> behind = Behind.of(shadowPositions, livePositions);
        long events = Behind.events(behind);
        if (events == 0 || round >= CATCH_UP_ROUNDS) {
          return Future.succeededFuture();
        }
        total += events;
        long before = applied;
        return fill(behind).compose(v -> applied == before || events <= CLOSE_ENOUGH ? Future.succeededFuture()
            : catchUp(round + 1));
      });
    }

    private Future<Void> stillOurs() {
      return store.heartbeat(status()).compose(ours -> ours ? Future.succeededFuture()
          : Future.failedFuture("ReadDB no longer lists this rebuild as running: not swapped"));
    }

    private Future<Void> swapAll() {
      return catchUp(CATCH_UP_ROUNDS - 1)
          .compose(v -> stillOurs())
          .compose(v -> store.renameIn(shadow, old))
          .compose(v -> {
            LOG.info("rebuild {}: new tables in service; topping them up from the old ones", id);
            return topUp(old, this);
          })
          .compose(n -> store.drop(old.all()));
    }

    private Future<Void> swapOne() {
      return stillOurs().compose(v -> store.swapOne(shadow, promotion, livePosition -> {
        Map<UUID, Behind.Range> behind = Behind.of(shadowPositions, Map.of(promotion, livePosition));
        total += Behind.events(behind);
        return fill(behind);
      })).compose(v -> store.drop(shadow.all()));
    }
  }

  /** A promotion WriteDB does not know (404). */
  public static final class NoSuchPromotion extends RuntimeException {
    public NoSuchPromotion(UUID id) {
      super("no promotion " + id + " in WriteDB", null, false, false);
    }
  }
}
