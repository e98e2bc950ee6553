#!/usr/bin/env bash
# Starts all-in-one/target/seckill.jar on embedded defaults (as README's run command does), waits for every
# service to be healthy, walks the REST API once, runs the Gatling Smoke simulation against it, then stops it.
# Bounded: fails after 180 s of waiting for the system, 600 s for Gatling.
set -euo pipefail
cd "$(dirname "$0")/.."

jar=all-in-one/target/seckill.jar
[ -f "$jar" ] || { echo "smoke: $jar is missing (run mvn package first)"; exit 1; }
work=$(pwd)/target/smoke
rm -rf "$work"
mkdir -p "$work"
log="$work/seckill.log"

# README's start, on the jar's AppCDS archive (CdsArchiveIT checks that it maps; here, as for a user, a JVM other than
# the one that made it would print one warning and start without it)
SECKILL_DATA_DIR="$work/data" java -XX:SharedArchiveFile=all-in-one/target/seckill.jsa -jar "$jar" >"$log" 2>&1 &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$pid" 2>/dev/null || true
}
trap cleanup EXIT
fail() {
  echo "smoke: FAILED: $*"
  echo "---- last lines of $log"
  tail -n 60 "$log"
  exit 1
}

deadline=$((SECONDS + 180))
for port in 8081 8082 8083 8084; do
  until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" = 200 ]; do
    kill -0 "$pid" 2>/dev/null || fail "the jar exited"
    [ $SECONDS -lt $deadline ] || fail "port $port not healthy within 180 s"
    sleep 1
  done
done
echo "smoke: all four services healthy after ${SECONDS}s"
# the first click: the admin service's root leads to the console; the pages and the API docs are served, and the
# start said where they are
[ "$(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' http://127.0.0.1:8081/)" = "302 http://127.0.0.1:8081/console/" ] \
  || fail "http://127.0.0.1:8081/ does not lead to the console"
for page in 8081/console/ 8083/shop/ 8081/api-docs/ 8082/api-docs/ 8083/api-docs/ 8082/api-docs/swagger-ui-bundle.js; do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$page")" = 200 ] || fail "http://127.0.0.1:$page is not served"
done
grep -q "open the console at http://127.0.0.1:8081/console/, the shop front at http://127.0.0.1:8083/shop/" "$log" \
  || fail "the start did not print the pages' addresses"

# README's walk-through: tokens from the development issuer (the jar's own token command, same data dir)
mint() { SECKILL_DATA_DIR="$work/data" java -jar "$jar" token "$@"; }
token=$(mint --admin smoke-admin)
tokens=($(mint smoke-1 smoke-2 smoke-3 smoke-4))
[ "${#tokens[@]}" = 4 ] || fail "the token command did not print 4 tokens"
customer_token=$(mint smoke-1)
publish=$(date -u -d '+1 second' +%Y-%m-%dT%H:%M:%SZ)
finish=$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)

[ "$(curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1:8081/admin/promotions)" = 401 ] || fail "admin without token is not 401"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $customer_token" http://127.0.0.1:8081/admin/promotions)" = 403 ] \
  || fail "admin with a customer's token is not 403"
created=$(curl -s -X POST http://127.0.0.1:8081/admin/promotions -H "Authorization: Bearer $token" \
  -H 'Content-Type: application/json' \
  -d "{\"numberOfCoupons\":2,\"discount\":0.8,\"publishTime\":\"$publish\",\"finishTime\":\"$finish\"}")
id=$(printf '%s' "$created" | sed -n 's/.*"promotionId":"\([0-9a-f-]*\)".*/\1/p')
[ -n "$id" ] || fail "create did not return a promotionId: $created"

# grab N: customer smoke-N with its identity token
grab() {
  curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:8082/command/coupons \
    -H "Authorization: Bearer ${tokens[$(($1 - 1))]}" -H 'Content-Type: application/json' -d "{\"promotionId\":\"$id\"}"
}
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:8082/command/coupons -d "{\"promotionId\":\"$id\"}")" = 401 ] \
  || fail "a grab without a token is not 401"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:8082/command/coupons -H "Authorization: Bearer ${tokens[0]}" \
  -d "{\"promotionId\":\"$id\",\"customerId\":\"smoke-2\"}")" = 403 ] || fail "a grab for another customer is not 403"
until [ "$(grab 1)" = 200 ]; do
  [ $SECONDS -lt $deadline ] || fail "promotion $id never accepted a grab"
  sleep 0.2
done
[ "$(grab 1)" = 429 ] || fail "a second grab by the same customer is not 429"
ticket=$(curl -s -X POST http://127.0.0.1:8082/command/tickets -H "Authorization: Bearer ${tokens[1]}" -d "{\"promotionId\":\"$id\"}" \
  | sed -n 's/.*"ticket":"\([A-Za-z0-9_.-]*\)".*/\1/p')
[ -n "$ticket" ] || fail "no grab ticket for smoke-2"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:8082/command/coupons -H "Authorization: Bearer $ticket" \
  -d "{\"promotionId\":\"$id\"}")" = 200 ] || fail "the second coupon was not granted to smoke-2's ticket"
[ "$(grab 3)" = 429 ] || fail "a grab after the last coupon is not 429"
[ "$(grab 4)" = 429 ] || fail "sold-out promotion still grants"
[ "$(curl -s -o /dev/null -w '%{http_code}' -X POST http://127.0.0.1:8082/command/coupons -H "Authorization: Bearer ${tokens[3]}" -d 'nope')" = 400 ] \
  || fail "bad JSON is not 400"
[ "$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer ${tokens[0]}" http://127.0.0.1:8083/query/coupons/smoke-2)" = 403 ] \
  || fail "reading another customer's coupons is not 403"
curl -s http://127.0.0.1:8081/.well-known/jwks.json | grep -q '"kty":"RSA"' || fail "the admin service serves no JWKS"

until curl -s -H "Authorization: Bearer ${tokens[1]}" http://127.0.0.1:8083/query/coupons/smoke-2 | grep -q "$id"; do
  [ $SECONDS -lt $deadline ] || fail "coupon of smoke-2 never reached the query API"
  sleep 0.2
done
echo "smoke: promotion $id sold out, coupons visible in the query API"

# the Gatling simulations keep compiling and working: Smoke (one request of each kind, zero failures allowed)
echo "smoke: Gatling Smoke simulation against the running jar"
timeout 600 mvn -B -q -pl loadtest test-compile gatling:test -Dgatling.simulationClass=io.seckill.loadtest.Smoke \
  -DadminToken="$token" -DdataDir="$work/data" -Djar="$(pwd)/$jar" || fail "the Gatling Smoke simulation failed"
# and every other simulation at a small size (docs/load-tests.md's commands run them at full size)
simulation() {
  local name=$1; shift
  echo "smoke: Gatling $name simulation (small) against the running jar"
  timeout 600 mvn -B -q -pl loadtest gatling:test -Dgatling.simulationClass=io.seckill.loadtest."$name" \
    -DadminToken="$token" -DdataDir="$work/data" -Djar="$(pwd)/$jar" "$@" || fail "the Gatling $name simulation failed"
}
simulation FlashCrowd -Dusers=300 -Dcoupons=50
simulation Sustained -Dduration=5 -Drate=100 -DreadRate=100 -Dcoupons=100000
simulation AdminAndCustomers -Dduration=5 -Drate=20
echo "smoke: OK"
