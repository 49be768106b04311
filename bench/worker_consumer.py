#!/usr/bin/env python3
"""End to end through a Worker consumer, beside a webhook consumer, measured from outside.

For each consumer (a Worker project's queue() in workerd that acks everything, and a webhook
in a separate Python process that acks everything) and each batch size (10, 100): starts
`queuedeck --headless` on a data folder on the real disk, pauses the queue, fills it with
MESSAGES messages through the Cloudflare batch API over HTTP, resumes it and times the drain
until every message is acked. Prints messages/s (median of RUNS) and each thread's CPU share
during the drain. Then times a save of the Worker's source until its fetch() answers with
the new code (median of RUNS).

    python3 bench/worker_consumer.py BUILD_DIR [MESSAGES] [RUNS]

Defaults: 20,000 messages, 3 runs. Needs worker-runtime/ installed (scripts/install-deps.sh).
"""

import http.client
import http.server
import json
import multiprocessing
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time

from headless import headless

BASE = "/client/v4/accounts/local/queues"

WORKER = """
export default {
  async fetch(): Promise<Response> { return new Response("VERSION"); },
  async queue(batch: MessageBatch<unknown>): Promise<void> { batch.ackAll(); },
};
"""

WRANGLER = """name = "bench"
main = "src/index.ts"
compatibility_date = "2024-09-23"

[[queues.consumers]]
queue = "bench"
max_batch_size = BATCH
max_batch_timeout = 1
"""


def call(conn, method, path, body=None):
    conn.request(method, path, None if body is None else json.dumps(body),
                 {"Content-Type": "application/json"})
    answer = conn.getresponse()
    payload = answer.read()
    if answer.status >= 300:
        sys.exit(f"{method} {path}: HTTP {answer.status} {payload[:300]!r}")
    return json.loads(payload) if payload else {}


def webhook_server(port_out):
    class Ack(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Ack)
    port_out.put(server.server_address[1])
    server.serve_forever()


def ticks(pid, prefix=""):
    """utime + stime per thread name of a process, in clock ticks."""
    out = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except FileNotFoundError:
        return out
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as f:
                stat = f.read()
        except FileNotFoundError:
            continue
        name = prefix + stat[stat.index("(") + 1:stat.rindex(")")]
        fields = stat[stat.rindex(")") + 2:].split()
        out[name] = out.get(name, 0) + int(fields[11]) + int(fields[12])
    return out


def fill(port, queue_id, messages):
    body = {"messages": [{"body": {"imageUrl": f"https://example.com/{i}.png", "userId": "bench"}}
                         for i in range(100)]}

    def sender(calls):
        conn = http.client.HTTPConnection("127.0.0.1", port)
        for _ in range(calls):
            call(conn, "POST", f"{BASE}/{queue_id}/messages/batch", body)

    calls = messages // 100
    threads = [threading.Thread(target=sender, args=(calls // 4 + (1 if i < calls % 4 else 0),))
               for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def acked(conn):
    for q in call(conn, "GET", "/api/queues")["queues"]:
        if q["name"] == "bench":
            return q["acked"]
    return 0


def drain(binary, parent, consumer, batch, messages):
    """One run: messages/s and the CPU share of each thread during the drain."""
    project = tempfile.mkdtemp(prefix="bench-worker-project-", dir=parent)
    os.makedirs(os.path.join(project, "src"))
    with open(os.path.join(project, "wrangler.toml"), "w") as f:
        f.write(WRANGLER.replace("BATCH", str(batch)))
    with open(os.path.join(project, "src", "index.ts"), "w") as f:
        f.write(WORKER.replace("VERSION", "v1"))
    hook = None
    args = ["--worker", project] if consumer == "worker" else []
    try:
        with headless(binary, parent, "bench-worker-", args) as (server, port):
            conn = http.client.HTTPConnection("127.0.0.1", port)
            workerd_pid = None
            if consumer == "worker":
                deadline = time.monotonic() + 30
                while True:
                    workers = call(conn, "GET", "/api/workers")["workers"]
                    if workers and workers[0]["state"] == "running":
                        workerd_pid = workers[0]["pid"]
                        break
                    if time.monotonic() > deadline:
                        sys.exit(f"the Worker did not start: {workers}")
                    time.sleep(0.1)
            else:
                ports = multiprocessing.Queue()
                hook = multiprocessing.Process(target=webhook_server, args=(ports,), daemon=True)
                hook.start()
                call(conn, "POST", BASE, {"queue_name": "bench"})
            queue_id = next(q["queue_id"] for q in call(conn, "GET", BASE)["result"]
                            if q["queue_name"] == "bench")
            call(conn, "PATCH", f"{BASE}/{queue_id}", {"settings": {"delivery_paused": True}})
            if consumer == "webhook":
                call(conn, "POST", f"{BASE}/{queue_id}/consumers",
                     {"type": "webhook", "settings": {"batch_size": batch, "max_wait_time_ms": 1000,
                                                      "url": f"http://127.0.0.1:{ports.get()}/"}})
            fill(port, queue_id, messages)
            others = {"workerd": workerd_pid} if workerd_pid else {"webhook": hook.pid}
            before = ticks(server.pid)
            for prefix, pid in others.items():
                before.update(ticks(pid, prefix + ":"))
            started = time.monotonic()
            call(conn, "PATCH", f"{BASE}/{queue_id}", {"settings": {"delivery_paused": False}})
            while acked(conn) < messages:
                time.sleep(0.05)
            elapsed = time.monotonic() - started
            after = ticks(server.pid)
            for prefix, pid in others.items():
                after.update(ticks(pid, prefix + ":"))
            hz = os.sysconf("SC_CLK_TCK")
            share = {name: (after[name] - before.get(name, 0)) / hz / elapsed for name in after}
            return messages / elapsed, share
    finally:
        if hook:
            hook.terminate()
        shutil.rmtree(project, ignore_errors=True)


def reload_times(binary, parent, runs):
    project = tempfile.mkdtemp(prefix="bench-worker-project-", dir=parent)
    os.makedirs(os.path.join(project, "src"))
    source = os.path.join(project, "src", "index.ts")
    with open(os.path.join(project, "wrangler.toml"), "w") as f:
        f.write(WRANGLER.replace("BATCH", "10"))
    with open(source, "w") as f:
        f.write(WORKER.replace("VERSION", "v0"))
    times = []
    try:
        with headless(binary, parent, "bench-worker-", ["--worker", project]) as (_, port):
            conn = http.client.HTTPConnection("127.0.0.1", port)
            url = None
            while not url:
                workers = call(conn, "GET", "/api/workers")["workers"]
                if workers and workers[0]["state"] == "running":
                    url = workers[0]["url"]
                time.sleep(0.1)
            worker_port = int(url.rstrip("/").rsplit(":", 1)[1])
            for run in range(1, runs + 1):
                time.sleep(1)  # a save well apart from the last reload
                started = time.monotonic()
                with open(source, "w") as f:
                    f.write(WORKER.replace("VERSION", f"v{run}"))
                while True:
                    try:
                        c = http.client.HTTPConnection("127.0.0.1", worker_port, timeout=2)
                        c.request("GET", "/")
                        if c.getresponse().read() == f"v{run}".encode():
                            break
                    except OSError:
                        pass
                    time.sleep(0.01)
                times.append(time.monotonic() - started)
    finally:
        shutil.rmtree(project, ignore_errors=True)
    return times


def main():
    build = sys.argv[1]
    messages = int(sys.argv[2]) if len(sys.argv) > 2 else 20_000
    runs = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    binary = os.path.join(build, "bin", "queuedeck")
    parent = os.path.abspath(build)
    print(f"{messages:,} messages, median of {runs} runs, data on {parent}")
    print(f"{'consumer':>9} {'batch':>6} {'msg/s':>9}   CPU share of the busiest threads during the drain")
    for batch in (10, 100):
        for consumer in ("webhook", "worker"):
            rates, shares = [], []
            for _ in range(runs):
                rate, share = drain(binary, parent, consumer, batch, messages)
                rates.append(rate)
                shares.append(share)
            median = statistics.median(rates)
            share = shares[rates.index(median)]
            busiest = sorted(share.items(), key=lambda kv: -kv[1])[:6]
            print(f"{consumer:>9} {batch:>6} {median:>9,.0f}   "
                  + ", ".join(f"{name} {value:.2f}" for name, value in busiest), flush=True)
    times = reload_times(binary, parent, runs)
    print(f"save to serving the new code: median {statistics.median(times):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)})")


if __name__ == "__main__":
    main()
