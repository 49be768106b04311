#!/usr/bin/env bash
# "The engine at any backlog": every target of the issue, measured from outside against a
# Release build, data on the real disk under the build directory, each client a process of
# its own talking HTTP to 127.0.0.1. Writes bench/RESULTS-scale.md. CI does not run it.
#
#   bash bench/scale.sh [--quick] [--estimate] [BUILD_DIR]      (default build-bench)
# SCALE_KEEP=1 keeps the store of the main phases (a few GB at full size).
#
# Phases (SCALE_PHASES, default "main stall redis cluster"):
#   main     one runtime: fill SCALE_FILL pending messages by Cloudflare batch sends (100 a
#            call, 4 connections, no consumer) with the rate of every SCALE_FILL_STEP and
#            VmHWM; /api/queues, /metrics and two searches at that size (medians of
#            SCALE_READS); kill -9 and start again SCALE_RUNS times, timing /healthz and
#            /api/queues; drain SCALE_DRAIN by HTTP pull + ack at batch 100 and 10
#            (SCALE_PULLERS pullers); wrk POST / at -c1, -c16, -c64 (SCALE_RUNS x
#            SCALE_SECONDS s, medians); batch sends -> webhook consumer (python http.server)
#            at batches of 10, SCALE_E2E messages, SCALE_RUNS runs (bench/scale.py)
#   stall    POST / while another client loops /api/queues, /metrics and a search over
#            SCALE_STALL messages (bench/read_stall.py, SCALE_RUNS rounds of SCALE_SECONDS s)
#   redis    Redis Streams XADD + XREADGROUP + XACK, appendonly yes, appendfsync everysec, the
#            same sizes as the webhook run (needs redis-server: installed with apt-get when
#            missing and running as root; SCALE_INSTALL_REDIS=0 to skip that)
#   cluster  bench/cluster.sh with CONFIGS="sqlite pg1": PostgreSQL, one node, against SQLite
#            with the same harness (SCALE_CLUSTER messages, SCALE_RUNS runs); its own
#            PostgreSQL cluster in SCALE_PG_DIR (/tmp/qd-scale-pg) on port SCALE_PG_PORT (54341)
#
# --quick: tiny sizes, to check that every phase works; not the targets' sizes.
# --estimate: print the sizes and the estimated duration, and stop.
# The report goes to SCALE_OUT (bench/RESULTS-scale.md; BUILD_DIR/scale/RESULTS-scale.md when
# SCALE_PHASES names only some phases).
# Prerequisites: python3, wrk, sqlite3, curl, PostgreSQL server binaries (cluster), and
# optionally redis-server (apt-get install -y redis-server).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
quick=0
estimate_only=0
while [ "${1:-}" = --quick ] || [ "${1:-}" = --estimate ]; do
    [ "$1" = --quick ] && quick=1
    [ "$1" = --estimate ] && estimate_only=1
    shift
done
build=$(realpath -m "${1:-build-bench}")

if [ "$quick" = 1 ]; then
    : "${SCALE_FILL:=100000}" "${SCALE_FILL_STEP:=20000}" "${SCALE_DRAIN:=10000}" "${SCALE_STALL:=20000}"
    : "${SCALE_RUNS:=1}" "${SCALE_SECONDS:=3}" "${SCALE_E2E:=10000}" "${SCALE_CLUSTER:=10000}"
    : "${SCALE_READS:=2}" "${SCALE_SETTLE:=1}"
fi
export SCALE_FILL=${SCALE_FILL:-10000000}
export SCALE_FILL_STEP=${SCALE_FILL_STEP:-1000000}
export SCALE_DRAIN=${SCALE_DRAIN:-1000000}
export SCALE_PULLERS=${SCALE_PULLERS:-4}
export SCALE_STALL=${SCALE_STALL:-2000000}
export SCALE_RUNS=${SCALE_RUNS:-3}
export SCALE_SECONDS=${SCALE_SECONDS:-10}
export SCALE_E2E=${SCALE_E2E:-200000}
export SCALE_E2E_CONCURRENCY=${SCALE_E2E_CONCURRENCY:-12}
export SCALE_CLUSTER=${SCALE_CLUSTER:-100000}
export SCALE_READS=${SCALE_READS:-3}
export SCALE_SETTLE=${SCALE_SETTLE:-10}
export SCALE_REDIS_CONSUMERS=${SCALE_REDIS_CONSUMERS:-4}
phases=${SCALE_PHASES:-main stall redis cluster}
stall_seconds=$([ "$quick" = 1 ] && echo 3 || echo 15)
export PYTHONDONTWRITEBYTECODE=1

# A rough duration, from rates seen on this 2-core machine when quiet: fills ~60,000
# messages/s, pulls at the targets, a search that reads every body ~1.5 s per million messages
# (two of them a round), cluster.sh ~10,000/s on SQLite and ~4,000/s on PostgreSQL. A busy
# machine (fsyncs of several ms) takes two to three times as long.
estimate=$(python3 - << EOF
fill, drain, stall, runs, secs = $SCALE_FILL, $SCALE_DRAIN, $SCALE_STALL, $SCALE_RUNS, $SCALE_SECONDS
e2e, cluster, reads = $SCALE_E2E, $SCALE_CLUSTER, $SCALE_READS
phases = "$phases".split()
t = {}
t["main"] = (fill / 60000 + 2 * reads * (2 * fill / 1e6 * 1.5 + 1) + 2 * $SCALE_SETTLE + runs * 5
             + 2 * drain / 60000 + drain / 20000 + drain / 5000 + 3 * runs * (secs + 1)
             + runs * (e2e / 60000 + e2e / 15000 + 2))
t["stall"] = stall / 60000 + 15 + 2 * runs * ($stall_seconds + 2)
t["redis"] = runs * (e2e / 10000 + 1) + 2
t["cluster"] = runs * (cluster / 10000 + cluster / 4000 + 6) + 5
total = sum(v for k, v in t.items() if k in phases)
print(f"{total / 60:.0f} min (" + ", ".join(f"{k} {v / 60:.1f} min" for k, v in t.items() if k in phases) + ")")
EOF
)
echo "scale benchmark: fill $SCALE_FILL, drain $SCALE_DRAIN, stall $SCALE_STALL, runs $SCALE_RUNS," \
    "wrk $SCALE_SECONDS s, end to end $SCALE_E2E, cluster $SCALE_CLUSTER; phases: $phases"
echo "estimated duration: $estimate, plus the build if $build has none"
[ "$estimate_only" = 1 ] && exit 0

for tool in python3 wrk curl sqlite3; do
    command -v "$tool" > /dev/null || {
        echo "scale.sh: $tool is missing" >&2
        exit 1
    }
done
redis_server=""
if [[ " $phases " == *" redis "* ]]; then
    redis_server=$(command -v redis-server || true)
    if [ -z "$redis_server" ] && [ "${SCALE_INSTALL_REDIS:-1}" = 1 ] && [ "$(id -u)" = 0 ] \
        && command -v apt-get > /dev/null; then
        echo "installing redis-server (apt-get) for the comparison"
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q redis-server > /dev/null || true
        redis_server=$(command -v redis-server || true)
    fi
fi

# A Release build: a build directory configured otherwise is configured again.
if [ ! -x "$build/bin/queuedeck" ] || ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$build/CMakeCache.txt"; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQUEUEDECK_BUILD_TESTS=OFF > /dev/null
fi
cmake --build "$build" -j2 --target queuedeck > /dev/null

# Data on the real disk: an fsync on a tmpfs costs nothing and would flatter every figure.
work="$build/scale"
rm -rf "$work"
mkdir -p "$work"
fstype=$(findmnt -n -o FSTYPE -T "$work")
if [ "$fstype" = tmpfs ] || [ "$fstype" = ramfs ]; then
    echo "scale.sh: $work is on $fstype; put the build directory on a real disk" >&2
    exit 1
fi
started=$(date +%s)
failed=""
{
    echo "mode=$([ "$quick" = 1 ] && echo quick || echo full)"
    echo "command=bash bench/scale.sh $([ "$quick" = 1 ] && echo '--quick ')$(realpath --relative-to="$root" "$build")"
    env | grep '^SCALE_' | sort
    echo "phases=$phases"
    echo "stall_seconds=$stall_seconds"
    echo "fs=$fstype"
    echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
    src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
    echo "commit=$(git -C "$src" rev-parse --short HEAD)$(git -C "$src" status --porcelain --untracked-files=no | head -1 | sed 's/.*/ with uncommitted changes/')"
    echo "load_before=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$work/meta"

if [[ " $phases " == *" main "* ]]; then
    echo "== main: fill, reads, restart, pull, POST /, end to end"
    python3 bench/scale.py main "$build/bin/queuedeck" "$work" "$work/main.json" || failed="$failed main"
fi
if [[ " $phases " == *" stall "* ]]; then
    echo "== stall: POST / while reads loop over $SCALE_STALL messages (bench/read_stall.py)"
    python3 bench/read_stall.py "$build/bin/queuedeck" "$work" "$SCALE_STALL" "$stall_seconds" 2 "$SCALE_RUNS" \
        | tee "$work/stall.log" || failed="$failed stall"
fi
if [[ " $phases " == *" redis "* ]]; then
    if [ -n "$redis_server" ]; then
        echo "== redis: Streams XADD + XREADGROUP + XACK, appendonly yes, appendfsync everysec"
        python3 bench/scale.py redis "$redis_server" "$work" "$work/redis.json" || failed="$failed redis"
    else
        echo "== redis: redis-server is not installed and could not be; skipped"
        echo "redis-server not available (apt-get install -y redis-server)" > "$work/redis.missing"
    fi
fi
if [[ " $phases " == *" cluster "* ]]; then
    echo "== cluster: PostgreSQL one node against SQLite (bench/cluster.sh)"
    CONFIGS="sqlite pg1" MESSAGES=$SCALE_CLUSTER RUNS=$SCALE_RUNS OUT="$work/RESULTS-cluster.md" \
        WORK="$work/cluster" PG_DIR=${SCALE_PG_DIR:-/tmp/qd-scale-pg} PG_PORT=${SCALE_PG_PORT:-54341} \
        bash bench/cluster.sh "$build" || {
        echo "cluster.sh failed" > "$work/cluster.failed"
        failed="$failed cluster"
    }
fi
# The store of a full run takes a few GB; its log stays. SCALE_KEEP=1 keeps the store too.
[ "${SCALE_KEEP:-0}" = 1 ] || find "$work/data" -maxdepth 1 -name 'queuedeck.db*' -delete 2> /dev/null || true
{
    echo "load_after=$(cut -d' ' -f1-3 /proc/loadavg)"
    echo "elapsed_s=$(($(date +%s) - started))"
    echo "failed=$failed"
} >> "$work/meta"
# A run of some phases only writes its report beside its data, not over the full one.
out=${SCALE_OUT:-bench/RESULTS-scale.md}
[ "$phases" = "main stall redis cluster" ] || out=${SCALE_OUT:-$work/RESULTS-scale.md}
python3 bench/scale.py report "$work" "$out"
echo "took $(($(date +%s) - started)) s (estimated $estimate)"
if [ -n "$failed" ]; then
    echo "phases that failed:$failed (see $work)" >&2
    exit 1
fi
