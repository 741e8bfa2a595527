#!/usr/bin/env bash
# Webhook benchmark: signed deliveries per second from notification-svc to a receiver on loopback,
# and the p99 from the commit that queues a message to its first attempt.
# usage: bench/notification/run.sh [backlog, default 20000] [steady rate/s, default 1000] [seconds, default 20]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
BACKLOG="${1:-20000}"
RATE="${2:-1000}"
SECONDS_STEADY="${3:-20}"
PG_PORT="${TOLLGATE_PG_PORT:-55432}"
NOTIFICATION="http://127.0.0.1:${TOLLGATE_NOTIFICATION_PORT:-8085}"

curl -fs "http://127.0.0.1:${TOLLGATE_NOTIFICATION_MANAGEMENT_PORT:-9085}/q/health/ready" >/dev/null 2>&1 || "$ROOT/tollgate" up >/dev/null
PGJDBC="$(ls "$HOME"/.m2/repository/org/postgresql/postgresql/*/postgresql-*.jar | grep -v sources | sort -V | tail -1)"

OUT="$("$JAVA_HOME/bin/java" -cp "$PGJDBC" "$ROOT/bench/notification/WebhookBench.java" \
  "jdbc:postgresql://127.0.0.1:$PG_PORT/notification" notification notification "$BACKLOG" "$RATE" "$SECONDS_STEADY")"
grep -v '^RESULT' <<<"$OUT" >&2
field() { awk -v k="$1" '/^RESULT/ {for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' <<<"$OUT"; }
echo
echo "webhook benchmark ($(nproc) cores; notification-svc, PostgreSQL, the receiver and the load share them)"
printf '%-40s %10s   (target >= 1000)\n' "signed deliveries per second (backlog)" "$(field drain_per_s)"
printf '%-40s %10s ms (target <= 250 ms, at %s/s)\n' "commit to first attempt p99" "$(field p99_ms)" "$(field steady_rate)"
printf '%-40s %10s ms\n' "commit to first attempt p50" "$(field p50_ms)"
printf '%-40s %10s\n' "bad signatures" "$(field bad_signatures)"
printf '%-40s %10s\n' "duplicate first attempts" "$(field duplicates)"
