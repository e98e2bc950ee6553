package io.seckill.launcher;

import io.seckill.event.audit.AuditStore;
import io.seckill.event.audit.ReadModelAuditor;
import io.seckill.event.audit.Verdict;
import io.seckill.shared.config.DbConfig;
import io.seckill.shared.config.Env;
import io.seckill.shared.config.SecKillConfig;
import io.seckill.shared.db.Databases;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ExecutionException;

/**
 * {@code java -jar seckill.jar audit [--promotion ID] [--wait SECONDS]} (SPEC §8): the read model's audit, configured by
 * the event role's environment ({@code SECKILL_WRITE_DB_*}, its read-only account, and {@code SECKILL_READ_DB_*}; the
 * embedded defaults otherwise). The report (JSON) goes to standard output. Exit code: 0 consistent, 1 still lagging
 * after the wait (audited again each second until then), 2 diverged, 3 could not audit (a database down, an unknown
 * promotion, bad arguments), for operators' scripts and cron.
 */
final class AuditCommand {
  static final int CONSISTENT = 0;
  static final int LAGGING = 1;
  static final int DIVERGED = 2;
  static final int FAILED = 3;

  private AuditCommand() {
  }

  static int run(String[] args, Env env) {
    return run(args, env, new PrintStream(System.out, true, StandardCharsets.UTF_8), System.err, Clock.systemUTC());
  }

  /** As {@link #run(String[], Env)}, writing to {@code out} and {@code err}, judging at {@code clock}'s time. */
  static int run(String[] args, Env env, PrintStream out, PrintStream err, Clock clock) {
    UUID promotion = null;
    long waitSeconds = 0;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--promotion" -> {
          if (i + 1 >= args.length) {
            return usage(err, "--promotion needs a promotion id");
          }
          try {
            promotion = UUID.fromString(args[++i]);
          } catch (IllegalArgumentException e) {
            return usage(err, "--promotion needs a promotion id (a UUID), got " + args[i]);
          }
        }
        case "--wait" -> {
          if (i + 1 >= args.length) {
            return usage(err, "--wait needs a number of seconds");
          }
          try {
            waitSeconds = Long.parseLong(args[++i]);
          } catch (NumberFormatException e) {
            return usage(err, "--wait needs a number of seconds, got " + args[i]);
          }
          if (waitSeconds < 0 || waitSeconds > 86_400) {
            return usage(err, "--wait must be 0 to 86400 seconds");
          }
        }
        default -> {
          return usage(err, "unknown argument " + args[i]);
        }
      }
    }
    int embeddedPort = env.integer("SECKILL_EMBEDDED_DB_PORT", SecKillConfig.DEFAULT_EMBEDDED_DB_PORT);
    DbConfig write = env.db(SecKillConfig.WRITE_DB_PREFIX, "seckill_write", embeddedPort);
    DbConfig read = env.db(SecKillConfig.READ_DB_PREFIX, "seckill_read", embeddedPort);
    Vertx vertx = Vertx.vertx();
    try {
      Pool writeDb = Databases.pool(vertx, write, "audit-command-write");
      Pool readDb = Databases.pool(vertx, read, "audit-command-read");
      ReadModelAuditor auditor = new ReadModelAuditor(new AuditStore(writeDb, write.deadlineMillis(), readDb,
          read.deadlineMillis(), 2000, 100, clock), clock, (audits, all) -> { });
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
      UUID one = promotion;
      while (true) {
        Optional<JsonObject> report = await(one == null ? auditor.all().map(Optional::of) : auditor.one(one));
        if (report.isEmpty()) {
          err.println("seckill audit: no promotion " + one + " in WriteDB or ReadDB");
          return FAILED;
        }
        Verdict verdict = ReadModelAuditor.verdictOf(report.get());
        if (verdict != Verdict.LAGGING || System.nanoTime() >= deadline) {
          out.println(report.get().encodePrettily());
          err.println("seckill audit: " + verdict.json());
          return switch (verdict) {
            case CONSISTENT -> CONSISTENT;
            case LAGGING -> LAGGING;
            case DIVERGED -> DIVERGED;
          };
        }
        await(vertx.timer(1, TimeUnit.SECONDS));
      }
    } catch (Exception e) {
      err.println("seckill audit: could not audit: " + e.getMessage() + " (WriteDB " + write.host() + ":"
          + write.port() + "/" + write.database() + ", ReadDB " + read.host() + ":" + read.port() + "/"
          + read.database() + ")");
      return FAILED;
    } finally {
      vertx.close();
    }
  }

  private static <T> T await(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    } catch (ExecutionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private static int usage(PrintStream err, String problem) {
    err.println("seckill audit: " + problem);
    err.println("usage: java -jar seckill.jar audit [--promotion ID] [--wait SECONDS]");
    return FAILED;
  }
}
