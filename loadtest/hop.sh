#!/usr/bin/env bash
# The cluster's hop ([S9]): two command members in one cluster (Hazelcast and the event bus on loopback) beside the
# rest of the system on embedded defaults, as loadtest/bench.sh starts it. Each promotion is decided by the member
# holding its partition; W2 (sustained accepts) and W1 (a flash crowd) run once entering at the promotion's holder
# and once entering at the other member, so that every grab of the second run crosses the event bus. Prints both
# runs with the CPU each JVM spent per request; the difference is the hop's cost. Also each member's resident
# memory, and a command JVM's without a cluster for comparison.
#
#   loadtest/hop.sh                  # builds first
#   SKIP_BUILD=1 loadtest/hop.sh     # reuse the jars
#
# Needs: Java 17, Maven, wrk (apt-get install -y wrk), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=loadtest/bench-lib.sh
source loadtest/bench-lib.sh
identity_setup
OTHER=18092
# the same ticket keys on every member (a cluster refuses to start without): tickets fetched from one member are
# checked by the other
export SECKILL_TICKET_KEYS="hop:$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
mkdir -p "$WORK/data-other/identity"; cp "$IDENTITY/data/identity/dev-issuer-key.pem" "$WORK/data-other/identity/"

start_member() { # name http-port hazelcast-port event-bus-port data-dir
  (common_env; export SECKILL_LOG_LEVEL=INFO; SECKILL_ROLES=command SECKILL_DATA_DIR=$5 \
    SECKILL_WRITE_DB_HOST=127.0.0.1 SECKILL_WRITE_DB_PORT=$DB_PORT SECKILL_COMMAND_PORT=$2 SECKILL_NODE_ID=$1 \
    SECKILL_CLUSTER_MEMBERS=127.0.0.1:15701,127.0.0.1:15711 SECKILL_CLUSTER_NAME="hop-$RUN" SECKILL_CLUSTER_HOST=127.0.0.1 \
    SECKILL_CLUSTER_PORT=$3 SECKILL_EVENTBUS_PORT=$4 exec java $JAVA_OPTS -jar all-in-one/target/seckill.jar \
    >>"$WORK/$1.log" 2>&1) &
  pids+=($!)
  echo $! >"$WORK/$1.pid"
}
rss_mb() { awk '/^VmRSS:/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
routed() { # port -> grabs that member's ingress routed to the other
  curl -s "http://127.0.0.1:$1/metrics" | awk '/^seckill_grabs_routed_total/ {print int($2)}'
}
holder_port() { # promotion -> the HTTP port of the member holding it (one probe grab through member A)
  local before after token
  before=$(routed $COMMAND)
  token=$(sed -n 1p "$IDENTITY/tokens")
  curl -s -o /dev/null -X POST "http://127.0.0.1:$COMMAND/command/coupons" -H "Authorization: Bearer $token" \
    -d "{\"promotionId\":\"$1\"}"
  after=$(routed $COMMAND)
  [ "$after" = "$before" ] && echo $COMMAND || echo $OTHER
}
other_port() { [ "$1" = $COMMAND ] && echo $OTHER || echo $COMMAND; }

echo "hop: the system, then two command members in one cluster"
start_rest
wait_http $ADMIN /health 200 180
start_member hop-a $COMMAND 15701 15702 "$WORK/data-command"
start_member hop-b $OTHER 15711 15712 "$WORK/data-other"
wait_http $COMMAND /health 200 120
wait_http $OTHER /health 200 120
deadline=$((SECONDS + 60))
until [ "$(sql "SELECT COUNT(DISTINCT owner_node) FROM seckill_write.partition_leases WHERE lease_until >= UTC_TIMESTAMP(6)")" = 2 ]; do
  [ $SECONDS -lt $deadline ] || { echo "hop: the partitions did not spread over both members"; exit 1; }
  sleep 0.5
done
A_PID=$(cat "$WORK/hop-a.pid"); B_PID=$(cat "$WORK/hop-b.pid")
ROLE_PIDS[command]="$A_PID $B_PID"; ROLE_PIDS[rest]=$rest_pid
ROLE_PIDS[db]=$(pgrep -f "$WORK/data/mariadb/base/bin/mariadbd" | tr '\n' ' ')

echo "hop: warm-up (${SYSTEM_WARMUP}s of grabs through each member: one of them routes every grab)"
WARM=$(promotion "$W2_COUPONS"); wait_started "$WARM"
tickets "$WARM" 100000 "$WORK/tickets-warm" >/dev/null
ticket_wrk "$SYSTEM_WARMUP" "$WARM" "$WORK/tickets-warm" "$CONNECTIONS" $COMMAND >/dev/null
ticket_wrk "$SYSTEM_WARMUP" "$WARM" "$WORK/tickets-warm" "$CONNECTIONS" $OTHER >/dev/null

RESULTS=()
measure() { # name promotion port tickets-file seconds accepted|requests -> a row of RESULTS
  local before r reqs
  before=$(routed "$3")
  cpu_start
  r=$(ticket_wrk "$5" "$2" "$4" "$CONNECTIONS" "$3")
  reqs=$(field "$r" requests)
  cpu_end "$1" "$( [ "$6" = accepted ] && field "$r" ok || echo "$reqs")"
  RESULTS+=("| $1 | $(field "$r" rps) | $(field "$r" p99_ms) | $(field "$r" ok) | $(( $(routed "$3") - before )) |")
  echo "  $1: $r"
}
for run in holder non-holder; do
  P=$(promotion "$W2_COUPONS"); wait_started "$P"
  HOLDER=$(holder_port "$P")
  PORT=$HOLDER; [ $run = non-holder ] && PORT=$(other_port "$HOLDER")
  tickets "$P" $((POPULATION / 2)) "$WORK/tickets-w2-$run" >/dev/null
  measure "W2 entering at the $run (per accepted grab)" "$P" "$PORT" "$WORK/tickets-w2-$run" "$W2_DURATION" accepted
done
for run in holder non-holder; do
  P=$(promotion "$W1_COUPONS"); wait_started "$P"
  HOLDER=$(holder_port "$P")
  PORT=$HOLDER; [ $run = non-holder ] && PORT=$(other_port "$HOLDER")
  tickets "$P" "$W1_CUSTOMERS" "$WORK/tickets-w1-$run" >/dev/null
  measure "W1 entering at the $run (per request)" "$P" "$PORT" "$WORK/tickets-w1-$run" "$DURATION" requests
done
A_RSS=$(rss_mb "$A_PID"); B_RSS=$(rss_mb "$B_PID")

echo "hop: a command JVM without a cluster, for its resident memory after the same warm-up"
kill -9 "$A_PID" "$B_PID"; wait "$A_PID" "$B_PID" 2>/dev/null || true
start_command
wait_http $COMMAND /health 200 120
SOLO=$(promotion "$W2_COUPONS"); wait_started "$SOLO"
tickets "$SOLO" 100000 "$WORK/tickets-solo" >/dev/null
ticket_wrk "$SYSTEM_WARMUP" "$SOLO" "$WORK/tickets-solo" "$CONNECTIONS" $COMMAND >/dev/null
SOLO_RSS=$(rss_mb "$command_pid")

{
  echo "Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(java -version 2>&1 | head -1); wrk -t$THREADS -c$CONNECTIONS;"
  echo "W2 ${W2_DURATION}s, W1 ${DURATION}s ($W1_COUPONS coupons, $W1_CUSTOMERS customers' tickets); JAVA_OPTS=$JAVA_OPTS"
  echo
  echo "| run | req/s | p99 ms | 200s | grabs routed by the ingress |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${RESULTS[@]}"
  echo
  echo "CPU per request (us), as loadtest/bench.sh counts it; \"command JVM\" is both members together."
  echo
  echo "| run | requests | machine busy | command JVMs | broker+event+query JVM | MariaDB | ceiling server | naive server | of the JVMs: JIT compiler | wrk | rest | total |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s\n' "${CPU_ROWS[@]}"
  echo
  echo "Resident memory after the runs: members ${A_RSS} MB and ${B_RSS} MB; one command JVM without a cluster ${SOLO_RSS} MB."
} | tee "$ROOT/loadtest/target/hop-results.md"
