#!/usr/bin/env bash
# Lints the OpenAPI 3.1 document every service serves (shared/src/main/resources/openapi.json) with Redocly's CLI
# (npm). That the routers and the document agree is checked by the tests (ApiDocumentTest).
set -euo pipefail
cd "$(dirname "$0")/.."
lint=.ci/node
mkdir -p "$lint"
for attempt in 1 2 3; do
  [ -x "$lint/node_modules/.bin/redocly" ] && break
  npm install --prefix "$lint" --no-audit --no-fund --silent @redocly/cli@2.77.0 >/dev/null 2>"$lint/npm-redocly.err" \
    || { echo "check-openapi: npm install of @redocly/cli failed (try $attempt): $(tail -3 "$lint/npm-redocly.err")"; sleep 5; }
done
[ -x "$lint/node_modules/.bin/redocly" ] || { echo "check-openapi: @redocly/cli could not be installed"; exit 1; }
status=0
REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true "$lint/node_modules/.bin/redocly" lint \
  --format stylish shared/src/main/resources/openapi.json >"$lint/redocly.out" 2>&1 || status=$?
grep -v '[║╔╚]' "$lint/redocly.out" || true
[ "$status" = 0 ] || { echo "check-openapi: lint failed (exit $status)"; exit 1; }
echo "check-openapi: openapi.json lint clean"
