#!/usr/bin/env bash
# Keycloak's readiness for the compose healthcheck: its image has no curl, so bash's /dev/tcp asks the management
# port (9000, --health-enabled=true) for /health/ready and wants "UP" in the answer.
exec 3<>/dev/tcp/127.0.0.1/9000 || exit 1
printf 'GET /health/ready HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' >&3
grep -q '"UP"' <&3
