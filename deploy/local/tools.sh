#!/usr/bin/env bash
# Debian programs the project runs: ffmpeg and ffprobe (render-svc's video), espeak-ng (its speech), and
# Chromium (the e2e browser journeys drive it headless over the DevTools protocol; no browser download).
# Usage: tools.sh ensure|status
set -euo pipefail
# shellcheck source=deploy/local/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# command:package pairs
TOOLS=(ffmpeg:ffmpeg ffprobe:ffmpeg espeak-ng:espeak-ng chromium:chromium)
# file:package pairs: a font for the pages Chromium renders (its screenshots show text, not boxes)
FILES=(/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf:fonts-dejavu-core)

missing_packages() {
  local pair packages=()
  for pair in "${TOOLS[@]}"; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || packages+=("${pair##*:}")
  done
  for pair in "${FILES[@]}"; do
    [[ -e "${pair%%:*}" ]] || packages+=("${pair##*:}")
  done
  printf '%s\n' "${packages[@]}" | sort -u | sed '/^$/d'
}

ensure_tools() {
  local packages
  mapfile -t packages < <(missing_packages)
  ((${#packages[@]} == 0)) && return 0
  ((EUID == 0)) || die "missing ${packages[*]}; run: sudo apt-get install -y --no-install-recommends ${packages[*]}"
  command -v apt-get >/dev/null 2>&1 || die "missing ${packages[*]} and apt-get is unavailable"
  log "installing ${packages[*]} with apt-get (render's video and speech renderers, the e2e browser)"
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y -q --no-install-recommends "${packages[@]}" >>"$LOG_DIR/apt.log" 2>&1; then
    # A fresh machine often has no package lists yet.
    apt-get update -q >>"$LOG_DIR/apt.log" 2>&1 || die "apt-get update failed; see $LOG_DIR/apt.log"
    apt-get install -y -q --no-install-recommends "${packages[@]}" >>"$LOG_DIR/apt.log" 2>&1 \
      || die "apt-get install ${packages[*]} failed; see $LOG_DIR/apt.log"
  fi
}

case "${1:-}" in
  ensure) ensure_tools ;;
  status)
    if [[ -z "$(missing_packages)" ]]; then
      log "ffmpeg, ffprobe, espeak-ng and chromium are installed"
    else
      log "missing: $(missing_packages | tr '\n' ' ')"
      exit 3
    fi
    ;;
  *)
    printf 'usage: %s ensure|status\n' "$(basename "$0")" >&2
    exit 2
    ;;
esac
