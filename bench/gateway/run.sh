#!/usr/bin/env bash
# Gateway benchmark: one static upstream measured four ways in one run, with wrk (Debian):
#   direct        wrk -> upstream
#   nginx         wrk -> nginx proxy_pass -> upstream
#   gateway JWT   wrk -> gateway-svc (RS256 JWT, scope check, Redis rate limit) -> upstream
#   gateway key   wrk -> gateway-svc (API key, exchanged once at identity, Redis rate limit) -> upstream
# The upstream is nginx answering a fixed JSON body, so every figure is proxy overhead plus the
# same upstream. Both proxies write an access log. Identity comes from ./tollgate up.
# usage: bench/gateway/run.sh [seconds per phase, default 20] [connections, default 64]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SECONDS_PER_PHASE="${1:-20}"
CONNECTIONS="${2:-64}"
IDENTITY="http://127.0.0.1:${TOLLGATE_IDENTITY_PORT:-8081}"
UPSTREAM_PORT=18181
NGINX_PORT=18182
GATEWAY_PORT=18180
GATEWAY_MANAGEMENT_PORT=18190
WORK="$ROOT/.tollgate/bench-gateway"
mkdir -p "$WORK/logs"

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2" >&2; apt-get install -y "$2" >/dev/null; }; }
need wrk wrk
need nginx nginx-light
need jq jq

curl -fs "http://127.0.0.1:${TOLLGATE_IDENTITY_MANAGEMENT_PORT:-9081}/q/health/ready" >/dev/null 2>&1 || "$ROOT/tollgate" up >/dev/null

cleanup() {
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  [[ -n "${GATEWAY_PID:-}" ]] && kill "$GATEWAY_PID" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT

cat >"$WORK/nginx.conf" <<CONF
worker_processes auto;
pid $WORK/nginx.pid;
error_log $WORK/logs/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log $WORK/logs/nginx-access.log;
  client_body_temp_path $WORK/body; proxy_temp_path $WORK/proxy; fastcgi_temp_path $WORK/fcgi;
  uwsgi_temp_path $WORK/uwsgi; scgi_temp_path $WORK/scgi;
  keepalive_requests 1000000;
  upstream app { server 127.0.0.1:$UPSTREAM_PORT; keepalive 256; }
  server {
    listen 127.0.0.1:$UPSTREAM_PORT;
    access_log off;
    location / { default_type application/json; return 200 '{"id":"job_1","status":"completed","progress":100}'; }
  }
  server {
    listen 127.0.0.1:$NGINX_PORT;
    location / { proxy_pass http://app; proxy_http_version 1.1; proxy_set_header Connection ""; proxy_set_header X-Forwarded-For \$remote_addr; }
  }
}
CONF
rm -f "$WORK/nginx.pid"
nginx -p "$WORK" -c "$WORK/nginx.conf"

# A gateway of its own in front of the static upstream (render's routes), with the fleet's identity
# and Redis; the per-user ceiling is lifted so the run measures admitted requests, while the Redis
# script still runs for every one of them.
TOLLGATE_UPSTREAM_IDENTITY_URL="$IDENTITY" \
TOLLGATE_UPSTREAM_RENDER_URL="http://127.0.0.1:$UPSTREAM_PORT" \
TOLLGATE_JWKS_URL="$IDENTITY/.well-known/jwks.json" \
TOLLGATE_GATEWAY_LIMITS_GENERAL=1000000000 \
QUARKUS_HTTP_PORT=$GATEWAY_PORT \
QUARKUS_MANAGEMENT_PORT=$GATEWAY_MANAGEMENT_PORT \
QUARKUS_PROFILE=local \
  "$JAVA_HOME/bin/java" -Xms256m -Xmx256m -XX:+UseParallelGC --enable-native-access=ALL-UNNAMED \
  -jar "$ROOT/gateway-svc/target/quarkus-app/quarkus-run.jar" >"$WORK/logs/gateway.log" 2>&1 &
GATEWAY_PID=$!
for _ in $(seq 1 120); do
  curl -fs "http://127.0.0.1:$GATEWAY_MANAGEMENT_PORT/q/health/ready" >/dev/null 2>&1 && break
  sleep 0.5
done

# A user, its access token and an API key with render:read; the key's rpm is raised in identity's
# database (the API caps it at 1000/min), again so that the run measures admitted requests.
IP="198.19.$((RANDOM % 250)).$((RANDOM % 250 + 1))"
EMAIL="bench-gw-$(date +%s%N)@example.com"
curl -fs -H 'Content-Type: application/json' -H "X-Forwarded-For: $IP" "$IDENTITY/v1/auth/register" \
  -d "{\"tenant_slug\":\"default\",\"email\":\"$EMAIL\",\"password\":\"Bench-Pass-1\",\"full_name\":\"Bench\",\"accept_terms\":true}" >/dev/null
TOKEN="$(curl -fs -H 'Content-Type: application/json' -H "X-Forwarded-For: $IP" "$IDENTITY/v1/auth/login" \
  -d "{\"email\":\"$EMAIL\",\"password\":\"Bench-Pass-1\"}" | jq -r .access_token)"
KEY_JSON="$(curl -fs -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" "$IDENTITY/v1/api-keys" \
  -d '{"name":"bench","scopes":["render:read"],"rate_limit_rpm":1000}')"
KEY="$(jq -r .secret_key <<<"$KEY_JSON")"
PGPASSWORD=identity /usr/lib/postgresql/15/bin/psql -X -q -h 127.0.0.1 -p "${TOLLGATE_PG_PORT:-55432}" -U identity -d identity \
  -c "update api_keys set rate_limit_rpm = 1000000000 where id = '$(jq -r .id <<<"$KEY_JSON")'"

PATH_UNDER_TEST="/v1/jobs/job_1"
check() { # the path answers 200 through each door before it is measured
  local code
  code="$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$@")"
  [[ "$code" == 200 ]] || { echo "setup failed: $* answered $code" >&2; exit 1; }
}
check "http://127.0.0.1:$UPSTREAM_PORT$PATH_UNDER_TEST"
check "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST"
check -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST"
check -H "X-API-Key: $KEY" "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST"

run() { # name, url, extra wrk args...; prints "name rps p50_ms p99_ms non2xx"
  local name="$1" url="$2"
  shift 2
  local out
  out="$(wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_PHASE}s" --latency "$@" "$url")"
  local rps p50 p99 bad
  rps="$(awk '/^Requests\/sec/ {print $2}' <<<"$out")"
  p50="$(awk '$1=="50%" {print $2}' <<<"$out")"
  p99="$(awk '$1=="99%" {print $2}' <<<"$out")"
  bad="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
  printf '%s %s %s %s %s\n' "$name" "$rps" "$(to_ms "$p50")" "$(to_ms "$p99")" "${bad:-0}"
}
to_ms() { # wrk prints 1.23ms, 850.00us or 1.02s
  awk -v v="$1" 'BEGIN { n = v + 0; if (v ~ /us$/) n /= 1000; else if (v ~ /ms$/) n = n; else if (v ~ /s$/) n *= 1000; printf "%.3f", n }'
}

echo "warming up the gateway (JIT) for ${SECONDS_PER_PHASE}s ..." >&2
wrk -t2 -c"$CONNECTIONS" -d"${SECONDS_PER_PHASE}s" -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST" >/dev/null
wrk -t2 -c"$CONNECTIONS" -d"$((SECONDS_PER_PHASE / 2))s" -H "X-API-Key: $KEY" "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST" >/dev/null

# Latency is compared at a fixed, moderate load as well (each connection waits PACE_MS between
# requests), because at saturation every door's p99 is mostly queueing behind a busy CPU.
PACE_MS="${PACE_MS:-8}"
PACE_CONNECTIONS="${PACE_CONNECTIONS:-16}"
cat >"$WORK/pace.lua" <<LUA
function delay() return $PACE_MS end
LUA
paced() { # name, url, extra wrk args...; prints "name rps p50_ms p99_ms non2xx"
  local name="$1" url="$2"
  shift 2
  local out
  out="$(wrk -t2 -c"$PACE_CONNECTIONS" -d"${SECONDS_PER_PHASE}s" --latency -s "$WORK/pace.lua" "$@" "$url")"
  local bad
  bad="$(awk '/Non-2xx/ {print $5}' <<<"$out")"
  printf '%s %s %s %s %s\n' "$name" "$(awk '/^Requests\/sec/ {print $2}' <<<"$out")" \
    "$(to_ms "$(awk '$1=="50%" {print $2}' <<<"$out")")" "$(to_ms "$(awk '$1=="99%" {print $2}' <<<"$out")")" "${bad:-0}"
}

RESULTS="$WORK/results.txt"
PACED="$WORK/results-paced.txt"
{
  run direct "http://127.0.0.1:$UPSTREAM_PORT$PATH_UNDER_TEST"
  run nginx "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST"
  run gateway-jwt "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST" -H "Authorization: Bearer $TOKEN"
  run gateway-key "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST" -H "X-API-Key: $KEY"
} >"$RESULTS"
{
  paced direct "http://127.0.0.1:$UPSTREAM_PORT$PATH_UNDER_TEST"
  paced nginx "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST"
  paced gateway-jwt "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST" -H "Authorization: Bearer $TOKEN"
  paced gateway-key "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST" -H "X-API-Key: $KEY"
} >"$PACED"

echo
echo "gateway benchmark: ${SECONDS_PER_PHASE}s per phase, $CONNECTIONS connections, 2 wrk threads, $(nproc) cores"
awk '
  { name[NR]=$1; rps[NR]=$2; p50[NR]=$3; p99[NR]=$4; bad[NR]=$5 }
  END {
    printf "%-12s %12s %10s %10s %8s\n", "door", "rps", "p50 ms", "p99 ms", "non-2xx"
    for (i = 1; i <= NR; i++) printf "%-12s %12.0f %10.3f %10.3f %8d\n", name[i], rps[i], p50[i], p99[i], bad[i]
    printf "\n"
    printf "gateway JWT / nginx rps: %.2fx (target >= 0.80x)\n", rps[3] / rps[2]
    printf "gateway key / nginx rps: %.2fx (target >= 0.80x)\n", rps[4] / rps[2]
    printf "p99 added over direct at saturation: nginx %+.3f ms, gateway JWT %+.3f ms, gateway key %+.3f ms\n", p99[2] - p99[1], p99[3] - p99[1], p99[4] - p99[1]
  }' "$RESULTS"
echo
echo "fixed load: $PACE_CONNECTIONS connections, each pausing ${PACE_MS} ms between requests"
awk '
  { name[NR]=$1; rps[NR]=$2; p50[NR]=$3; p99[NR]=$4; bad[NR]=$5 }
  END {
    printf "%-12s %12s %10s %10s %8s\n", "door", "rps", "p50 ms", "p99 ms", "non-2xx"
    for (i = 1; i <= NR; i++) printf "%-12s %12.0f %10.3f %10.3f %8d\n", name[i], rps[i], p50[i], p99[i], bad[i]
    printf "\n"
    printf "p99 added over direct: nginx %+.3f ms, gateway JWT %+.3f ms, gateway key %+.3f ms (target <= 1 ms)\n", p99[2] - p99[1], p99[3] - p99[1], p99[4] - p99[1]
  }' "$PACED"
