#!/usr/bin/env bash
# Identity benchmark: logins, refreshes and key exchanges against the fleet of ./tollgate up.
# usage: bench/identity/run.sh [seconds per phase, default 20]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
"$ROOT/tollgate" up >/dev/null
exec "$JAVA_HOME/bin/java" "$ROOT/bench/identity/IdentityBench.java" \
  "http://127.0.0.1:${TOLLGATE_IDENTITY_PORT:-8081}" "${1:-20}"
