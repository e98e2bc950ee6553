#!/usr/bin/env bash
# CI only: the official base images docker/Dockerfile and docker/docker-compose.yml name cannot be pulled here (no
# image registry is reachable from these machines). For each one that is neither present nor pullable, this builds
# a stand-in from Debian bookworm packages with mmdebstrap and imports it under the official name:
#   maven:3.9-eclipse-temurin-17  <- openjdk-17-jdk-headless + maven (Debian's 3.8.7)
#   eclipse-temurin:17-jre        <- openjdk-17-jre-headless
#   mariadb:11.4                  <- mariadb-server (Debian's 10.11) + docker/ci/mariadb/: an entrypoint honouring the
#                                    official image's MARIADB_* variables and /docker-entrypoint-initdb.d, and its
#                                    healthcheck.sh (--connect, --innodb_initialized)
#   quay.io/keycloak/keycloak:26.5.6 <- the same org.keycloak:keycloak-quarkus-dist zip the tests unpack (from the
#                                    Maven repository: run after `mvn verify`), on Debian trixie's openjdk-21-jre-headless
#                                    (Keycloak 26 needs Java 21; bookworm has 17): /opt/keycloak, user 1000, kc.sh
# The stand-ins are not the official images: what they differ in is listed in docker/ci/README.md.
set -euo pipefail
cd "$(dirname "$0")"
work=${STAND_IN_WORK:-/var/tmp/seckill-stand-ins}
mkdir -p "$work"

present_or_pulled() {
  podman image exists "$1" && return 0
  timeout 60 podman pull -q "$1" >/dev/null 2>&1
}

build() { # [suite=...] name packages [hook args...] -- podman import --change args...
  local suite=bookworm
  case $1 in suite=*) suite=${1#suite=}; shift ;; esac
  local name=$1 packages=$2; shift 2
  local hooks=() changes=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do hooks+=("$1"); shift; done
  [ "${1:-}" = -- ] && shift
  for change in "$@"; do changes+=(--change "$change"); done
  local full=$name
  [[ $name == */* ]] || full=docker.io/library/$name
  if present_or_pulled "$full"; then
    echo "stand-ins: $name is present"; return 0
  fi
  local tar="$work/${name//[:\/]/_}.tar" began=$SECONDS
  mmdebstrap --quiet --variant=apt --include="$packages" "${hooks[@]}" "$suite" "$tar"
  podman import -q "${changes[@]}" "$tar" "$full" >/dev/null
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
keycloak_version=26.5.6
keycloak_zip=${MAVEN_REPOSITORY:-$HOME/.m2/repository}/org/keycloak/keycloak-quarkus-dist/$keycloak_version/keycloak-quarkus-dist-$keycloak_version.zip
keycloak_image=quay.io/keycloak/keycloak:$keycloak_version
if podman image exists "$keycloak_image" || timeout 60 podman pull -q "$keycloak_image" >/dev/null 2>&1; then
  echo "stand-ins: $keycloak_image is present"; kc=
elif [ ! -f "$keycloak_zip" ]; then
  echo "stand-ins: no $keycloak_zip (mvn verify fetches it for KeycloakIT)" >&2; exit 1
else
  rm -rf "$work/keycloak" && mkdir -p "$work/keycloak"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$keycloak_zip" "$work/keycloak"
  mv "$work/keycloak/keycloak-$keycloak_version" "$work/keycloak/keycloak"
  build suite=trixie "$keycloak_image" openjdk-21-jre-headless,ca-certificates \
    "--customize-hook=copy-in $work/keycloak/keycloak /opt" \
    '--customize-hook=chroot "$1" sh -c "chmod +x /opt/keycloak/bin/*.sh && chown -R 1000:0 /opt/keycloak"' -- \
    "ENV JAVA_HOME=/usr/lib/jvm/java-21-openjdk-amd64" "ENV PATH=$path" 'USER 1000' 'WORKDIR /opt/keycloak' \
    'ENTRYPOINT ["/opt/keycloak/bin/kc.sh"]' 'EXPOSE 8080' 'EXPOSE 9000' &
  kc=$!
fi
status=0
for pid in $jdk $jre $db $kc; do wait "$pid" || status=1; done
exit $status
