#!/usr/bin/env bash
# The Compose deployment, tried as a Docker user would: builds the local images when they are not
# current (deploy/images/images.sh all), copies compose.yaml to .tollgate/compose-journey/ with an
# .env of fresh random secrets, starts it with podman-compose (docker compose when that is what is
# installed), waits until every service answers ready, and walks one customer through the
# gateway: sign up, verify by the link in the mail the sandbox caught, sign in, top up 15.00 USD
# at the sandbox's Stripe-style checkout, and see the balance credited by the provider's webhook.
# Prints each step and "compose journey: passed"; exits non-zero at the first step that fails.
# usage: deploy/compose/journey.sh [--keep]   (--keep leaves the deployment running; otherwise it
#                                             is taken down with its volumes at the end)
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
PROJECT=tollgate-journey
KEEP=0
[[ "${1:-}" == --keep ]] && KEEP=1
step() { printf '[compose] %s\n' "$*" >&2; }
fail() { printf '[compose] FAILED: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || { step "installing $2"; apt-get install -y -q "$2" >/dev/null; }; }
need jq jq
need curl curl
need openssl openssl

if command -v podman-compose >/dev/null 2>&1; then
  compose=(podman-compose -p "$PROJECT" -f "$ROOT/.tollgate/compose-journey/compose.yaml")
  engine=podman
elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  compose=(docker compose -p "$PROJECT" -f "$ROOT/.tollgate/compose-journey/compose.yaml")
  engine=docker
else
  need podman-compose podman-compose
  compose=(podman-compose -p "$PROJECT" -f "$ROOT/.tollgate/compose-journey/compose.yaml")
  engine=podman
fi

if [[ "$engine" == podman ]]; then
  # the engine settings this machine needs (runc, limits within the host's), as images.sh uses them
  export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/deploy/images/containers.conf}"
  # services find each other by name: with podman's CNI backend that takes the dnsname plugin
  # (netavark has it built in, as aardvark-dns)
  if [[ "$(podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null)" == cni && ! -x /usr/lib/cni/dnsname ]]; then
    need_pkg=golang-github-containernetworking-plugin-dnsname
    step "installing $need_pkg (container names in DNS)"
    apt-get install -y -q "$need_pkg" >/dev/null
  fi
  step "images (built only where not current)"
  "$ROOT/deploy/images/images.sh" all >&2
fi

# the journey's own copy of the deployment, with its own .env of fresh random secrets: a user's
# deploy/compose/.env is never read or touched (Compose takes .env from the compose file's folder)
WORK="$ROOT/.tollgate/compose-journey"
rm -rf "$WORK"
mkdir -p "$WORK"
cp "$HERE/compose.yaml" "$WORK/"
cp -r "$HERE/postgres" "$WORK/"
ENV_FILE="$WORK/.env"
step "writing $ENV_FILE with fresh secrets"
while IFS= read -r line; do
  if [[ "$line" =~ ^([A-Z_]+)=(.*)$ ]]; then
    name="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
    case "$name" in
      STRIPE_SECRET_KEY) value="sk_live_$(openssl rand -hex 16)" ;;
      STRIPE_WEBHOOK_SECRET) value="whsec_$(openssl rand -hex 16)" ;;
      YOOKASSA_SECRET_KEY) value="live_$(openssl rand -hex 16)" ;;
      # JOURNEY_GATEWAY_PORT / JOURNEY_SANDBOX_PORT publish elsewhere (./tollgate test does, beside a running fleet)
      GATEWAY_PORT) value="${JOURNEY_GATEWAY_PORT:-$value}" ;;
      SANDBOX_PORT) value="${JOURNEY_SANDBOX_PORT:-$value}" ;;
      *_KEY) value="$(openssl rand -base64 32)" ;;
      *PASSWORD | *CLIENT_SECRET | COINGATE_API_TOKEN) value="$(openssl rand -hex 24)" ;;
    esac
    printf '%s=%s\n' "$name" "$value"
  else
    printf '%s\n' "$line"
  fi
done <"$HERE/.env.example" >"$ENV_FILE"
chmod 600 "$ENV_FILE"
set -a
# shellcheck disable=SC1090
source "$ENV_FILE"
set +a
GATEWAY="http://127.0.0.1:$GATEWAY_PORT"
SANDBOX="http://127.0.0.1:$SANDBOX_PORT"

down() {
  if ((KEEP == 0)); then
    step "taking the deployment down (volumes too)"
    (cd "$WORK" && "${compose[@]}" down -v >>"${LOG:-/dev/null}" 2>&1) || true
  fi
}
trap down EXIT

began=$(date +%s)
# the engine's own output names every setting, secrets too: it goes to a log, not the terminal
LOG="$ROOT/.tollgate/logs/compose-journey.log"
mkdir -p "$(dirname "$LOG")"
step "starting the fleet (engine output: $LOG)"
(cd "$WORK" && "${compose[@]}" up -d >"$LOG" 2>&1) || { tail -n 20 "$LOG" >&2; fail "compose up failed"; }

# ready = each service's own readiness (PostgreSQL, Redis, Kafka, consumers, revocations all UP)
declare -A management=([identity]=9081 [billing]=9082 [proxy]=9083 [render]=9084 [notification]=9085 [gateway]=9080)
started=$(date +%s)
for svc in identity billing proxy render notification gateway; do
  container="$($engine ps -a -q --filter "label=com.docker.compose.project=$PROJECT" --filter "label=com.docker.compose.service=$svc" | head -1)"
  [[ -n "$container" ]] || fail "no container for $svc"
  until $engine exec "$container" curl -fsS "http://127.0.0.1:${management[$svc]}/q/health/ready" >/dev/null 2>&1; do
    (($(date +%s) - started < 300)) || { $engine logs --tail 40 "$container" >&2; fail "$svc not ready within 300 s"; }
    sleep 3
  done
  step "$svc is ready ($(($(date +%s) - started)) s)"
done
ready=$(($(date +%s) - started))

email="compose-$(openssl rand -hex 6)@example.com"
password="Compose-Journey-1"
step "signing up $email"
user_id="$(curl -fsS -H 'Content-Type: application/json' -d "{\"tenant_slug\": \"default\", \"email\": \"$email\", \"password\": \"$password\", \"full_name\": \"Compose User\", \"accept_terms\": true}" "$GATEWAY/v1/auth/register" | jq -er .user_id)"

token=""
for _ in $(seq 1 60); do
  token="$(curl -fsS "$SANDBOX/mail/messages" | jq -r --arg to "$email" '[.[] | select(.to == $to and .subject == "Verify your e-mail address")][0].data // empty' \
    | tr -d '\r' | sed -e ':a' -e '/=$/N; s/=\n//; ta' | sed -e 's/=3D/=/g' | grep -o 'verify-email?token=[A-Za-z0-9_%.~-]*' | head -1 | cut -d= -f2- || true)"
  [[ -n "$token" ]] && break
  sleep 1
done
[[ -n "$token" ]] || fail "no verification mail for $email"
token="$(printf '%b' "${token//%/\\x}")"
step "verifying by the mailed link"
curl -fsS -o /dev/null -H 'Content-Type: application/json' -d "{\"token\": \"$token\"}" "$GATEWAY/v1/auth/verify/email" || fail "verification refused"
access="$(curl -fsS -H 'Content-Type: application/json' -d "{\"email\": \"$email\", \"password\": \"$password\", \"device_name\": \"compose\"}" "$GATEWAY/v1/auth/login" | jq -er .access_token)"

# the wallet opens from identity's user.registered event
for _ in $(seq 1 60); do
  curl -fsS -o /dev/null -H "Authorization: Bearer $access" "$GATEWAY/v1/billing/balance" && break
  sleep 1
done
step "topping up 15.00 USD at the sandbox's checkout"
payment="$(curl -fsS -H "Authorization: Bearer $access" -H 'Content-Type: application/json' -H "Idempotency-Key: compose-$(openssl rand -hex 8)" \
  -d '{"amount_minor": 1500, "currency": "USD", "provider": "stripe"}' "$GATEWAY/v1/billing/top-ups" | jq -er .provider_payment_id)"
curl -fsS -o /dev/null -X POST "$SANDBOX/stripe/checkout/$payment/pay" || fail "the sandbox's checkout did not take the payment"
balance=""
for _ in $(seq 1 60); do
  balance="$(curl -fsS -H "Authorization: Bearer $access" "$GATEWAY/v1/billing/balance" | jq -r .available_minor)"
  [[ "$balance" == 1500 ]] && break
  sleep 1
done
[[ "$balance" == 1500 ]] || fail "the balance is $balance, not 1500, after the payment"
step "balance credited: 1500 minor units (user $user_id)"
echo "compose journey: passed (every service ready ${ready} s after compose up returned; $(($(date +%s) - began)) s from up to the credited balance)"
