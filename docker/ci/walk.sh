#!/usr/bin/env bash
# CI: builds docker/Dockerfile with podman and walks docker/docker-compose.yml end to end (docker/ci/README.md):
# podman set up (podman-setup.sh), stand-ins for the official base images (stand-ins.sh), the image built, the stack
# started with Debian's docker-compose 1.29 against podman's Docker API, every healthcheck healthy, each container's
# credentials and user checked, then ComposeWalk.java (burst, kill -9 of a command member, master broker stopped 30 s,
# ledger; the command side is a cluster of three members, and the one holding the sale is the one killed), the read
# model's audit and rebuild, the console through the compose network, and docker-compose.keycloak.yml (Keycloak's
# tokens on every service). Removes its containers, volumes and images at the end, also when a step fails, and names the failed step.
# Run as root (podman rootful, as STACK-NOTES measured it). KEEP_IMAGES=1 keeps the images (to iterate locally);
# MAVEN_USER_HOME is the Maven directory mounted into the build (default ~/.m2).
set -euo pipefail
[ "$(id -u)" = 0 ] || { echo "walk.sh: run as root (rootful podman)"; exit 1; }
cd "$(dirname "$0")/../.."
root=$PWD
project=seckillci
compose=(docker-compose -p "$project" -f docker/docker-compose.yml)
work=$(mktemp -d /var/tmp/seckill-walk.XXXXXX)
services=(write-db read-db broker broker-2 admin command-1 command-2 command-3 event query)
jobs=(write-db-grants)   # one-shot containers: run once, exit 0
current=start
began=$SECONDS
timings=()
driver=

step() {
  current=$1
  step_began=$SECONDS
  echo "walk.sh: [$current] $2"
}
done_step() {
  timings+=("$current $((SECONDS - step_began)) s")
  echo "walk.sh: [$current] done in $((SECONDS - step_began)) s${1:+: $1}"
}
container() { echo "${project}_$1_1"; }
all_healthy() { # all_healthy SECONDS WHEN: every container of services[] healthy within SECONDS, or exit naming them
  local deadline=$((SECONDS + $1)) unhealthy s
  while true; do
    unhealthy=()
    for s in "${services[@]}"; do
      [ "$(podman inspect -f '{{.State.Health.Status}}' "$(container "$s")" 2>/dev/null)" = healthy ] || unhealthy+=("$s")
    done
    [ ${#unhealthy[@]} = 0 ] && return 0
    [ $SECONDS -lt $deadline ] || { echo "walk.sh: not healthy $1 s $2: ${unhealthy[*]}"; exit 1; }
    sleep 1
  done
}

cleanup() {
  local status=$?
  set +e
  if [ "$status" != 0 ]; then
    echo "walk.sh: FAILED at step [$current] (exit $status); the containers' last log lines:"
    for s in "${services[@]}" "${jobs[@]}"; do
      echo "---- $s ($(podman inspect -f '{{.State.Status}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' "$(container "$s")" 2>/dev/null))"
      podman logs --tail 25 "$(container "$s")" 2>&1 | cut -c1-300
    done
    # again at the end, where a log's tail (all CI keeps) shows it
    grep -h "FAILED" "$work"/walk.log 2>/dev/null | cut -c1-2000
    echo "walk.sh: FAILED at step [$current] (exit $status); the containers' logs are above"
  fi
  [ -n "$driver" ] && kill "$driver" 2>/dev/null
  "${compose[@]}" down -v --remove-orphans -t 5 >/dev/null 2>&1
  podman rm -f $(podman ps -aq --filter "label=com.docker.compose.project=$project") >/dev/null 2>&1
  podman volume rm -f $(podman volume ls -q --filter "label=com.docker.compose.project=$project") >/dev/null 2>&1
  if [ "${KEEP_IMAGES:-0}" != 1 ]; then
    podman rmi -f localhost/seckill:latest >/dev/null 2>&1
    podman image prune -f >/dev/null 2>&1
    podman rmi -f docker.io/library/maven:3.9-eclipse-temurin-17 docker.io/library/eclipse-temurin:17-jre \
      docker.io/library/mariadb:11.4 quay.io/keycloak/keycloak:26.5.6 >/dev/null 2>&1
  fi
  [ -f /run/podman/service.pid ] && kill "$(cat /run/podman/service.pid)" 2>/dev/null && rm -f /run/podman/service.pid
  rm -rf "$work"
  echo "walk.sh: cleaned up (containers, volumes, images); $((SECONDS - began)) s in all"
  exit "$status"
}
trap cleanup EXIT

step setup "podman, runc, docker-compose and podman's Docker API"
export DOCKER_HOST="unix://$(bash docker/ci/podman-setup.sh)"
"${compose[@]}" down -v --remove-orphans -t 5 >/dev/null 2>&1 || true
done_step "$(podman --version), $(docker-compose version --short)"

step stand-ins "official base images, or stand-ins from Debian packages"
bash docker/ci/stand-ins.sh
done_step

step build "podman build --format docker --network none (the host's Maven repository mounted)"
podman build -q --format docker --network none -v "${MAVEN_USER_HOME:-$HOME/.m2}:/root/.m2" -f docker/Dockerfile \
  -t localhost/seckill:latest . >"$work/build.log" 2>&1 || { tail -40 "$work/build.log"; exit 1; }
size=$(podman image inspect -f '{{.Size}}' localhost/seckill:latest)
base=$(podman image inspect -f '{{.Size}}' docker.io/library/eclipse-temurin:17-jre)
done_step "image $((size / 1000000)) MB (base JRE image $((base / 1000000)) MB, seckill layers $(((size - base) / 1000000)) MB)"

step up "docker-compose up, healthchecks run by a driver loop (no systemd, so podman runs none by itself)"
secret() { head -c 24 /dev/urandom | base64 | tr '+/' '-_' | tr -d '='; }
export WRITE_DB_PASSWORD="w$(secret)" READ_DB_PASSWORD="r$(secret)" DB_ROOT_PASSWORD="x$(secret)"
export EVENT_DB_PASSWORD="e$(secret)"
export SECKILL_TICKET_KEYS="ci:$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
(
  while true; do
    for c in $(podman ps -q --filter "label=com.docker.compose.project=$project" 2>/dev/null); do
      podman healthcheck run "$c" >/dev/null 2>&1 || true
    done
    sleep 2
  done
) &
driver=$!
"${compose[@]}" up -d --no-build >"$work/up.log" 2>&1 || { cat "$work/up.log"; exit 1; }
all_healthy 300 "after 'up'"
done_step "all ${#services[@]} containers healthy"

step isolation "each container holds only its own database's credentials; every service runs as a non-root user"
# expected secrets per container: W = WriteDB password, R = ReadDB password, X = databases' root password,
# T = ticket keys, E = the event role's read-only WriteDB account (SELECT on the event store's tables only)
declare -A holds=([write-db]="W X" [read-db]="R X" [broker]="" [broker-2]="" [admin]="W" [command-1]="W T" [command-2]="W T"
  [command-3]="W T" [event]="R E" [query]="R" [write-db-grants]="X E")
declare -A value=([W]="$WRITE_DB_PASSWORD" [R]="$READ_DB_PASSWORD" [X]="$DB_ROOT_PASSWORD" [T]="${SECKILL_TICKET_KEYS#ci:}"
  [E]="$EVENT_DB_PASSWORD")
secrets_of() { # fails unless container $1 holds exactly the secrets holds[$1] names
  local envs has want
  envs=$(podman inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$(container "$1")")
  for k in W R X T E; do
    has=no
    grep -qF -- "${value[$k]}" <<<"$envs" && has=yes
    want=no
    [[ " ${holds[$1]} " == *" $k "* ]] && want=yes
    [ "$has" = "$want" ] || { echo "walk.sh: $1 holds secret $k: $has (expected $want)"; exit 1; }
  done
}
for j in "${jobs[@]}"; do
  deadline=$((SECONDS + 60))
  until [ "$(podman inspect -f '{{.State.Status}}' "$(container "$j")" 2>/dev/null)" = exited ]; do
    [ $SECONDS -lt $deadline ] || { echo "walk.sh: $j still running after 60 s"; exit 1; }
    sleep 1
  done
  code=$(podman inspect -f '{{.State.ExitCode}}' "$(container "$j")")
  [ "$code" = 0 ] || { echo "walk.sh: $j exited $code: $(podman logs "$(container "$j")" 2>&1 | tail -5)"; exit 1; }
  secrets_of "$j"
  echo "walk.sh:   $j: secrets {${holds[$j]}}, exited 0: $(podman logs "$(container "$j")" 2>&1 | tail -1)"
done
for s in "${services[@]}"; do
  secrets_of "$s"
  pid=$(podman inspect -f '{{.State.Pid}}' "$(container "$s")")
  uid=$(awk '/^Uid:/ {print $2}' "/proc/$pid/status")
  [ "$uid" != 0 ] || { echo "walk.sh: $s runs $(cat "/proc/$pid/comm") as root"; exit 1; }
  echo "walk.sh:   $s: secrets {${holds[$s]}}, $(cat "/proc/$pid/comm") as uid $uid"
done
for s in admin command-1 command-2 command-3 event query broker broker-2; do
  users=$(podman top "$(container "$s")" huser | tail -n +2 | sort -u | tr '\n' ' ')
  [[ " $users " != *" root "* ]] || { echo "walk.sh: a process of $s runs as root: $users"; exit 1; }
done
done_step

step tokens "customers' and an admin's tokens minted by the admin container (the development issuer)"
{
  for i in $(seq -w 0 199); do echo "burst-$i"; done
  for i in $(seq -w 0 1999); do echo "kill-$i"; done
  for i in $(seq -w 0 899); do echo "outage-$i"; done
} >"$work/customers"
podman exec -i "$(container admin)" java -jar /opt/seckill/seckill.jar token --stdin <"$work/customers" >"$work/tokens"
paste "$work/customers" "$work/tokens" >"$work/customer-tokens"
ADMIN_TOKEN=$(podman exec "$(container admin)" java -jar /opt/seckill/seckill.jar token --admin ci-ops)
[ "$(wc -l <"$work/tokens")" = "$(wc -l <"$work/customers")" ] || { echo "walk.sh: token count differs"; exit 1; }
done_step "$(wc -l <"$work/tokens") customer tokens"

step walk "ComposeWalk.java through 127.0.0.1:8081-8086: burst, kill -9 of a command member, master broker stopped 30 s (the other takes over), ledger"
sql_in() { # the database container's own client, as its own user
  echo "podman exec -i $(container "$1") sh -c 'exec mariadb -N -B -u\"\$MARIADB_USER\" -p\"\$MARIADB_PASSWORD\" \"\$MARIADB_DATABASE\"'"
}
ADMIN_TOKEN=$ADMIN_TOKEN TOKENS="$work/customer-tokens" \
  WRITE_SQL="$(sql_in write-db)" READ_SQL="$(sql_in read-db)" \
  KILL_COMMAND="pid=\$(podman inspect -f '{{.State.Pid}}' ${project}_\$1_1) && kill -9 \$pid && echo \"\$1: host pid \$pid\"" \
  COMMAND_RESTARTS="podman inspect -f '{{.RestartCount}}' ${project}_\$1_1" \
  BROKER_STOP="for b in $(container broker) $(container broker-2); do
      [ \"\$(podman exec \$b cat /var/lib/seckill/data/activemq/broker-role)\" = master ] || continue
      echo \$b >$work/stopped-broker && podman stop -t 10 \$b && echo \"\$b was the master\"; done
    [ -s $work/stopped-broker ] || { echo 'neither broker says it is the master' >&2; exit 1; }" \
  BROKER_START="podman start \$(cat $work/stopped-broker)" \
  java "$root/docker/ci/ComposeWalk.java" 2> >(tee "$work/walk.log" >&2)
# how the broker link came back after the outage, as both sides logged it (for the catch-up time above)
for s in command-1 command-2 command-3 event; do
  podman logs "$(container "$s")" 2>&1 | grep -E "AMQP|relay (paused|resumed)" | tail -6 | cut -c1-220 \
    | sed "s/^/walk.sh:   $s: /"
done
done_step

step read-model "the event container audits and rebuilds ReadDB from WriteDB's events through its read-only account"
seckill_in() { podman exec "$(container "$1")" java -XX:TieredStopAtLevel=1 -jar /opt/seckill/seckill.jar "${@:2}"; }
seckill_in event audit --wait 60 >"$work/audit.out" 2>&1 \
  || { echo "walk.sh: audit after the walk exited $?:"; tail -20 "$work/audit.out"; exit 1; }
grep -E '^seckill' "$work/audit.out" | cut -c1-300 | sed 's/^/walk.sh:   /'
seckill_in event rebuild >"$work/rebuild.out" 2>&1 \
  || { echo "walk.sh: rebuild exited $?:"; tail -20 "$work/rebuild.out"; exit 1; }
tr '\r' '\n' <"$work/rebuild.out" | grep -E '^(seckill|\[)' | tail -3 | cut -c1-300 | sed 's/^/walk.sh:   /'
seckill_in event audit --wait 30 >"$work/audit.out" 2>&1 \
  || { echo "walk.sh: audit after the rebuild exited $?:"; tail -20 "$work/audit.out"; exit 1; }
done_step "consistent, rebuilt, consistent again"

step console "the console through the compose network: page, cluster of three, a live sample; the development sign-in refused from outside the admin container"
[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8081/console/)" = 200 ] || { echo "walk.sh: no console page"; exit 1; }
outside=$(curl -s -o "$work/signin.out" -w '%{http_code}' -X POST http://127.0.0.1:8081/console/dev-sign-in -d '{"name":"ci"}')
[ "$outside" = 403 ] || { echo "walk.sh: the development sign-in answered $outside from the host: $(cat "$work/signin.out")"; exit 1; }
body='{"name":"ci-inside"}'
inside=$(podman exec "$(container admin)" bash -c "exec 3<>/dev/tcp/127.0.0.1/8081 && printf 'POST /console/dev-sign-in HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${#body}\r\nConnection: close\r\n\r\n%s' '$body' >&3 && head -1 <&3")
[[ "$inside" == "HTTP/1.1 201 "* ]] || { echo "walk.sh: the development sign-in inside the admin container answered: $inside"; exit 1; }
curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" http://127.0.0.1:8081/console/api/cluster >"$work/cluster.json"
python3 - "$work/cluster.json" <<'PY' || exit 1
import json, sys
c = json.load(open(sys.argv[1]))
members = [m for m in c["members"] if m["answered"] and m["healthy"]]
held = [p for p in c["partitions"] if p["holder"] and p["leaseLeftMs"] >= 0]
holders = sorted({p["holder"] for p in held})
print("walk.sh:   console cluster: %d of %d members healthy, %d of %d partitions held by %s"
      % (len(members), len(c["members"]), len(held), len(c["partitions"]), holders))
sys.exit(0 if len(members) == 3 and len(held) == len(c["partitions"]) else 1)
PY
sale=$(curl -sf -H "Authorization: Bearer $ADMIN_TOKEN" http://127.0.0.1:8081/admin/promotions \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)[0]["promotionId"])')
curl -s -N --max-time 3 -H "Authorization: Bearer $ADMIN_TOKEN" "http://127.0.0.1:8081/console/api/live/$sale" \
  >"$work/live.out" || true
python3 - "$work/live.out" <<'PY' || { echo "walk.sh: no live sample: $(head -c 600 "$work/live.out")"; exit 1; }
import json, sys
samples = [json.loads(l[6:]) for l in open(sys.argv[1]) if l.startswith("data: {\"at\"")]
s = samples[-1]
print("walk.sh:   console live view of %s: %s, %d granted, %d left, %d of %d members answering"
      % (s["promotionId"], s["status"], s["granted"], s["couponsLeft"],
         sum(m["answered"] for m in s["members"]), len(s["members"])))
sys.exit(0 if sum(m["answered"] for m in s["members"]) == 3 else 1)
PY
done_step "development sign-in: 403 from the host, 201 on the admin container's loopback"

step keycloak "docker-compose.keycloak.yml: Keycloak (the realm imported), every service on its tokens"
export KEYCLOAK_ADMIN_PASSWORD="k$(secret)" SECKILL_KC_ADMIN_PASSWORD="o$(secret)" SECKILL_KC_CUSTOMER_PASSWORD="c$(secret)"
compose+=(-f docker/docker-compose.keycloak.yml)
services+=(keycloak)
# Keycloak first, healthy, then the services recreated on its tokens: docker-compose 1.29 against podman recreates
# them at once and gives up on a dependency that is not healthy yet (the admin while Keycloak still starts)
"${compose[@]}" up -d --no-build keycloak >"$work/up-keycloak.log" 2>&1 || { cat "$work/up-keycloak.log"; exit 1; }
deadline=$((SECONDS + 300))
until [ "$(podman inspect -f '{{.State.Health.Status}}' "$(container keycloak)" 2>/dev/null)" = healthy ]; do
  [ $SECONDS -lt $deadline ] || { echo "walk.sh: Keycloak not healthy after 300 s"; exit 1; }
  sleep 1
done
echo "walk.sh:   Keycloak healthy $((SECONDS - step_began)) s after its start"
"${compose[@]}" up -d --no-build >>"$work/up-keycloak.log" 2>&1 || { cat "$work/up-keycloak.log"; exit 1; }
all_healthy 420 "after adding Keycloak"
for s in "${services[@]}"; do
  envs=$(podman inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$(container "$s")")
  for k in "$KEYCLOAK_ADMIN_PASSWORD" "$SECKILL_KC_ADMIN_PASSWORD" "$SECKILL_KC_CUSTOMER_PASSWORD"; do
    if [ "$s" != keycloak ] && grep -qF -- "$k" <<<"$envs"; then echo "walk.sh: $s holds a Keycloak password"; exit 1; fi
  done
done
kc_token() {
  curl -s -d grant_type=password -d client_id=seckill-cli -d "username=$1" -d "password=$2" -d scope=openid \
    http://127.0.0.1:8180/realms/shop/protocol/openid-connect/token \
    | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])'
}
OPS=$(kc_token ops "$SECKILL_KC_ADMIN_PASSWORD")
ALICE=$(kc_token alice "$SECKILL_KC_CUSTOMER_PASSWORD")
status_of() { curl -s -o "$work/answer" -w '%{http_code}' "$@"; }
expect() { # expect STATUS what curl-args...
  local want=$1 what=$2 got; shift 2
  got=$(status_of "$@")
  [ "$got" = "$want" ] || { echo "walk.sh: $what answered $got, expected $want: $(head -c 300 "$work/answer")"; exit 1; }
}
expect 200 "GET /admin/promotions with Keycloak's ops" -H "Authorization: Bearer $OPS" http://127.0.0.1:8081/admin/promotions
expect 403 "GET /admin/promotions with Keycloak's alice" -H "Authorization: Bearer $ALICE" http://127.0.0.1:8081/admin/promotions
expect 401 "GET /admin/promotions with the development issuer's admin token" -H "Authorization: Bearer $ADMIN_TOKEN" \
  http://127.0.0.1:8081/admin/promotions
expect 404 "the development sign-in beside Keycloak" -X POST http://127.0.0.1:8081/console/dev-sign-in -d '{"name":"ci"}'
curl -sf http://127.0.0.1:8081/console/config.json | python3 -c '
import json, sys
c = json.load(sys.stdin)
assert c["signIn"] == "oidc" and c["issuer"] == "http://localhost:8180/realms/shop" and c["clientId"] == "seckill-console", c'
now=$(date -u +%Y-%m-%dT%H:%M:%SZ); later=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
expect 201 "a promotion created with Keycloak's ops" -H "Authorization: Bearer $OPS" -X POST http://127.0.0.1:8081/admin/promotions \
  -d "{\"numberOfCoupons\": 10, \"discount\": 0.5, \"publishTime\": \"$now\", \"finishTime\": \"$later\"}"
kc_sale=$(python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["promotionId"])' "$work/answer")
deadline=$((SECONDS + 60))
until [ "$(status_of -H "Authorization: Bearer $ALICE" -X POST http://127.0.0.1:8082/command/coupons -d "{\"promotionId\": \"$kc_sale\"}")" = 200 ]; do
  # 400 until the command side has seen the new promotion, 503 while partitions settle after the restart
  [ $SECONDS -lt $deadline ] || { echo "walk.sh: alice's grab with Keycloak's token: $(head -c 300 "$work/answer")"; exit 1; }
  sleep 1
done
# the customer id is the token's sub (Keycloak's user id), not the user name
alice_id=$(python3 -c 'import base64, json, sys; p = sys.argv[1].split(".")[1]; print(json.loads(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)))["sub"])' "$ALICE")
deadline=$((SECONDS + 30))
until status_of -H "Authorization: Bearer $ALICE" "http://127.0.0.1:8083/query/coupons/$alice_id" >/dev/null && grep -qF "$kc_sale" "$work/answer"; do
  [ $SECONDS -lt $deadline ] || { echo "walk.sh: alice's coupon not in ReadDB: $(head -c 300 "$work/answer")"; exit 1; }
  sleep 1
done
done_step "ops admin, alice a customer (grabbed, coupon in ReadDB); the development token refused"

step healthy-again "every container healthy after the walk"
deadline=$((SECONDS + 120))
for s in "${services[@]}"; do
  until [ "$(podman inspect -f '{{.State.Health.Status}}' "$(container "$s")")" = healthy ]; do
    [ $SECONDS -lt $deadline ] || { echo "walk.sh: $s not healthy again after the walk"; exit 1; }
    sleep 1
  done
done
done_step

echo "walk.sh: passed; ${timings[*]/%/;}"
