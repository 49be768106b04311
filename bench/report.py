#!/usr/bin/env python3
"""Writes bench/RESULTS.md from the logs bench/run.sh leaves (called by run.sh)."""

import json
import os
import platform
import subprocess

logs = os.environ["BENCH_LOGS"]
out_path = os.environ["BENCH_RESULTS"]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def result(name):
    with open(os.path.join(logs, name + ".out")) as f:
        for line in f:
            if line.startswith("RESULT "):
                return json.loads(line[len("RESULT "):])
    raise SystemExit(f"{name}: no RESULT line")


def text(name):
    with open(os.path.join(logs, name)) as f:
        return f.read().strip()


def cmd(*args):
    try:
        return subprocess.run(args, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "?"


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return "?"


def mem_total():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1048576:.1f} GiB"
    return "?"


def n(x, digits=0):
    return f"{x:,.{digits}f}"


def median(values):
    v = sorted(values)
    k = len(v)
    return v[k // 2] if k % 2 else (v[k // 2 - 1] + v[k // 2]) / 2


floor = result("floor")
fill = result("fill")
rows = {(r["tx_size"], r["ids"]): r for r in floor["results"]}
f10, f100, f100r = rows[(10, "ordered")], rows[(100, "ordered")], rows[(100, "random")]
f1 = rows[(1, "ordered")]
pairs = []
i = 1
while os.path.exists(os.path.join(logs, f"pipeline-{i}.out")):
    run = result(f"pipeline-{i}")
    cal = result(f"calibrate-{i}")["results"][0]
    pairs.append((run["runs"][0], cal, run))
    i += 1
runs = [p[0] for p in pairs]
rate = median([r["messages_per_s"] for r in runs])
p50 = median([r["send_p50_ms"] for r in runs])
p99 = median([r["send_p99_ms"] for r in runs])
# The floor is a row inserted and then deleted, in transactions of 100, measured right
# before each pipeline run; plain inserts (stricter) and the lifecycle pass are shown too.
ratio = median([cal["insert_delete_per_s"] / r["messages_per_s"] for r, cal, _ in pairs])
ratio_insert = median([cal["insert_per_s"] / r["messages_per_s"] for r, cal, _ in pairs])
ratio_life = median([cal["lifecycle_per_s"] / r["messages_per_s"] for r, cal, _ in pairs])
mid = sorted(runs, key=lambda r: r["messages_per_s"])[len(runs) // 2]
all_acked = all(p[2]["all_acked"] for p in pairs)
errors = sum(p[2]["errors"] for p in pairs)
st = fill["startup"]

names = ["floor"] + [f"{kind}-{k}" for k in range(1, len(pairs) + 1) for kind in ("calibrate", "pipeline")] + ["fill"]
machine = [(name, json.loads(text(f"{name}.machine"))) for name in names]
noisy = any(m["other_cores"] > 0.25 or m["load_before"] > 1.0 for _, m in machine)
source = text("source").splitlines()
commit = source[0] if source else "?"
dirty = len(source) > 1

L = []
w = L.append
w("# Benchmark results")
w("")
w(f"Written by `bench/run.sh`, run on {text('date')}, source at {commit}"
  f"{' with uncommitted changes in the working tree' if dirty else ''}.")
w("")
w("## Machine")
w("")
w(f"- CPU: {cpu_model()}, `nproc` = {os.cpu_count()}; memory {mem_total()}")
w(f"- Kernel {platform.release()}; stores on {cmd('df', '--output=fstype', os.path.join(os.path.dirname(logs), 'bench-data')).splitlines()[-1].strip()} "
  f"(`{os.path.join(os.path.dirname(logs), 'bench-data')}`)")
w(f"- SQLite {floor['sqlite_version']}, WAL, `synchronous=FULL`; Release build (`-O3`)")
if noisy:
    w("- **Other work was running on this machine during the runs** (its 2 cores are shared), so the "
      "figures are noisy, the fsync-bound ones most of all. CPU other processes used while each program ran:")
else:
    w("- The machine was otherwise quiet while the programs ran:")
w("")
w("| program | wall | its CPU (cores) | other processes' CPU (cores) | load average before / after |")
w("|---|---|---|---|---|")
for name, m in machine:
    w(f"| {name} | {m['seconds']:.1f} s | {m['own_cores']:.2f} | {m['other_cores']:.2f} | {m['load_before']:.2f} / {m['load_after']:.2f} |")
w("")
w("## Against the budget (DESIGN.md, \"Performance budget\")")
w("")
w("| target | measured | |")
w("|---|---|---|")
w(f"| end to end, no-op consumer, batches of 10: ≥ 50,000 messages/s durable | {n(rate)} messages/s (median of {len(runs)}) "
  f"| {'met' if rate >= 50000 else 'missed'} |")
w(f"| within 3x of the SQLite floor (rows inserted then deleted, transactions of 100, measured right before "
  f"each run) | floor / pipeline = {ratio:.2f}x (median of the pairs) | {'met' if ratio <= 3 else 'missed'} |")
w(f"| (stricter: against plain inserts in transactions of 100) | {ratio_insert:.2f}x "
  f"| {'within 3x' if ratio_insert <= 3 else 'over 3x'} |")
w(f"| (the same SQL as the pipeline, without the broker: lifecycle in transactions of 100) | {ratio_life:.2f}x | |")
w(f"| 1,000,000 messages: start-up under 2 s | {n(st['total_ms'])} ms (store open to first page) "
  f"| {'met' if st['total_ms'] < 2000 else 'missed'} |")
w(f"| 1,000,000 messages: memory under 300 MB | {n(st['peak_rss_kb'] / 1024, 1)} MiB peak RSS at start-up, "
  f"{n(fill['fill_peak_rss_kb'] / 1024, 1)} MiB while filling | {'met' if st['peak_rss_kb'] < 300 * 1000 else 'missed'} |")
w("")
w("## 1. Pipeline (`bench_pipeline`)")
w("")
w(f"{n(pairs[0][2]['messages'])} messages per run, {pairs[0][2]['inflight']} sends of 1 message in flight (a new "
  f"send as each durable callback fires), `max_batch_size` {pairs[0][2]['batch_size']}, a `FunctionConsumer` that "
  "acks all, real "
  "SqliteStore file, SystemClock, Qt event loop. Clock from the first send to the durable callback of a marker "
  "send made after the last ack (so the last acks are committed). Latency: `send()` to its durable callback.")
w("")
w("| run | messages/s | floor before it, tx 100: insert+delete / insert / lifecycle (rows/s) | floor / run (insert+delete) | send p50 | send p99 | batches | commits/s | messages per commit | log written per commit | fsync share of wall | CPU share of wall |")
w("|---|---|---|---|---|---|---|---|---|---|---|---|")
for i, (r, cal, _) in enumerate(pairs, 1):
    w(f"| {i} | {n(r['messages_per_s'])} | {n(cal['insert_delete_per_s'])} / {n(cal['insert_per_s'])} / "
      f"{n(cal['lifecycle_per_s'])} | {cal['insert_delete_per_s'] / r['messages_per_s']:.2f}x "
      f"| {r['send_p50_ms']:.2f} ms | {r['send_p99_ms']:.2f} ms | {n(r['batches'])} "
      f"| {n(r['commits_per_s'])} | {r['messages_per_send_group']:.1f} | {n(r['wal_bytes_per_commit'] / 1024)} KiB "
      f"| {100 * (r['io_wal']['sync_ms'] + r['io_db']['sync_ms']) / 1000 / r['seconds']:.0f}% "
      f"| {100 * r['cpu_s'] / r['seconds']:.0f}% |")
w(f"| **median** | **{n(rate)}** | | **{ratio:.2f}x** | **{p50:.2f} ms** | **{p99:.2f} ms** | | | | | | |")
w("")
w(f"All messages acked: {'yes' if all_acked else 'NO'}; errors: {errors}. "
  f"Median run's I/O: {n(mid['io_wal']['write_bytes'] / 1048576)} MiB written to the log in "
  f"{n(mid['io_wal']['syncs'])} fsyncs ({mid['io_wal']['sync_ms'] / mid['io_wal']['syncs'] * 1000:.0f} µs each); "
  f"checkpoints wrote {n(mid['io_db']['write_bytes'] / 1048576)} MiB to the database file with "
  f"{n(mid['io_db']['syncs'])} fsyncs.")
w("")
w("## 2. Fill and start-up (`bench_fill`)")
w("")
w(f"{n(fill['messages'])} messages of ~100-byte JSON in sends of {fill['per_send']}, {fill['inflight']} sends in "
  "flight, no consumer.")
w("")
w("| figure | value |")
w("|---|---|")
w(f"| fill time | {fill['fill_s']:.2f} s |")
w(f"| messages/s (durable) | {n(fill['messages_per_s'])} |")
w(f"| store on disk (db + wal), open | {n(fill['store_bytes_open'] / 1048576, 1)} MiB |")
w(f"| store on disk, closed | {n(fill['store_bytes_closed'] / 1048576, 1)} MiB |")
w(f"| peak RSS while filling (VmHWM) | {n(fill['fill_peak_rss_kb'] / 1024, 1)} MiB |")
w("")
w("Start-up on that store, in a fresh process:")
w("")
w("| step | time |")
w("|---|---|")
for key, label in (("open_ms", "open the store"), ("broker_start_ms", "`Broker::start` (in-flight recovery, retention sweep)"),
                   ("first_tick_ms", "first tick"), ("queue_counts_ms", "`Broker::counts` for the queue"),
                   ("first_page_ms", "first page of 100 messages (`listMessages`)"),
                   ("count_rows_ms", "row count for the table (`countMessages`)"), ("total_ms", "**total**")):
    w(f"| {label} | {n(st[key], 1)} ms |")
w(f"| peak RSS so far after `Broker::start` / after counts / after the first page | {n(st['peak_rss_after_start_kb'] / 1024, 1)} / "
  f"{n(st['peak_rss_after_counts_kb'] / 1024, 1)} / {n(st['peak_rss_after_page_kb'] / 1024, 1)} MiB |")
w(f"| peak RSS of the start-up process | {n(st['peak_rss_kb'] / 1024, 1)} MiB |")
w("")
w("## 3. SQLite floor (`bench_sqlite_floor`)")
w("")
w("Plain SQLite C API, same pragmas and the same `messages` table and indexes; ids shaped like the broker's "
  "(\"ordered\": send time first) unless marked random. *lifecycle* = per message what the runtime does "
  "(insert, claim update, ack update, attempt row), one commit per transaction.")
w("")
w("| tx size | ids | rows | insert/s | delete/s | insert + delete /s | lifecycle /s |")
w("|---|---|---|---|---|---|---|")
for r in floor["results"]:
    w(f"| {r['tx_size']} | {r['ids']} | {n(r['rows'])} | {n(r['insert_per_s'])} | {n(r['delete_per_s'])} "
      f"| {n(r['insert_delete_per_s'])} | {n(r['lifecycle_per_s'])} |")
w("")
w(f"Against this table (measured once, at another moment than the pipeline runs; the paired ratio above is the "
  f"one to trust): inserts in transactions of 100 / pipeline median = {f100['insert_per_s'] / rate:.2f}x; "
  f"in transactions of 10: {f10['insert_per_s'] / rate:.2f}x; lifecycle in transactions of 100: "
  f"{f100['lifecycle_per_s'] / rate:.2f}x. One durable commit of one row: {n(f1['insert_per_s'])}/s.")
w("")
w("## Commands")
w("")
w("```sh")
w("bench/run.sh")
w("# which ran:")
w(os.environ["BENCH_CMD_CONFIGURE"])
w(os.environ["BENCH_CMD_BUILD"])
w(os.environ["BENCH_CMD_FLOOR"])
w(f"# {len(pairs)} times:")
w(os.environ["BENCH_CMD_CALIBRATE"])
w(os.environ["BENCH_CMD_PIPELINE"])
w(os.environ["BENCH_CMD_FILL"])
w("```")
w("")
w("Each program also prints one `RESULT {json}` line; the full output is in `build-bench/bench-logs/`.")
w("")
notes = os.path.join(root, "bench", "NOTES.md")
if os.path.exists(notes):
    with open(notes) as f:
        w(f.read().rstrip())
        w("")

with open(out_path, "w") as f:
    f.write("\n".join(L))
