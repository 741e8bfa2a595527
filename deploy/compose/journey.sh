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
# shellcheck source=deploy/compose/lib.sh
source "$HERE/lib.sh"
WORK="$ROOT/.tollgate/compose-journey"
compose_init "$PROJECT" "$WORK"

# the journey's own copy of the deployment, with its own .env of fresh random secrets
rm -rf "$WORK"
compose_copy "$WORK"
ENV_FILE="$WORK/.env"
step "writing $ENV_FILE with fresh secrets"
# JOURNEY_GATEWAY_PORT / JOURNEY_SANDBOX_PORT publish elsewhere (./tollgate test does, beside a running fleet)
compose_env "$ENV_FILE" "${JOURNEY_GATEWAY_PORT:-8080}" "${JOURNEY_SANDBOX_PORT:-8099}"
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

compose_wait_ready "$PROJECT"

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
