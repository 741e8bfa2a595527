#!/usr/bin/env bash
# Tollgate's container engine and images, without any registry: rootful podman from Debian, a base
# image debootstrapped from Debian's packages, the servers (PostgreSQL 15, Redis, Kafka in KRaft
# mode), the provider sandbox and one image per service. Idempotent: an image whose inputs (its
# Containerfile, its context, the pinned versions, its base) did not change is not built again.
#
# Usage: images.sh engine | base | infra | sandbox | services [svc...] | all | env | list | clean
#   engine    install and configure podman (runc, cgroupfs, ulimits) and serve its Docker API socket
#   infra     the base, the JRE and the PostgreSQL, Redis and Kafka images
#   services  one image per service from <svc>/src/main/docker/Containerfile (packages what is missing)
#   all       engine, infra, sandbox and services
#   env       prints the environment a Docker client (Testcontainers) needs for this engine
#   list      the images with their size, commit and inputs
#   clean     removes the containers (not the images) that carry the label io.tollgate.owner
set -euo pipefail
# Image builds are heavy: where builds share a machine, TOLLGATE_BUILD_LOCK names the lock file
# they all take (as ./mvnw does), and TOLLGATE_LOCK_HELD says that the caller holds it already.
if [[ -n "${TOLLGATE_BUILD_LOCK:-}" && -z "${TOLLGATE_LOCK_HELD:-}" ]]; then
  case "${1:-}" in
    base | infra | sandbox | services | all) TOLLGATE_LOCK_HELD=1 exec flock "$TOLLGATE_BUILD_LOCK" "$0" "$@" ;;
  esac
fi
IMAGES_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=deploy/local/lib.sh
source "$IMAGES_DIR/../local/lib.sh"
# shellcheck source=deploy/images/versions.env
source "$IMAGES_DIR/versions.env"

export CONTAINERS_CONF="$IMAGES_DIR/containers.conf"
ENGINE_HOME="$TOLLGATE_HOME/engine"
SOCKET="$ENGINE_HOME/podman.sock"
BUILD_HOME="$TOLLGATE_HOME/images"
IMAGES_LOG="$(logfile_of images)"
SERVICES=(identity-svc billing-svc proxy-svc render-svc notification-svc gateway-svc)

ensure_java

# ---------------------------------------------------------------------------------------------- engine

engine_installed() {
  command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 \
    && command -v debootstrap >/dev/null 2>&1 && command -v podman-compose >/dev/null 2>&1 \
    && [[ -x /usr/bin/catatonit || -x /usr/libexec/podman/catatonit ]]
}

install_engine() {
  engine_installed && return 0
  ((EUID == 0)) || die "podman is missing; run: sudo apt-get install -y podman runc debootstrap podman-compose catatonit"
  # catatonit: the pause process of a pod's infra container (podman kube play)
  log "installing podman, runc, debootstrap, podman-compose and catatonit with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  local packages=(podman runc debootstrap podman-compose catatonit)
  if ! apt-get install -y -q --no-install-recommends "${packages[@]}" >>"$LOG_DIR/apt.log" 2>&1; then
    apt-get update -q >>"$LOG_DIR/apt.log" 2>&1 || die "apt-get update failed; see $LOG_DIR/apt.log"
    apt-get install -y -q --no-install-recommends "${packages[@]}" >>"$LOG_DIR/apt.log" 2>&1 \
      || die "apt-get install ${packages[*]} failed; see $LOG_DIR/apt.log"
  fi
}

api_answers() {
  [[ -S "$SOCKET" ]] && [[ "$(curl -s -m 3 --unix-socket "$SOCKET" http://d/_ping 2>/dev/null)" == "OK" ]]
}

# podman's Docker-compatible API on a socket of our own; its pid lives with the other servers'.
start_api() {
  api_answers && return 0
  mkdir -p "$ENGINE_HOME"
  rm -f "$SOCKET"
  log "serving podman's Docker API on $SOCKET"
  spawn podman-api "$(logfile_of podman-api)" podman system service --time=0 "unix://$SOCKET"
  wait_for "podman's API socket" 30 api_answers || die "podman's API does not answer; see $(logfile_of podman-api)"
}

cmd_engine() {
  install_engine
  podman info --format '{{.Host.OCIRuntime.Name}} {{.Store.GraphDriverName}}' >>"$IMAGES_LOG" 2>&1 \
    || die "podman does not work with $CONTAINERS_CONF; see $IMAGES_LOG"
  start_api
}

# Prints what a Docker client needs; `eval "$(images.sh env)"` in a shell.
cmd_env() {
  printf 'export CONTAINERS_CONF=%q\n' "$CONTAINERS_CONF"
  printf 'export DOCKER_HOST=%q\n' "unix://$SOCKET"
  # The reaper image cannot be pulled without a registry; containers are removed by label instead.
  printf 'export TESTCONTAINERS_RYUK_DISABLED=true\n'
  printf 'export TESTCONTAINERS_CHECKS_DISABLE=true\n'
  # The images the tests start (io.tollgate.kit.testing.ContainerServers).
  printf 'export TOLLGATE_IMAGE_POSTGRES=%q\n' "$POSTGRES_IMAGE"
  printf 'export TOLLGATE_IMAGE_REDIS=%q\n' "$REDIS_IMAGE"
  printf 'export TOLLGATE_IMAGE_KAFKA=%q\n' "$KAFKA_IMAGE"
}

engine_reachable() { api_answers; }

# ---------------------------------------------------------------------------------------------- helpers

commit_of_tree() { git -C "$TOLLGATE_ROOT" rev-parse --short=12 HEAD 2>/dev/null || printf 'unknown'; }

inputs_of_image() {
  podman image inspect --format '{{index .Labels "io.tollgate.inputs"}}' "$1" 2>/dev/null || true
}

# current IMAGE HASH : the image exists and was built from these inputs.
current() { [[ "$(inputs_of_image "$1")" == "$2" ]]; }

# hash_inputs FILE_OR_DIR... [-- STRING...] : one hash of the files' contents and the strings.
hash_inputs() {
  local paths=() strings=() p
  while (($#)); do
    if [[ "$1" == "--" ]]; then
      shift
      strings=("$@")
      break
    fi
    paths+=("$1")
    shift
  done
  {
    for p in "${paths[@]}"; do
      if [[ -d "$p" ]]; then
        (cd "$p" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
      else
        sha256sum <"$p"
      fi
    done
    printf '%s\n' "${strings[@]}"
  } | sha256sum | cut -c1-16
}

image_id() { podman image inspect --format '{{.Id}}' "$1" 2>/dev/null | cut -c1-16; }

# build IMAGE HASH CONTEXT CONTAINERFILE [podman build args...]
build() {
  local image="$1" hash="$2" context="$3" file="$4"
  shift 4
  if current "$image" "$hash"; then
    log "$image is current"
    return 0
  fi
  log "building $image"
  local started=$SECONDS
  # the Docker format keeps HEALTHCHECK (OCI images have no such field)
  podman build --pull=never --layers --format docker -f "$file" \
    --label "io.tollgate.inputs=$hash" \
    --label "org.opencontainers.image.revision=$(commit_of_tree)" \
    --label "org.opencontainers.image.source=tollgate" \
    "$@" -t "$image" "$context" >>"$IMAGES_LOG" 2>&1 \
    || { tail -n 30 "$IMAGES_LOG" >&2; die "building $image failed; see $IMAGES_LOG"; }
  log "built $image in $((SECONDS - started)) s"
}

# ---------------------------------------------------------------------------------------------- images

BASE_IMAGE="$IMAGE_PREFIX/debian:$DEBIAN_SUITE"
JRE_IMAGE="$IMAGE_PREFIX/jre:$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$JAVA_HOME/release")"
POSTGRES_IMAGE="$IMAGE_PREFIX/postgres:$POSTGRES_MAJOR"
REDIS_IMAGE="$IMAGE_PREFIX/redis:7"
KAFKA_VERSION="$(sed -n 's|.*<kafka.version>\(.*\)</kafka.version>.*|\1|p' "$TOLLGATE_ROOT/deploy/local/kafka/pom.xml")"
KAFKA_IMAGE="$IMAGE_PREFIX/kafka:$KAFKA_VERSION"
PROJECT_VERSION=0.1.0-SNAPSHOT
SANDBOX_IMAGE="$IMAGE_PREFIX/provider-sandbox:$PROJECT_VERSION"

service_image() { printf '%s/%s:%s' "$IMAGE_PREFIX" "$1" "$PROJECT_VERSION"; }

# A minbase debootstrap of Debian, imported as an image: no registry, only Debian's own mirror.
build_base() {
  local hash
  # BASE_RECIPE counts changes to the steps below; bump it when they change.
  hash="$(hash_inputs -- "$BASE_RECIPE" "$DEBIAN_SUITE" "$DEBIAN_MIRROR" "$DEBIAN_SECURITY_MIRROR")"
  if current "$BASE_IMAGE" "$hash"; then
    log "$BASE_IMAGE is current"
    return 0
  fi
  local rootfs="$BUILD_HOME/rootfs" started=$SECONDS
  log "debootstrapping Debian $DEBIAN_SUITE into $rootfs"
  rm -rf "$rootfs"
  mkdir -p "$rootfs"
  debootstrap --variant=minbase "$DEBIAN_SUITE" "$rootfs" "$DEBIAN_MIRROR" >>"$IMAGES_LOG" 2>&1 \
    || { tail -n 20 "$IMAGES_LOG" >&2; die "debootstrap failed; see $IMAGES_LOG"; }
  rm -f "$rootfs/etc/apt/sources.list"
  cat >"$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $DEBIAN_MIRROR
Suites: $DEBIAN_SUITE $DEBIAN_SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $DEBIAN_SECURITY_MIRROR
Suites: $DEBIAN_SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  # Images install with --no-install-recommends and keep no package cache.
  printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' >"$rootfs/etc/apt/apt.conf.d/90tollgate"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
  tar -C "$rootfs" -c . | podman import \
    --change 'CMD ["/bin/bash"]' \
    --change "LABEL io.tollgate.inputs=$hash" \
    --change "LABEL org.opencontainers.image.revision=$(commit_of_tree)" \
    - "$BASE_IMAGE" >>"$IMAGES_LOG" 2>&1 || die "podman import of the base failed; see $IMAGES_LOG"
  rm -rf "$rootfs"
  log "built $BASE_IMAGE in $((SECONDS - started)) s"
}

# Java 25 for the services and Kafka: a jlink'd runtime of the JDK the build uses, on the Debian
# base, at the path and with the variables of the Temurin images (JAVA_HOME=/opt/java/openjdk).
build_jre() {
  local context="$BUILD_HOME/jre" hash modules
  # Every module of the JDK but its development tools and Graal (JDK 25 links from its own run-time image).
  modules="$("$JAVA_HOME/bin/java" --list-modules | sed 's/@.*//' \
    | grep -Evx 'jdk\.(jlink|jpackage|jshell|compiler|javadoc|jdeps|jartool|jconsole|hotspot\.agent|jdi|jdwp\.agent|editpad|internal\.ed|internal\.le|internal\.opt|internal\.jvmstat|jcmd|jstatd|graal\.compiler|graal\.compiler\.management|internal\.vm\.ci)' \
    | paste -sd, -)"
  hash="$(hash_inputs "$IMAGES_DIR/jre/Containerfile" "$JAVA_HOME/release" -- "$modules" "$(image_id "$BASE_IMAGE")")"
  if current "$JRE_IMAGE" "$hash"; then
    log "$JRE_IMAGE is current"
    return 0
  fi
  rm -rf "$context"
  mkdir -p "$context"
  "$JAVA_HOME/bin/jlink" --add-modules "$modules" --strip-debug --no-man-pages --no-header-files \
    --compress=zip-6 --output "$context/openjdk" >>"$IMAGES_LOG" 2>&1 || die "jlink failed; see $IMAGES_LOG"
  build "$JRE_IMAGE" "$hash" "$context" "$IMAGES_DIR/jre/Containerfile" --build-arg "BASE_IMAGE=$BASE_IMAGE"
  rm -rf "$context"
}

build_postgres() {
  local hash
  hash="$(hash_inputs "$IMAGES_DIR/postgres" -- "$POSTGRES_DEB_VERSION" "$(image_id "$BASE_IMAGE")")"
  build "$POSTGRES_IMAGE" "$hash" "$IMAGES_DIR/postgres" "$IMAGES_DIR/postgres/Containerfile" \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "PG_MAJOR=$POSTGRES_MAJOR" \
    --build-arg "PG_VERSION=$POSTGRES_DEB_VERSION"
}

build_redis() {
  local hash
  hash="$(hash_inputs "$IMAGES_DIR/redis" -- "$REDIS_DEB_VERSION" "$(image_id "$BASE_IMAGE")")"
  build "$REDIS_IMAGE" "$hash" "$IMAGES_DIR/redis" "$IMAGES_DIR/redis/Containerfile" \
    --build-arg "BASE_IMAGE=$BASE_IMAGE" --build-arg "REDIS_VERSION=$REDIS_DEB_VERSION"
}

# The broker jars resolved by Maven (deploy/local/kafka/pom.xml) beside the image's scripts.
build_kafka() {
  local context="$BUILD_HOME/kafka" hash
  hash="$(hash_inputs "$IMAGES_DIR/kafka" "$TOLLGATE_ROOT/deploy/local/kafka/pom.xml" \
    -- "$KAFKA_CLUSTER_ID_DEFAULT" "$(image_id "$JRE_IMAGE")")"
  if current "$KAFKA_IMAGE" "$hash"; then
    log "$KAFKA_IMAGE is current"
    return 0
  fi
  rm -rf "$context"
  mkdir -p "$context"
  cp -r "$IMAGES_DIR/kafka/." "$context/"
  (cd "$TOLLGATE_ROOT" && maven -q -B -o -Dstyle.color=never -f deploy/local/kafka/pom.xml dependency:copy-dependencies \
    -DoutputDirectory="$context/libs" -DincludeScope=runtime) >>"$IMAGES_LOG" 2>&1 \
    || (cd "$TOLLGATE_ROOT" && maven -q -B -Dstyle.color=never -f deploy/local/kafka/pom.xml dependency:copy-dependencies \
      -DoutputDirectory="$context/libs" -DincludeScope=runtime) >>"$IMAGES_LOG" 2>&1 \
    || die "could not resolve the Kafka jars; see $IMAGES_LOG"
  build "$KAFKA_IMAGE" "$hash" "$context" "$context/Containerfile" \
    --build-arg "BASE_IMAGE=$JRE_IMAGE" --build-arg "KAFKA_VERSION=$KAFKA_VERSION" \
    --build-arg "CLUSTER_ID=$KAFKA_CLUSTER_ID_DEFAULT"
  rm -rf "$context"
}

cmd_infra() {
  cmd_engine
  build_base
  build_jre
  build_postgres
  build_redis
  build_kafka
}

# 0 when the module's packaged application is missing or older than its sources.
stale_package() {
  local module="$1" marker="$2"
  [[ -e "$marker" ]] || return 0
  [[ -n "$(find "$TOLLGATE_ROOT/$module/src" "$TOLLGATE_ROOT/$module/pom.xml" "$TOLLGATE_ROOT/platform-kit/src" \
    "$TOLLGATE_ROOT/contracts" -newer "$marker" -type f -print -quit 2>/dev/null)" ]]
}

package_modules() {
  (($#)) || return 0
  local list
  list="$(IFS=,; printf '%s' "$*")"
  log "packaging $list"
  (cd "$TOLLGATE_ROOT" && maven -q -B -o -DskipTests package -pl "contracts,platform-kit,$list") >>"$IMAGES_LOG" 2>&1 \
    || { tail -n 30 "$IMAGES_LOG" >&2; die "packaging $list failed; see $IMAGES_LOG"; }
}

cmd_sandbox() {
  local jar="$TOLLGATE_ROOT/provider-sandbox/target/provider-sandbox-$PROJECT_VERSION.jar" hash
  if stale_package provider-sandbox "$jar"; then
    package_modules provider-sandbox
  fi
  hash="$(hash_inputs "$TOLLGATE_ROOT/provider-sandbox/src/main/docker/Containerfile" "$jar" -- "$(image_id "$JRE_IMAGE")")"
  build "$SANDBOX_IMAGE" "$hash" "$TOLLGATE_ROOT/provider-sandbox" \
    "$TOLLGATE_ROOT/provider-sandbox/src/main/docker/Containerfile" --build-arg "BASE_IMAGE=$JRE_IMAGE"
}

cmd_services() {
  local wanted=("$@") svc stale=() hash
  ((${#wanted[@]})) || wanted=("${SERVICES[@]}")
  for svc in "${wanted[@]}"; do
    [[ -f "$TOLLGATE_ROOT/$svc/src/main/docker/Containerfile" ]] || die "no Containerfile for $svc"
    stale_package "$svc" "$TOLLGATE_ROOT/$svc/target/quarkus-app/quarkus-run.jar" && stale+=("$svc")
  done
  package_modules "${stale[@]}"
  for svc in "${wanted[@]}"; do
    # render's renderers run ffmpeg and espeak-ng: their pins are its inputs, and no other image's
    local tools=()
    [[ "$svc" != render-svc ]] || tools=(--build-arg "FFMPEG_VERSION=$FFMPEG_DEB_VERSION" --build-arg "ESPEAK_VERSION=$ESPEAK_DEB_VERSION")
    hash="$(hash_inputs "$TOLLGATE_ROOT/$svc/src/main/docker/Containerfile" "$TOLLGATE_ROOT/$svc/target/quarkus-app" \
      -- "$(image_id "$JRE_IMAGE")" "${tools[@]}")"
    build "$(service_image "$svc")" "$hash" "$TOLLGATE_ROOT/$svc" "$TOLLGATE_ROOT/$svc/src/main/docker/Containerfile" \
      --build-arg "BASE_IMAGE=$JRE_IMAGE" "${tools[@]}"
  done
}

cmd_list() {
  podman images --filter "reference=$IMAGE_PREFIX/*" \
    --format '{{.Repository}}:{{.Tag}} {{.Size}} commit={{index .Labels "org.opencontainers.image.revision"}} inputs={{index .Labels "io.tollgate.inputs"}}'
}

# Test containers carry io.tollgate.owner=tests and the pid of their JVM (io.tollgate.pid); those
# whose JVM is gone (killed before its shutdown hook ran) are removed. Nothing else is touched.
cmd_clean() {
  local id pid removed=0
  while read -r id pid; do
    [[ -n "$id" ]] || continue
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
      continue
    fi
    podman rm -f -t 5 "$id" >/dev/null
    removed=$((removed + 1))
  done < <(podman ps -a --filter label=io.tollgate.owner=tests --format '{{.ID}} {{index .Labels "io.tollgate.pid"}}')
  # the pods of podman kube play (deploy/helm KubePlayTest) carry the same labels
  while read -r id pid; do
    [[ -n "$id" ]] || continue
    if [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
      continue
    fi
    podman pod rm -f -t 5 "$id" >/dev/null
    removed=$((removed + 1))
  done < <(podman pod ps --filter label=io.tollgate.owner=tests --format '{{.ID}} {{index .Labels "io.tollgate.pid"}}')
  ((removed == 0)) || log "removed $removed test container(s) or pod(s) left by a JVM that is gone"
}

case "${1:-}" in
  engine) cmd_engine ;;
  base)
    cmd_engine
    build_base
    ;;
  infra) cmd_infra ;;
  sandbox)
    cmd_infra
    cmd_sandbox
    ;;
  services)
    shift
    cmd_infra
    cmd_services "$@"
    ;;
  all)
    cmd_infra
    cmd_sandbox
    cmd_services
    ;;
  env) cmd_env ;;
  reachable) engine_reachable ;;
  list) cmd_list ;;
  clean) cmd_clean ;;
  *)
    sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//' >&2
    exit 2
    ;;
esac
