#!/usr/bin/env bash
# Gateway benchmark: one static upstream measured five ways in one run, with wrk (Debian):
#   direct        wrk -> upstream
#   nginx         wrk -> nginx proxy_pass -> upstream (no authentication: the plain-proxy reference)
#   haproxy-jwt   wrk -> HAProxy (Debian): RS256 jwt_verify against identity's key, alg/iss/aud/exp
#                 checked, a per-subject request rate counted in a stick table -> upstream
#   gateway JWT   wrk -> gateway-svc (RS256 JWT, scope check, Redis rate limit) -> upstream
#   gateway key   wrk -> gateway-svc (API key, exchanged once at identity, Redis rate limit) -> upstream
# The upstream is nginx answering a fixed JSON body, so every figure is proxy overhead plus the
# same upstream. Every proxy writes an access log. HAProxy's key is the PEM derived from the JWK
# that signed the token (n and e from identity's JWKS). Identity comes from ./tollgate up.
# usage: bench/gateway/run.sh [seconds per phase, default 20] [connections, default 64]
#        ROUNDS=3 (each door measured that many times, in rotated order; medians are reported)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
SECONDS_PER_PHASE="${1:-20}"
CONNECTIONS="${2:-64}"
IDENTITY="http://127.0.0.1:${TOLLGATE_IDENTITY_PORT:-8081}"
UPSTREAM_PORT=18181
NGINX_PORT=18182
HAPROXY_PORT=18183
GATEWAY_PORT=18180
GATEWAY_MANAGEMENT_PORT=18190
WORK="$ROOT/.tollgate/bench-gateway"
mkdir -p "$WORK/logs"

need() { command -v "$1" >/dev/null 2>&1 || { echo "installing $2" >&2; apt-get install -y "$2" >/dev/null; }; }
need wrk wrk
need nginx nginx-light
need jq jq
need haproxy haproxy
need openssl openssl

curl -fs "http://127.0.0.1:${TOLLGATE_IDENTITY_MANAGEMENT_PORT:-9081}/q/health/ready" >/dev/null 2>&1 || "$ROOT/tollgate" up >/dev/null

cleanup() {
  [[ -f "$WORK/nginx.pid" ]] && kill "$(cat "$WORK/nginx.pid")" 2>/dev/null || true
  [[ -n "${GATEWAY_PID:-}" ]] && kill "$GATEWAY_PID" 2>/dev/null || true
  [[ -n "${HAPROXY_PID:-}" ]] && kill "$HAPROXY_PID" 2>/dev/null || true
  [[ -n "${GATEWAY2_PID:-}" ]] && kill "$GATEWAY2_PID" 2>/dev/null || true
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
# and Redis; the per-user ceiling is lifted so the run measures admitted requests, while every
# request is still counted against its buckets (at a limit this large they lease shares; at the
# seed's 200/min they would take one script each). JVM flags for a 2-core box: a fixed 256 MiB heap,
# the serial collector (no GC threads competing with the two event-loop cores; young pauses of a
# millisecond or two with this little live data) and compact object headers.
GATEWAY_JAVA_OPTS="${GATEWAY_JAVA_OPTS:--Xms256m -Xmx256m -XX:+UseSerialGC -XX:+UseCompactObjectHeaders}"
AOT_CACHE="$WORK/gateway.aot"
start_gateway() { # extra JVM options...; sets GATEWAY_PID and STARTED_MS (launch to ready)
  # GW_PORT, GW_MANAGEMENT_PORT and GW_LOG start another instance beside the first
  local t0
  t0="$(date +%s%N)"
  # shellcheck disable=SC2086 # the options are separate words on purpose
  TOLLGATE_UPSTREAM_IDENTITY_URL="$IDENTITY" \
  TOLLGATE_UPSTREAM_RENDER_URL="http://127.0.0.1:$UPSTREAM_PORT" \
  TOLLGATE_JWKS_URL="$IDENTITY/.well-known/jwks.json" \
  TOLLGATE_GATEWAY_LIMITS_GENERAL=1000000000 \
  QUARKUS_HTTP_PORT=${GW_PORT:-$GATEWAY_PORT} \
  QUARKUS_MANAGEMENT_PORT=${GW_MANAGEMENT_PORT:-$GATEWAY_MANAGEMENT_PORT} \
  QUARKUS_PROFILE=local \
    "$JAVA_HOME/bin/java" $GATEWAY_JAVA_OPTS "$@" --enable-native-access=ALL-UNNAMED \
    -jar "$ROOT/gateway-svc/target/quarkus-app/quarkus-run.jar" >"$WORK/logs/${GW_LOG:-gateway}.log" 2>&1 &
  GATEWAY_PID=$!
  for _ in $(seq 1 600); do
    curl -fs "http://127.0.0.1:${GW_MANAGEMENT_PORT:-$GATEWAY_MANAGEMENT_PORT}/q/health/ready" >/dev/null 2>&1 && break
    sleep 0.05
  done
  STARTED_MS=$((($(date +%s%N) - t0) / 1000000))
}
stop_gateway() {
  kill "$GATEWAY_PID" 2>/dev/null || true
  wait "$GATEWAY_PID" 2>/dev/null || true
  GATEWAY_PID=
}

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

# Start time with and without an AOT cache (JDK 25, JEP 483/514): a first start as it is, a training
# start that records the classes loaded and linked while it serves a few seconds of traffic, written
# at exit, and the measured start that uses the cache. Idle RSS is read from that last start.
start_gateway
COLD_MS=$STARTED_MS
stop_gateway
rm -f "$AOT_CACHE"
start_gateway -XX:AOTCacheOutput="$AOT_CACHE"
wrk -t2 -c16 -d5s -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$GATEWAY_PORT/v1/jobs/job_1" >/dev/null
wrk -t2 -c16 -d3s -H "X-API-Key: $KEY" "http://127.0.0.1:$GATEWAY_PORT/v1/jobs/job_1" >/dev/null
stop_gateway
AOT_OPTS=()
[[ -f "$AOT_CACHE" ]] && AOT_OPTS=(-XX:AOTCache="$AOT_CACHE")
# shellcheck disable=SC2086 # GATEWAY_MEASURED_OPTS (a profiler, say) goes to the measured start only
start_gateway "${AOT_OPTS[@]}" ${GATEWAY_MEASURED_OPTS:-}
AOT_MS=$STARTED_MS
sleep 3
IDLE_RSS_MB=$(($(awk '/^VmRSS/ {print $2}' "/proc/$GATEWAY_PID/status") / 1024))

# HAProxy verifies the same token itself: the public key is rebuilt from the JWK that signed it
# (its kid), as a PKCS#1 RSAPublicKey from n and e, then written as a PEM for jwt_verify. The
# per-subject ceiling is lifted like the gateway's, while the stick table still counts every request.
b64url_hex() { local v="$1"; v="${v//-/+}"; v="${v//_//}"; while (( ${#v} % 4 )); do v+="="; done; base64 -d <<<"$v" | od -An -v -tx1 | tr -d ' \n'; }
KID="$(cut -d. -f1 <<<"$TOKEN" | tr '_-' '/+' | { read -r h; while (( ${#h} % 4 )); do h+="="; done; base64 -d <<<"$h"; } | jq -r .kid)"
JWK="$(curl -fs "$IDENTITY/.well-known/jwks.json" | jq -c --arg kid "$KID" '.keys[] | select(.kid == $kid)')"
ISSUER="$(cut -d. -f2 <<<"$TOKEN" | tr '_-' '/+' | { read -r p; while (( ${#p} % 4 )); do p+="="; done; base64 -d <<<"$p"; } | jq -r .iss)"
AUDIENCE="$(cut -d. -f2 <<<"$TOKEN" | tr '_-' '/+' | { read -r p; while (( ${#p} % 4 )); do p+="="; done; base64 -d <<<"$p"; } | jq -r '.aud | if type == "array" then .[0] else . end')"
cat >"$WORK/jwk.asn1" <<ASN1
asn1=SEQUENCE:rsa
[rsa]
n=INTEGER:0x$(b64url_hex "$(jq -r .n <<<"$JWK")")
e=INTEGER:0x$(b64url_hex "$(jq -r .e <<<"$JWK")")
ASN1
openssl asn1parse -noout -genconf "$WORK/jwk.asn1" -out "$WORK/jwk.der"
openssl rsa -RSAPublicKey_in -inform DER -in "$WORK/jwk.der" -pubout -out "$WORK/jwt-key.pem" 2>/dev/null
HAPROXY_RATE_LIMIT=1000000000
cat >"$WORK/haproxy.cfg" <<CONF
global
  maxconn 8192
  log stdout format raw local0 info
defaults
  mode http
  log global
  option httplog
  timeout connect 2s
  timeout client 30s
  timeout server 30s
backend subjects
  stick-table type string len 64 size 1m expire 2m store http_req_rate(1m)
frontend door
  bind 127.0.0.1:$HAPROXY_PORT
  http-request set-var(txn.bearer) http_auth_bearer
  http-request deny deny_status 401 unless { var(txn.bearer) -m found }
  http-request set-var(txn.alg) var(txn.bearer),jwt_header_query('\$.alg')
  http-request deny deny_status 401 unless { var(txn.alg) -m str RS256 }
  http-request deny deny_status 401 unless { var(txn.bearer),jwt_verify("RS256","$WORK/jwt-key.pem") -m int 1 }
  http-request set-var(txn.iss) var(txn.bearer),jwt_payload_query('\$.iss')
  http-request deny deny_status 401 unless { var(txn.iss) -m str $ISSUER }
  http-request set-var(txn.aud) var(txn.bearer),jwt_payload_query('\$.aud')
  http-request deny deny_status 401 unless { var(txn.aud) -m str $AUDIENCE }
  http-request set-var(txn.exp) var(txn.bearer),jwt_payload_query('\$.exp','int')
  http-request set-var(txn.now) date()
  http-request deny deny_status 401 if { var(txn.exp),sub(txn.now) -m int lt 0 }
  http-request set-var(txn.sub) var(txn.bearer),jwt_payload_query('\$.sub')
  http-request track-sc0 var(txn.sub) table subjects
  http-request deny deny_status 429 if { sc_http_req_rate(0) gt $HAPROXY_RATE_LIMIT }
  default_backend app
backend app
  http-reuse always
  server upstream 127.0.0.1:$UPSTREAM_PORT
CONF
haproxy -c -q -f "$WORK/haproxy.cfg"
haproxy -db -f "$WORK/haproxy.cfg" >"$WORK/logs/haproxy-access.log" 2>&1 &
HAPROXY_PID=$!
sleep 0.5

PATH_UNDER_TEST="/v1/jobs/job_1"
check() { # the path answers 200 through each door before it is measured
  local code
  code="$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$@")"
  [[ "$code" == 200 ]] || { echo "setup failed: $* answered $code" >&2; exit 1; }
}
check "http://127.0.0.1:$UPSTREAM_PORT$PATH_UNDER_TEST"
check "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST"
check -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$HAPROXY_PORT$PATH_UNDER_TEST"
refused() { # HAProxy's door must refuse what it claims to check, or its figure means nothing
  local code
  code="$(curl -s -m 10 -o /dev/null -w '%{http_code}' "$@")"
  [[ "$code" == 401 ]] || { echo "setup failed: HAProxy let $* through with $code" >&2; exit 1; }
}
refused "http://127.0.0.1:$HAPROXY_PORT$PATH_UNDER_TEST"
# A character in the middle of the signature: the last one carries padding bits in part, and changing
# those alone may decode to the same signature.
SIG_MID=$((${#TOKEN} - 20))
if [[ "${TOKEN:SIG_MID:1}" == A ]]; then SWAP=B; else SWAP=A; fi
TAMPERED="${TOKEN:0:SIG_MID}${SWAP}${TOKEN:SIG_MID+1}"
refused -H "Authorization: Bearer $TAMPERED" "http://127.0.0.1:$HAPROXY_PORT$PATH_UNDER_TEST"
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

DOORS=(direct nginx haproxy-jwt gateway-jwt gateway-key)
door() { # mode (run|paced), door name: one measurement of that door
  local mode="$1" name="$2"
  case "$name" in
    direct) "$mode" direct "http://127.0.0.1:$UPSTREAM_PORT$PATH_UNDER_TEST" ;;
    nginx) "$mode" nginx "http://127.0.0.1:$NGINX_PORT$PATH_UNDER_TEST" ;;
    haproxy-jwt) "$mode" haproxy-jwt "http://127.0.0.1:$HAPROXY_PORT$PATH_UNDER_TEST" -H "Authorization: Bearer $TOKEN" ;;
    gateway-jwt) "$mode" gateway-jwt "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST" -H "Authorization: Bearer $TOKEN" ;;
    gateway-key) "$mode" gateway-key "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST" -H "X-API-Key: $KEY" ;;
    *) echo "unknown door $name (${DOORS[*]})" >&2; exit 2 ;;
  esac
}

# BENCH_DOORS="gateway-jwt" (say) measures only those doors, at saturation, and prints their rows:
# for a profile of one door (GATEWAY_MEASURED_OPTS=-XX:StartFlightRecording=...), not for the table.
if [[ -n "${BENCH_DOORS:-}" ]]; then
  for name in $BENCH_DOORS; do door run "$name"; done
  exit 0
fi

# The doors are measured in ROUNDS rounds (default 3), each in a rotated order, and each door's
# figures are the medians of its rounds: on a shared 2-core host the load of other processes drifts
# over a run, and a door measured only once, always in the same place, carries that drift into the
# ratios. Every round's rows are printed too.
ROUNDS="${ROUNDS:-3}"
median_rows() { # rows "name rps p50 p99 non2xx" of every round -> one row per door (medians, summed non-2xx), in DOORS order
  local name
  for name in "${DOORS[@]}"; do
    awk -v n="$name" '$1 == n' "$1" | awk '
      { rps[NR]=$2; p50[NR]=$3; p99[NR]=$4; bad+=$5; name=$1 }
      function median(a, k,   i, j, t) { for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] < a[i]) { t = a[i]; a[i] = a[j]; a[j] = t }
        return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2 }
      END { printf "%s %s %s %s %d\n", name, median(rps, NR), median(p50, NR), median(p99, NR), bad }'
  done
}
measure_rounds() { # mode, file of all rounds' rows
  local mode="$1" all="$2" round i
  : >"$all"
  for ((round = 0; round < ROUNDS; round++)); do
    for ((i = 0; i < ${#DOORS[@]}; i++)); do
      door "$mode" "${DOORS[$(((i + round) % ${#DOORS[@]}))]}" | sed "s/\$/ $((round + 1))/" >>"$all"
    done
  done
}

RESULTS="$WORK/results.txt"
PACED="$WORK/results-paced.txt"
measure_rounds run "$WORK/rounds.txt"
median_rows "$WORK/rounds.txt" >"$RESULTS"
measure_rounds paced "$WORK/rounds-paced.txt"
median_rows "$WORK/rounds-paced.txt" >"$PACED"

# Limiter accuracy: two gateway instances sharing Redis, 64 connections on one API key's bucket
# (32 through each instance), for ACCURACY_SECONDS. A bucket of L per minute (GCRA) admits at most
# L at once plus L/60 per second after that; leasing adds at most 1% of L (the README says why).
# The key of 1,000/min is the smallest that leases (its reserve is 10); the one of 30,000/min
# leases in earnest. Admitted = wrk's requests minus its non-2xx answers, all of them 429 here.
ACCURACY_SECONDS="${ACCURACY_SECONDS:-10}"
GATEWAY2_PORT=18280
GATEWAY2_MANAGEMENT_PORT=18290
FIRST_GATEWAY_PID=$GATEWAY_PID
GW_PORT=$GATEWAY2_PORT GW_MANAGEMENT_PORT=$GATEWAY2_MANAGEMENT_PORT GW_LOG=gateway-2 start_gateway "${AOT_OPTS[@]}"
GATEWAY2_PID=$GATEWAY_PID
GATEWAY_PID=$FIRST_GATEWAY_PID
accuracy() { # rpm; prints "rpm seconds admitted refused bound"
  local rpm="$1" key_json key t0 t1 first
  key_json="$(curl -fs -H 'Content-Type: application/json' -H "Authorization: Bearer $TOKEN" "$IDENTITY/v1/api-keys" \
    -d "{\"name\":\"bench-accuracy-$rpm\",\"scopes\":[\"render:read\"],\"rate_limit_rpm\":1000}")"
  key="$(jq -r .secret_key <<<"$key_json")"
  if [[ "$rpm" != 1000 ]]; then
    PGPASSWORD=identity /usr/lib/postgresql/15/bin/psql -X -q -h 127.0.0.1 -p "${TOLLGATE_PG_PORT:-55432}" -U identity -d identity \
      -c "update api_keys set rate_limit_rpm = $rpm where id = '$(jq -r .id <<<"$key_json")'"
  fi
  t0="$(date +%s%N)"
  wrk -t1 -c32 -d"${ACCURACY_SECONDS}s" -H "X-API-Key: $key" "http://127.0.0.1:$GATEWAY_PORT$PATH_UNDER_TEST" >"$WORK/accuracy-1.txt" &
  first=$!
  wrk -t1 -c32 -d"${ACCURACY_SECONDS}s" -H "X-API-Key: $key" "http://127.0.0.1:$GATEWAY2_PORT$PATH_UNDER_TEST" >"$WORK/accuracy-2.txt"
  wait "$first"
  t1="$(date +%s%N)"
  awk -v rpm="$rpm" -v ns="$((t1 - t0))" '
    / requests in / { total += $1 }
    /Non-2xx/ { refused += $5 }
    END { s = ns / 1e9; bound = rpm + rpm * s / 60 + rpm / 100
          printf "%d %.2f %d %d %.0f\n", rpm, s, total - refused, refused, bound }' "$WORK/accuracy-1.txt" "$WORK/accuracy-2.txt"
}
ACCURACY="$WORK/accuracy.txt"
{ accuracy 1000; accuracy 30000; } >"$ACCURACY"
kill "$GATEWAY2_PID" 2>/dev/null || true

echo
echo "every round at saturation (door rps p50_ms p99_ms non-2xx round):"
sort -k6,6n -s "$WORK/rounds.txt" | sed 's/^/  /'
echo
echo "gateway benchmark: ${SECONDS_PER_PHASE}s per phase, $ROUNDS rounds (medians below), $CONNECTIONS connections, 2 wrk threads, $(nproc) cores"
awk '
  { name[NR]=$1; rps[NR]=$2; p50[NR]=$3; p99[NR]=$4; bad[NR]=$5 }
  END {
    printf "%-12s %12s %10s %10s %8s\n", "door", "rps", "p50 ms", "p99 ms", "non-2xx"
    for (i = 1; i <= NR; i++) printf "%-12s %12.0f %10.3f %10.3f %8d\n", name[i], rps[i], p50[i], p99[i], bad[i]
    printf "\n"
    printf "gateway JWT / HAProxy JWT rps: %.2fx, p99 %.3f vs %.3f ms (target >= 1.00x, p99 <= HAProxy)\n", rps[4] / rps[3], p99[4], p99[3]
    printf "gateway key / HAProxy JWT rps: %.2fx, p99 %.3f vs %.3f ms (target >= 1.00x, p99 <= HAProxy)\n", rps[5] / rps[3], p99[5], p99[3]
    printf "gateway JWT / nginx rps: %.2fx, gateway key / nginx rps: %.2fx (nginx checks nothing)\n", rps[4] / rps[2], rps[5] / rps[2]
    printf "p99 added over direct at saturation: nginx %+.3f ms, HAProxy JWT %+.3f ms, gateway JWT %+.3f ms, gateway key %+.3f ms\n", p99[2] - p99[1], p99[3] - p99[1], p99[4] - p99[1], p99[5] - p99[1]
  }' "$RESULTS"
echo "gateway start (launch to ready): ${COLD_MS} ms, ${AOT_MS} ms with the AOT cache$([[ -f "$AOT_CACHE" ]] || echo ' (no cache was written)'); idle RSS ${IDLE_RSS_MB} MB; JVM: $GATEWAY_JAVA_OPTS"
echo
echo "fixed load: $PACE_CONNECTIONS connections, each pausing ${PACE_MS} ms between requests"
awk '
  { name[NR]=$1; rps[NR]=$2; p50[NR]=$3; p99[NR]=$4; bad[NR]=$5 }
  END {
    printf "%-12s %12s %10s %10s %8s\n", "door", "rps", "p50 ms", "p99 ms", "non-2xx"
    for (i = 1; i <= NR; i++) printf "%-12s %12.0f %10.3f %10.3f %8d\n", name[i], rps[i], p50[i], p99[i], bad[i]
    printf "\n"
    printf "p99 added over direct: nginx %+.3f ms, HAProxy JWT %+.3f ms, gateway JWT %+.3f ms, gateway key %+.3f ms (target <= 1 ms)\n", p99[2] - p99[1], p99[3] - p99[1], p99[4] - p99[1], p99[5] - p99[1]
  }' "$PACED"
echo
echo "limiter accuracy: two gateway instances sharing Redis, 64 connections (32 each) on one API key, ${ACCURACY_SECONDS}s"
awk '{ printf "  %6d/min over %.2f s: admitted %d, refused %d; bound (limit + refill + 1%% of limit) %d: %s\n", $1, $2, $3, $4, $5, ($3 <= $5 ? "within" : "OVER") }' "$ACCURACY"
