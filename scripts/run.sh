#!/usr/bin/env bash
# Installs what is needed, builds QueueDeck and launches it (extra arguments are passed on,
# e.g. --headless or --data-dir DIR). Builds only the app (the `queuedeck` target) with the
# tests and benchmarks switched off, so a first launch compiles nothing it does not run:
# the tests are scripts/test.sh's (in build-ci/), and a benchmark is one
# `cmake --preset dev -DQUEUEDECK_BUILD_BENCH=ON` away.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset dev -DQUEUEDECK_BUILD_TESTS=OFF -DQUEUEDECK_BUILD_BENCH=OFF
cmake --build --preset dev --target queuedeck
exec ./build/bin/queuedeck "$@"
