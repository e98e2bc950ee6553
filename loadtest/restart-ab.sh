#!/usr/bin/env bash
# The command JVM's restart to its first 200, with and without the jar's AppCDS archive (all-in-one/target/seckill.jsa,
# made by `mvn package`), alternated on the same store: the rest of the system starts once as bench.sh starts it,
# FILL_SECONDS of accepted grabs fill the store, then ROUNDS times: the command JVM started without the archive, then
# with it, each time killed with -9 once it has answered its first 200 (a grab on a promotion started before the
# first restart, a new customer each time). Prints one line per restart and the means. Loopback only, bounded.
#
#   SKIP_BUILD=1 loadtest/restart-ab.sh
#   ROUNDS=8 FILL_SECONDS=30 SKIP_BUILD=1 loadtest/restart-ab.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=loadtest/bench-lib.sh
source loadtest/bench-lib.sh
[ -f all-in-one/target/seckill.jsa ] || { echo "restart-ab: all-in-one/target/seckill.jsa is missing (mvn package makes it)"; exit 1; }
identity_setup
start_rest
wait_http $ADMIN /health 200 180
wait_http $QUERY /health 200 60
start_command
wait_http $COMMAND /health 200 120
token_wrk "${FILL_SECONDS:-10}" "$(promotions 2 "$W2_COUPONS")" >/dev/null
P=$(promotion "$W2_COUPONS"); wait_started "$P"
EVENTS=$(sql "SELECT COUNT(*) FROM seckill_write.events")
kill -9 "$command_pid"; wait "$command_pid" 2>/dev/null || true
n=0
restart() { # jar argument of start_command ("" = the tree's jar on its archive) -> MS: ms to the first 200
  local started token
  n=$((n + 1)); token=$(sed -n "${n}p" "$IDENTITY/tokens")
  started=$(date +%s%N)
  start_command "$1"
  until [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$COMMAND/command/coupons" \
      -H "Authorization: Bearer $token" -d "{\"promotionId\":\"$P\"}")" = 200 ]; do
    [ $(( ($(date +%s%N) - started) / 1000000000 )) -lt 120 ] || { echo "restart-ab: no 200 within 120 s"; exit 1; }
    sleep 0.02
  done
  MS=$(( ($(date +%s%N) - started) / 1000000 ))
  kill -9 "$command_pid"; wait "$command_pid" 2>/dev/null || true
}
plain=(); cds=()
for round in $(seq 1 "${ROUNDS:-5}"); do
  restart all-in-one/target/seckill.jar; plain+=("$MS")
  restart ""; cds+=("$MS")
  echo "restart-ab: round $round over $EVENTS events: without the archive ${plain[-1]} ms, with it ${cds[-1]} ms"
done
mean() { printf '%s\n' "$@" | awk '{ s += $1 } END { printf "%.0f", s / NR }'; }
echo "restart-ab: means over ${ROUNDS:-5} rounds: without $(mean "${plain[@]}") ms, with $(mean "${cds[@]}") ms"
