#!/usr/bin/env bash
# CI only: makes this Debian machine run containers without a Docker engine (as root, no systemd), as measured in
# ../shared/STACK-NOTES.md ("Containers"): podman with runc (crun fails on these hosts' hybrid cgroups), no default
# ulimits (setrlimit RLIMIT_NOFILE is refused otherwise), and podman's Docker-compatible API on a socket so that
# Debian's docker-compose 1.29 (which honours depends_on: condition: service_healthy) can drive it.
# Prints the socket path for DOCKER_HOST. Idempotent.
set -euo pipefail
SOCKET=${PODMAN_SOCKET:-/run/podman/podman.sock}

need=()
for tool in podman runc mmdebstrap docker-compose; do
  command -v "$tool" >/dev/null || need+=("$tool")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "podman-setup: installing ${need[*]}" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq podman runc mmdebstrap docker-compose) >/dev/null
fi

mkdir -p /etc/containers
conf=/etc/containers/containers.conf
if ! grep -qs 'seckill-ci' "$conf"; then
  cat > "$conf" <<'CONF'
# written by seckill-ci (docker/ci/podman-setup.sh)
[containers]
default_ulimits = []
pids_limit = 0

[engine]
runtime = "runc"
CONF
fi

if ! curl -fsS --max-time 2 --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1; then
  mkdir -p "$(dirname "$SOCKET")"
  rm -f "$SOCKET"
  # the API service outlives this script; docker/ci/walk.sh stops it at the end
  nohup podman --runtime runc system service --time=0 "unix://$SOCKET" >/run/podman/service.log 2>&1 &
  echo $! > /run/podman/service.pid
  for _ in $(seq 1 100); do
    curl -fsS --max-time 1 --unix-socket "$SOCKET" http://d/_ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  curl -fsS --max-time 2 --unix-socket "$SOCKET" http://d/_ping >/dev/null \
    || { echo "podman-setup: the podman API did not come up on $SOCKET" >&2; cat /run/podman/service.log >&2; exit 1; }
fi
echo "$SOCKET"
