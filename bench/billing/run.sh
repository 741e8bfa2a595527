#!/usr/bin/env bash
# Billing benchmark: holds + captures per second over HTTP against billing-svc, and pgbench's
# TPC-B on the same PostgreSQL in the same run; then the books are checked for drift.
# usage: bench/billing/run.sh [seconds per phase, default 30] [workers, default 32] [warm-up seconds, default 45]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SECONDS_PER_PHASE="${1:-30}"
WORKERS="${2:-32}"
# Both JVMs compile their hot paths for the first minute or so; measuring during it measures the JIT.
WARMUP="${3:-45}"
PG_PORT="${TOLLGATE_PG_PORT:-55432}"
BIN=/usr/lib/postgresql/15/bin
IDENTITY="http://127.0.0.1:${TOLLGATE_IDENTITY_PORT:-8081}"
BILLING="http://127.0.0.1:${TOLLGATE_BILLING_PORT:-8082}"
need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2" >&2; apt-get install -y "$2" >/dev/null; }; }
need jq jq

curl -fs "http://127.0.0.1:${TOLLGATE_BILLING_MANAGEMENT_PORT:-9082}/q/health/ready" >/dev/null 2>&1 || "$ROOT/tollgate" up >/dev/null
psql_billing() { PGPASSWORD=billing "$BIN/psql" -X -q -At -h 127.0.0.1 -p "$PG_PORT" -U billing -d billing -c "$1"; }

# A service token (client credentials, as render-svc gets its own) and 50 funded wallets.
TOKEN="$(curl -fs -H 'Content-Type: application/json' "$IDENTITY/internal/tokens" \
  -d "{\"client_id\":\"render\",\"client_secret\":\"${TOLLGATE_RENDER_CLIENT_SECRET:-local-development-secret-render-svc}\"}" | jq -r .access_token)"
TENANT="$(cat /proc/sys/kernel/random/uuid)"
USERS=()
for _ in $(seq 1 50); do
  USERS+=("$(cat /proc/sys/kernel/random/uuid)")
done
for user in "${USERS[@]}"; do
  # opening the wallet through the API (a hold of nothing is refused, a hold on an empty wallet is 402)
  curl -s -o /dev/null -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' "$BILLING/internal/holds" \
    -d "{\"user_id\":\"$user\",\"tenant_id\":\"$TENANT\",\"amount_minor\":1}"
done
IDS="$(printf "'%s'," "${USERS[@]}")"
IDS="${IDS%,}"
# Funding by the journal's own path would need an admin session; the bench credits through SQL in
# the same shape as a grant (journal row and balanced postings), so the drift check covers it too.
psql_billing "with w as (update wallets set available_minor = available_minor + 100000000 where user_id in ($IDS) returning *),
  j as (insert into journal (id, wallet_id, user_id, tenant_id, type, amount_minor, balance_after_minor, reserved_after_minor, currency, reference_type, description)
        select gen_random_uuid(), id, user_id, tenant_id, 'grant', 100000000, available_minor, reserved_minor, currency, 'bench', 'bench funds' from w returning id, wallet_id, currency)
  insert into postings (journal_id, account, amount_minor, currency)
  select id, 'wallet:' || wallet_id || ':available', 100000000, currency from j union all select id, 'platform:grants', -100000000, currency from j"
BEFORE="$(psql_billing "select sum(available_minor + reserved_minor) from wallets where user_id in ($IDS)")"

echo "holds + captures over HTTP: ${SECONDS_PER_PHASE}s after a ${WARMUP} s warm-up, $WORKERS workers, 50 wallets" >&2
HOLDS="$("$JAVA_HOME/bin/java" "$ROOT/bench/billing/HoldBench.java" "$BILLING" "$TOKEN" "$TENANT" "$SECONDS_PER_PHASE" "$WORKERS" "$WARMUP" "${USERS[@]}")"

echo "pgbench TPC-B on the same server: ${SECONDS_PER_PHASE}s, 8 clients" >&2
PGPASSWORD=billing "$BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U billing -d billing -c "drop schema if exists pgbench cascade; create schema pgbench" >/dev/null
export PGOPTIONS="-c search_path=pgbench"
PGPASSWORD=billing "$BIN/pgbench" -q -i -s 10 -h 127.0.0.1 -p "$PG_PORT" -U billing billing >/dev/null 2>&1
TPS="$(PGPASSWORD=billing "$BIN/pgbench" -c 8 -j 2 -T "$SECONDS_PER_PHASE" -h 127.0.0.1 -p "$PG_PORT" -U billing billing 2>/dev/null \
  | awk '/^tps/ {print $3; exit}')"
unset PGOPTIONS
PGPASSWORD=billing "$BIN/psql" -X -q -h 127.0.0.1 -p "$PG_PORT" -U billing -d billing -c "drop schema pgbench cascade" >/dev/null

AFTER="$(psql_billing "select sum(available_minor + reserved_minor) from wallets where user_id in ($IDS)")"
CAPTURED="$(awk '{for (i = 1; i < NF; i++) if ($i == "captured_minor") print $(i + 1)}' <<<"$HOLDS")"
UNBALANCED="$(psql_billing "select count(*) from (select journal_id from postings group by journal_id having sum(amount_minor) <> 0) x")"
MISMATCHED="$(psql_billing "select count(*) from wallets w left join (select wallet_id, sum(amount_minor) as available, sum(reserved_change_minor) as reserved from journal group by wallet_id) j on j.wallet_id = w.id where w.available_minor <> coalesce(j.available, 0) or w.reserved_minor <> coalesce(j.reserved, 0)")"

RATE="$(awk '{for (i = 1; i < NF; i++) if ($i == "ops_rate") print $(i + 1)}' <<<"$HOLDS")"
PAIRS="$(awk '{for (i = 1; i < NF; i++) if ($i == "rate") print $(i + 1)}' <<<"$HOLDS")"
P50="$(awk '{for (i = 1; i < NF; i++) if ($i == "p50_ms") print $(i + 1)}' <<<"$HOLDS")"
P99="$(awk '{for (i = 1; i < NF; i++) if ($i == "p99_ms") print $(i + 1)}' <<<"$HOLDS")"
FAILS="$(awk '{for (i = 1; i < NF; i++) if ($i == "failures") print $(i + 1)}' <<<"$HOLDS")"
echo
echo "billing benchmark ($(nproc) cores; billing, PostgreSQL and the load generator share them)"
printf '%-34s %10s (%s hold-then-capture pairs)\n' "holds+captures per second (HTTP)" "$RATE" "$PAIRS"
printf '%-34s %10s ms / %s ms\n' "pair latency p50 / p99" "$P50" "$P99"
printf '%-34s %10s\n' "failed pairs" "$FAILS"
printf '%-34s %10s\n' "pgbench TPC-B tps (8 clients)" "$TPS"
awk -v a="$RATE" -v b="$TPS" 'BEGIN { printf "%-34s %9.2fx (target >= 0.50x)\n", "ratio", a / b }'
DRIFT=$((BEFORE - CAPTURED - AFTER))
printf '%-34s %10s (wallets before %s, captured %s, after %s)\n' "drift (minor units)" "$DRIFT" "$BEFORE" "$CAPTURED" "$AFTER"
printf '%-34s %10s\n' "unbalanced journal rows" "$UNBALANCED"
printf '%-34s %10s\n' "wallets not equal to their journal" "$MISMATCHED"
