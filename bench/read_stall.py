#!/usr/bin/env python3
"""POST / latency while another client loops the read calls, measured from outside.

Starts `queuedeck --headless` on a data folder on the real disk (under DATA_PARENT, never a
tmpfs, where an fsync costs nothing), pauses delivery on the default queue so nothing consumes
it, fills it with MESSAGES messages through the Cloudflare batch API, then measures POST / from
a producer process (PRODUCERS keep-alive connections, one request after another on each) for
SECONDS seconds: first alone, then while a reader process loops GET /api/queues, GET /metrics
and a free-text search (GET /api/messages?q=..., matching no message, so it reads every body).
It waits SETTLE seconds after the fill (the WAL's checkpoint of the fill would otherwise land
in the first phase), then runs ROUNDS rounds of both phases back to back. Prints p50/p99/max of
POST / in each phase, what the reader managed, and each phase's CPU share of the runtime
thread and of the API's reader threads (from /proc/PID/task/*/stat), then the medians.

    python3 bench/read_stall.py QUEUEDECK_BINARY DATA_PARENT [MESSAGES] [SECONDS] [PRODUCERS] [ROUNDS]

Defaults: 200,000 messages, 15 s a phase, 2 producer connections, 3 rounds; SETTLE is 15 s.
"""

import http.client
import json
import multiprocessing
import os
import sys
import threading
import time

from headless import headless

BASE = "/client/v4/accounts/local/queues"


def call(conn, method, path, body=None):
    conn.request(method, path, None if body is None else json.dumps(body),
                 {"Content-Type": "application/json"})
    answer = conn.getresponse()
    return answer.status, answer.read()


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def producer(port, seconds, connections, out):
    """POST / on `connections` keep-alive connections; puts the latencies (ms) and failures."""
    latencies = []
    failures = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def loop(index):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        n = 0
        mine = []
        bad = 0
        while time.monotonic() < stop:
            n += 1
            body = {"imageUrl": f"https://example.com/p{index}/{n}.png", "userId": f"user-{n % 100}"}
            t = time.perf_counter()
            status, _ = call(conn, "POST", "/", body)
            mine.append((time.perf_counter() - t) * 1000)
            if status != 202:
                bad += 1
        with lock:
            latencies.extend(mine)
            failures[0] += bad

    threads = [threading.Thread(target=loop, args=(i,)) for i in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    out.put((latencies, failures[0]))


def reader(port, stop_event, out):
    """Loops the read calls until told to stop; puts {call: [latency ms]}."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    calls = [("queues", "/api/queues"), ("metrics", "/metrics"),
             ("search", "/api/messages?q=no-such-needle&limit=50")]
    seen = {name: [] for name, _ in calls}
    while not stop_event.is_set():
        for name, path in calls:
            t = time.perf_counter()
            status, _ = call(conn, "GET", path)
            if status != 200:
                sys.exit(f"GET {path}: HTTP {status}")
            seen[name].append((time.perf_counter() - t) * 1000)
    out.put(seen)


def thread_ticks(pid):
    """utime + stime per thread name, in clock ticks."""
    ticks = {}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except FileNotFoundError:
            continue
        name = stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        ticks[name] = ticks.get(name, 0) + int(fields[11]) + int(fields[12])
    return ticks


def phase(pid, port, seconds, producers, with_reader):
    results = multiprocessing.Queue()
    stop = multiprocessing.Event()
    read_process = None
    if with_reader:
        read_process = multiprocessing.Process(target=reader, args=(port, stop, results))
        read_process.start()
        time.sleep(1)  # the reader is under way before the producer starts
    before = thread_ticks(pid)
    started = time.monotonic()
    produce = multiprocessing.Process(target=producer, args=(port, seconds, producers, results))
    produce.start()
    latencies, failures = results.get()
    produce.join()
    elapsed = time.monotonic() - started
    after = thread_ticks(pid)
    reads = None
    if read_process:
        stop.set()
        reads = results.get()
        read_process.join()
    hz = os.sysconf("SC_CLK_TCK")
    share = {name: (after.get(name, 0) - before.get(name, 0)) / hz / elapsed for name in after}
    return latencies, failures, reads, share


def main():
    binary = sys.argv[1]
    parent = os.path.abspath(sys.argv[2])
    messages = int(sys.argv[3]) if len(sys.argv) > 3 else 200_000
    seconds = float(sys.argv[4]) if len(sys.argv) > 4 else 15
    producers = int(sys.argv[5]) if len(sys.argv) > 5 else 2
    rounds = int(sys.argv[6]) if len(sys.argv) > 6 else 3
    with headless(binary, parent, "bench-readstall-") as (server, port):
        setup = http.client.HTTPConnection("127.0.0.1", port)
        # Nothing consumes the default queue: its messages stay, and no image is fetched.
        status, payload = call(setup, "PATCH", f"{BASE}/images",
                               {"settings": {"delivery_paused": True}})
        if status != 200:
            sys.exit(f"cannot pause the default queue: HTTP {status} {payload[:200]!r}")

        t = time.monotonic()
        lock = threading.Lock()
        remaining = [messages // 100]

        def fill():
            conn = http.client.HTTPConnection("127.0.0.1", port)
            body = {"messages": [{"body": {"imageUrl": f"https://example.com/fill/{i}.png",
                                           "userId": f"filler-{i % 1000}"}} for i in range(100)]}
            while True:
                with lock:
                    if remaining[0] == 0:
                        return
                    remaining[0] -= 1
                status, payload = call(conn, "POST", f"{BASE}/images/messages/batch", body)
                if status != 200:
                    sys.exit(f"batch send: HTTP {status} {payload[:200]!r}")

        fillers = [threading.Thread(target=fill) for _ in range(4)]
        for f in fillers:
            f.start()
        for f in fillers:
            f.join()
        print(f"filled {messages} messages in {time.monotonic() - t:.1f} s")

        time.sleep(15)
        summary = {False: [], True: []}
        for round_ in range(1, rounds + 1):
            for label, with_reader in (("POST / alone", False), ("POST / while reads loop", True)):
                latencies, failures, reads, share = phase(server.pid, port, seconds, producers, with_reader)
                runtime = share.get("queuedeck-runti", 0)
                readers = share.get("queuedeck-api-r", 0)
                row = (len(latencies) / seconds, percentile(latencies, 50), percentile(latencies, 99),
                       max(latencies), runtime, readers)
                summary[with_reader].append(row)
                print(f"round {round_}, {label}: {len(latencies)} requests ({row[0]:.0f}/s), "
                      f"p50 {row[1]:.2f} ms, p99 {row[2]:.2f} ms, max {row[3]:.1f} ms, non-202 {failures}; "
                      f"CPU: runtime thread {runtime:.2f} core, API readers {readers:.2f} core")
                if reads:
                    print("  reader: " + ", ".join(
                        f"{name} {len(v)} calls p50 {percentile(v, 50):.1f} ms max {max(v) if v else 0:.1f} ms"
                        for name, v in reads.items()))
        for with_reader, label in ((False, "POST / alone"), (True, "POST / while reads loop")):
            rows = summary[with_reader]
            median = [percentile([r[i] for r in rows], 50) for i in range(6)]
            print(f"median of {len(rows)}, {label}: {median[0]:.0f}/s, p50 {median[1]:.2f} ms, "
                  f"p99 {median[2]:.2f} ms, max {median[3]:.1f} ms; runtime thread {median[4]:.2f} core, "
                  f"API readers {median[5]:.2f} core")


if __name__ == "__main__":
    main()
