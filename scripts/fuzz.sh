#!/usr/bin/env bash
# Builds the request fuzzer with clang and libFuzzer and runs it for a bounded time
# (default 60 s) from the corpus in tests/fuzz/corpus. A crash fails the run and leaves
# the input in build-fuzz/artifacts/. A second argument picks another target:
# fuzz_v8serialized (the reader of v8 bodies), from tests/fuzz/corpus-v8serialized.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
target="${2:-fuzz_requests}"
corpus=tests/fuzz/corpus
[ "$target" = fuzz_requests ] || corpus="tests/fuzz/corpus-${target#fuzz_}"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DQUEUEDECK_FUZZ=ON -DQUEUEDECK_BUILD_BENCH=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" > /dev/null
cmake --build build-fuzz -j2 --target "$target"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
mkdir -p build-fuzz/artifacts
QT_QPA_PLATFORM=offscreen ./build-fuzz/tests/fuzz/"$target" -max_total_time="$seconds" -timeout=10 \
    -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix=build-fuzz/artifacts/ \
    "$work" "$corpus"
