# shellcheck shell=bash
# Shared helpers for the local Tollgate servers (PostgreSQL, Redis, Kafka) and the
# ./tollgate CLI. Sourced, never executed. Everything lives under one state directory
# so a checkout can be reset with `./tollgate down && rm -rf .tollgate`.

# Repo root: the directory holding the `tollgate` script (two levels above this file).
TOLLGATE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export TOLLGATE_ROOT

: "${TOLLGATE_HOME:=$TOLLGATE_ROOT/.tollgate}"
mkdir -p "$TOLLGATE_HOME"
# Absolute, because postgres and the daemons resolve paths from their own cwd.
TOLLGATE_HOME="$(cd "$TOLLGATE_HOME" && pwd)"
export TOLLGATE_HOME

export TOLLGATE_PG_PORT="${TOLLGATE_PG_PORT:-55432}"
export TOLLGATE_REDIS_PORT="${TOLLGATE_REDIS_PORT:-56379}"
export TOLLGATE_KAFKA_PORT="${TOLLGATE_KAFKA_PORT:-59092}"
export TOLLGATE_KAFKA_CONTROLLER_PORT="${TOLLGATE_KAFKA_CONTROLLER_PORT:-59093}"

LOG_DIR="$TOLLGATE_HOME/logs"
RUN_DIR="$TOLLGATE_HOME/run"
mkdir -p "$LOG_DIR" "$RUN_DIR"

log() { printf '[tollgate] %s\n' "$*" >&2; }
die() { printf '[tollgate] ERROR: %s\n' "$*" >&2; exit 1; }

# 0 when nothing listens on 127.0.0.1:PORT (or on a wildcard address covering it).
port_free() {
  local port="$1"
  if command -v ss >/dev/null 2>&1; then
    [[ -z "$(ss -Hltn "( sport = :$port )" 2>/dev/null)" ]]
  else
    ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
  fi
}

# Dies with a message naming the env var to change when a foreign process holds PORT.
require_port_free() {
  local port="$1" var="$2" what="$3"
  if ! port_free "$port"; then
    die "port $port (needed by $what) is already in use by another process; stop it or pick another port with $var=<port>"
  fi
}

# wait_for DESC TIMEOUT_SECONDS CMD... : polls CMD until it succeeds.
wait_for() {
  local desc="$1" timeout="$2"
  shift 2
  local deadline=$((SECONDS + timeout))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "timed out after ${timeout}s waiting for $desc"
      return 1
    fi
    sleep 0.5
  done
}

# A server started with one port and asked to start with another would otherwise look
# "alive but not answering"; say what is going on instead.
check_same_port() {
  local name="$1" running_port="$2" wanted_port="$3" var="$4"
  if [[ -n "$running_port" && "$running_port" != "$wanted_port" ]]; then
    die "$name from $TOLLGATE_HOME is already running on port $running_port, not $var=$wanted_port; stop it first (deploy/local/$name.sh stop)"
  fi
}

pidfile_of() { printf '%s/%s.pid' "$RUN_DIR" "$1"; }
logfile_of() { printf '%s/%s.log' "$LOG_DIR" "$1"; }

# pid_alive PIDFILE : the file holds the pid of a live process.
pid_alive() {
  local pidfile="$1" pid
  [[ -s "$pidfile" ]] || return 1
  pid="$(head -n1 "$pidfile" | tr -d '[:space:]')"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null
}

pid_of() {
  local pidfile
  pidfile="$(pidfile_of "$1")"
  if pid_alive "$pidfile"; then head -n1 "$pidfile" | tr -d '[:space:]'; fi
}

# stop_pid NAME [TIMEOUT] : SIGTERM, wait, then SIGKILL; always removes the pidfile.
stop_pid() {
  local name="$1" timeout="${2:-30}" pidfile pid
  pidfile="$(pidfile_of "$name")"
  if ! pid_alive "$pidfile"; then
    rm -f "$pidfile"
    return 0
  fi
  pid="$(head -n1 "$pidfile" | tr -d '[:space:]')"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "$name (pid $pid) did not exit within ${timeout}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 0.5
      break
    fi
    sleep 0.2
  done
  rm -f "$pidfile"
}

# spawn NAME LOGFILE CMD... : runs CMD detached (own session, no stdin) and records its
# pid. The wrapper writes its own pid and then execs, so the pidfile names CMD itself
# even when setsid has to fork.
spawn() {
  local name="$1" logfile="$2"
  shift 2
  local pidfile
  pidfile="$(pidfile_of "$name")"
  rm -f "$pidfile"
  # 9>&- : the daemon must not inherit the start/stop lock (see server_main).
  # shellcheck disable=SC2016 # expanded by the inner shell
  setsid bash -c 'echo $$ >"$0"; exec "$@"' "$pidfile" "$@" </dev/null >>"$logfile" 2>&1 9>&- &
  local _
  for _ in $(seq 1 50); do
    [[ -s "$pidfile" ]] && return 0
    sleep 0.1
  done
  die "could not start $name (no pid recorded; see $logfile)"
}

# Java 25 is the project baseline; keep a caller's JAVA_HOME only when it is 25 or newer.
java_home_major() {
  local release="$1/release" version
  [[ -f "$release" ]] || return 1
  version="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release")"
  [[ -n "$version" ]] && printf '%s' "$version"
}

ensure_java() {
  local major
  if [[ -n "${JAVA_HOME:-}" && -x "$JAVA_HOME/bin/java" ]] \
    && major="$(java_home_major "$JAVA_HOME")" && ((major >= 25)); then
    :
  else
    JAVA_HOME="${TOLLGATE_DEFAULT_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
    [[ -x "$JAVA_HOME/bin/java" ]] || die "JDK 25 not found at $JAVA_HOME; set JAVA_HOME to a JDK 25"
  fi
  export JAVA_HOME
  export PATH="$JAVA_HOME/bin:$PATH"
}

# The project's Maven wrapper when present, the system Maven otherwise; TOLLGATE_MVN names another.
maven() {
  if [[ -n "${TOLLGATE_MVN:-}" ]]; then
    "$TOLLGATE_MVN" "$@"
  elif [[ -x "$TOLLGATE_ROOT/mvnw" ]]; then
    "$TOLLGATE_ROOT/mvnw" "$@"
  elif command -v mvn >/dev/null 2>&1; then
    mvn "$@"
  else
    die "neither ./mvnw nor mvn is available"
  fi
}

# Common entry point for the per-server scripts: dispatches start|stop|status|restart.
server_main() {
  local name="$1" action="${2:-}"
  if [[ "$action" == start || "$action" == stop || "$action" == restart ]]; then
    # Serialise concurrent start/stop of the same server (e.g. tests restarting it).
    # Daemons are started with fd 9 closed so they do not keep holding the lock.
    exec 9>"$RUN_DIR/$name.lock"
    flock -w 300 9 || die "timed out waiting for another $name $action to finish"
  fi
  case "$action" in
    start) "${name}_start" ;;
    stop) "${name}_stop" ;;
    status)
      if "${name}_up"; then
        printf '%s: UP (pid %s, 127.0.0.1:%s)\n' "$name" "$("${name}_pid")" "$("${name}_port")"
        exit 0
      fi
      printf '%s: DOWN\n' "$name"
      exit 3
      ;;
    restart)
      "${name}_stop"
      "${name}_start"
      ;;
    *)
      printf 'usage: %s start|stop|status|restart\n' "$(basename "$0")" >&2
      exit 2
      ;;
  esac
}
