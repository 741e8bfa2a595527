#!/usr/bin/env bash
# All local servers Tollgate needs: PostgreSQL, Redis, Kafka (and the Debian tools render runs).
# Usage: infra.sh start|stop|status|restart
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

# Start order matters only for humans reading the output; stop runs in reverse.
SERVERS=(postgres redis kafka)

start_all() {
  local server
  # not a server: the programs render's local renderers run
  "$HERE/tools.sh" ensure
  for server in "${SERVERS[@]}"; do
    "$HERE/$server.sh" start
  done
}

stop_all() {
  local i failed=0
  for ((i = ${#SERVERS[@]} - 1; i >= 0; i--)); do
    # Keep going so one stuck server does not leave the others running.
    "$HERE/${SERVERS[i]}.sh" stop || failed=1
  done
  return "$failed"
}

# One line per server; exit 0 only when all are up, 3 otherwise (like the per-server scripts).
status_all() {
  local server rc=0
  for server in "${SERVERS[@]}"; do
    "$HERE/$server.sh" status || rc=3
  done
  return "$rc"
}

case "${1:-}" in
  start) start_all ;;
  stop) stop_all ;;
  status) status_all ;;
  restart)
    stop_all
    start_all
    ;;
  *)
    printf 'usage: %s start|stop|status|restart\n' "$(basename "$0")" >&2
    exit 2
    ;;
esac
