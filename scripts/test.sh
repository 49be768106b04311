#!/usr/bin/env bash
# Installs what is needed, builds with warnings as errors, runs a bounded libFuzzer run of
# the request parsing and validation, then the whole test suite with ctest.
# This is the README's test command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset ci
cmake --build --preset ci
bash scripts/fuzz.sh "${QUEUEDECK_FUZZ_SECONDS:-60}"
ctest --preset ci "$@"
