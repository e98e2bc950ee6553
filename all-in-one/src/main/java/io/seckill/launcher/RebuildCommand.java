package io.seckill.launcher;

import io.seckill.event.rebuild.RebuildStatus;
import io.seckill.event.rebuild.RebuildStore;
import io.seckill.event.rebuild.Rebuilder;
import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.Env;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;
import io.vertx.core.Context;

/**
 * {@code java -jar seckill.jar rebuild [--promotion ID]} (SPEC §8): rebuilds the read model (or one promotion) from
 * WriteDB's events in this process, online, exactly as {@code POST /read-model/rebuilds} does (the same one-at-a-time
 * rule across processes), configured by the event role's environment. Progress goes to standard error: a bar redrawn
 * on a terminal, a line every five seconds otherwise; the final status (JSON) to standard output. Exit code: 0
 * swapped, 1 failed (the old tables stay in service), 2 another rebuild is running, 3 could not start (bad arguments,
 * an unknown promotion, a database down).
 */
final class RebuildCommand {
  static final int SWAPPED = 0;
  static final int FAILED = 1;
  static final int RUNNING = 2;
  static final int NOT_STARTED = 3;
  private static final int BAR = 30;

  private RebuildCommand() {
  }

  static int run(String[] args, Env env) {
    return run(args, env, new PrintStream(System.out, true, StandardCharsets.UTF_8), System.err,
        System.console() != null);
  }

  /** As {@link #run(String[], Env)}; {@code terminal}: redraw one progress bar rather than print lines. */
  static int run(String[] args, Env env, PrintStream out, PrintStream err, boolean terminal) {
    UUID promotion = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--promotion") && i + 1 < args.length) {
        try {
          promotion = UUID.fromString(args[++i]);
        } catch (IllegalArgumentException e) {
          return usage(err, "--promotion needs a promotion id (a UUID), got " + args[i]);
        }
      } else {
        return usage(err, args[i].equals("--promotion") ? "--promotion needs a promotion id" : "unknown argument " + args[i]);
      }
    }
    int embeddedPort = env.integer("SECKILL_EMBEDDED_DB_PORT", SecKillConfig.DEFAULT_EMBEDDED_DB_PORT);
    DbConfig write = env.db(SecKillConfig.WRITE_DB_PREFIX, "seckill_write", embeddedPort);
    DbConfig read = env.db(SecKillConfig.READ_DB_PREFIX, "seckill_read", embeddedPort);
    Vertx vertx = Vertx.vertx();
    try {
      Pool writeDb = Databases.pool(vertx, write, "rebuild-command-write");
      Pool readDb = Databases.pool(vertx, read, "rebuild-command-read");
      Promise<RebuildStatus> done = Promise.promise();
      Rebuilder rebuilder = new Rebuilder(vertx, new RebuildStore(writeDb, write.deadlineMillis(), readDb,
          read.deadlineMillis()), Clock.systemUTC(), env.integer("SECKILL_REBUILD_EVENTS_PER_SECOND", 0),
          done::tryComplete);
      Context context = vertx.getOrCreateContext();
      RebuildStatus started;
      UUID one = promotion;
      try {
        // the rebuild runs on one event loop, as in the event service
        Promise<RebuildStatus> first = Promise.promise();
        context.runOnContext(v -> rebuilder.start(one).onComplete(first));
        started = await(first.future());
      } catch (RebuildStore.RebuildRunning running) {
        err.println("seckill rebuild: " + running.getMessage());
        return RUNNING;
      } catch (Rebuilder.NoSuchPromotion missing) {
        err.println("seckill rebuild: " + missing.getMessage());
        return NOT_STARTED;
      }
      err.println("seckill rebuild " + started.rebuildId() + " of "
          + (one == null ? "the whole read model" : "promotion " + one));
      long every = terminal ? 200 : 5000;
      context.runOnContext(v -> vertx.setPeriodic(every, t -> {
        RebuildStatus now = rebuilder.current();
        if (now != null && !now.state().finished()) {
          if (terminal) {
            err.print("\r" + progress(now));
          } else {
            err.println(progress(now));
          }
        } else {
          vertx.cancelTimer(t);
        }
      }));
      RebuildStatus result = await(done.future());
      err.println((terminal ? "\r" : "") + progress(result));
      out.println(result.toJson().encodePrettily());
      if (result.state() == RebuildStatus.State.SWAPPED) {
        return SWAPPED;
      }
      err.println("seckill rebuild failed, the old tables stay in service: " + result.error());
      return FAILED;
    } catch (Exception e) {
      err.println("seckill rebuild: could not start: " + e.getMessage() + " (WriteDB " + write.host() + ":"
          + write.port() + "/" + write.database() + ", ReadDB " + read.host() + ":" + read.port() + "/"
          + read.database() + ")");
      return NOT_STARTED;
    } finally {
      vertx.close();
    }
  }

  /** {@code [#########.....................]  31%  310,000 / 1,000,000 events  98,000/s  ETA 7 s  running}. */
  static String progress(RebuildStatus status) {
    int filled = status.percent() * BAR / 100;
    Long eta = status.etaSeconds();
    return String.format(Locale.ROOT, "[%s%s] %3d%%  %,d / %,d events  %,d/s  %s %s", "#".repeat(filled),
        ".".repeat(BAR - filled), status.percent(), status.eventsApplied(), status.eventsTotal(),
        Math.round(status.eventsPerSecond()), eta == null ? "" : "ETA " + eta + " s ", status.state().json());
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(24, TimeUnit.HOURS);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static int usage(PrintStream err, String problem) {
    err.println("seckill rebuild: " + problem);
    err.println("usage: java -jar seckill.jar rebuild [--promotion ID]");
    return NOT_STARTED;
  }
}
