#!/usr/bin/env bash
# Lints the OpenAPI 3.1 document every service serves (shared/src/main/resources/openapi.json) with Redocly's CLI
# (npm). That the routers and the document agree is checked by the tests (ApiDocumentTest).
set -euo pipefail
cd "$(dirname "$0")/.."
lint=.ci/node
mkdir -p "$lint"
redocly() { REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true "$lint/node_modules/.bin/redocly" "$@"; }
# an install can end "successfully" with files missing (seen once: a chunk of the CLI absent, the linter crashing
# with ERR_MODULE_NOT_FOUND): the CLI must run before it is trusted; else it is installed again from a clean cache
for attempt in 1 2 3; do
  [ -x "$lint/node_modules/.bin/redocly" ] && redocly --version >/dev/null 2>&1 && break
  if [ "$attempt" -gt 1 ]; then
    echo "check-openapi: @redocly/cli does not run (try $attempt): installing it again"
    rm -rf "$lint/node_modules/@redocly" "$lint/node_modules/.bin/redocly"
    npm cache clean --force >/dev/null 2>&1 || true
  fi
  npm install --prefix "$lint" --no-audit --no-fund --silent @redocly/cli@2.77.0 >/dev/null 2>"$lint/npm-redocly.err" \
    || { echo "check-openapi: npm install of @redocly/cli failed (try $attempt): $(tail -3 "$lint/npm-redocly.err")"; sleep 5; }
done
redocly --version >/dev/null 2>&1 || { echo "check-openapi: @redocly/cli could not be installed"; exit 1; }
status=0
redocly lint --format stylish shared/src/main/resources/openapi.json >"$lint/redocly.out" 2>&1 || status=$?
grep -v '[║╔╚]' "$lint/redocly.out" || true
[ "$status" = 0 ] || { echo "check-openapi: lint failed (exit $status)"; exit 1; }
echo "check-openapi: openapi.json lint clean"
