#!/usr/bin/env bash
# W1 through two builds of the command JVM, alternated on the same machine state: the system's other processes
# (broker, admin, event, query, the embedded MariaDB) start once as bench.sh starts them, then each round starts
# the command role from JAR_A, warms it up (30 s of identity-token grabs, 15 s of a ticket crowd), measures W1
# (a new promotion of 1,000 coupons, 100,000 customers' tickets, 15 s) REPS times, stops it, and does the same with
# JAR_B. Prints one line per W1 run: the wrk result and the command JVM's CPU per request (from /proc). Run-to-run
# noise on this 2-core machine is larger than most single changes (see BENCHMARKS.md): compare the alternated
# pairs, not one run. Loopback only, every run bounded.
#
# WORKLOAD=w2 measures W2 instead (a new promotion of W2_COUPONS, POPULATION customers' tickets, W2_DURATION s: every
# request a new customer, every 200 after its commit) and prints its accepts/s, with the command JVM's and MariaDB's
# CPU per accept.
#
#   loadtest/w1-ab.sh /tmp/before.jar /tmp/after.jar          # 2 rounds x 2 runs each
#   ROUNDS=3 REPS=1 SKIP_BUILD=1 loadtest/w1-ab.sh A.jar B.jar
#   WORKLOAD=w2 SKIP_BUILD=1 loadtest/w1-ab.sh A.jar B.jar    # [S13]: the fence that writes its row, against the old
#   ENV_A=SECKILL_COMMAND_BATCH_MAX=64 SKIP_BUILD=1 loadtest/w1-ab.sh X.jar X.jar   # one jar, a setting A/B
#
# ENV_A / ENV_B: space-separated NAME=VALUE settings for the command JVM of that side only.
set -euo pipefail
[ $# = 2 ] || { echo "usage: loadtest/w1-ab.sh JAR_A JAR_B (all-in-one jars)"; exit 2; }
jars=("$(realpath "$1")" "$(realpath "$2")")
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=loadtest/bench-lib.sh
source loadtest/bench-lib.sh
identity_setup
start_rest
wait_http $ADMIN /health 200 180
wait_http $QUERY /health 200 60
for round in $(seq 1 "${ROUNDS:-2}"); do
  for which in A B; do
    jar=${jars[0]}; side_env=${ENV_A:-}
    [ $which = B ] && { jar=${jars[1]}; side_env=${ENV_B:-}; }
    COMMAND_ENV=$side_env start_command "$jar"
    wait_http $COMMAND /health 200 120
    token_wrk 30 "$(promotions 4 "$W2_COUPONS")" >/dev/null
    warm=$(promotion "$W1_COUPONS"); wait_started "$warm"
    tickets "$warm" 20000 "$WORK/tickets-warm1" >/dev/null
    ticket_wrk 15 "$warm" "$WORK/tickets-warm1" >/dev/null
    for rep in $(seq 1 "${REPS:-2}"); do
      if [ "${WORKLOAD:-w1}" = w2 ]; then
        w2=$(promotion "$W2_COUPONS"); wait_started "$w2"
        tickets "$w2" "$POPULATION" "$WORK/tickets-w2" >/dev/null
        db_pids=$(pgrep -f "$WORK/data/mariadb/base/bin/mariadbd" | tr '\n' ' ' || true)
        before=$(ticks $command_pid); db_before=$(ticks "$db_pids")
        result=$(ticket_wrk "$W2_DURATION" "$w2" "$WORK/tickets-w2")
        used=$(( $(ticks $command_pid) - before )); db_used=$(( $(ticks "$db_pids") - db_before ))
        stored=$(sql "SELECT COUNT(*) FROM seckill_write.events WHERE promotion_id='$w2' AND type='CouponGrabbedEvent'")
        echo "w2-ab: round $round $which ($(basename "$jar")) run $rep: $result accepts_per_s=$(awk -v n="$(field \
          "$result" ok)" -v d="$W2_DURATION" 'BEGIN {printf "%.0f", n / d}') events=$stored command_us_per_accept=$(awk \
          -v t="$used" -v hz="$HZ" -v n="$(field "$result" ok)" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}') mariadb_us_per_accept=$(awk \
          -v t="$db_used" -v hz="$HZ" -v n="$(field "$result" ok)" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')"
        continue
      fi
      w1=$(promotion "$W1_COUPONS"); wait_started "$w1"
      tickets "$w1" "$W1_CUSTOMERS" "$WORK/tickets-w1" >/dev/null
      before=$(ticks $command_pid)
      result=$(ticket_wrk "$DURATION" "$w1" "$WORK/tickets-w1")
      used=$(( $(ticks $command_pid) - before ))
      echo "w1-ab: round $round $which ($(basename "$jar")) run $rep: $result command_us_per_request=$(awk -v t="$used" \
        -v hz="$HZ" -v n="$(field "$result" requests)" 'BEGIN {printf "%.1f", t * 1e6 / hz / n}')"
    done
    kill -TERM $command_pid; wait $command_pid 2>/dev/null || true
  done
done
