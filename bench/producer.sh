#!/usr/bin/env bash
# Producer benchmark: wrk against POST / of a headless runtime at 1, 16 and 64 connections.
# Every 202 is durable (WAL, synchronous=FULL, group commit). Usage:
#   bash bench/producer.sh [BUILD_DIR] [SECONDS]
# STORE=postgresql://… runs the runtime on that PostgreSQL database instead of its SQLite file
# (each run in a schema of its own, dropped after); OUT names the results file.
# Prints a table and writes bench/RESULTS-producer.md.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-bench}"
seconds="${2:-10}"
if [ ! -x "$build/bin/queuedeck" ]; then
  cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQUEUEDECK_BUILD_TESTS=OFF > /dev/null
  cmake --build "$build" -j2 --target queuedeck
fi
data="$(mktemp -d)"
log="$(mktemp)"
store_args=()
schema=""
if [ -n "${STORE:-}" ]; then
  schema="bench_producer_$$"
  store_args=(--store "$STORE?schema=$schema")
fi
"$build/bin/queuedeck" --headless --data-dir "$data" --port 0 "${store_args[@]}" > "$log" 2>&1 &
pid=$!
drop_schema()
{
  [ -z "$schema" ] || psql -X -q "$STORE" -c "DROP SCHEMA IF EXISTS $schema CASCADE" > /dev/null 2>&1 || true
}
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; drop_schema; rm -rf "$data" "$log"' EXIT
for _ in $(seq 50); do grep -q "listening on" "$log" && break; sleep 0.1; done
url="$(grep -o 'http://[^ ]*/' "$log" | head -1)"
# Nothing consumes the default queue during the run: only the producer path is measured.
out="${OUT:-bench/RESULTS-producer.md}"
{
  echo "# Producer benchmark (POST /)"
  echo
  echo "$(date -u +%Y-%m-%d), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')."
  echo "Command: \`${STORE:+STORE=$STORE }bash bench/producer.sh $build $seconds\` (wrk, 2 threads, ${seconds} s per row, same machine)."
  echo
  echo "| connections | requests/s | p50 | p99 | non-202 |"
  echo "|---|---|---|---|---|"
} > "$out"
for c in 1 16 64; do
  threads=2; [ "$c" -eq 1 ] && threads=1
  res="$(wrk -t"$threads" -c"$c" -d"${seconds}s" --latency -s bench/post.lua "$url")"
  rps="$(echo "$res" | awk '/Requests\/sec/ {print $2}')"
  p50="$(echo "$res" | awk '$1=="50%" {print $2}')"
  p99="$(echo "$res" | awk '$1=="99%" {print $2}')"
  bad="$(echo "$res" | awk '/Non-2xx/ {print $NF}')"
  echo "| $c | $rps | $p50 | $p99 | ${bad:-0} |" >> "$out"
  echo "connections=$c requests/s=$rps p50=$p50 p99=$p99 non2xx=${bad:-0}"
done
echo >> "$out"
if [ -n "$schema" ]; then
  stored="$(psql -X -tA "$STORE" -c "SELECT count(*) FROM $schema.messages" 2>/dev/null || echo '?')"
else
  stored="$(sqlite3 "$data/queuedeck.db" 'select count(*) from messages' 2>/dev/null || echo '?')"
fi
echo "Messages stored: $stored" >> "$out"
cat "$out"
