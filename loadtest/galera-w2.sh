#!/usr/bin/env bash
# [S13] W2 with WriteDB and ReadDB on a three-node MariaDB Galera cluster, against W2 with both on one MariaDB server,
# on this machine, in the same run, alternated (ROUNDS, default 2). The same mariadbd (Debian's 10.11, the same
# settings, innodb_flush_log_at_trx_commit=1 on every node) serves both: the one server without wsrep, the cluster's
# three nodes with galera-4 on loopback (bootstrapped, the others joined by rsync SST; run as user mysql). All three
# nodes, both JVMs (broker+admin+event+query, command) and wrk share the machine's cores: what counts is the ratio.
# Each run: the system's two JVMs started on the target, 30 s of accepted grabs to warm up, then W2 (a new promotion of
# W2_COUPONS, POPULATION customers' tickets, W2_DURATION s). Prints one line per run, then the ratio of the means.
# Needs: apt-get install -y wrk mariadb-server galera-4 rsync. Loopback only; every wait bounded.
#
#   SKIP_BUILD=1 loadtest/galera-w2.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
# shellcheck source=loadtest/bench-lib.sh
source loadtest/bench-lib.sh
[ -x /usr/sbin/mariadbd ] && [ -e /usr/lib/galera/libgalera_smm.so ] && command -v rsync >/dev/null ||
  { echo "galera-w2: needs Debian's mariadb-server, galera-4 and rsync (apt-get install -y mariadb-server galera-4 rsync)"; exit 1; }
# not under the build directory: the nodes run as mysql, who must reach their data
G=$(mktemp -d /var/tmp/seckill-galera-bench.XXXXXX); chmod 755 "$G"
SINGLE_PORT=3340; NODE_PORTS=(3341 3342 3343); GCOMM=(127.0.0.11:14567 127.0.0.12:14567 127.0.0.13:14567)
db_pids=()
stop_dbs() { for p in "${db_pids[@]}"; do kill -9 "$p" 2>/dev/null || true; done; rm -rf "$G"; }
trap 'cleanup; stop_dbs' EXIT

mariadbd_args() { # datadir port
  echo --no-defaults --user=mysql --datadir="$1" --socket="$1/sock" --pid-file="$1/pid" --port="$2" \
    --bind-address=127.0.0.1 --skip-grant-tables --skip-ssl --character-set-server=utf8mb4 --max-connections=500 \
    --innodb-buffer-pool-size=256M --innodb-log-file-size=256M --innodb-autoinc-lock-mode=2
}
start_single() {
  mkdir -p "$G/single"; chown mysql:mysql "$G/single"
  mariadb-install-db --user=mysql --datadir="$G/single" --skip-test-db >/dev/null 2>&1
  # shellcheck disable=SC2046
  mariadbd $(mariadbd_args "$G/single" $SINGLE_PORT) >"$G/single.log" 2>&1 & db_pids+=($!)
}
start_node() { # index [--wsrep-new-cluster]
  local i=$1 d=$G/n$1
  mkdir -p "$d"; chown mysql:mysql "$d"
  # shellcheck disable=SC2046
  mariadbd $(mariadbd_args "$d" "${NODE_PORTS[$i]}") --binlog-format=ROW --wsrep-on=ON \
    --wsrep-provider=/usr/lib/galera/libgalera_smm.so --wsrep-cluster-name=seckill-bench \
    --wsrep-cluster-address="gcomm://$(IFS=,; echo "${GCOMM[*]}")" --wsrep-node-address="${GCOMM[$i]}" \
    "--wsrep-provider-options=gmcast.listen_addr=tcp://${GCOMM[$i]};ist.recv_addr=${GCOMM[$i]%:*}:14568;gcache.size=512M" \
    --wsrep-sst-method=rsync --wsrep-sst-receive-address="${GCOMM[$i]%:*}:14569" "${@:2}" >"$G/n$i.log" 2>&1 &
  db_pids+=($!)
}
on() { mariadb --no-defaults -h127.0.0.1 -P"$1" -uroot -N -B --connect-timeout=2 -e "$2"; }
wait_synced() { # port
  local deadline=$((SECONDS + 120))
  until [ "$(on "$1" "SHOW STATUS LIKE 'wsrep_local_state'" 2>/dev/null | cut -f2)" = 4 ]; do
    [ $SECONDS -lt $deadline ] || { echo "galera-w2: node on :$1 not synced in 120 s"; tail -20 "$G"/*.log; exit 1; }
    sleep 0.5
  done
}
wait_port() {
  local deadline=$((SECONDS + 60))
  until on "$1" "SELECT 1" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || { echo "galera-w2: mariadbd on :$1 not up in 60 s"; exit 1; }
    sleep 0.2
  done
}

echo "galera-w2: one server on :$SINGLE_PORT, three Galera nodes on :${NODE_PORTS[*]} (data in $G)"
start_single
mkdir -p "$G/n0"; chown mysql:mysql "$G/n0"
mariadb-install-db --user=mysql --datadir="$G/n0" --skip-test-db >/dev/null 2>&1
start_node 0 --wsrep-new-cluster
wait_synced "${NODE_PORTS[0]}"
start_node 1; start_node 2
wait_synced "${NODE_PORTS[1]}"; wait_synced "${NODE_PORTS[2]}"; wait_port $SINGLE_PORT
echo "  cluster size $(on "${NODE_PORTS[0]}" "SHOW STATUS LIKE 'wsrep_cluster_size'" | cut -f2)"
for port in $SINGLE_PORT "${NODE_PORTS[0]}"; do
  on "$port" "CREATE DATABASE IF NOT EXISTS seckill_write; CREATE DATABASE IF NOT EXISTS seckill_read"
done

identity_setup
SQL_PORT=$SINGLE_PORT
sql() { on "$SQL_PORT" "$1"; }
target_env() { # single|galera -> the database settings of both JVMs
  if [ "$1" = single ]; then
    echo "SECKILL_WRITE_DB_HOST=127.0.0.1:$SINGLE_PORT SECKILL_READ_DB_HOST=127.0.0.1:$SINGLE_PORT"
  else
    local hosts="127.0.0.1:${NODE_PORTS[0]},127.0.0.1:${NODE_PORTS[1]},127.0.0.1:${NODE_PORTS[2]}"
    echo "SECKILL_WRITE_DB_HOST=$hosts SECKILL_READ_DB_HOST=$hosts"
  fi
}
start_on() { # target
  # shellcheck disable=SC2046
  (common_env; export $(target_env "$1"); SECKILL_ROLES=broker,admin,event,query SECKILL_DATA_DIR=$WORK/data \
    exec java $JAVA_OPTS -jar all-in-one/target/seckill.jar >>"$WORK/rest-$1.log" 2>&1) &
  rest_pid=$!; pids+=($rest_pid)
  # shellcheck disable=SC2046
  (common_env; export $(target_env "$1"); SECKILL_ROLES=command SECKILL_DATA_DIR=$WORK/data-command \
    exec java $JAVA_OPTS -jar all-in-one/target/seckill.jar >>"$WORK/command-$1.log" 2>&1) &
  command_pid=$!; pids+=($command_pid)
}

declare -A SUM=() RUNS=()
for round in $(seq 1 "${ROUNDS:-2}"); do
  for target in single galera; do
    SQL_PORT=$SINGLE_PORT; [ $target = galera ] && SQL_PORT=${NODE_PORTS[0]}
    start_on $target
    wait_http $ADMIN /health 200 180; wait_http $COMMAND /health 200 120; wait_http $QUERY /health 200 60
    token_wrk 30 "$(promotions 4 "$W2_COUPONS")" >/dev/null
    w2=$(promotion "$W2_COUPONS"); wait_started "$w2"
    tickets "$w2" "$POPULATION" "$WORK/tickets-w2" >/dev/null
    result=$(ticket_wrk "$W2_DURATION" "$w2" "$WORK/tickets-w2")
    stored=$(sql "SELECT COUNT(*) FROM seckill_write.events WHERE promotion_id='$w2' AND type='CouponGrabbedEvent'")
    ok=$(field "$result" ok)
    [ "$stored" -ge "$ok" ] || { echo "galera-w2: $ok 200s but $stored events in WriteDB"; exit 1; }
    rate=$(awk -v n="$ok" -v d="$W2_DURATION" 'BEGIN {printf "%.0f", n / d}')
    echo "galera-w2: round $round $target: $result accepts_per_s=$rate events=$stored"
    SUM[$target]=$(( ${SUM[$target]:-0} + rate )); RUNS[$target]=$(( ${RUNS[$target]:-0} + 1 ))
    kill -TERM $command_pid $rest_pid; wait $command_pid $rest_pid 2>/dev/null || true
  done
done
awk -v s="${SUM[single]}" -v g="${SUM[galera]}" -v n="${RUNS[single]}" 'BEGIN {
  printf "galera-w2: W2 accepts/s, mean of %d runs: one server %.0f, three-node Galera %.0f (%.2fx)\n", n, s / n, g / n, g / s }'
