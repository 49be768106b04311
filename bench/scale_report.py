"""Writes bench/RESULTS-scale.md from what bench/scale.sh left in its work folder: main.json
and redis.json (bench/scale.py), stall.log (bench/read_stall.py), cluster/logs/results.jsonl
(bench/cluster.sh) and meta."""

import json
import os
import re
import statistics

from scale import THREAD_LABELS


def load(path):
    return json.load(open(path)) if os.path.exists(path) else None


def n(x):
    return f"{x:,.0f}"


def met(ok):
    return "met" if ok else "**not met**"


def table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def cpu_line(cpu):
    """The threads that used CPU, busiest first: 'runtime thread 0.85, …'."""
    parts = []
    for name, share in cpu["threads"].items():
        if share >= 0.005:
            parts.append(f"`{name}` {share:.2f}")
    return ", ".join(parts) or "–"


def summarize(md):
    """One table of every row that says met or not met, under the heading it came from."""
    rows = []
    heading = header = None
    for line in md.splitlines():
        if line.startswith("## "):
            heading = line[3:]
        elif line.startswith("|---"):
            continue
        elif line.startswith("|"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            if header is None or not any(c.endswith(("met", "met**", "comparison")) for c in cells):
                header = cells
                continue
            result = next(c for c in cells if c.endswith(("met", "met**", "comparison")) or "counts wrong" in c)
            if header[0] == "batch":  # the pull table
                cells = [f"batch {cells[0]}: messages/s", cells[1], cells[2]]
            elif header[0] == "call":  # the reads
                cells = [cells[0] + " (median)", cells[1], cells[3]]
            rows.append([heading, cells[0], cells[1], cells[2], result])
        else:
            header = None
    return table(["section", "what", "figure", "goal", ""], rows) if rows else "(nothing measured)"


def write_report(work, out):
    meta = dict(line.rstrip("\n").split("=", 1) for line in open(os.path.join(work, "meta")) if "=" in line)
    main = load(os.path.join(work, "main.json"))
    redis = load(os.path.join(work, "redis.json"))
    quick = meta["mode"] == "quick"
    cpuinfo = open("/proc/cpuinfo").read()
    model = next((l.split(":", 1)[1].strip() for l in cpuinfo.splitlines() if l.startswith("model name")), "?")
    mem = int(next(l.split()[1] for l in open("/proc/meminfo") if l.startswith("MemTotal"))) / 1024 / 1024
    sizes = ", ".join(f"{k}={meta[k]}" for k in sorted(meta) if k.startswith("SCALE_"))
    md = ["# The engine at any backlog: scale benchmark", ""]
    if quick:
        md += [f"**Quick run, sizes {sizes}: not the targets' sizes.** It shows that every phase works",
               "end to end; its figures say nothing about the targets. A full run (`bash bench/scale.sh`)",
               "overwrites this file.", ""]
    md += [f"Written by `bench/scale.sh` on {meta['date']}, source at {meta['commit']}, took "
           f"{int(meta.get('elapsed_s', 0)) // 60} min {int(meta.get('elapsed_s', 0)) % 60} s.", "",
           "## Machine", "",
           f"- CPU: {model}, `nproc` = {os.cpu_count()}; memory {mem:.1f} GiB; kernel {os.uname().release}",
           f"- data folders under the build directory, on {meta['fs']}; Release build",
           f"- load average before: {meta['load_before']}, after: {meta.get('load_after', '?')}",
           "- every client (python3, wrk) is a process of its own on the same 2 cores, talking HTTP to 127.0.0.1",
           "", "## Command", "", "```sh", meta["command"], f"# with {sizes}", "```", ""]

    if meta.get("failed", "").strip():
        md += [f"**Phases that failed: {meta['failed'].strip()}** (their logs are in the work folder).", ""]
    main = main or {}
    if main.get("error"):
        md += [f"**The runtime's phases stopped early: {main['error']}.** What they measured before is below.", ""]
    if "fill" in main:
        f = main["fill"]
        md += ["## Fill: batch sends into a growing backlog", "",
               "Cloudflare batch API (`POST /client/v4/accounts/local/queues/<queue_id>/messages/batch`), "
               f"100 messages a call, 4 keep-alive connections from one client process, queue with no consumer.", "",
               table(["target", "figure", "goal", ""], [
                   [f"rate of the last {n(f['step'])} against the first", f"{n(f['last_rate'])}/s against {n(f['first_rate'])}/s = {f['ratio']:.2f}x", "≥ 0.8x", met(f["ratio"] >= 0.8)],
                   ["runtime RSS high-water mark (VmHWM) after the fill", f"{f['memory']['VmHWM']:.0f} MB (VmRSS {f['memory']['VmRSS']:.0f} MB)", "< 300 MB", met(f["memory"]["VmHWM"] < 300)],
               ]), "",
               f"{n(f['sent'])} sent, {n(f['pending_after'])} pending afterwards per `/api/queues`, "
               f"{f['non_2xx']} non-2xx answers. CPU over the fill (cores): {cpu_line(f['cpu'])}.", "",
               table(["pending before the step", "messages/s", "backlog_count the sends reported"],
                     [[n(s["backlog_before"]), n(s["rate"]), n(s["backlog_reported"])] for s in f["steps"]]), ""]
    if "restart" in main:
        r = main["restart"]
        md += ["## Start-up with the backlog", "",
               f"`kill -9` of the runtime holding {n(r['messages'])} pending messages, then a new start on the same data "
               f"folder, timed from the spawn until the first `200`; median of {len(r['runs'])}.", "",
               table(["target", "figure", "goal", ""], [
                   ["`GET /healthz` answers", f"{r['median_healthz']:.3f} s", "< 2 s", met(r["median_healthz"] < 2)],
                   ["`GET /api/queues` answers", f"{r['median_api_queues']:.3f} s", "< 2 s", met(r["median_api_queues"] < 2)],
               ]), "",
               "Every start: " + "; ".join(f"healthz {x.get('healthz', float('nan')):.3f} s, api/queues "
                                            f"{x.get('api_queues', float('nan')):.3f} s, 'listening' line {x['listening_line']:.3f} s, "
                                            f"{n(x.get('count', -1))} pending shown" for x in r["runs"])
               + f". Counts after every restart equal the fill: {'yes' if r['counts_ok'] else '**no**'}."
               + (f" The first runtime's VmHWM after the fill and the reads, just before the first kill: "
                  f"{r['memory_before']['VmHWM']:.0f} MB." if "memory_before" in r else "")
               + (f" The last started runtime's VmHWM after every later phase (reads, pulls, `POST /`, end to end): "
                  f"{main['final_memory']['VmHWM']:.0f} MB." if "final_memory" in main else ""), ""]
    for label, rd in main.get("reads", {}).items():
            md += [f"## Reads at {n(rd['messages'])} messages ({label})", "",
                   f"One client process, one call after another, {rd['rounds']} of each, medians. The searches use "
                   "`GET /api/messages?queue=backlog&q=…&limit=50` (the own API's free-text parameter is `q`): "
                   "one matches a single message sent half-way through the fill, the other matches nothing. "
                   + (f"They ran once the search index covered every message: it was {n(rd['index_behind'])} "
                      f"messages behind when the phase began and caught up in {rd['index_caught_up_s']:.0f} s "
                      "(the runtime indexes in the background, fastest while no sends come). "
                      if "index_behind" in rd else "(every body is read). "), "",
                   table(["call", "median", "max", "goal", ""], [
                       [k, f"{rd['median_ms'][k]:.1f} ms", f"{max(v):.1f} ms",
                        "< 300 ms" if "search" in k else "< 20 ms",
                        met(rd["median_ms"][k] < (300 if "search" in k else 20))]
                       for k, v in rd["latency_ms"].items()]), "",
                   "Rows on the first page: " + ", ".join(f"{k} {v}" for k, v in rd["rows"].items()) + f". CPU meanwhile (cores): {cpu_line(rd['cpu'])}.", ""]
    if "pull" in main:
        md += ["## HTTP pull consumer", "",
               f"A queue with an `http_pull` consumer filled with `SCALE_DRAIN` messages, then drained by "
               f"{main['pull']['100']['pullers']} puller processes, each `POST …/messages/pull` "
               "`{\"batch_size\": B}` (default visibility timeout) then `POST …/messages/ack` of every lease, "
               f"until the queue is empty; {n(main['pull']['100']['backlog_other_queues'])} messages wait in "
               "another queue of the same store meanwhile. Clock: first pull answered to last ack answered.", "",
               table(["batch", "messages/s", "goal", "", "pulled / acked / store acked / left", "errors, warnings", "CPU (cores)"], [
                   [b, n(p["rate"]), "≥ 20,000/s" if b == "100" else "≥ 5,000/s",
                    met(p["rate"] >= (20000 if b == "100" else 5000)) + ("" if p["ok"] else " (**counts wrong**)"),
                    f"{n(p['pulled'])} / {n(p['acked'])} / {n(p['store_acked'])} / {p['store_left']}",
                    f"{p['errors']}, {p['warnings']}", cpu_line(p["cpu"])]
                   for b, p in main["pull"].items()]), ""]
    if "producer" in main:
        pr = main["producer"]
        c = pr["connections"]
        md += ["## Producer `POST /`", "",
               f"wrk with `bench/post.lua`, {pr['runs']} run(s) of {pr['seconds']} s per connection count, medians; "
               f"the default queue paused (nothing consumes it); {n(pr['backlog'])} messages pending in another queue. "
               "Every `202` is durable.", "",
               table(["target", "figure", "goal", ""], [
                   ["-c64 requests/s", n(c["64"]["rps"]), "≥ 30,000/s", met(c["64"]["rps"] >= 30000)],
                   ["-c64 p99", f"{c['64']['p99_ms']:.2f} ms", "< 10 ms", met(c["64"]["p99_ms"] < 10)],
                   ["-c1 p50", f"{c['1']['p50_ms']:.3f} ms", "< 1 ms", met(c["1"]["p50_ms"] < 1)],
               ]), "",
               table(["connections", "requests/s", "p50", "p99", "non-2xx", "runtime thread (cores)", "all threads (first run)"], [
                   [k, n(v["rps"]), f"{v['p50_ms']:.2f} ms", f"{v['p99_ms']:.2f} ms", v["non_2xx"],
                    f"{v['runtime_thread']:.2f}", cpu_line(v["runs"][0]["cpu"])] for k, v in c.items()]), ""]
    if "e2e" in main:
        e = main["e2e"]
        md += ["## End to end: batch sends → webhook consumer", "",
               f"Batch sends of 100 over 4 connections from one client process → a queue with a webhook consumer "
               f"(batch_size 10, max_wait_time_ms 100, max_concurrency {e['concurrency']}) → a python `http.server` "
               "(ThreadingHTTPServer, HTTP/1.1) on 127.0.0.1 answering an empty `200` (ack all) to every batch. "
               "Clock: first send until `/api/queues` shows every message acked. "
               f"{n(e['backlog'])} messages pending in another queue of the store.", "",
               table(["target", "figure", "goal", ""], [
                   ["messages/s, durable, median", n(e["rate"]), "≥ 20,000/s", met(e["rate"] >= 20000)]]
                   + ([["Redis Streams, same machine and clients' shape (not durable per message)",
                        f"{n(redis['rate'])}/s; QueueDeck {e['rate'] / redis['rate']:.2f}x of it", "–",
                        "comparison"]] if redis else [])), "",
               table(["run", "messages/s", "sends done", "store acked / left / failed", "receiver deliveries / unique / batches", "cores: runtime threads / receiver", "ok"], [
                   [i + 1, n(x["rate"]), f"{x['sends_seconds']:.2f} s of {x['seconds']:.2f} s",
                    f"{n(x['store_acked'])} / {x['store_left']} / {x['store_failed']}",
                    f"{n(x['receiver']['deliveries'])} / {n(x['receiver']['unique'])} / {n(x['receiver']['batches'])}",
                    f"{x['cpu']['runtime_total']:.2f} ({cpu_line(x['cpu'])}) / {x['cpu']['receiver']:.2f}",
                    "yes" if x["ok"] else "**NO**"] for i, x in enumerate(e["runs"])]), ""]
    if redis:
        md += [f"**Redis Streams for comparison** (redis-server {redis['version']}, `appendonly yes`, "
                   "`appendfsync everysec` — not durable per message; its data folder beside the runtime's): "
                   "XADD in pipelines of 100 over 4 connections from one process, "
                   f"{redis['consumers']} consumer processes each `XREADGROUP COUNT 10` then `XACK` of those 10; "
                   f"same message count, clock from the first XADD to the last XACK. Median "
                   f"**{n(redis['rate'])} messages/s** (" + "; ".join(
                       f"{n(x['rate'])}/s, read {n(x['read'])}, pending {x['pending']}, redis-server {x['redis_cpu']:.2f} core"
                       for x in redis["runs"]) + ").", ""]
    elif os.path.exists(os.path.join(work, "redis.missing")):
            md += ["Redis Streams: not measured, redis-server was not installed and could not be installed.", ""]
    if main:
        seen = main.get("threads_seen", [])
        md += ["## The runtime's threads", "",
               "CPU shares above are utime + stime per thread from `/proc/<pid>/task/*/stat` before and after each phase, "
               "in cores (1.00 = one core all the time), threads of one name added up. Names the kernel keeps (15 characters):", "",
               table(["thread name", "what it is"], [[f"`{t}`", THREAD_LABELS.get(t, "Qt or library helper thread")] for t in seen]), ""]

    stall = os.path.join(work, "stall.log")
    if os.path.exists(stall):
        text = open(stall).read()
        med = {}
        for m in re.finditer(r"median of (\d+), (POST / alone|POST / while reads loop): (\d+)/s, p50 ([\d.]+) ms, "
                             r"p99 ([\d.]+) ms, max ([\d.]+) ms; runtime thread ([\d.]+) core, API readers ([\d.]+) core", text):
            med[m.group(2)] = m.groups()
        bad = sum(int(x) for x in re.findall(r"non-202 (\d+)", text))
        filled = re.search(r"filled (\d+) messages", text)
        readers = re.findall(r"reader: (.*)", text)
        if "POST / while reads loop" in med:
            w, a = med["POST / while reads loop"], med["POST / alone"]
            md += [f"## `POST /` while reads loop, {n(int(filled.group(1)))} messages", "",
                   "`bench/read_stall.py`: the default queue paused and filled by batch sends, then `POST /` from a producer "
                   "process (2 keep-alive connections) alone and while a reader process loops `GET /api/queues`, "
                   "`GET /metrics` and `GET /api/messages?q=no-such-needle&limit=50`; medians of "
                   f"{w[0]} round(s) of {meta['stall_seconds']} s each.", "",
                   table(["target", "figure", "goal", ""], [
                       ["`POST /` p99 while the reads loop", f"{float(w[4]):.2f} ms", "< 15 ms", met(float(w[4]) < 15)]]), "",
                   table(["phase", "requests/s", "p50", "p99", "max", "runtime thread (cores)", "API readers (cores)"], [
                       [k, v[2], f"{v[3]} ms", f"{v[4]} ms", f"{v[5]} ms", v[6], v[7]] for k, v in (("alone", a), ("while reads loop", w))]), "",
                   f"Non-202 answers over all rounds: {bad}. The reader managed: " + "; ".join(readers) + ".", ""]

    jsonl = os.path.join(work, "cluster", "logs", "results.jsonl")
    if os.path.exists(jsonl):
        rows = [json.loads(l) for l in open(jsonl)]
        by = {c: [r for r in rows if r["config"] == c] for c in ("sqlite", "pg1")}
        if by["sqlite"] and by["pg1"]:
            s = statistics.median(r["messages_per_s"] for r in by["sqlite"])
            p = statistics.median(r["messages_per_s"] for r in by["pg1"])
            ok = all(r["ok"] for r in rows)
            md += ["## PostgreSQL, one node, against SQLite", "",
                   "`bench/cluster.sh` with `CONFIGS=\"sqlite pg1\"` (its harness: batch sends of 100 over 12 connections, "
                   "webhook consumer `bench_cluster receive` acking all, batch_size 10, every message checked acked "
                   "exactly once), a PostgreSQL cluster of its own on this machine with fsync and synchronous_commit on, "
                   f"interleaved runs, medians of {len(by['pg1'])}. Its own report: `{os.path.relpath(os.path.join(work, 'RESULTS-cluster.md'), os.path.dirname(os.path.dirname(os.path.abspath(out))))}`.", "",
                   table(["target", "figure", "goal", ""], [
                       ["PostgreSQL / SQLite", f"{n(p)}/s / {n(s)}/s = {p / s:.2f}x", "≥ 0.7x", met(p / s >= 0.7)]]), "",
                   table(["configuration", "runs (messages/s)", "exactly once"], [
                       [c, " / ".join(n(r["messages_per_s"]) for r in rs), "yes" if all(r["ok"] for r in rs) else "**NO**"]
                       for c, rs in by.items()]), ""]
            if not ok:
                md += ["**A cluster run failed its correctness check.**", ""]
    if os.path.exists(os.path.join(work, "cluster.failed")):
        md += ["**bench/cluster.sh failed; see its logs under the work folder.**", ""]
    md = "\n".join(md)
    summary = summarize(md)
    marker = "## Command"
    caveat = ("The sizes of this quick run are not the targets' sizes, and the machine may have been busy: "
              "met / not met below says nothing about the targets.\n\n" if quick else "")
    md = md.replace(marker, "## Targets at a glance\n\n" + caveat + summary + "\n\n" + marker, 1)
    open(out, "w").write(md)
    print(f"wrote {out}")
