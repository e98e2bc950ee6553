#!/bin/bash
# CI stand-in for the official mariadb image's entrypoint (docker/ci/stand-ins.sh builds the image). It honours what
# docker/docker-compose.yml uses: arguments starting with "-" are mariadbd options; on an empty data directory it
# initialises one, sets MARIADB_ROOT_PASSWORD (root@localhost and root@%), creates MARIADB_DATABASE and
# MARIADB_USER/MARIADB_PASSWORD with all privileges on it, and runs /docker-entrypoint-initdb.d/*.sql and *.sh,
# on a temporary server without networking (so healthcheck.sh --connect fails until it is done). The server then
# runs as the mysql user, as in the official image.
set -eo pipefail
log() { echo "$(date -u +%FT%TZ) [Note] [Entrypoint]: $*"; }
fail() { echo "$(date -u +%FT%TZ) [ERROR] [Entrypoint]: $*" >&2; exit 1; }
sql_string() { # a single-quoted SQL literal
  local s=${1//\\/\\\\}
  printf "'%s'" "${s//\'/\\\'}"
}
sql_name() { # a backquoted SQL identifier
  printf '`%s`' "${1//\`/\`\`}"
}

if [ "${1:0:1}" = '-' ]; then
  set -- mariadbd "$@"
fi
if [ "$1" != mariadbd ] && [ "$1" != mysqld ]; then
  exec "$@"
fi

datadir=/var/lib/mysql
mkdir -p /run/mysqld
chown mysql:mysql /run/mysqld "$datadir"
if [ ! -d "$datadir/mysql" ]; then
  [ -n "${MARIADB_ROOT_PASSWORD:-}" ] || fail "the data directory is empty and MARIADB_ROOT_PASSWORD is not set"
  if [ -n "${MARIADB_USER:-}" ] && [ -z "${MARIADB_PASSWORD:-}" ]; then
    fail "MARIADB_USER is set without MARIADB_PASSWORD"
  fi
  log "initialising $datadir"
  mariadb-install-db --user=mysql --datadir="$datadir" --skip-test-db --auth-root-authentication-method=normal \
    >/dev/null
  socket=/run/mysqld/init.sock
  "$@" --user=mysql --skip-networking --socket="$socket" &
  pid=$!
  for _ in $(seq 1 300); do
    mariadb --protocol=socket --socket="$socket" -uroot -e 'SELECT 1' >/dev/null 2>&1 && break
    kill -0 "$pid" 2>/dev/null || fail "the temporary server exited during initialisation"
    sleep 0.2
  done
  client=(mariadb --protocol=socket --socket="$socket" -uroot)
  "${client[@]}" -e 'SELECT 1' >/dev/null || fail "the temporary server did not answer in 60 s"
  {
    echo "SET @@SESSION.SQL_LOG_BIN=0;"
    echo "DELETE FROM mysql.global_priv WHERE user = '' OR (user = 'root' AND host NOT IN ('localhost'));"
    echo "ALTER USER 'root'@'localhost' IDENTIFIED BY $(sql_string "$MARIADB_ROOT_PASSWORD");"
    echo "CREATE USER 'root'@'%' IDENTIFIED BY $(sql_string "$MARIADB_ROOT_PASSWORD");"
    echo "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;"
    if [ -n "${MARIADB_DATABASE:-}" ]; then
      echo "CREATE DATABASE IF NOT EXISTS $(sql_name "$MARIADB_DATABASE");"
    fi
    if [ -n "${MARIADB_USER:-}" ]; then
      echo "CREATE USER $(sql_string "$MARIADB_USER")@'%' IDENTIFIED BY $(sql_string "$MARIADB_PASSWORD");"
      if [ -n "${MARIADB_DATABASE:-}" ]; then
        echo "GRANT ALL ON $(sql_name "$MARIADB_DATABASE").* TO $(sql_string "$MARIADB_USER")@'%';"
      fi
    fi
    echo "FLUSH PRIVILEGES;"
  } | "${client[@]}"
  client+=(-p"$MARIADB_ROOT_PASSWORD")
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) log "running $f"; "${client[@]}" ${MARIADB_DATABASE:+"$MARIADB_DATABASE"} < "$f" ;;
      *.sh) log "running $f"; . "$f" ;;
      *) [ -e "$f" ] && log "ignoring $f" ;;
    esac
  done
  kill "$pid"
  wait "$pid" || true
  log "initialised: database ${MARIADB_DATABASE:-none}, user ${MARIADB_USER:-none}"
fi
exec "$@" --user=mysql
