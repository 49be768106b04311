#!/usr/bin/env bash
# Installs every Debian package QueueDeck needs to build, run, test and benchmark.
# The one list of packages: the README's commands and .ci/run both call this script.
set -euo pipefail
packages=(
  build-essential cmake ninja-build pkg-config git
  qt6-base-dev qt6-base-dev-tools qt6-tools-dev qt6-tools-dev-tools
  qt6-charts-dev qt6-httpserver-dev qt6-websockets-dev
  libqt6sql6-sqlite libqt6sql6-psql libqt6opengl6-dev libgl-dev libglx-dev
  postgresql-15
  qt6-image-formats-plugins qt6-qpa-plugins
  libqt6svg6 libtomlplusplus-dev
  xvfb xauth
  clang clang-format libclang-rt-14-dev wrk
  nodejs
  dpkg-dev desktop-file-utils appstream librsvg2-bin systemd curl python3 python3-yaml zsh
  python3-jsonschema clang-tidy
)
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Cloudflare's own API client runs under node in the end-to-end tests. Debian's nodejs
# comes without npm; a node from elsewhere usually brings its own.
if ! command -v npm > /dev/null 2>&1; then
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -qq --no-install-recommends npm
fi
# The npm packages, pinned by their lock files, go into node_modules/ beside them:
# worker-runtime/ holds workerd and esbuild, which run Worker projects (docs/workers.md);
# Cloudflare's API client is for the end-to-end tests. `npm ci` runs again only when a lock
# file changes (its hash is kept in node_modules/).
root="$(cd "$(dirname "$0")/.." && pwd)"
for dir in "$root/worker-runtime" "$root/tests/e2e/cloudflare-client"; do
  hash="$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)"
  stamp="$dir/node_modules/.queuedeck-lock-sha256"
  if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$hash" ]; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    echo "$hash" > "$stamp"
  fi
done
# promtool, which checks contrib/prometheus's rules, ships only in Debian's prometheus
# package. Installing it would start a Prometheus server listening on every address and
# enable it at boot: forbid service starts for that install, and disable it afterwards.
if ! dpkg-query -W -f='${Status}' prometheus 2>/dev/null | grep -q "install ok installed"; then
  export DEBIAN_FRONTEND=noninteractive
  policy=/usr/sbin/policy-rc.d
  own_policy=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $SUDO tee "$policy" > /dev/null
    $SUDO chmod 755 "$policy"
    own_policy=1
  fi
  if [ ${#missing[@]} -eq 0 ]; then $SUDO apt-get update -qq; fi
  $SUDO apt-get install -y -qq --no-install-recommends prometheus || { [ "$own_policy" = 1 ] && $SUDO rm -f "$policy"; exit 1; }
  if [ "$own_policy" = 1 ]; then $SUDO rm -f "$policy"; fi
  $SUDO deb-systemd-helper disable prometheus.service > /dev/null 2>&1 || true
  $SUDO update-rc.d prometheus disable > /dev/null 2>&1 || true
fi
