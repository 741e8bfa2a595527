#!/usr/bin/env bash
# The fleet as containers on one network, from the same local images and the same compose.yaml a
# Docker user runs: ./tollgate up --containers and ./tollgate down call it. Its copy lives in
# .tollgate/compose-fleet/ with an .env of random secrets made at the first start and kept after, so
# the named volumes' data (sealed with those keys) opens again on the next start.
# usage: deploy/compose/fleet.sh up|down|status|is-up
#   up       builds the images not current, starts the fleet, waits until every service is ready
#            and prints the gateway's URL (TOLLGATE_GATEWAY_PORT / TOLLGATE_SANDBOX_PORT: 8080 / 8099)
#   down     stops and removes the containers; the volumes stay (TOLLGATE_COMPOSE_VOLUMES=remove: not)
#   status   the containers and their state
#   is-up    exits 0 when the fleet's copy exists and a container of it runs
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PROJECT=tollgate
WORK="$ROOT/.tollgate/compose-fleet"
LOG="$ROOT/.tollgate/logs/compose-fleet.log"
# shellcheck source=deploy/compose/lib.sh
source "$HERE/lib.sh"

engine_of() {
  if command -v podman >/dev/null 2>&1; then
    export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/deploy/images/containers.conf}"
    echo podman
  else
    echo docker
  fi
}

running() {
  [[ -f "$WORK/compose.yaml" ]] || return 1
  local e
  e="$(engine_of)"
  command -v "$e" >/dev/null 2>&1 || return 1
  [[ -n "$($e ps -q --filter "label=com.docker.compose.project=$PROJECT" 2>/dev/null)" ]]
}

cmd_up() {
  compose_init "$PROJECT" "$WORK"
  compose_copy "$WORK"
  local gateway_port="${TOLLGATE_GATEWAY_PORT:-8080}" sandbox_port="${TOLLGATE_SANDBOX_PORT:-8099}"
  if [[ ! -f "$WORK/.env" ]]; then
    step "writing $WORK/.env with fresh secrets (kept for the next start)"
    compose_env "$WORK/.env" "$gateway_port" "$sandbox_port"
  fi
  mkdir -p "$(dirname "$LOG")"
  step "starting the fleet as containers (engine output: $LOG)"
  (cd "$WORK" && "${compose[@]}" up -d >>"$LOG" 2>&1) || { tail -n 20 "$LOG" >&2; fail "compose up failed"; }
  compose_wait_ready "$PROJECT"
  gateway_port="$(sed -n 's/^GATEWAY_PORT=//p' "$WORK/.env")"
  sandbox_port="$(sed -n 's/^SANDBOX_PORT=//p' "$WORK/.env")"
  printf 'Tollgate is up (containers): gateway at http://127.0.0.1:%s\n' "$gateway_port"
  printf 'The provider sandbox (checkout pages, caught mail) at http://127.0.0.1:%s; ./tollgate down stops it.\n' "$sandbox_port"
}

cmd_down() {
  [[ -f "$WORK/compose.yaml" ]] || return 0
  compose_init_quiet
  local volumes=()
  [[ "${TOLLGATE_COMPOSE_VOLUMES:-keep}" == remove ]] && volumes=(-v)
  step "stopping the containers' fleet${volumes:+ and removing its volumes}"
  (cd "$WORK" && "${compose[@]}" down "${volumes[@]}" >>"$LOG" 2>&1) || { tail -n 20 "$LOG" >&2; fail "compose down failed"; }
}

# the Compose command without building anything (down and status)
compose_init_quiet() {
  engine="$(engine_of)"
  if command -v podman-compose >/dev/null 2>&1; then
    compose=(podman-compose -p "$PROJECT" -f "$WORK/compose.yaml")
  else
    compose=(docker compose -p "$PROJECT" -f "$WORK/compose.yaml")
  fi
}

cmd_status() {
  [[ -f "$WORK/compose.yaml" ]] || { echo "the containers' fleet was never started"; return 0; }
  engine="$(engine_of)"
  $engine ps -a --filter "label=com.docker.compose.project=$PROJECT" --format '{{.Names}}\t{{.Status}}'
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  is-up) running ;;
  *)
    sed -n '2,12p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
