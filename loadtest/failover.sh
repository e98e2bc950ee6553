#!/usr/bin/env bash
# W8, broker failover ([S15]): BrokerFailoverIT with ROUNDS rounds (default 20: ten kills -9 of the master broker,
# ten 5 s pauses of it, alternated, each on whichever broker is the master then) under 16 clients grabbing on
# loopback, a real pair of broker processes of the jar on one shared KahaDB store. Prints the table the test logs:
# per round, from the fault, the time until ReadDB held every event written before it ("caught up") and until ReadDB
# was within 1 s of WriteDB again on events written after it ("current"), and the same from the heal (the kill
# itself, or the paused master's resume). The test fails if a round breaks the 10 s bound or the ledger.
#
#   loadtest/failover.sh                 # builds the jar first (mvn package, tests skipped)
#   ROUNDS=10 SKIP_BUILD=1 loadtest/failover.sh
set -euo pipefail
cd "$(dirname "$0")/.."
if [ -z "${SKIP_BUILD:-}" ]; then
  mvn -q -B -DskipTests -Dseckill.cds.skip=true install
fi
mvn -q -B -pl all-in-one verify -Dseckill.cds.skip=true -Dit.test=BrokerFailoverIT -Dtest=none \
  -Dsurefire.failIfNoSpecifiedTests=false -Dfailsafe.failIfNoSpecifiedTests=false \
  -Dseckill.failover.rounds="${ROUNDS:-20}" || status=$?
out=all-in-one/target/failsafe-reports/io.seckill.launcher.BrokerFailoverIT-output.txt
grep -A "$(( ${ROUNDS:-20} + 1 ))" "broker failover" "$out" | sed 's/^.*BrokerFailoverIT - //'
grep -h "consistency:" "$out" | sed 's/^.*Consistency - //'
lscpu | awk -F: '/Model name/ {gsub(/^ +/, "", $2); print "machine: " $2}'; echo "cores: $(nproc)"
exit "${status:-0}"
