#!/usr/bin/env bash
# Installs what is needed, starts a throwaway PostgreSQL cluster (scripts/pg.sh, port
# QUEUEDECK_PG_PORT or 54329) so the store's semantic tests also run against PostgreSQL,
# builds with warnings as errors, runs a bounded libFuzzer run of the request parsing and
# validation, then the whole test suite with ctest. The cluster is removed on exit.
# This is the README's test command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
pgdir="$(mktemp -d /tmp/queuedeck-pg.XXXXXX)"
trap 'bash scripts/pg.sh stop "$pgdir" || true; rm -rf "$pgdir"' EXIT
QUEUEDECK_TEST_PG="$(PG_FAST="${PG_FAST:-1}" bash scripts/pg.sh start "$pgdir" "${QUEUEDECK_PG_PORT:-54329}")"
export QUEUEDECK_TEST_PG
cmake --preset ci -DQUEUEDECK_TEST_PG="$QUEUEDECK_TEST_PG"
cmake --build --preset ci
bash scripts/fuzz.sh "${QUEUEDECK_FUZZ_SECONDS:-60}"
ctest --preset ci "$@"
