#!/usr/bin/env bash
# HEALTHCHECK of the seckill image: every role this container runs (SECKILL_ROLES) must be healthy.
# HTTP roles answer /health with 200 only while their database and broker link are up; the broker role has no
# HTTP, so its AMQP port must accept connections (or, for a slave of a master/slave group, wait on the store's lock).
set -u
roles=",$(printf '%s' "${SECKILL_ROLES:-all}" | tr 'A-Z' 'a-z' | tr -d ' '),"
# bash's /dev/tcp, not curl: the runtime image installs no packages (its build has no network when CI builds it)
http() {
  local status
  exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
  printf 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' >&3
  IFS= read -r -t 2 status <&3 || status=
  exec 3<&-
  case "$status" in "HTTP/1.1 200 "*) return 0 ;; *) return 1 ;; esac
}
case "$roles" in
  *,all,*)
    roles=",admin,command,event,query,"
    # "all" includes the embedded broker unless an external one is configured
    [ -n "${SECKILL_AMQP_URL:-}" ] || roles="${roles}broker,"
    ;;
esac
case "$roles" in *,admin,*) http "${SECKILL_ADMIN_PORT:-8081}" || exit 1 ;; esac
case "$roles" in *,command,*) http "${SECKILL_COMMAND_PORT:-8082}" || exit 1 ;; esac
case "$roles" in *,query,*) http "${SECKILL_QUERY_PORT:-8083}" || exit 1 ;; esac
case "$roles" in *,event,*) http "${SECKILL_EVENT_PORT:-8084}" || exit 1 ;; esac
case "$roles" in
  # a slave of a master/slave group (SECKILL_BROKER_STORE) does not listen until it takes over: it is healthy
  # while it waits, as the file the broker keeps in its data directory says
  *,broker,*) (exec 4<>"/dev/tcp/127.0.0.1/${SECKILL_BROKER_PORT:-5672}") 2>/dev/null \
    || { [ -n "${SECKILL_BROKER_STORE:-}" ] && grep -qx slave "${SECKILL_DATA_DIR:-data}/activemq/broker-role" 2>/dev/null; } \
    || exit 1 ;;
esac
exit 0
