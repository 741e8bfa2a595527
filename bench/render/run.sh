#!/usr/bin/env bash
# Render benchmark: jobs of a no-op model against render-svc, each with a real hold at billing, a
# worker's claim and end, and billing's capture from render's event. Prints submit -> IN_QUEUE
# p50/p99 (the 202), submit -> IN_PROGRESS p50/p99 (the worker's claim, from the job rows), and
# jobs per second end to end (from the first submit to the last capture), against the targets,
# then checks the books: no hold pending, captured = the jobs' cost, every journal entry balanced.
# usage: bench/render/run.sh [seconds, default 30] [client workers, default 32] [warm-up seconds, default 20]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SECONDS_MEASURED="${1:-30}"
WORKERS="${2:-32}"
WARMUP="${3:-20}"
USERS=50
PG_PORT="${TOLLGATE_PG_PORT:-55432}"
BIN=/usr/lib/postgresql/15/bin
IDENTITY="http://127.0.0.1:${TOLLGATE_IDENTITY_PORT:-8081}"
RENDER="http://127.0.0.1:${TOLLGATE_RENDER_PORT:-8084}"
MODEL=bench/noop
need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2" >&2; apt-get install -y "$2" >/dev/null; }; }
need jq jq
psql_in() { PGPASSWORD="$1" "$BIN/psql" -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U "$1" -d "$1" -c "$2"; }
# the same with the statement on standard input (a statement naming thousands of jobs is too long for an argument)
psql_stdin() { PGPASSWORD="$1" "$BIN/psql" -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U "$1" -d "$1" -f -; }

# render's workers for this run: more slots in the instance and per owner than the defaults, and no daily cap
export TOLLGATE_RENDER_WORKERS_CONCURRENCY="${TOLLGATE_RENDER_WORKERS_CONCURRENCY:-16}"
export TOLLGATE_RENDER_LIMITS_PARALLEL_PER_USER="${TOLLGATE_RENDER_LIMITS_PARALLEL_PER_USER:-16}"
export TOLLGATE_RENDER_LIMITS_DAILY=100000000
# BENCH_REUSE_FLEET=1 measures the fleet already running (started with the settings above)
if [[ "${BENCH_REUSE_FLEET:-0}" != 1 ]]; then
  echo "restarting the fleet with render's workers at $TOLLGATE_RENDER_WORKERS_CONCURRENCY slots" >&2
  "$ROOT/tollgate" down >/dev/null 2>&1 || true
  "$ROOT/tollgate" up >/dev/null
fi

psql_in render "insert into models (model_id, display_name, category, lab, description, renderer, price_unit, unit_price_micros,
  input_schema, visible) values ('$MODEL', 'Benchmark no-op', 'benchmark', 'tollgate', 'Produces nothing: the platform''s own cost per job.',
  'noop', 'flat', 1000000, '{\"type\": \"object\", \"properties\": {\"n\": {\"type\": \"integer\"}}}', true)
  on conflict (model_id) do nothing" >/dev/null

echo "registering $USERS users" >&2
TOKENS=()
IDS=()
for i in $(seq 1 "$USERS"); do
  email="render-bench-$(cat /proc/sys/kernel/random/uuid)@example.com"
  curl -fs -o /dev/null -H 'Content-Type: application/json' "$IDENTITY/v1/auth/register" \
    -d "{\"email\":\"$email\",\"password\":\"Bench-password-1234\",\"full_name\":\"Bench\",\"accept_terms\":true}"
  login="$(curl -fs -H 'Content-Type: application/json' "$IDENTITY/v1/auth/login" \
    -d "{\"email\":\"$email\",\"password\":\"Bench-password-1234\"}")"
  TOKENS+=("$(jq -r .access_token <<<"$login")")
  IDS+=("'$(jq -r '.user.id // .user_id' <<<"$login")'")
done
IN="$(IFS=,; echo "${IDS[*]}")"
# billing opens each wallet on identity's user.registered; then the bench funds them the way a grant does
for _ in $(seq 1 60); do
  [[ "$(psql_in billing "select count(*) from wallets where user_id in ($IN)")" == "$USERS" ]] && break
  sleep 1
done
psql_in billing "with w as (update wallets set available_minor = available_minor + 100000000 where user_id in ($IN) returning *),
  j as (insert into journal (id, wallet_id, user_id, tenant_id, type, amount_minor, balance_after_minor, reserved_after_minor, currency, reference_type, description)
        select gen_random_uuid(), id, user_id, tenant_id, 'grant', 100000000, available_minor, reserved_minor, currency, 'bench', 'bench funds' from w returning id, wallet_id, currency)
  insert into postings (journal_id, account, amount_minor, currency)
  select id, 'wallet:' || wallet_id || ':available', 100000000, currency from j union all select id, 'platform:grants', -100000000, currency from j" >/dev/null

OUT="$(mktemp)"
echo "submitting for ${SECONDS_MEASURED} s after a ${WARMUP} s warm-up, $WORKERS client workers, $USERS users" >&2
"$JAVA_HOME/bin/java" "$ROOT/bench/render/RenderBench.java" "$RENDER" "$MODEL" "$SECONDS_MEASURED" "$WORKERS" "$WARMUP" "${TOKENS[@]}" >"$OUT"
read -r _ _ SUBMITTED _ RATE _ P50 _ P99 _ FAILURES < <(head -1 "$OUT")

# every job of the run ends, and billing settles every hold from render's events
for _ in $(seq 1 240); do
  open="$(psql_in render "select count(*) from jobs where user_id in ($IN) and status in ('IN_QUEUE', 'IN_PROGRESS')")"
  pending="$(psql_in billing "select count(*) from holds where user_id in ($IN) and status = 'pending'")"
  [[ "$open" == 0 && "$pending" == 0 ]] && break
  sleep 0.5
done

# the measured jobs: id and the client's submit instant
VALUES="$(tail -n +2 "$OUT" | awk '{printf "%s(%s::uuid, to_timestamp(%s / 1e6))", (NR > 1 ? "," : ""), "'\''" $1 "'\''", $2}')"
read -r STARTED_P50 STARTED_P99 < <(psql_stdin render <<<"select round((extract(epoch from percentile_cont(0.5) within group (order by j.started_at - m.at)) * 1000)::numeric, 1),
  round((extract(epoch from percentile_cont(0.99) within group (order by j.started_at - m.at)) * 1000)::numeric, 1)
  from (values $VALUES) m (id, at) join jobs j on j.id = m.id" | tr '|' ' ')
FIRST="$(tail -n +2 "$OUT" | awk 'NR == 1 || $2 < min {min = $2} END {print min}')"
REFS="$(tail -n +2 "$OUT" | awk '{printf "%s'\''job_%s'\''", (NR > 1 ? "," : ""), $1}')"
read -r CAPTURED_JOBS LAST_CAPTURE < <(psql_stdin billing <<<"select count(*), extract(epoch from max(resolved_at)) * 1e6 from holds
  where user_id in ($IN) and status = 'captured' and reference in ($REFS)" | tr '|' ' ')
E2E="$(awk -v n="$CAPTURED_JOBS" -v a="$FIRST" -v b="$LAST_CAPTURE" 'BEGIN {printf "%.1f", n / ((b - a) / 1e6)}')"

# the books
SPENT="$(psql_in render "select coalesce(sum(cost_minor), 0) from jobs where user_id in ($IN) and status = 'COMPLETED'")"
CAPTURED="$(psql_in billing "select coalesce(sum(captured_minor), 0) from holds where user_id in ($IN)")"
PENDING="$(psql_in billing "select count(*) from holds where user_id in ($IN) and status = 'pending'")"
UNBALANCED="$(psql_in billing "select count(*) from (select journal_id from postings p join journal j on j.id = p.journal_id
  where j.user_id in ($IN) group by journal_id having sum(p.amount_minor) <> 0) x")"
rm -f "$OUT"

verdict() { awk -v v="$1" -v t="$2" -v d="$3" 'BEGIN {print ((d == "le" ? v <= t : v >= t) ? "met" : "not met")}'; }
printf '\nrender, no-op model, %s s measured after %s s warm-up, %s client workers, %s users, %s worker slots\n' \
  "$SECONDS_MEASURED" "$WARMUP" "$WORKERS" "$USERS" "$TOLLGATE_RENDER_WORKERS_CONCURRENCY"
printf '%-34s %12s %12s %14s %s\n' "measure" "p50" "p99" "target" "verdict"
printf '%-34s %9s ms %9s ms %14s %s\n' "submit -> IN_QUEUE (202)" "$P50" "$P99" "p99 <= 20 ms" "$(verdict "$P99" 20 le)"
printf '%-34s %9s ms %9s ms %14s %s\n' "submit -> IN_PROGRESS (claimed)" "$STARTED_P50" "$STARTED_P99" "p99 <= 50 ms" "$(verdict "$STARTED_P99" 50 le)"
printf '%-34s %12s %12s %14s %s\n' "jobs/s end to end (held..captured)" "$E2E" "" ">= 500/s" "$(verdict "$E2E" 500 ge)"
printf 'submitted %s jobs (%s/s offered, %s failed submits); %s captured\n' "$SUBMITTED" "$RATE" "$FAILURES" "$CAPTURED_JOBS"
printf 'books: spent %s, captured %s, pending holds %s, unbalanced journal entries %s: %s\n' "$SPENT" "$CAPTURED" "$PENDING" "$UNBALANCED" \
  "$([[ "$SPENT" == "$CAPTURED" && "$PENDING" == 0 && "$UNBALANCED" == 0 ]] && echo balanced || echo DRIFT)"
