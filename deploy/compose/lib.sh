# shellcheck shell=bash
# What journey.sh and fleet.sh share: the engine and its Compose, a working copy of compose.yaml
# with an .env of fresh random secrets, and the wait for every service's readiness.
# Sourced; needs ROOT (the repository) and HERE (this folder).

step() { printf '[compose] %s\n' "$*" >&2; }
fail() { printf '[compose] FAILED: %s\n' "$*" >&2; exit 1; }
need() { command -v "$1" >/dev/null 2>&1 || { step "installing $2"; apt-get install -y -q "$2" >/dev/null; }; }

# compose_init <project> <work dir>: sets `compose` (the command, for that project and copy) and
# `engine` (podman or docker); with podman, sets the engine up and builds the images not current.
compose_init() {
  local project="$1" work="$2"
  need jq jq
  need curl curl
  need openssl openssl
  if command -v podman-compose >/dev/null 2>&1; then
    compose=(podman-compose -p "$project" -f "$work/compose.yaml")
    engine=podman
  elif command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
    compose=(docker compose -p "$project" -f "$work/compose.yaml")
    engine=docker
  else
    need podman-compose podman-compose
    compose=(podman-compose -p "$project" -f "$work/compose.yaml")
    engine=podman
  fi
  if [[ "$engine" == podman ]]; then
    # the engine settings this machine needs (runc, limits within the host's), as images.sh uses them
    export CONTAINERS_CONF="${CONTAINERS_CONF:-$ROOT/deploy/images/containers.conf}"
    step "images (built only where not current)"
    "$ROOT/deploy/images/images.sh" all >&2
    # services find each other by name: with podman's CNI backend that takes the dnsname plugin
    # (netavark has it built in, as aardvark-dns)
    if [[ "$(podman info --format '{{.Host.NetworkBackend}}' 2>/dev/null)" == cni && ! -x /usr/lib/cni/dnsname ]]; then
      local pkg=golang-github-containernetworking-plugin-dnsname
      step "installing $pkg (container names in DNS)"
      apt-get install -y -q "$pkg" >/dev/null
    fi
  fi
}

# compose_copy <work dir>: the deployment's files in a folder of its own (Compose takes .env from
# the compose file's folder, so a user's deploy/compose/.env is never read or touched).
compose_copy() {
  local work="$1"
  mkdir -p "$work"
  cp "$HERE/compose.yaml" "$work/"
  rm -rf "$work/postgres"
  cp -r "$HERE/postgres" "$work/"
}

# compose_env <env file> <gateway port> <sandbox port>: writes the file from .env.example with fresh
# random secrets, the ports given and the public URL of that gateway port.
compose_env() {
  local file="$1" gateway_port="$2" sandbox_port="$3" line name value
  while IFS= read -r line; do
    if [[ "$line" =~ ^([A-Z_]+)=(.*)$ ]]; then
      name="${BASH_REMATCH[1]}" value="${BASH_REMATCH[2]}"
      case "$name" in
        STRIPE_SECRET_KEY) value="sk_live_$(openssl rand -hex 16)" ;;
        STRIPE_WEBHOOK_SECRET) value="whsec_$(openssl rand -hex 16)" ;;
        YOOKASSA_SECRET_KEY) value="live_$(openssl rand -hex 16)" ;;
        GATEWAY_PORT) value="$gateway_port" ;;
        SANDBOX_PORT) value="$sandbox_port" ;;
        PUBLIC_BASE_URL) value="http://localhost:$gateway_port" ;;
        *_KEY) value="$(openssl rand -base64 32)" ;;
        *PASSWORD | *CLIENT_SECRET | COINGATE_API_TOKEN) value="$(openssl rand -hex 24)" ;;
      esac
      printf '%s=%s\n' "$name" "$value"
    else
      printf '%s\n' "$line"
    fi
  done <"$HERE/.env.example" >"$file"
  chmod 600 "$file"
}

# compose_wait_ready <project>: waits until each service's own readiness answers (PostgreSQL, Redis,
# Kafka, consumers, revocations all UP), up to 300 s; sets `ready` to the seconds it took.
compose_wait_ready() {
  local project="$1" svc container started
  declare -A management=([identity]=9081 [billing]=9082 [proxy]=9083 [render]=9084 [notification]=9085 [gateway]=9080)
  started=$(date +%s)
  for svc in identity billing proxy render notification gateway; do
    container="$($engine ps -a -q --filter "label=com.docker.compose.project=$project" --filter "label=com.docker.compose.service=$svc" | head -1)"
    [[ -n "$container" ]] || fail "no container for $svc"
    until $engine exec "$container" curl -fsS "http://127.0.0.1:${management[$svc]}/q/health/ready" >/dev/null 2>&1; do
      (($(date +%s) - started < 300)) || { $engine logs --tail 40 "$container" >&2; fail "$svc not ready within 300 s"; }
      sleep 3
    done
    step "$svc is ready ($(($(date +%s) - started)) s)"
  done
  ready=$(($(date +%s) - started))
}
