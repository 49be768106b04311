#!/usr/bin/env bash
# Checks that no include goes up a layer (scripts/check-layers.sh), installs what is
# needed, checks that every C++ file is clang-formatted (scripts/check-format.sh), starts a
# throwaway PostgreSQL cluster (scripts/pg.sh, port QUEUEDECK_PG_PORT or 54329) so the
# store's semantic tests also run against PostgreSQL, builds with warnings as errors, runs
# clang-tidy over the first-party sources (scripts/clang-tidy.sh, with .clang-tidy; any
# finding fails), a bounded libFuzzer run of the request parsing and validation, then the
# whole test suite with ctest, then builds the Debian package and checks it installed
# (scripts/package-check.sh). The cluster is removed on exit.
# This is the README's test command, and what CI runs.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/check-layers.sh
bash scripts/install-deps.sh
bash scripts/check-format.sh
pgdir="$(mktemp -d /tmp/queuedeck-pg.XXXXXX)"
trap 'bash scripts/pg.sh stop "$pgdir" || true; rm -rf "$pgdir"' EXIT
# The port may be taken (another cluster, or a client's ephemeral port): try the next ones.
port="${QUEUEDECK_PG_PORT:-54329}"
for attempt in 1 2 3 4 5; do
  if QUEUEDECK_TEST_PG="$(PG_FAST="${PG_FAST:-1}" bash scripts/pg.sh start "$pgdir" "$port")"; then break; fi
  if [ "$attempt" -eq 5 ]; then echo "could not start PostgreSQL for the tests" >&2; exit 1; fi
  port=$((port + 1))
done
export QUEUEDECK_TEST_PG
cmake --preset ci -DQUEUEDECK_TEST_PG="$QUEUEDECK_TEST_PG"
cmake --build --preset ci
bash scripts/clang-tidy.sh build-ci
bash scripts/fuzz.sh "${QUEUEDECK_FUZZ_SECONDS:-60}"
bash scripts/fuzz.sh "${QUEUEDECK_FUZZ_V8_SECONDS:-30}" fuzz_v8serialized
ctest --preset ci "$@"
bash scripts/package-check.sh build-ci
