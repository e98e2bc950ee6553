#!/usr/bin/env bash
# JMH micro-benchmarks of the identity hot path (shared/src/test/java/.../identity/bench): the ticket check on every
# grab, a forged ticket's refusal, and an RS256 signature check for comparison. Prints JMH's table (us/op).
#   loadtest/jmh.sh            # all of them
#   loadtest/jmh.sh ticketCheck
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -q -B -pl shared -am install -DskipTests
mvn -q -B -pl shared test-compile
mkdir -p loadtest/target
mvn -q -B -pl shared dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$PWD/loadtest/target/jmh.classpath"
cp=$(cat loadtest/target/jmh.classpath)
java -cp "shared/target/test-classes:shared/target/classes:$cp" org.openjdk.jmh.Main \
  "io.seckill.shared.identity.bench.TicketCheckBenchmark.${1:-}" -rf text -rff loadtest/target/jmh-ticket.txt
