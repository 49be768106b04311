#!/usr/bin/env bash
# Installs what is needed, builds QueueDeck and launches it (extra arguments are passed on,
# e.g. --headless or --data-dir DIR).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset dev
cmake --build --preset dev
exec ./build/bin/queuedeck "$@"
