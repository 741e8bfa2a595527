#!/usr/bin/env bash
# First start: initdb with POSTGRES_USER/POSTGRES_PASSWORD, a temporary server on the socket only to
# create POSTGRES_DB and run /docker-entrypoint-initdb.d, then the real server in the foreground.
set -euo pipefail

if [[ "${1:-}" == -* ]]; then
  set -- postgres "$@"
fi
if [[ "${1:-}" != postgres ]]; then
  exec "$@"
fi
shift

: "${POSTGRES_USER:=postgres}"
: "${POSTGRES_DB:=$POSTGRES_USER}"
if [[ -n "${POSTGRES_PASSWORD_FILE:-}" ]]; then
  POSTGRES_PASSWORD="$(<"$POSTGRES_PASSWORD_FILE")"
fi

if [[ ! -s "$PGDATA/PG_VERSION" ]]; then
  if [[ -z "${POSTGRES_PASSWORD:-}" ]]; then
    echo "POSTGRES_PASSWORD is not set: the server would accept no password over TCP" >&2
    exit 1
  fi
  pwfile="$(mktemp)"
  printf '%s\n' "$POSTGRES_PASSWORD" >"$pwfile"
  initdb -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 --locale=C.UTF-8 \
    --auth-local=trust --auth-host=scram-sha-256
  rm -f "$pwfile"
  printf '\nlisten_addresses = '"'"'*'"'"'\nunix_socket_directories = '"'"'/var/run/postgresql'"'"'\n' >>"$PGDATA/postgresql.conf"
  printf 'host all all all scram-sha-256\n' >>"$PGDATA/pg_hba.conf"

  # A temporary server that only the socket reaches, so no client connects before setup ends.
  pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start
  psql=(psql -X -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres)
  if [[ "$POSTGRES_DB" != postgres ]]; then
    "${psql[@]}" -c "CREATE DATABASE \"$POSTGRES_DB\""
  fi
  for f in /docker-entrypoint-initdb.d/*; do
    case "$f" in
      *.sql) echo "running $f"; "${psql[@]}" -d "$POSTGRES_DB" -f "$f" ;;
      *.sh) echo "running $f"; bash "$f" ;;
      *) ;;
    esac
  done
  pg_ctl -D "$PGDATA" -m fast -w stop
  echo "PostgreSQL init process complete; ready for start up."
fi

exec postgres -D "$PGDATA" "$@"
