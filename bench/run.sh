#!/usr/bin/env bash
# Builds the benchmarks in Release in their own directory, runs them and writes
# bench/RESULTS.md. Usage: bench/run.sh [build-dir]   (default: build-bench)
# BENCH_REPORT_ONLY=1 bench/run.sh only rewrites RESULTS.md from the last run's logs.
# Stores are made under the build directory, not /tmp: where /tmp is a tmpfs an fsync
# costs nothing and every durable figure would be meaningless.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath -m "${1:-$root/build-bench}")
data="$build/bench-data"
logs="$build/bench-logs"
results="$root/bench/RESULTS.md"
mkdir -p "$data" "$logs"

configure=(cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQUEUEDECK_BUILD_TESTS=OFF)
compile=(cmake --build "$build" --target bench_pipeline bench_fill bench_sqlite_floor)
floor=("$build/bench/bench_sqlite_floor" --rows 100000 --rows-10 20000 --rows-1 500 --dir "$data")
# The pipeline runs three times, each right after a short floor pass, so every run has a
# floor measured under the same conditions: on a shared machine fsync times swing by 10x.
calibrate=("$build/bench/bench_sqlite_floor" --only-tx100 --rows 50000 --dir "$data")
pipeline=("$build/bench/bench_pipeline" --messages 200000 --inflight 64 --batch-size 10 --runs 1 --dir "$data")
fill=("$build/bench/bench_fill" --messages 1000000 --per-send 100 --inflight 4 --dir "$data")

# What else the machine was doing while a program ran: the CPU time all processes used
# (from /proc/stat) minus what the program used (our children's, from /proc/$$/stat),
# as cores busy on average, and the load average.
cpu_busy_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }
children_ticks() { awk '{ print $16 + $17 }' "/proc/$$/stat"; }

run() {
    local name=$1
    shift
    echo "+ $*"
    local load_before busy0 own0 t0 busy1 own1 t1
    load_before=$(cut -d' ' -f1 /proc/loadavg)
    busy0=$(cpu_busy_ticks) own0=$(children_ticks) t0=$(date +%s%N)
    "$@" | tee "$logs/$name.out"
    busy1=$(cpu_busy_ticks) own1=$(children_ticks) t1=$(date +%s%N)
    local hz
    hz=$(getconf CLK_TCK)
    awk -v b="$((busy1 - busy0))" -v o="$((own1 - own0))" -v ns="$((t1 - t0))" -v hz="$hz" \
        -v l0="$load_before" -v l1="$(cut -d' ' -f1 /proc/loadavg)" \
        'BEGIN { s = ns / 1e9; printf "{\"seconds\": %.1f, \"own_cores\": %.2f, \"other_cores\": %.2f, \"load_before\": %s, \"load_after\": %s}\n", s, o / hz / s, (b - o) / hz / s, l0, l1 }' \
        > "$logs/$name.machine"
}

if [[ ${BENCH_REPORT_ONLY:-0} != 1 ]]; then
    echo "+ ${configure[*]}" && "${configure[@]}" > "$logs/configure.log"
    echo "+ ${compile[*]}" && "${compile[@]}" > "$logs/build.log"
    # What was built: the commit, and whether the working tree differed from it.
    {
        git -C "$root" rev-parse --short HEAD 2> /dev/null || echo "?"
        git -C "$root" status --porcelain --untracked-files=no 2> /dev/null | head -1
    } > "$logs/source"
    date '+%Y-%m-%d %H:%M %Z' > "$logs/date"

    run floor "${floor[@]}"
    for i in 1 2 3; do
        run "calibrate-$i" "${calibrate[@]}"
        run "pipeline-$i" "${pipeline[@]}"
    done
    run fill "${fill[@]}"
fi

export BENCH_LOGS="$logs" BENCH_RESULTS="$results"
export BENCH_CMD_CONFIGURE="${configure[*]}" BENCH_CMD_BUILD="${compile[*]}"
export BENCH_CMD_FLOOR="${floor[*]}" BENCH_CMD_CALIBRATE="${calibrate[*]}" BENCH_CMD_PIPELINE="${pipeline[*]}"
export BENCH_CMD_FILL="${fill[*]}"
python3 "$root/bench/report.py"
echo "wrote $results"
