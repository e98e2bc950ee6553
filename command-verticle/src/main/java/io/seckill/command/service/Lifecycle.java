package io.seckill.command.service;

import io.seckill.command.domain.GrabDecider;
import io.seckill.command.domain.PromotionState;
import io.seckill.command.domain.PromotionStatus;
import io.seckill.command.store.GroupCommitter;
import io.seckill.command.store.PromotionHistory;
import io.seckill.shared.event.SecKillEvent;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * A promotion's life on the command side besides its grabs: one timer for its start or its finish, the start
 * written (exclusively, if its row is still at the version decided on), the time-up and an admin's cancel. Events are applied as {@link GrabDecider}
 * says: when decided, before their write; a start that is not committed goes to the {@link StartRecovery}
 * ({@link Recovery}), a grab's, time-up's or cancel's through the committer's failure. Runs on the command
 * verticle's context.
 */
final class Lifecycle {
  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private final Vertx vertx;
  private final Clock clock;
  private final GrabDecider decider;
  private final PromotionHistory history;
  private final GroupCommitter committer;
  private final Holdings holdings;
  private final Retries retries;
  /** Told of a start applied here but not committed. */
  private StartRecovery recovery;
  private Consumer<PromotionState> onFinished = state -> { };

  Lifecycle(Vertx vertx, Clock clock, GrabDecider decider, PromotionHistory history, GroupCommitter committer,
            Holdings holdings, Retries retries) {
    this.vertx = vertx;
    this.clock = clock;
    this.decider = decider;
    this.history = history;
    this.committer = committer;
    this.holdings = holdings;
    this.retries = retries;
  }

  /** What recovers a promotion whose start was applied here but not committed ({@link Recovery}). */
  interface StartRecovery {
    /** The start's write failed, was fenced or its outcome is unknown: the promotion is rebuilt a retry later. */
    void startFailed(ServedPromotion promotion, Throwable cause);

    /** Its row changed before the start was written (nothing was): the promotion is rebuilt and re-read now. */
    void startChanged(ServedPromotion promotion);
  }

  void recoverStartsWith(StartRecovery startRecovery) {
    this.recovery = startRecovery;
  }

  /** Event times are kept to the millisecond, as stored. */
  Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  /** Tells {@code listener} of each promotion whose finish is committed (those finished already too). */
  void onFinished(Consumer<PromotionState> listener) {
    this.onFinished = listener;
    holdings.all().forEach(this::publishIfFinished);
  }

  /** A promotion just loaded or rebuilt: its timer armed, its finish told if it has one. */
  void resume(ServedPromotion promotion) {
    arm(promotion);
    publishIfFinished(promotion);
  }

  /** Its finish is committed: told once, the timer no longer needed. */
  void finished(ServedPromotion promotion) {
    holdings.cancelTimer(promotion);
    onFinished.accept(promotion.state);
  }

  /** Tells of a finish already committed (not of one applied with a start still being written). */
  private void publishIfFinished(ServedPromotion promotion) {
    if (promotion.state.status() == PromotionStatus.FINISHED && promotion.starting == null) {
      onFinished.accept(promotion.state);
    }
  }

  void stop() {
    holdings.all().forEach(holdings::cancelTimer);
  }

  /** The start or the finish, whichever comes next, at its time. */
  void arm(ServedPromotion promotion) {
    holdings.cancelTimer(promotion);
    PromotionState state = promotion.state;
    Instant due;
    if (state.status() == PromotionStatus.SCHEDULED) {
      due = state.terms().publishTime();
    } else if (state.status() == PromotionStatus.ACTIVE) {
      due = state.terms().finishTime();
    } else {
      return;
    }
    long delay = Math.max(1, Duration.between(clock.instant(), due).toMillis());
    promotion.timer = vertx.setTimer(delay, timer -> {
      promotion.timer = -1;
      if (!retries.stopped() && holdings.get(promotion.id()) == promotion && !promotion.recovering) {
        if (state.status() == PromotionStatus.SCHEDULED) {
          start(promotion);
        } else {
          finishByTime(promotion);
        }
      }
    });
  }

  /**
   * Starts a scheduled promotion whose publish time has come (a grab may ask before its timer fires); re-armed when
   * it has not. The start is applied at once and written exclusively; grabs wait for {@link ServedPromotion#starting}.
   */
  void start(ServedPromotion promotion) {
    if (promotion.starting != null || retries.stopped()) {
      return;
    }
    List<SecKillEvent> events = decider.start(promotion.state, now());
    if (events.isEmpty()) {
      arm(promotion);
      return;
    }
    UUID id = promotion.id();
    int version = promotion.state.termsVersion();
    holdings.cancelTimer(promotion);
    events.forEach(promotion.state::apply);
    Future<Void> written = committer.exclusive(Set.of(id), () -> history.appendStart(id, version, events,
            committer.fence(List.of(id))))
        .transform(ar -> {
          // before the grabs waiting on this start go on
          promotion.starting = null;
          if (ar.failed()) {
            LOG.warn("start of promotion {} not written ({}); rebuilding it and trying again", id,
                ar.cause().getMessage());
            recovery.startFailed(promotion, ar.cause());
          } else if (ar.result().isEmpty()) {
            LOG.info("promotion {} changed before its start was written; re-reading it", id);
            recovery.startChanged(promotion);
          } else if (holdings.get(id) == promotion) {
            LOG.info("promotion {} started ({} coupons){}", id, promotion.state.terms().numberOfCoupons(),
                promotion.state.status() == PromotionStatus.FINISHED ? " and finished: its finish time had passed" : "");
            resume(promotion);
          }
          return Future.<Void>succeededFuture();
        });
    if (!written.isComplete()) {
      promotion.starting = written;
    }
  }

  /** The time-up of an active promotion whose finish time has come; re-armed when it has not. */
  private void finishByTime(ServedPromotion promotion) {
    List<SecKillEvent> events = decider.finishByTime(promotion.state, now());
    if (events.isEmpty()) {
      arm(promotion);
      return;
    }
    appendFinish(promotion, events, "time_up");
  }

  /** An admin cancelled a running promotion: its one finish (reason cancelled), unless it has finished already. */
  void cancel(ServedPromotion promotion) {
    if (retries.stopped() || promotion.recovering || promotion.starting != null) {
      return; // a later poll or the rebuild reads the request again
    }
    List<SecKillEvent> events = decider.cancel(promotion.state, now());
    if (events.isEmpty()) {
      return;
    }
    holdings.cancelTimer(promotion);
    appendFinish(promotion, events, "cancelled by an admin");
  }

  /** A finish applied (the one rule) and appended; told once it is committed. */
  private void appendFinish(ServedPromotion promotion, List<SecKillEvent> events, String why) {
    events.forEach(promotion.state::apply);
    committer.append(events).onSuccess(v -> {
      LOG.info("promotion {} finished: {}", promotion.id(), why);
      onFinished.accept(promotion.state);
    });
  }
}
