#!/usr/bin/env python3
"""The engine at any backlog: the runtime's phases of bench/scale.sh, measured from outside.

Every figure comes from a client in a process of its own (multiprocessing, fork) talking HTTP
to a `queuedeck --headless` on 127.0.0.1 whose data folder is on the real disk. This process
only starts and stops the runtime, waits, and reads /proc for each phase's CPU per thread.

    python3 bench/scale.py main  BINARY WORK_DIR OUT_JSON   (fill, reads, restart, pull, POST /, end to end)
    python3 bench/scale.py fill  BINARY WORK_DIR OUT_JSON   (the fill alone, on a fresh store: to repeat it)
    python3 bench/scale.py redis REDIS_SERVER WORK_DIR OUT_JSON
    python3 bench/scale.py report WORK_DIR RESULTS_MD       (writes the results file from the JSON files)

Sizes come from the environment (bench/scale.sh sets them): SCALE_FILL, SCALE_FILL_STEP,
SCALE_DRAIN, SCALE_PULLERS, SCALE_RUNS, SCALE_SECONDS, SCALE_E2E, SCALE_E2E_CONCURRENCY,
SCALE_READS.
"""

import http.client
import http.server
import json
import multiprocessing
import os
import re
import shutil
import signal
import sqlite3
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid

BASE = "/client/v4/accounts/local/queues"
HZ = os.sysconf("SC_CLK_TCK")

# What each runtime thread is, by the 15 characters of its name the kernel keeps.
THREAD_LABELS = {
    "queuedeck": "main thread (the GUI thread in the app; idle in --headless)",
    "queuedeck-runti": "runtime thread (broker, store writes, HTTP server, consumers)",
    "queuedeck-sync": "the SQLite store's sync thread: fsyncs the WAL and checkpoints (WalSync)",
    "queuedeck-api-r": "API reader pool (2 threads)",
    "queuedeck-depth": "depth reader",
    "queuedeck-reade": "message views' reader",
    "Thread (pooled)": "QThreadPool workers",
    "QNetworkAccessM": "Qt's network thread (QNetworkAccessManager: the webhook consumer's HTTP client)",
    "QDnsLookup": "Qt's DNS lookups",
}


def env_int(name, default):
    return int(os.environ.get(name, default))


def call(conn, method, path, body=None, raw=None):
    data = raw if raw is not None else (None if body is None else json.dumps(body))
    conn.request(method, path, data, {"Content-Type": "application/json"})
    answer = conn.getresponse()
    return answer.status, answer.read()


def call_ok(conn, method, path, body=None):
    status, payload = call(conn, method, path, body)
    if status // 100 != 2:
        raise RuntimeError(f"{method} {path}: HTTP {status} {payload[:300]!r}")
    return json.loads(payload) if payload else None


def median(values):
    return statistics.median(values) if values else float("nan")


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


# ---------------------------------------------------------------- the runtime and /proc


class Runtime:
    """A headless runtime on DATA, stdout to a log file; started and killed by this process."""

    def __init__(self, binary, data):
        self.binary, self.data = binary, data
        self.process = None
        self.port = None
        self.starts = 0
        os.makedirs(data, exist_ok=True)

    def start(self, port=0):
        log = open(os.path.join(self.data, "runtime.log"), "a")
        started = time.monotonic()
        self.process = subprocess.Popen(
            [self.binary, "--headless", "--data-dir", self.data, "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.listening_s = None
        while time.monotonic() - started < 600:
            if self.process.poll() is not None:
                raise RuntimeError(f"the runtime exited with {self.process.returncode}; see {self.data}/runtime.log")
            with open(os.path.join(self.data, "runtime.log")) as f:
                found = re.findall(r"listening on http://127\.0\.0\.1:(\d+)/", f.read())
            if len(found) > self.starts:
                self.port = int(found[-1])
                self.listening_s = time.monotonic() - started
                self.starts = len(found)
                return started
            time.sleep(0.005)
        raise RuntimeError("the runtime did not start within 600 s")

    @property
    def pid(self):
        return self.process.pid

    def kill(self, sig=signal.SIGKILL):
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(120)

    def conn(self, timeout=600):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)


def thread_ticks(pid):
    """{thread name: utime + stime in clock ticks}, threads of one name added up."""
    ticks = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except (FileNotFoundError, ProcessLookupError):
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        ticks[name] = ticks.get(name, 0) + int(fields[11]) + int(fields[12])
    return ticks


def process_ticks(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            stat = f.read()
    except FileNotFoundError:
        return 0
    fields = stat[stat.rindex(")") + 2:].split()
    return int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])


class CpuMeter:
    """CPU share (cores) of each runtime thread between start() and stop()."""

    def __init__(self, pid, others=()):
        self.pid, self.others = pid, dict(others)
        self.before = thread_ticks(pid)
        self.others_before = {k: process_ticks(p) for k, p in self.others.items()}
        self.started = time.monotonic()

    def stop(self):
        elapsed = time.monotonic() - self.started
        after = thread_ticks(self.pid)
        shares = {name: round((after[name] - self.before.get(name, 0)) / HZ / elapsed, 3) for name in after}
        shares = {k: v for k, v in sorted(shares.items(), key=lambda kv: -kv[1]) if v > 0}
        result = {"threads": shares, "runtime_total": round(sum(shares.values()), 3), "seconds": round(elapsed, 2)}
        for key, pid in self.others.items():
            result[key] = round((process_ticks(pid) - self.others_before[key]) / HZ / elapsed, 3)
        return result


def vm_status(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmHWM", "VmRSS")):
                key, value = line.split(":")
                out[key] = round(int(value.split()[0]) * 1024 / 1e6, 1)  # MB
    return out


def guarded(target, args, out):
    """A client's failure reaches the waiting driver as an answer, not as a wait forever."""
    try:
        target(*args, out)
    except Exception as e:  # noqa: BLE001 (any failure of a client ends its phase)
        out.put({"client_error": f"{target.__name__}: {type(e).__name__}: {e}"})


def run_client(target, *args):
    """Runs target(*args, out_queue) in a process of its own; returns (process, queue)."""
    out = multiprocessing.Queue()
    process = multiprocessing.Process(target=guarded, args=(target, args, out))
    process.start()
    return process, out


def answer(out):
    """The next thing a client put; a client's failure stops the phase with its message."""
    value = out.get()
    if isinstance(value, dict) and "client_error" in value:
        raise RuntimeError(value["client_error"])
    return value


# ---------------------------------------------------------------- clients (own processes)


def fill_client(port, queue, total, step, connections, needle, out):
    """Batch sends of 100 over `connections` keep-alive connections; a step's rate per `step`
    messages. One message of the batch sent half-way carries `needle` in its body."""
    plain = json.dumps({"messages": [{"body": {"imageUrl": f"https://example.com/{i}.png", "userId": "bench"}}
                                     for i in range(100)]})
    marked = json.loads(plain)
    marked["messages"][0]["body"]["userId"] = needle
    marked = json.dumps(marked)
    path = f"{BASE}/{queue}/messages/batch"
    sent = 0
    steps = []
    bad = [0]
    while sent < total:
        calls = min(step, total - sent) // 100
        lock = threading.Lock()
        remaining = [calls]
        reported = [0]
        needle_call = calls // 2 if sent <= total // 2 < sent + step else -1

        def worker():
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            while True:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                    this = remaining[0]
                status, payload = call(conn, "POST", path, raw=marked if this == needle_call else plain)
                if status != 200:
                    with lock:
                        bad[0] += 1
                    continue
                count = json.loads(payload)["result"]["metadata"]["metrics"]["backlog_count"]
                with lock:
                    reported[0] = max(reported[0], count)

        started = time.monotonic()
        threads = [threading.Thread(target=worker) for _ in range(connections)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        steps.append({"backlog_before": sent, "messages": calls * 100, "seconds": round(elapsed, 3),
                      "rate": round(calls * 100 / elapsed), "backlog_reported": reported[0]})
        print(f"  fill: {sent:>12,} pending before, {calls * 100 / elapsed:>9,.0f} messages/s", flush=True)
        sent += calls * 100
    out.put({"steps": steps, "sent": sent, "non_2xx": bad[0]})


def read_client(port, queue, needle, rounds, out):
    """Each read call `rounds` times, one after another, on one connection: latency in ms."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=3600)
    calls = [("GET /api/queues", "/api/queues"), ("GET /metrics", "/metrics"),
             ("search, one match (first page)", f"/api/messages?queue={queue}&q={needle}&limit=50"),
             ("search, no match (first page)", f"/api/messages?queue={queue}&q=no-such-needle&limit=50")]
    seen = {name: [] for name, _ in calls}
    found = {}
    for _ in range(rounds):
        for name, path in calls:
            t = time.perf_counter()
            status, payload = call(conn, "GET", path)
            seen[name].append((time.perf_counter() - t) * 1000)
            if status != 200:
                raise RuntimeError(f"GET {path}: HTTP {status}")
            if path.startswith("/api/messages"):
                found[name] = len(json.loads(payload)["messages"])
    out.put({"latency_ms": seen, "rows": found})


def wait_serving(port, deadline_s, queue):
    """While the runtime starts: when (time.monotonic(), the same clock in every process) /healthz
    first answers 200, when /api/queues does, and the count /api/queues then shows for `queue`
    (ready + delayed + in flight)."""
    started = time.monotonic()
    marks = {}
    while time.monotonic() - started < deadline_s and not ("healthz" in marks and "api_queues" in marks):
        for name, path in (("healthz", "/healthz"), ("api_queues", "/api/queues")):
            if name in marks:
                continue
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                status, payload = call(conn, "GET", path)
                conn.close()
            except OSError:
                time.sleep(0.002)
                continue
            if status == 200:
                marks[name] = time.monotonic()
                if name == "api_queues":
                    q = next(q for q in json.loads(payload)["queues"] if q["name"] == queue)
                    marks["count"] = q["ready"] + q["delayed"] + q["inflight"]
    return marks


def restart_probe(port, queue, out):
    out.put(wait_serving(port, 600, queue))


def puller(port, queue, batch, stop_at_empty, out):
    """pull + ack until the queue has nothing left; counts what it pulled and what was acked."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    pulled = acked = warnings = errors = 0
    empties = 0
    first = last = None
    while errors < 100:
        status, payload = call(conn, "POST", f"{BASE}/{queue}/messages/pull", {"batch_size": batch})
        if status != 200:
            errors += 1
            continue
        result = json.loads(payload)["result"]
        messages = result["messages"]
        if not messages:
            if result["message_backlog_count"] == 0:
                empties += 1
                if empties >= stop_at_empty:
                    break
            time.sleep(0.01)
            continue
        empties = 0
        first = first or time.monotonic()
        pulled += len(messages)
        status, payload = call(conn, "POST", f"{BASE}/{queue}/messages/ack",
                               {"acks": [{"lease_id": m["lease_id"]} for m in messages]})
        if status != 200:
            errors += 1
            continue
        result = json.loads(payload)["result"]
        acked += result["ackCount"]
        warnings += len(result["warnings"])
        last = time.monotonic()
    out.put({"pulled": pulled, "acked": acked, "warnings": warnings, "errors": errors,
             "first": first, "last": last})


def sender(port, queue, total, connections, out):
    """Batch sends of 100 (distinct bodies) over `connections` connections."""
    lock = threading.Lock()
    remaining = [total // 100]
    bad = [0]
    run = uuid.uuid4().hex[:8]

    def worker(index):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
        n = 0
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            n += 1
            body = {"messages": [{"body": {"imageUrl": f"https://example.com/{run}/{index}/{n}/{i}.png",
                                           "userId": "e2e"}} for i in range(100)]}
            status, _ = call(conn, "POST", f"{BASE}/{queue}/messages/batch", body)
            if status != 200:
                with lock:
                    bad[0] += 1

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put({"sends_seconds": time.monotonic() - started, "non_2xx": bad[0]})


def webhook_receiver(out):
    """A python http.server on 127.0.0.1 that answers 200 (ack all) to every batch and keeps
    every message id it was sent; GET /stats tells what it saw."""
    ids = set()
    counts = {"deliveries": 0, "batches": 0}
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            messages = json.loads(body)["messages"]
            with lock:
                counts["batches"] += 1
                counts["deliveries"] += len(messages)
                ids.update(m["id"] for m in messages)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self):
            with lock:
                payload = json.dumps({**counts, "unique": len(ids)}).encode()
                if self.path == "/reset":
                    ids.clear()
                    counts.update(deliveries=0, batches=0)
            self.send_response(200)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    out.put(server.server_address[1])
    server.serve_forever()


# ---------------------------------------------------------------- phases


def queue_counts(rt, name):
    conn = rt.conn()
    queues = call_ok(conn, "GET", "/api/queues")["queues"]
    conn.close()
    return next(q for q in queues if q["name"] == name)


def make_queue(rt, name, consumer=None):
    conn = rt.conn()
    queue_id = call_ok(conn, "POST", BASE, {"queue_name": name})["result"]["queue_id"]
    if consumer:
        call_ok(conn, "POST", f"{BASE}/{queue_id}/consumers", consumer)
    conn.close()
    return queue_id


def fill(rt, queue_id, total, step, connections=4, needle="needle"):
    process, out = run_client(fill_client, rt.port, queue_id, total, step, connections, needle)
    meter = CpuMeter(rt.pid)
    result = answer(out)
    process.join()
    result["cpu"] = meter.stop()
    return result


def phase_fill(rt, results):
    total, step = env_int("SCALE_FILL", 10_000_000), env_int("SCALE_FILL_STEP", 1_000_000)
    needle = "needle" + uuid.uuid4().hex[:12]
    queue_id = make_queue(rt, "backlog")  # no consumer: the messages stay pending
    print(f"fill: {total:,} messages in steps of {step:,} (batch sends of 100, 4 connections)", flush=True)
    r = fill(rt, queue_id, total, step, 4, needle)
    r.update(total=total, step=step, memory=vm_status(rt.pid), queue_id=queue_id, needle=needle)
    counts = queue_counts(rt, "backlog")
    r["pending_after"] = counts["ready"] + counts["delayed"]
    r["first_rate"], r["last_rate"] = r["steps"][0]["rate"], r["steps"][-1]["rate"]
    r["ratio"] = round(r["last_rate"] / r["first_rate"], 3)
    print(f"fill: first step {r['first_rate']:,}/s, last {r['last_rate']:,}/s ({r['ratio']:.2f}x); "
          f"VmHWM {r['memory']['VmHWM']:.0f} MB; {r['pending_after']:,} pending", flush=True)
    results["fill"] = r
    return queue_id, needle


def search_unindexed(rt):
    """How many of the newest seqs the SQLite store's search index does not cover yet (read
    from the store file beside the runtime, read-only; docs/architecture.md, "Search")."""
    db = "file:" + os.path.join(rt.data, "queuedeck.db") + "?mode=ro"
    with sqlite3.connect(db, uri=True, timeout=60) as conn:
        return conn.execute("SELECT max(0, coalesce((SELECT max(seq) FROM messages), 0) "
                            "- (SELECT seq FROM search_indexed))").fetchone()[0]


def phase_reads(rt, results, queue_id, needle, label):
    rounds = env_int("SCALE_READS", 3)
    # The search index catches up after the fill; until it has, the newest messages are read
    # row by row. The time it takes is a figure of its own.
    started, behind = time.monotonic(), search_unindexed(rt)
    while search_unindexed(rt) > 0:
        time.sleep(1)
    caught_up_s = time.monotonic() - started
    print(f"reads ({label}): the search index was {behind:,} messages behind, caught up in "
          f"{caught_up_s:.0f} s", flush=True)
    time.sleep(env_int("SCALE_SETTLE", 10))  # the fill's last checkpoint
    meter = CpuMeter(rt.pid)
    process, out = run_client(read_client, rt.port, "backlog", needle, rounds)
    r = answer(out)
    process.join()
    r["cpu"] = meter.stop()
    r["index_behind"], r["index_caught_up_s"] = behind, round(caught_up_s, 1)
    r["rounds"] = rounds
    r["messages"] = results["fill"]["pending_after"]
    r["median_ms"] = {k: round(median(v), 2) for k, v in r["latency_ms"].items()}
    print(f"reads at {r['messages']:,} ({label}): " + ", ".join(
        f"{k} {v:.1f} ms" for k, v in r["median_ms"].items()) + f"; rows {r['rows']}", flush=True)
    results.setdefault("reads", {})[label] = r


def phase_restart(rt, results):
    runs = env_int("SCALE_RUNS", 3)
    expected = results["fill"]["pending_after"]
    rows = []
    memory_before = vm_status(rt.pid)  # after the fill and the reads at its size
    for i in range(runs):
        rt.kill(signal.SIGKILL)
        port = rt.port  # the same port again, so the probe can knock before the line is printed
        process, out = run_client(restart_probe, port, "backlog")
        spawned = rt.start(port)
        marks = answer(out)
        process.join()
        for key in ("healthz", "api_queues"):
            if key in marks:
                marks[key] = round(marks[key] - spawned, 4)
        marks["listening_line"] = round(rt.listening_s, 4)
        rows.append(marks)
        print(f"restart {i + 1}: /healthz after {marks.get('healthz', float('nan')):.3f} s, "
              f"/api/queues after {marks.get('api_queues', float('nan')):.3f} s "
              f"(shows {marks.get('count', '?'):,} pending)", flush=True)
    results["restart"] = {"runs": rows, "messages": expected, "memory_before": memory_before,
                          "median_healthz": median([r["healthz"] for r in rows if "healthz" in r]),
                          "median_api_queues": median([r["api_queues"] for r in rows if "api_queues" in r]),
                          "counts_ok": all(r.get("count") == expected for r in rows)}


def phase_pull(rt, results):
    drain, pullers = env_int("SCALE_DRAIN", 1_000_000), env_int("SCALE_PULLERS", 4)
    out_rows = {}
    for batch in (100, 10):
        name = f"pull{batch}"
        queue_id = make_queue(rt, name, {"type": "http_pull"})
        f = fill(rt, queue_id, drain, drain, 4)
        print(f"pull, batch {batch}: {drain:,} messages filled at {f['steps'][0]['rate']:,}/s; "
              f"draining with {pullers} pullers", flush=True)
        meter = CpuMeter(rt.pid)
        started = time.monotonic()
        clients = [run_client(puller, rt.port, queue_id, batch, 3) for _ in range(pullers)]
        parts = [answer(out) for _, out in clients]
        for process, _ in clients:
            process.join()
        cpu = meter.stop()
        last = max(p["last"] for p in parts if p["last"])
        first = min(p["first"] for p in parts if p["first"])
        counts = queue_counts(rt, name)
        r = {"filled": drain, "fill_rate": f["steps"][0]["rate"], "pullers": pullers,
             "pulled": sum(p["pulled"] for p in parts), "acked": sum(p["acked"] for p in parts),
             "warnings": sum(p["warnings"] for p in parts), "errors": sum(p["errors"] for p in parts),
             "seconds": round(last - first, 3), "store_acked": counts["acked"],
             "store_left": counts["ready"] + counts["delayed"] + counts["inflight"], "cpu": cpu,
             "backlog_other_queues": results["fill"]["pending_after"]}
        r["rate"] = round(r["acked"] / r["seconds"]) if r["seconds"] > 0 else 0
        r["ok"] = r["acked"] == drain == r["store_acked"] and r["store_left"] == 0 and r["errors"] == 0
        print(f"pull, batch {batch}: {r['rate']:,} messages/s; pulled {r['pulled']:,}, acked {r['acked']:,}, "
              f"store acked {r['store_acked']:,}, left {r['store_left']}, errors {r['errors']} "
              f"({time.monotonic() - started:.1f} s)", flush=True)
        out_rows[str(batch)] = r
    results["pull"] = out_rows


def parse_wrk_ms(text):
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text)
    value, unit = float(m.group(1)), m.group(2)
    return value * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


def phase_producer(rt, results, root):
    runs, seconds = env_int("SCALE_RUNS", 3), env_int("SCALE_SECONDS", 10)
    conn = rt.conn()
    # Nothing consumes the default queue: POST / alone is measured, and no image is fetched.
    call_ok(conn, "PATCH", f"{BASE}/images", {"settings": {"delivery_paused": True}})
    conn.close()
    rows = {}
    for c in (1, 16, 64):
        per_run = []
        for run in range(runs):
            meter = CpuMeter(rt.pid)
            wrk = subprocess.run(["wrk", f"-t{1 if c == 1 else 2}", f"-c{c}", f"-d{seconds}s", "--latency",
                                  "-s", os.path.join(root, "bench", "post.lua"), f"http://127.0.0.1:{rt.port}/"],
                                 capture_output=True, text=True, check=True).stdout
            cpu = meter.stop()
            rps = float(re.search(r"Requests/sec:\s+([\d.]+)", wrk).group(1))
            p50 = parse_wrk_ms(re.search(r"^\s+50%\s+(\S+)", wrk, re.M).group(1))
            p99 = parse_wrk_ms(re.search(r"^\s+99%\s+(\S+)", wrk, re.M).group(1))
            bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", wrk)
            errors = re.search(r"Socket errors:.*", wrk)
            per_run.append({"rps": rps, "p50_ms": p50, "p99_ms": p99, "non_2xx": int(bad.group(1)) if bad else 0,
                            "socket_errors": errors.group(0) if errors else "", "cpu": cpu})
            print(f"POST / -c{c} run {run + 1}: {rps:,.0f}/s p50 {p50:.2f} ms p99 {p99:.2f} ms "
                  f"non-2xx {per_run[-1]['non_2xx']}; runtime thread "
                  f"{cpu['threads'].get('queuedeck-runti', 0):.2f} core", flush=True)
        rows[str(c)] = {"runs": per_run, "rps": median([r["rps"] for r in per_run]),
                        "p50_ms": median([r["p50_ms"] for r in per_run]),
                        "p99_ms": median([r["p99_ms"] for r in per_run]),
                        "runtime_thread": median([r["cpu"]["threads"].get("queuedeck-runti", 0) for r in per_run]),
                        "non_2xx": sum(r["non_2xx"] for r in per_run)}
    results["producer"] = {"connections": rows, "seconds": seconds, "runs": runs,
                           "backlog": results["fill"]["pending_after"]}


def phase_e2e(rt, results):
    runs, total = env_int("SCALE_RUNS", 3), env_int("SCALE_E2E", 200_000)
    concurrency = env_int("SCALE_E2E_CONCURRENCY", 12)
    recv_process, recv_out = run_client(webhook_receiver)
    hook_port = answer(recv_out)
    rows = []
    try:
        for run in range(runs):
            stats = http.client.HTTPConnection("127.0.0.1", hook_port, timeout=60)
            call(stats, "GET", "/reset")
            name = f"e2e{run + 1}"
            queue_id = make_queue(rt, name, {"type": "webhook", "settings": {
                "url": f"http://127.0.0.1:{hook_port}/hook", "batch_size": 10, "max_wait_time_ms": 100,
                "max_concurrency": concurrency, "max_retries": 3}})
            meter = CpuMeter(rt.pid, {"receiver": recv_process.pid})
            started = time.monotonic()
            send_process, send_out = run_client(sender, rt.port, queue_id, total, 4)
            sent = None
            acked = 0
            stalled_at = time.monotonic()
            while True:
                if sent is None and not send_out.empty():
                    sent = answer(send_out)
                q = queue_counts(rt, name)
                if q["acked"] != acked:
                    acked, stalled_at = q["acked"], time.monotonic()
                if acked >= total and sent is not None:
                    break
                if time.monotonic() - stalled_at > 120:
                    print(f"e2e: STALLED at {acked:,} acked of {total:,}", flush=True)
                    break
                time.sleep(0.05)
            elapsed = time.monotonic() - started
            send_process.join()
            cpu = meter.stop()
            time.sleep(1)  # deliveries still in the air
            _, payload = call(stats, "GET", "/stats")
            seen = json.loads(payload)
            q = queue_counts(rt, name)
            r = {"messages": total, "seconds": round(elapsed, 3), "rate": round(acked / elapsed),
                 "sends_seconds": round(sent["sends_seconds"], 3), "send_non_2xx": sent["non_2xx"],
                 "store_acked": q["acked"], "store_left": q["ready"] + q["delayed"] + q["inflight"],
                 "store_failed": q["failed"], "receiver": seen, "cpu": cpu}
            r["ok"] = (q["acked"] == total and seen["unique"] == total and seen["deliveries"] >= total
                       and sent["non_2xx"] == 0)
            print(f"e2e run {run + 1}: {r['rate']:,} messages/s; store acked {q['acked']:,}; receiver "
                  f"{seen['deliveries']:,} deliveries, {seen['unique']:,} unique, {seen['batches']:,} batches; "
                  f"runtime thread {cpu['threads'].get('queuedeck-runti', 0):.2f} core, receiver "
                  f"{cpu['receiver']:.2f} core", flush=True)
            rows.append(r)
    finally:
        recv_process.terminate()
        recv_process.join()
    results["e2e"] = {"runs": rows, "rate": median([r["rate"] for r in rows]), "concurrency": concurrency,
                      "ok": all(r["ok"] for r in rows), "backlog": results["fill"]["pending_after"]}


def main_phases(binary, work, out_json, root):
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    rt = Runtime(binary, os.path.join(work, "data"))
    rt.start()
    try:
        queue_id, needle = phase_fill(rt, results)
        phase_reads(rt, results, queue_id, needle, "after the fill")
        phase_restart(rt, results)
        phase_reads(rt, results, queue_id, needle, "after a restart")
        phase_pull(rt, results)
        phase_producer(rt, results, root)
        phase_e2e(rt, results)
        results["final_memory"] = vm_status(rt.pid)
        results["threads_seen"] = sorted(set(
            open(f"/proc/{rt.pid}/task/{t}/comm").read().strip() for t in os.listdir(f"/proc/{rt.pid}/task")))
    except Exception as e:
        results["error"] = f"{type(e).__name__}: {e}"
        print(f"main phases stopped: {results['error']}", flush=True)
        raise
    finally:
        rt.kill(signal.SIGTERM)
        with open(out_json, "w") as f:
            json.dump(results, f, indent=1)
    print(f"wrote {out_json}")


def fill_phase(binary, work, out_json):
    """The fill alone, on a fresh store in WORK_DIR, removed after: a second and third run of it."""
    shutil.rmtree(work, ignore_errors=True)
    results = {"started": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime())}
    rt = Runtime(binary, os.path.join(work, "data"))
    rt.start()
    try:
        phase_fill(rt, results)
    finally:
        rt.kill(signal.SIGTERM)
        with open(out_json, "w") as f:
            json.dump(results, f, indent=1)
        shutil.rmtree(work, ignore_errors=True)
    print(f"wrote {out_json}")


# ---------------------------------------------------------------- Redis Streams, for comparison


class Resp:
    """Just enough of the Redis protocol for XADD, XREADGROUP and XACK."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.sock.makefile("rb")

    @staticmethod
    def encode(*args):
        parts = [b"*%d\r\n" % len(args)]
        for a in args:
            a = a if isinstance(a, bytes) else str(a).encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(a), a))
        return b"".join(parts)

    def read(self):
        line = self.reader.readline()
        kind, rest = line[:1], line[1:-2]
        if kind in (b"+", b":"):
            return int(rest) if kind == b":" else rest
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.reader.read(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise RuntimeError(f"unexpected reply {line!r}")

    def pipeline(self, commands):
        self.sock.sendall(b"".join(self.encode(*c) for c in commands))
        return [self.read() for _ in commands]

    def __call__(self, *args):
        return self.pipeline([args])[0]


def redis_sender(port, total, connections, out):
    """XADD in pipelines of 100 (as a batch send of 100) over `connections` connections."""
    lock = threading.Lock()
    remaining = [total // 100]

    def worker(index):
        r = Resp(port)
        n = 0
        while True:
            with lock:
                if remaining[0] == 0:
                    return
                remaining[0] -= 1
            n += 1
            r.pipeline([("XADD", "bench", "*", "body", json.dumps(
                {"imageUrl": f"https://example.com/{index}/{n}/{i}.png", "userId": "e2e"})) for i in range(100)])

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put(time.monotonic() - started)


def redis_consumer(port, index, acked, stop, out):
    """XREADGROUP COUNT 10, then XACK of those 10, until told to stop."""
    r = Resp(port)
    seen = 0
    while not stop.is_set():
        reply = r("XREADGROUP", "GROUP", "g", f"c{index}", "COUNT", 10, "BLOCK", 100, "STREAMS", "bench", ">")
        if not reply:
            continue
        ids = [entry[0] for entry in reply[0][1]]
        r("XACK", "bench", "g", *ids)
        seen += len(ids)
        with acked.get_lock():
            acked.value += len(ids)
    out.put(seen)


def redis_phase(server_binary, work, out_json):
    runs, total = env_int("SCALE_RUNS", 3), env_int("SCALE_E2E", 200_000)
    consumers = env_int("SCALE_REDIS_CONSUMERS", 4)
    data = os.path.join(work, "redis")
    os.makedirs(data, exist_ok=True)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    server = subprocess.Popen([server_binary, "--bind", "127.0.0.1", "--port", str(port), "--dir", data,
                               "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
                               "--logfile", os.path.join(data, "redis.log")])
    rows = []
    try:
        for _ in range(200):
            try:
                Resp(port)("PING")
                break
            except OSError:
                time.sleep(0.05)
        r = Resp(port)
        version = re.search(rb"redis_version:(\S+)", r("INFO", "server")).group(1).decode()
        for run in range(runs):
            r("DEL", "bench")
            r("XGROUP", "CREATE", "bench", "g", "$", "MKSTREAM")
            acked = multiprocessing.Value("q", 0)
            stop = multiprocessing.Event()
            meter_before = process_ticks(server.pid)
            started = time.monotonic()
            readers = [run_client(redis_consumer, port, i, acked, stop) for i in range(consumers)]
            send_process, send_out = run_client(redis_sender, port, total, 4)
            while acked.value < total and time.monotonic() - started < 600:
                time.sleep(0.01)
            elapsed = time.monotonic() - started
            cpu = (process_ticks(server.pid) - meter_before) / HZ / elapsed
            stop.set()
            seen = sum(answer(out) for _, out in readers)
            for process, _ in readers:
                process.join()
            answer(send_out)
            send_process.join()
            pending = r("XPENDING", "bench", "g")[0]
            row = {"messages": total, "seconds": round(elapsed, 3), "rate": round(acked.value / elapsed),
                   "read": seen, "pending": pending, "redis_cpu": round(cpu, 3),
                   "ok": seen == total and pending == 0}
            print(f"redis run {run + 1}: {row['rate']:,} messages/s; read {seen:,}, pending {pending}; "
                  f"redis-server {cpu:.2f} core", flush=True)
            rows.append(row)
    finally:
        server.terminate()
        server.wait(30)
    with open(out_json, "w") as f:
        json.dump({"version": version, "consumers": consumers, "runs": rows,
                   "rate": median([r["rate"] for r in rows])}, f, indent=1)


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "main":
        main_phases(os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]), sys.argv[4],
                    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    elif command == "fill":
        fill_phase(os.path.abspath(sys.argv[2]), os.path.abspath(sys.argv[3]), sys.argv[4])
    elif command == "redis":
        redis_phase(sys.argv[2], os.path.abspath(sys.argv[3]), sys.argv[4])
    elif command == "report":
        from scale_report import write_report
        write_report(os.path.abspath(sys.argv[2]), sys.argv[3])
    else:
        sys.exit(__doc__)
