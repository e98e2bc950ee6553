#!/usr/bin/env bash
# Checks docker/ without a Docker engine: `docker-compose config` (Debian's docker-compose 1.29 validates
# offline) and dockerfilelint (npm) on the Dockerfile; bash syntax of the image's healthcheck.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v docker-compose >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >/dev/null
  else
    (sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose) >/dev/null
  fi
fi
# the compose file requires these secrets; any value validates
SECKILL_TICKET_KEYS=ci:0123456789abcdef0123456789abcdef0123456789a WRITE_DB_PASSWORD=ci READ_DB_PASSWORD=ci EVENT_DB_PASSWORD=ci DB_ROOT_PASSWORD=ci \
  docker-compose -f docker/docker-compose.yml config -q
# and refuses to start without them
if env -u SECKILL_TICKET_KEYS WRITE_DB_PASSWORD=ci READ_DB_PASSWORD=ci EVENT_DB_PASSWORD=ci DB_ROOT_PASSWORD=ci docker-compose -f docker/docker-compose.yml config -q 2>/dev/null; then
  echo "check-docker: the compose file accepts a missing SECKILL_TICKET_KEYS"; exit 1
fi
# the Keycloak variant on top of it, and it refuses to start without its own secrets
SECKILL_TICKET_KEYS=ci:0123456789abcdef0123456789abcdef0123456789a WRITE_DB_PASSWORD=ci READ_DB_PASSWORD=ci EVENT_DB_PASSWORD=ci DB_ROOT_PASSWORD=ci \
  KEYCLOAK_ADMIN_PASSWORD=ci SECKILL_KC_ADMIN_PASSWORD=ci SECKILL_KC_CUSTOMER_PASSWORD=ci \
  docker-compose -f docker/docker-compose.yml -f docker/docker-compose.keycloak.yml config -q
if SECKILL_TICKET_KEYS=ci:0123456789abcdef0123456789abcdef0123456789a WRITE_DB_PASSWORD=ci READ_DB_PASSWORD=ci EVENT_DB_PASSWORD=ci DB_ROOT_PASSWORD=ci \
  KEYCLOAK_ADMIN_PASSWORD=ci SECKILL_KC_CUSTOMER_PASSWORD=ci \
  docker-compose -f docker/docker-compose.yml -f docker/docker-compose.keycloak.yml config -q 2>/dev/null; then
  echo "check-docker: the Keycloak variant accepts a missing SECKILL_KC_ADMIN_PASSWORD"; exit 1
fi
# the Galera variant on top of it
SECKILL_TICKET_KEYS=ci:0123456789abcdef0123456789abcdef0123456789a WRITE_DB_PASSWORD=ci READ_DB_PASSWORD=ci EVENT_DB_PASSWORD=ci DB_ROOT_PASSWORD=ci \
  docker-compose -f docker/docker-compose.yml -f docker/docker-compose.galera.yml config -q
echo "check-docker: docker-compose.yml (and its Keycloak and Galera variants) is valid"

lint=.ci/node
mkdir -p "$lint"
# npm's registry sometimes fails a fresh install here: three tries, and say so when all fail
for attempt in 1 2 3; do
  [ -x "$lint/node_modules/.bin/dockerfilelint" ] && break
  npm install --prefix "$lint" --no-audit --no-fund --silent dockerfilelint@1.8.0 >/dev/null 2>"$lint/npm.err" \
    || { echo "check-docker: npm install of dockerfilelint failed (try $attempt): $(tail -3 "$lint/npm.err")"; sleep 5; }
done
[ -x "$lint/node_modules/.bin/dockerfilelint" ] || { echo "check-docker: dockerfilelint could not be installed"; exit 1; }
"$lint/node_modules/.bin/dockerfilelint" docker/Dockerfile
bash -n docker/healthcheck.sh
for script in docker/ci/*.sh docker/ci/mariadb/*.sh docker/keycloak/*.sh docker/galera/*.sh; do bash -n "$script"; done
echo "check-docker: Dockerfile lint clean"
