#!/usr/bin/env bash
# Several headless runtimes ("nodes") against one PostgreSQL, end to end through HTTP:
# batch sends -> queue -> batches -> webhook consumer that acks all -> acks committed.
# Runs 1, 2 and 3 nodes on one PostgreSQL cluster of this machine (durable settings:
# fsync and synchronous_commit on), and the same harness against one node on its default
# SQLite store, RUNS times each, interleaved (sqlite, pg 1, pg 2, pg 3, sqlite, …) so slow
# moments of a shared machine fall on every configuration alike. Prints a table and writes
# bench/RESULTS-cluster.md.
#
#   bash bench/cluster.sh [BUILD_DIR]        (default build-bench)
#
# Environment: MESSAGES (100000), RUNS (3), CONNECTIONS (12, spread over the nodes),
# PER_REQUEST (100 messages per batch send), BATCH_SIZE (10), MAX_WAIT_MS (100),
# CONCURRENCY (max_concurrency of the queue, 12; over all nodes), PG_DIR (/tmp/qd-bench-pg),
# PG_PORT (54340), CONFIGS ("sqlite pg1 pg2 pg3"; "pgN-idx" runs N nodes with the claim
# index replaced, see below), OUT (the results file), WORK (data and logs,
# BUILD_DIR/cluster-bench). A "## Notes" section already in the results file is kept.
# REPORT_ONLY=1 only writes the results file again from the last run's logs.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=$(realpath -m "${1:-build-bench}")
messages=${MESSAGES:-100000}
runs=${RUNS:-3}
connections=${CONNECTIONS:-12}
per_request=${PER_REQUEST:-100}
batch_size=${BATCH_SIZE:-10}
max_wait_ms=${MAX_WAIT_MS:-100}
concurrency=${CONCURRENCY:-12}
pg_dir=${PG_DIR:-/tmp/qd-bench-pg}
pg_port=${PG_PORT:-54340}
configs=${CONFIGS:-sqlite pg1 pg2 pg3}
# Node data directories under the build directory, not a tmpfs: fsyncs must be real.
work=$(realpath -m "${WORK:-$build/cluster-bench}")
logs="$work/logs"
out=$(realpath -m "${OUT:-$root/bench/RESULTS-cluster.md}")

if [ "${REPORT_ONLY:-0}" != 1 ]; then
if [ ! -x "$build/bin/queuedeck" ] || [ ! -x "$build/bench/bench_cluster" ]; then
    cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=Release -DQUEUEDECK_BUILD_TESTS=OFF > /dev/null
fi
cmake --build "$build" -j2 --target queuedeck bench_cluster > /dev/null
rm -rf "$work"
mkdir -p "$logs"

pg_url=$(bash scripts/pg.sh start "$pg_dir" "$pg_port")
postmaster=$(head -1 "$pg_dir/data/postmaster.pid")
psql_cmd=(psql -X -q -h 127.0.0.1 -p "$pg_port" -U queuedeck -d queuedeck -v ON_ERROR_STOP=1)
pg_settings=$("${psql_cmd[@]}" -tAc "SELECT string_agg(name || '=' || setting, ', ' ORDER BY name) FROM pg_settings
    WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method', 'full_page_writes', 'shared_buffers',
                   'commit_delay', 'max_wal_size')")
pg_version=$("${psql_cmd[@]}" -tAc "SHOW server_version" | cut -d' ' -f1)

pids=()
cleanup()
{
    for p in "${pids[@]}"; do kill "$p" 2> /dev/null || true; done
    for p in "${pids[@]}"; do wait "$p" 2> /dev/null || true; done
    pids=()
}
# shellcheck disable=SC2317 # called by the EXIT trap
stop_all()
{
    cleanup
    bash scripts/pg.sh stop "$pg_dir"
}
trap stop_all EXIT

# Waits for the "listening on" line of a node's log; prints its base URL.
endpoint_of()
{
    local log=$1 pid=$2
    for _ in $(seq 200); do
        if grep -q "listening on" "$log"; then
            grep -o 'http://[^ ]*/' "$log" | head -1 | sed 's:/$::'
            return 0
        fi
        kill -0 "$pid" 2> /dev/null || break
        sleep 0.05
    done
    echo "node did not start; its log:" >&2
    cat "$log" >&2
    return 1
}

api()
{
    local url=$1 body=$2 answer
    answer=$(curl -sS -X POST -H 'Content-Type: application/json' -d "$body" "$url")
    if ! grep -q '"success":true' <<< "$answer"; then
        echo "$url: $answer" >&2
        return 1
    fi
}

# One run: fresh store, N nodes, a receiver, the producer. Appends the RESULT line.
run_one()
{
    local config=$1 run=$2 n store_args=() spec name
    name="$config-r$run"
    local schema="bench_${config//-/_}_r${run}"
    if [ "$config" = sqlite ]; then
        n=1
    else
        n=${config#pg}
        n=${n%-idx}
        spec="$pg_url?schema=$schema"
        "${psql_cmd[@]}" -c "DROP SCHEMA IF EXISTS $schema CASCADE" 2> /dev/null
        store_args=(--store "$spec")
    fi

    "$build/bench/bench_cluster" receive > "$logs/$name.receiver" 2>&1 &
    local receiver_pid=$!
    pids+=("$receiver_pid")
    local hook=""
    for _ in $(seq 100); do
        hook=$(grep -o 'http://[^ ]*' "$logs/$name.receiver" 2> /dev/null || true)
        [ -n "$hook" ] && break
        sleep 0.05
    done

    local urls=() node_pids=() i
    for i in $(seq 1 "$n"); do
        mkdir -p "$work/$name/node$i"
        "$build/bin/queuedeck" --headless --data-dir "$work/$name/node$i" --port 0 "${store_args[@]}" \
            > "$logs/$name.node$i" 2>&1 &
        node_pids+=($!)
        pids+=($!)
        urls+=("$(endpoint_of "$logs/$name.node$i" "${node_pids[-1]}")")
        if [ "$i" = 1 ] && [ "${config%-idx}" != "$config" ]; then
            # The "-idx" variants: the runtime's (queue_id, state, visible_at) index replaced by
            # one in the order the claim query reads (ORDER BY visible_at, seq), so that a claim
            # reads its 10 rows from the index instead of sorting the whole backlog.
            "${psql_cmd[@]}" -c "CREATE INDEX messages_claim ON $schema.messages(queue_id, state, visible_at, seq);
                DROP INDEX $schema.messages_by_queue_state"
        fi
        if [ "$i" = 1 ]; then
            # The queue and its webhook consumer, through node 1's Cloudflare API, before the
            # other nodes start (they load it from the store; later changes reach them by NOTIFY).
            local base="${urls[0]}/client/v4/accounts/bench/queues"
            api "$base" '{"queue_name": "bench"}'
            api "$base/bench/consumers" "{\"type\": \"webhook\", \"settings\": {\"url\": \"$hook\",
                \"batch_size\": $batch_size, \"max_wait_time_ms\": $max_wait_ms,
                \"max_concurrency\": $concurrency, \"max_retries\": 3}}"
        fi
    done
    [ "$config" = sqlite ] && spec="$work/$name/node1/queuedeck.db"

    echo "== $name: $n node(s), $messages messages"
    local status=0
    "$build/bench/bench_cluster" send --nodes "$(IFS=,; echo "${urls[*]}")" --queue bench \
        --messages "$messages" --per-request "$per_request" --connections "$connections" \
        --receiver "${hook%/hook}" --db "$spec" --node-pids "$(IFS=,; echo "${node_pids[*]}")" \
        --receiver-pid "$receiver_pid" --postgres-pid "$([ "$config" = sqlite ] || echo "$postmaster")" \
        | tee "$logs/$name.out" || status=$?
    # SIGTERM: each node stops cleanly (and leaves the node table).
    cleanup
    # What the nodes complained about: a commit the database refused makes a node drop what
    # it had in flight, reconnect and register again ("lost the store").
    local lost warnings
    lost=$(cat "$logs/$name".node* | grep -c "lost the store" || true)
    warnings=$(cat "$logs/$name".node* | grep -c "^QueueDeck: " || true)
    grep '^RESULT ' "$logs/$name.out" \
        | sed "s/^RESULT {/{\"config\":\"$config\",\"run\":$run,\"store_lost\":$lost,\"node_warnings\":$warnings,/" \
            >> "$logs/results.jsonl" || true
    if grep -q "STALL" "$logs/$name.out" || [ "$status" != 0 ]; then
        echo "!! $name: correctness check failed or stalled (exit $status); logs in $logs" >&2
        echo "!! the store is kept: ${spec}" >&2
        for i in $(seq 1 "$n"); do tail -n 20 "$logs/$name.node$i" >&2; done
        return 1
    fi
    # A good run's store and data directories go; its logs stay.
    rm -rf "${work:?}/${name:?}"
    [ "$config" = sqlite ] || "${psql_cmd[@]}" -c "DROP SCHEMA $schema CASCADE" 2> /dev/null
}

date -u '+%Y-%m-%d %H:%M UTC' > "$logs/date"
failed=0
for run in $(seq 1 "$runs"); do
    for config in $configs; do
        run_one "$config" "$run" || failed=1
        [ "$failed" = 1 ] && break 2
    done
done
echo "$failed" > "$logs/failed"

# What the report says about the run, kept with its logs for REPORT_ONLY.
{
    echo "CLUSTER_CONFIGS=$configs"
    echo "CLUSTER_CMD=bash bench/cluster.sh $(realpath --relative-to="$root" "$build")"
    echo "CLUSTER_PARAMS=MESSAGES=$messages RUNS=$runs CONNECTIONS=$connections PER_REQUEST=$per_request BATCH_SIZE=$batch_size MAX_WAIT_MS=$max_wait_ms CONCURRENCY=$concurrency CONFIGS=\"$configs\""
    echo "CLUSTER_PG=PostgreSQL $pg_version ($pg_settings), cluster in $pg_dir on $(findmnt -n -o FSTYPE -T "$pg_dir")"
    echo "CLUSTER_SQLITE_FS=$(findmnt -n -o FSTYPE -T "$work")"
# What was built: the source directory the build directory was configured from, its commit
# and whether its working tree differed from it (or, for a copy made with git archive, the
# commit named in its .git-commit file).
src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$build/CMakeCache.txt")
if git -C "$src" rev-parse --short HEAD > /dev/null 2>&1; then
    source_state="$(git -C "$src" rev-parse --short HEAD)$(git -C "$src" status --porcelain --untracked-files=no | head -1 | sed 's/.*/ with uncommitted changes/')"
elif [ -f "$src/.git-commit" ]; then
    source_state="$(cut -c1-7 "$src/.git-commit") (a clean copy made with git archive, in $src)"
else
    source_state="$src (not a git checkout)"
fi
    echo "CLUSTER_SOURCE=$source_state"
    echo "CLUSTER_LOAD=$(cut -d' ' -f1-3 /proc/loadavg)"
} > "$logs/meta"
fi

# The table: median of the runs per configuration.
export CLUSTER_LOGS="$logs" CLUSTER_OUT="$out"
python3 - << 'EOF'
import json, os, statistics

logs = os.environ["CLUSTER_LOGS"]
meta = dict(l.rstrip("\n").split("=", 1) for l in open(os.path.join(logs, "meta")))
os.environ.update(meta)
os.environ["CLUSTER_FAILED"] = open(os.path.join(logs, "failed")).read().strip()
rows = [json.loads(l) for l in open(os.path.join(logs, "results.jsonl"))] if os.path.exists(
    os.path.join(logs, "results.jsonl")) else []
configs = os.environ["CLUSTER_CONFIGS"].split()

def label(config):
    if config == "sqlite":
        return "SQLite (default store), 1 node"
    n = int(config[2:].split("-")[0])
    return f"PostgreSQL, {n} node{'s' if n > 1 else ''}" + (", claim index replaced" if config.endswith("-idx") else "")

def fmt(x): return f"{x:,.0f}"

cpu = lambda r: f"{r['cpu_nodes']:.2f} / {r['cpu_postgres']:.2f} / {r['cpu_producer']:.2f} / {r['cpu_receiver']:.2f} / {max(r['cpu_other'], 0):.2f}"
table = ["| configuration | messages/s (median) | runs (messages/s) | wall, median run | all sends answered | batches (by size) | cores: nodes / PostgreSQL / producer / receiver / other, median run | exactly once | runs where a node lost its store |",
         "|---|---|---|---|---|---|---|---|---|"]
detail = ["| run | configuration | messages/s | wall | sends answered | store: messages / acked / distinct ids | ack attempts / other | receiver: deliveries / unique ids / duplicates | batches per node | sends per node | refused sends | a node lost its store | ok |",
          "|---|---|---|---|---|---|---|---|---|---|---|---|---|"]
summary = {}
for key in configs:
    rs = [r for r in rows if r["config"] == key]
    if not rs:
        continue
    rates = [r["messages_per_s"] for r in rs]
    med = statistics.median(rates)
    mid = sorted(rs, key=lambda r: r["messages_per_s"])[len(rs) // 2]
    ok = all(r["ok"] for r in rs)
    summary[key] = med
    table.append(f"| {label(key)} | **{fmt(med)}** | {' / '.join(fmt(x) for x in rates)} | {mid['seconds']:.2f} s | {mid['sends_done_s']:.2f} s | {mid['batches']:,} ({mid['batches_by_size']:,}) | {cpu(mid)} | {'yes' if ok else 'NO'} | {sum(1 for r in rs if r.get('store_lost'))} |")
for i, r in enumerate(rows, 1):
    detail.append(f"| {i} | {label(r['config'])} | {fmt(r['messages_per_s'])} | {r['seconds']:.2f} s | {r['sends_done_s']:.2f} s | {r['db_messages']:,} / {r['db_acked']:,} / {r['db_distinct_ids']:,} | {r['db_ack_attempts']:,} / {r['db_other_attempts']} | {r['receiver_deliveries']:,} / {r['receiver_unique_ids']:,} / {r['receiver_duplicates']} | {' / '.join(str(x) for x in r['batches_per_node']) or '–'} | {' / '.join(str(x) for x in r['sent_per_node'])} | {r['refused_sends']} | {r.get('store_lost', 0) or 'no'} | {'yes' if r['ok'] else 'NO'} |")

cpuinfo = open("/proc/cpuinfo").read()
model = next((l.split(":", 1)[1].strip() for l in cpuinfo.splitlines() if l.startswith("model name")), "?")
mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 1024 / 1024
nproc = os.cpu_count()
kernel = os.uname().release
date = open(os.path.join(logs, "date")).read().strip()
params = os.environ["CLUSTER_PARAMS"]
md = f"""# Cluster benchmark: several nodes on one PostgreSQL

Written by `bench/cluster.sh`, run on {date}, source at {os.environ['CLUSTER_SOURCE']}.

**On this 2-core machine PostgreSQL, every node, the producer and the webhook receiver share
the same two cores** (the "cores" column says who used them, and how much the machine's
other work took meanwhile). These figures show the mechanism — several runtimes claiming
from one queue with `FOR UPDATE SKIP LOCKED`, waking each other with `LISTEN/NOTIFY`, every
message acked exactly once — not the ceiling of a cluster, whose nodes and database would
each have machines of their own.

## Machine

- CPU: {model}, `nproc` = {nproc}; memory {mem:.1f} GiB; kernel {kernel}
- {os.environ['CLUSTER_PG']}
- SQLite: the runtime's default store (WAL, `synchronous=FULL`) on {os.environ['CLUSTER_SQLITE_FS']}; Release build
- Load average when the runs ended: {os.environ['CLUSTER_LOAD']}

## What runs

One queue `bench` with a webhook consumer (`batch_size` and the rest below), made through
node 1's Cloudflare API before the other nodes start. The webhook receiver
(`bench_cluster receive`, QueueDeck's own `HttpServer`) answers every batch with an empty
200 — an ack of all — and remembers every message id it was sent. The producer
(`bench_cluster send`) sends the messages (~100-byte JSON bodies) in batch sends
(`POST /client/v4/accounts/bench/queues/bench/messages/batch`) over keep-alive connections
spread round-robin over the nodes' HTTP ports, each connection sending its next request as
soon as the last one is answered (a `200` there means the messages are committed). Clock:
from the first send until the store holds every message acked (the receiver's count is
watched, then `SELECT count(*) FROM messages WHERE state = 2` on a connection of its own).
Every run starts on a fresh store: a new schema, or a new SQLite file.

Settings: {params}.

Checked in every run, after a 1 s grace period: the store holds exactly the messages
sent, all acked, with distinct ids; one `acked` attempt per message and no other attempts;
no batch left open; the receiver saw every message id and every body once (duplicates =
deliveries − distinct ids).

## Results (median of {len(rows) // max(len(summary), 1)} runs)

{chr(10).join(table)}

"Cores" are CPU seconds per second of wall time, from `/proc`, for the median run: the
nodes' processes, all of PostgreSQL's, the producer, the receiver, and what everything else
on the machine used meanwhile (the machine's busy time less those; shown as 0 when clock-tick
rounding makes it come out below).

## Every run

{chr(10).join(detail)}

## Command

```sh
{os.environ['CLUSTER_CMD']}
# with {params}
```

Logs of every node, the receiver and the producer: `{os.path.relpath(logs, os.getcwd())}/`.
"""
if os.environ.get("CLUSTER_FAILED") == "1":
    md += "\n**A run failed its correctness check or stalled; see the logs.**\n"
# The notes are written by hand: kept from the file this one replaces.
if os.path.exists(os.environ["CLUSTER_OUT"]):
    previous = open(os.environ["CLUSTER_OUT"]).read()
    if "\n## Notes\n" in previous:
        md += previous[previous.index("\n## Notes\n"):]
open(os.environ["CLUSTER_OUT"], "w").write(md)
print("\n".join(table))
EOF
echo "wrote $out"
exit "$(cat "$logs/failed")"
