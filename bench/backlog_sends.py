#!/usr/bin/env python3
"""Cloudflare batch sends against a growing backlog, measured from outside.

Starts `queuedeck --headless` on a data folder on the real disk, creates a queue with no
consumer, and fills it through the Cloudflare batch API (100 messages a call, CONNECTIONS
client threads, each with its own keep-alive connection), printing the send rate for every
step of STEP messages. A constant cost per message shows as a flat rate from the first step
to the last.

    python3 bench/backlog_sends.py BUILD_DIR [TOTAL] [STEP] [CONNECTIONS]

Defaults: 640,000 messages in steps of 80,000 over 4 connections. The data folder is made
under the build directory (on the real disk, never a tmpfs, where an fsync costs nothing).
"""

import http.client
import json
import os
import sys
import threading
import time

from headless import headless


def main():
    build = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 640_000
    step = int(sys.argv[3]) if len(sys.argv) > 3 else 80_000
    connections = int(sys.argv[4]) if len(sys.argv) > 4 else 4
    binary = os.path.join(build, "bin", "queuedeck")
    with headless(binary, os.path.abspath(build), "bench-backlog-") as (_, port):
        base = "/client/v4/accounts/local/queues"

        def call(conn, method, path, body):
            conn.request(method, path, json.dumps(body), {"Content-Type": "application/json"})
            answer = conn.getresponse()
            payload = answer.read()
            if answer.status != 200:
                sys.exit(f"{method} {path}: HTTP {answer.status} {payload[:200]!r}")
            return json.loads(payload)

        setup = http.client.HTTPConnection("127.0.0.1", port)
        queue_id = call(setup, "POST", base, {"queue_name": "backlog"})["result"]["queue_id"]
        body = {"messages": [{"body": {"imageUrl": f"https://example.com/{i}.png", "userId": "bench"}}
                             for i in range(100)]}
        print(f"{'backlog before':>15} {'messages/s':>11} {'backlog_count reported':>23}")
        sent = 0
        while sent < total:
            calls = step // 100
            lock = threading.Lock()
            remaining = [calls]
            reported = [0]

            def worker():
                conn = http.client.HTTPConnection("127.0.0.1", port)
                while True:
                    with lock:
                        if remaining[0] == 0:
                            return
                        remaining[0] -= 1
                    answer = call(conn, "POST", f"{base}/{queue_id}/messages/batch", body)
                    count = answer.get("result", {}).get("metadata", {}).get("metrics", {}).get(
                        "backlog_count", 0)
                    with lock:
                        reported[0] = max(reported[0], count)

            started = time.monotonic()
            threads = [threading.Thread(target=worker) for _ in range(connections)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            elapsed = time.monotonic() - started
            print(f"{sent:>15,} {step / elapsed:>11,.0f} {reported[0]:>23,}", flush=True)
            sent += step


if __name__ == "__main__":
    main()
