# The benchmark harness's settings and helpers, sourced by loadtest/bench.sh (SPEC §5's workloads) and
# loadtest/hop.sh (the cluster's hop): ports, the system's start functions, wrk runs, SQL on the embedded WriteDB,
# promotions, tickets, the CPU accounting, and the population's identity tokens (identity_setup).

DURATION=${DURATION:-15}          # seconds per measured run
WARMUP=${WARMUP:-10}              # seconds per warm-up run
SYSTEM_WARMUP=${SYSTEM_WARMUP:-30} # seconds of accepted grabs warming the system up before W1 (the JIT is still
                                  # compiling after 10 s on 2 shared cores: half the command JVM's CPU went to C2)
CONNECTIONS=${CONNECTIONS:-256}
THREADS=${THREADS:-2}
W1_COUPONS=${W1_COUPONS:-1000}
W1_CUSTOMERS=${W1_CUSTOMERS:-100000}  # SPEC W1: 100,000 distinct customers (their tickets, cycled)
POPULATION=${POPULATION:-300000}      # customers with identity tokens (W2's tickets: at most this many accepts)
QUERY_CUSTOMERS=${QUERY_CUSTOMERS:-10000} # W3: the customers polling their coupons (each every ~1-2 s at W3's rates)
W2_DURATION=${W2_DURATION:-10}        # W2's measured run (its tickets must not run out: see the check column)
W2_COUPONS=${W2_COUPONS:-10000000}
W4_EVENTS=${W4_EVENTS:-1000000}
JAVA_OPTS=${JAVA_OPTS:--Xms1g -Xmx2g -XX:+UseParallelGC}
# the tree's jar is started as README starts it: on its AppCDS archive (made by `mvn package`; a jar it was not made
# for, as w1-ab.sh's, starts without it after one warning line)
CDS=-XX:SharedArchiveFile=$ROOT/all-in-one/target/seckill.jsa
WORK=$ROOT/loadtest/target/bench
DB_PORT=3317
AMQP_PORT=5682
ADMIN=18081; COMMAND=18082; QUERY=18083; EVENT=18084; CEILING=19090; NAIVE=19091
IDENTITY=$ROOT/loadtest/target/bench-identity  # kept across runs: the issuer key and the population's tokens
REF_PROMOTION=00000000-0000-0000-0000-000000000001 # the one promotion of the ceiling and the naive baseline
RUN=$(date +%s)

command -v wrk >/dev/null || { echo "bench: wrk is missing (apt-get install -y wrk)"; exit 1; }
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  mvn -q -B -DskipTests package
fi
rm -rf "$WORK"; mkdir -p "$WORK"
pids=()
cleanup() { for p in "${pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; pkill -9 -f "$WORK/data/mariadb/base/bin/mariadbd" 2>/dev/null || true; }
trap cleanup EXIT

common_env() {
  export SECKILL_TRUSTED_PROXIES=127.0.0.1 SECKILL_LOG_LEVEL=WARN SECKILL_EMBEDDED_DB_PORT=$DB_PORT \
    SECKILL_BROKER_PORT=$AMQP_PORT SECKILL_AMQP_URL=amqp://127.0.0.1:$AMQP_PORT \
    SECKILL_ADMIN_PORT=$ADMIN SECKILL_COMMAND_PORT=$COMMAND SECKILL_QUERY_PORT=$QUERY SECKILL_EVENT_PORT=$EVENT
}
start_rest() {
  (common_env; SECKILL_ROLES=broker,admin,event,query SECKILL_DATA_DIR=$WORK/data \
    exec java $JAVA_OPTS $CDS -jar all-in-one/target/seckill.jar >"$WORK/rest.log" 2>&1) &
  rest_pid=$!
  pids+=($rest_pid)
}
COMMAND_OPTS=$JAVA_OPTS
if [ "${COMMAND_JFR:-0}" = 1 ]; then
  COMMAND_OPTS="$JAVA_OPTS -XX:StartFlightRecording=name=bench,settings=profile"
fi
start_command() { # [jar] (default: the tree's all-in-one jar); COMMAND_ENV: NAME=VALUE settings of this JVM only
  # shellcheck disable=SC2086 # COMMAND_ENV is words on purpose
  (common_env; export SECKILL_LOG_LEVEL=INFO ${COMMAND_ENV:-}; SECKILL_ROLES=command SECKILL_DATA_DIR=$WORK/data-command SECKILL_WRITE_DB_HOST=127.0.0.1 \
    SECKILL_WRITE_DB_PORT=$DB_PORT exec java $COMMAND_OPTS $([ -z "${1:-}" ] && echo "$CDS") -jar "${1:-all-in-one/target/seckill.jar}" >>"$WORK/command.log" 2>&1) &
  command_pid=$!
  pids+=($command_pid)
}
wait_http() { # port path expected-status timeout-s
  local deadline=$((SECONDS + $4))
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1$2")" = "$3" ]; do
    [ $SECONDS -lt $deadline ] || { echo "bench: :$1$2 not $3 within $4 s"; tail -30 "$WORK"/*.log; exit 1; }
    sleep 0.2
  done
}
sql() { "$WORK/data/mariadb/base/bin/mariadb" -h127.0.0.1 -P$DB_PORT -uroot -N -B -e "$1"; }
promotion() { # coupons -> id
  local now later
  now=$(date -u +%Y-%m-%dT%H:%M:%S.000Z); later=$(date -u -d '+2 hours' +%Y-%m-%dT%H:%M:%SZ)
  curl -s -X POST "http://127.0.0.1:$ADMIN/admin/promotions" -H "Authorization: Bearer $ADMIN_TOKEN" \
    -d "{\"numberOfCoupons\":$1,\"discount\":0.5,\"publishTime\":\"$now\",\"finishTime\":\"$later\"}" |
    sed -n 's/.*"promotionId":"\([0-9a-f-]*\)".*/\1/p'
}
wait_started() {
  local deadline=$((SECONDS + 10))
  until [ "$(sql "SELECT COUNT(*) FROM seckill_write.events WHERE promotion_id='$1' AND type='PromotionStartEvent'")" = 1 ]; do
    [ $SECONDS -lt $deadline ] || { echo "bench: promotion $1 did not start"; exit 1; }
    sleep 0.1
  done
}
counted_wrk() { # wrk's arguments: runs wrk, and adds its CPU ticks (user + system, as its parent reaped them) to
  # $WORK/wrk.ticks, which cpu_end reads: the load generator shares the two cores with the system
  ( rc=0; wrk "$@" || rc=$?
    awk '{ sub(/.*\) /, ""); print $14 + $15 }' "/proc/$BASHPID/stat" >>"$WORK/wrk.ticks"; exit $rc )
}
query_wrk() { # seconds -> RESULT line of W3's queries on the query port (QUERY_CUSTOMERS of the population polling
  # their coupons with their own tokens, cycled, and the active list)
  counted_wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1"s --timeout 10s -s loadtest/query.lua "http://127.0.0.1:$QUERY" -- \
    "$IDENTITY/tokens" "$IDENTITY/ids" $((QUERY_CUSTOMERS / THREADS)) | grep '^RESULT'
}
body_wrk() { # port seconds promotion prefix -> RESULT line (the naive baseline: no identity, a customer in the body)
  counted_wrk -t"$THREADS" -c"$CONNECTIONS" -d"$2"s --timeout 10s -s loadtest/grab.lua "http://127.0.0.1:$1" -- body "$3" - "$4" |
    grep '^RESULT'
}
ticket_wrk() { # seconds promotion tickets-file [connections] [port] -> RESULT line (grabs with tickets)
  counted_wrk -t"$THREADS" -c"${4:-$CONNECTIONS}" -d"$1"s --timeout 10s -s loadtest/grab.lua "http://127.0.0.1:${5:-$COMMAND}" -- tickets "$2" "$3" |
    grep '^RESULT'
}
token_wrk() { # seconds promotions(comma) -> RESULT line (grabs with identity tokens, a new customer per request)
  counted_wrk -t"$THREADS" -c"$CONNECTIONS" -d"$1"s --timeout 10s -s loadtest/grab.lua "http://127.0.0.1:$COMMAND" -- tokens "$2" "$IDENTITY/tokens" |
    grep '^RESULT'
}
promotions() { # count coupons -> comma list of started promotions
  local list="" id i
  for i in $(seq 1 "$1"); do id=$(promotion "$2"); list+="${list:+,}$id"; done
  for id in ${list//,/ }; do wait_started "$id"; done
  echo "$list"
}
split_per_thread() { # file: <file>.1 .. <file>.THREADS, lines dealt round-robin (wrk threads read their own)
  awk -v t="$THREADS" -v f="$1" '{ print > (f "." ((NR - 1) % t + 1)) }' "$1"
}
tickets() { # promotion customers out-file -> RESULT line of the fetch (tickets/s at $CONNECTIONS connections)
  local result
  result=$(java -jar loadtest/target/bench-servers.jar tickets $COMMAND "$1" "$IDENTITY/tokens" "$2" "$3" "$CONNECTIONS" 2>>"$WORK/tickets.log" | grep '^RESULT')
  split_per_thread "$3"
  echo "$result"
}
heap_used() { # pid [file] -> bytes of the live objects on the heap (jcmd's class histogram: a full GC first, then a
  # count); the whole histogram is kept in $WORK/<file> when named, to see what grew
  jcmd "$1" GC.class_histogram | tee "$WORK/${2:-heap-histogram.txt}" | awk '/^Total/ {print $3}'
}
field() { sed -n "s/.* $2=\([0-9.]*\).*/\1/p" <<<"$1"; }

# CPU accounting: each measured run notes the CPU time (user + system, from /proc) of every process of the bench
# and of the whole machine; "rest" is what no listed process was charged with: the kernel's softirqs (loopback TCP), others.
HZ=$(getconf CLK_TCK)
declare -A ROLE_PIDS=() CPU_AT=()
cpu_of() { # /proc stat files -> their user + system ticks (the name in parentheses may hold spaces)
  [ $# -gt 0 ] && awk '{ sub(/.*\) /, ""); t += $12 + $13 } END { print t + 0 }' "$@" 2>/dev/null || echo 0
}
ticks() { local p files=(); for p in $1; do [ -r "/proc/$p/stat" ] && files+=("/proc/$p/stat"); done; cpu_of "${files[@]}"; }
jit_ticks() { # the JIT compiler threads of the listed JVMs
  local p files=()
  for p in $1; do
    files+=($(grep -lE '^C[12] Compiler' /proc/$p/task/*/comm 2>/dev/null | sed 's/comm$/stat/'))
  done
  cpu_of "${files[@]}"
}
jvm_pids() { echo "${ROLE_PIDS[command]:-} ${ROLE_PIDS[rest]:-} ${ROLE_PIDS[ceiling]:-} ${ROLE_PIDS[naive]:-}"; }
us_per() { awk -v t="$1" -v hz="$HZ" -v n="$2" 'BEGIN { printf "%.1f", t / hz * 1e6 / n }'; } # ticks requests -> us
machine_ticks() { awk '/^cpu / {print $2 + $3 + $4 + $7 + $8 + $9}' /proc/stat; }
cpu_start() {
  local role
  for role in "${!ROLE_PIDS[@]}"; do CPU_AT[$role]=$(ticks "${ROLE_PIDS[$role]}"); done
  CPU_AT[jit]=$(jit_ticks "$(jvm_pids)")
  : >"$WORK/wrk.ticks"
  CPU_AT[machine]=$(machine_ticks); CPU_AT[ns]=$(date +%s%N)
}
CPU_ROWS=()
cpu_end() { # run-name requests
  local role used listed=0 cells="" elapsed machine
  elapsed=$(( $(date +%s%N) - CPU_AT[ns] ))
  machine=$(( $(machine_ticks) - CPU_AT[machine] ))
  for role in command rest db ceiling naive; do
    if [ -n "${ROLE_PIDS[$role]:-}" ] && [ -n "${CPU_AT[$role]:-}" ]; then
      used=$(( $(ticks "${ROLE_PIDS[$role]}") - CPU_AT[$role] ))
    else
      used=0
    fi
    listed=$((listed + used))
    cells+="$(us_per $used "$2") | "
  done
  used=$(( $(jit_ticks "$(jvm_pids)") - CPU_AT[jit] ))
  cells+="$(us_per $used "$2") | "
  used=$(awk '{ t += $1 } END { print t + 0 }' "$WORK/wrk.ticks")
  listed=$((listed + used))
  cells+="$(us_per $used "$2") | "
  CPU_ROWS+=("| $1 | $2 | $(awk -v t=$machine -v hz=$HZ -v e=$elapsed -v c="$(nproc)" 'BEGIN { printf "%.0f%%", t / hz / (e / 1e9) / c * 100 }') | $cells$(us_per $((machine - listed)) "$2") | $(us_per $machine "$2") |")
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.2f", a / b; else printf "n/a" }'; }

identity_setup() { # the population's tokens (kept across runs), an admin token, the issuer key for the JVMs
echo "bench: identity: $POPULATION customers' tokens (minted once by the jar's token command, kept in $IDENTITY)"
mkdir -p "$IDENTITY"
mint() { SECKILL_DATA_DIR=$IDENTITY/data java -jar all-in-one/target/seckill.jar token --ttl 604800 "$@"; }
if [ ! -s "$IDENTITY/tokens" ] || [ "$(wc -l <"$IDENTITY/tokens")" != "$POPULATION" ] \
    || [ -n "$(find "$IDENTITY/tokens" -mmin +8000)" ]; then
  seq 0 $((POPULATION - 1)) | sed 's/^/b/' >"$IDENTITY/ids"
  minted_at=$SECONDS
  mint --stdin <"$IDENTITY/ids" >"$IDENTITY/tokens"
  echo "  minted $POPULATION tokens in $((SECONDS - minted_at)) s"
fi
ADMIN_TOKEN=$(mint --admin bench-admin)
split_per_thread "$IDENTITY/tokens"; split_per_thread "$IDENTITY/ids"
for dir in "$WORK/data/identity" "$WORK/data-command/identity"; do
  mkdir -p "$dir"; cp "$IDENTITY/data/identity/dev-issuer-key.pem" "$dir/"
done
}

ceiling_run() { # server-kind run-name: that reference server alone on the machine, warmed up, then measured; its
  # RESULT line in $result (not echoed: the CPU accounting's rows must stay in this shell)
  local pid
  java -jar loadtest/target/bench-servers.jar "$1" $CEILING >"$WORK/$1.log" 2>&1 & pid=$!; pids+=($pid)
  until grep -q listening "$WORK/$1.log"; do sleep 0.2; done
  ROLE_PIDS[ceiling]=$pid
  ticket_wrk "$SYSTEM_WARMUP" $REF_PROMOTION "$WORK/tickets-ceiling" "$CONNECTIONS" $CEILING >/dev/null
  cpu_start
  result=$(ticket_wrk "$DURATION" $REF_PROMOTION "$WORK/tickets-ceiling" "$CONNECTIONS" $CEILING)
  cpu_end "$2" "$(field "$result" requests)"
  unset 'ROLE_PIDS[ceiling]'
  kill -9 $pid; wait $pid 2>/dev/null || true
  [ "$(field "$result" ok)" = "$(field "$result" requests)" ] || { echo "bench: the $1 server did not answer every request with a 200"; exit 1; }
}
ceilings() { # the JSON ceiling and the bare one, each alone on the machine (before the system starts): CEIL, BARE
  # both are loaded as W1's crowd is (the same wrk script, W1_CUSTOMERS tickets of the same format, cycled): the load
  # generator, which shares the cores, then pays the same per request in every run (a table of 100,000 tickets costs
  # wrk ~4 us of CPU per request more than one customer name built per request)
  java -jar loadtest/target/bench-servers.jar ticket-shapes "$W1_CUSTOMERS" $REF_PROMOTION "$WORK/tickets-ceiling"
  split_per_thread "$WORK/tickets-ceiling"
  echo "bench: HTTP ceiling (alone on the machine: the system is started after it)"
  ceiling_run ceiling "HTTP ceiling"; CEIL=$result
  echo "  $CEIL"
  echo "bench: bare ceiling (200 with no body, nothing parsed; alone on the machine)"
  ceiling_run bare "bare ceiling"; BARE=$result
  echo "  $BARE"
}
