#!/bin/bash
# CI stand-in for the official mariadb image's healthcheck.sh, for the two tests docker-compose.yml asks for:
#   --connect             the server accepts a TCP connection (not the entrypoint's networkless init server)
#   --innodb_initialized  InnoDB has started
# Run by the container's HEALTHCHECK as root inside the container; it logs in as root over the unix socket.
set -u
status=0
for test in "$@"; do
  case "$test" in
    --connect)
      mariadb-admin --protocol=tcp -h127.0.0.1 -P3306 --connect-timeout=2 -uroot -p"${MARIADB_ROOT_PASSWORD:-}" ping \
        >/dev/null 2>&1 || status=1 ;;
    --innodb_initialized)
      [ "$(mariadb -uroot -p"${MARIADB_ROOT_PASSWORD:-}" -N -B -e \
        "SELECT 1 FROM information_schema.ENGINES WHERE engine = 'InnoDB' AND support IN ('YES', 'DEFAULT')" 2>/dev/null)" = 1 ] \
        || status=1 ;;
    *) echo "healthcheck.sh (stand-in): unknown test $test" >&2; status=1 ;;
  esac
done
exit $status
