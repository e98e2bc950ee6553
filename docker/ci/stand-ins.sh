#!/usr/bin/env bash
# CI only: the official base images docker/Dockerfile and docker/docker-compose.yml name cannot be pulled here (no
# image registry is reachable from these machines). For each one that is neither present nor pullable, this builds
# a stand-in from Debian bookworm packages with mmdebstrap and imports it under the official name:
#   maven:3.9-eclipse-temurin-17  <- openjdk-17-jdk-headless + maven (Debian's 3.8.7)
#   eclipse-temurin:17-jre        <- openjdk-17-jre-headless
#   mariadb:11.4                  <- mariadb-server (Debian's 10.11) + docker/ci/mariadb/: an entrypoint honouring the
#                                    official image's MARIADB_* variables and /docker-entrypoint-initdb.d, and its
#                                    healthcheck.sh (--connect, --innodb_initialized)
# The stand-ins are not the official images: what they differ in is listed in docker/ci/README.md.
set -euo pipefail
cd "$(dirname "$0")"
work=${STAND_IN_WORK:-/var/tmp/seckill-stand-ins}
mkdir -p "$work"

present_or_pulled() {
  podman image exists "$1" && return 0
  timeout 60 podman pull -q "$1" >/dev/null 2>&1
}

build() { # name packages [hook args...] -- podman import --change args...
  local name=$1 packages=$2; shift 2
  local hooks=() changes=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do hooks+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  for change in "$@"; do changes+=(--change "$change"); done
  if present_or_pulled "docker.io/library/$name"; then
    echo "stand-ins: $name is present"; return 0
  fi
  local tar="$work/${name//[:\/]/_}.tar" began=$SECONDS
  mmdebstrap --quiet --variant=apt --include="$packages" "${hooks[@]}" bookworm "$tar"
  podman import -q "${changes[@]}" "$tar" "docker.io/library/$name" >/dev/null
  rm -f "$tar"
  echo "stand-ins: built $name from Debian packages in $((SECONDS - began)) s"
}

java_home=/usr/lib/jvm/java-17-openjdk-amd64
path=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

build maven:3.9-eclipse-temurin-17 openjdk-17-jdk-headless,maven,ca-certificates -- \
  "ENV JAVA_HOME=$java_home" "ENV PATH=$path" "ENV MAVEN_HOME=/usr/share/maven" 'CMD ["mvn"]' &
jdk=$!
build eclipse-temurin:17-jre openjdk-17-jre-headless,ca-certificates -- \
  "ENV JAVA_HOME=$java_home" "ENV PATH=$path" 'CMD ["jshell"]' &
jre=$!
build mariadb:11.4 mariadb-server,mariadb-client \
  '--customize-hook=rm -rf "$1"/var/lib/mysql && mkdir -p "$1"/var/lib/mysql "$1"/docker-entrypoint-initdb.d' \
  '--customize-hook=copy-in mariadb/docker-entrypoint.sh mariadb/healthcheck.sh /usr/local/bin' \
  '--customize-hook=copy-in mariadb/99-container.cnf /etc/mysql/mariadb.conf.d' \
  '--customize-hook=chroot "$1" chown mysql:mysql /var/lib/mysql' -- \
  "ENV PATH=$path" 'ENTRYPOINT ["docker-entrypoint.sh"]' 'CMD ["mariadbd"]' 'EXPOSE 3306' 'VOLUME /var/lib/mysql' &
db=$!
status=0
for pid in $jdk $jre $db; do wait "$pid" || status=1; done
exit $status
