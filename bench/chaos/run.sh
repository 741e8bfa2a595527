#!/usr/bin/env bash
# Chaos benchmark: the long profile of e2e's FleetChaosJourneyTest. The packaged fleet runs on the
# local servers while CHAOS_CLIENTS clients register, get credits granted, run and cancel render
# jobs (a hold at billing each) and receive webhooks; every 1/(faults+1) of the operations one fault
# is injected, in turn: SIGKILL and restart of billing, render, notification, identity and the
# gateway, restart of PostgreSQL and of Kafka. A client retries what met a fault with the same
# Idempotency-Key. Afterwards it checks the books (every wallet = its grants less its captures, one
# journal entry per move, every entry balanced, every hold resolved once), the events (every outbox
# row of the run published and none parked, one wallet per registered user, one capture per
# completed job, each job's events in order on Kafka) and the webhooks (each event delivered at least
# once, under one webhook-id), and prints one line: operations, retried requests, faults injected,
# events, deliveries, violations = 0. Any violation fails the run with the first one found.
# usage: bench/chaos/run.sh [operations, default 10000] [faults, default 21] [clients, default 20]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
OPERATIONS="${1:-10000}"
FAULTS="${2:-21}"
CLIENTS="${3:-20}"
LOG="$ROOT/e2e/target/chaos-bench.log"
cd "$ROOT"

# the run kills and restarts the servers it finds, so it needs the local ones, not a fleet of ./tollgate up on them
./tollgate down >/dev/null 2>&1 || true
./deploy/local/infra.sh start >/dev/null
echo "packaging the fleet" >&2
./mvnw -B -q -o install -DskipTests >/dev/null 2>&1 || ./mvnw -B -q install -DskipTests
mkdir -p "$(dirname "$LOG")"
echo "chaos: $OPERATIONS operations, $FAULTS faults, $CLIENTS clients (log: $LOG)" >&2
started=$(date +%s)
rc=0
./mvnw -B -o verify -pl e2e -Dtest=FleetChaosJourneyTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtollgate.chaos.operations="$OPERATIONS" -Dtollgate.chaos.faults="$FAULTS" -Dtollgate.chaos.clients="$CLIENTS" \
  >"$LOG" 2>&1 || rc=$?
elapsed=$(($(date +%s) - started))
grep -a '^chaos:' "$LOG" || true
if ((rc != 0)); then
  grep -a -E 'AssertionError|AssertionFailed|<<< FAIL' "$LOG" | head -5 >&2
  echo "chaos run FAILED after ${elapsed} s (see $LOG)" >&2
  exit "$rc"
fi
echo "chaos run passed in ${elapsed} s"
