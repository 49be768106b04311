#!/usr/bin/env python3
"""Message search at a growing backlog, measured from outside.

Starts `queuedeck --headless` on a data folder on the real disk (under DATA_PARENT, never a
tmpfs), pauses delivery on the default queue so nothing consumes it, and fills it over HTTP
(the Cloudflare batch API, 100 messages a request, 4 connections) up to each size in SIZES in
turn. One message in 200,000 holds the rare word "okapi". At each size it lets the WAL settle,
then times GET /api/messages (limit 50, the first page) from this process, RUNS times each,
and prints the median and the slowest:

  rare      q=okapi                      a word a handful of messages hold
  common    q=example.com                text every message holds
  none      q=no-such-needle             text no message holds
  short     q=zq                         two characters: no trigram, read row by row
  user      user=user-7                  one user in 1,000
  by-user   sort=user                    every message, ordered by user
  by-error  sort=error                   every message, ordered by last error

With a page the API also counts what the filter matches ("total"); the call is timed with
the count (total=true, the default) and without it (total=false).

    python3 bench/search_scale.py QUEUEDECK_BINARY DATA_PARENT [SIZES] [RUNS]

SIZES is a comma-separated list (default 1000000); RUNS defaults to 5.
"""

import http.client
import json
import statistics
import sys
import threading
import time
import urllib.parse

from headless import headless

BASE = "/client/v4/accounts/local/queues"
RARE_EVERY = 200_000

SEARCHES = [
    ("rare", {"q": "okapi"}),
    ("common", {"q": "example.com"}),
    ("none", {"q": "no-such-needle"}),
    ("short", {"q": "zq"}),
    ("user", {"user": "user-7"}),
    ("by-user", {"sort": "user"}),
    ("by-error", {"sort": "error"}),
]


def call(conn, method, path, body=None):
    conn.request(method, path, None if body is None else json.dumps(body),
                 {"Content-Type": "application/json"})
    answer = conn.getresponse()
    return answer.status, answer.read()


def fill(port, start, end):
    """Sends messages start..end-1 in batches of 100 over 4 connections."""
    lock = threading.Lock()
    nxt = [start]

    def loop():
        conn = http.client.HTTPConnection("127.0.0.1", port)
        while True:
            with lock:
                first = nxt[0]
                if first >= end:
                    return
                nxt[0] = min(end, first + 100)
            batch = []
            for i in range(first, min(end, first + 100)):
                body = {"imageUrl": f"https://example.com/fill/{i}.png", "userId": f"user-{i % 1000}"}
                if i % RARE_EVERY == RARE_EVERY // 2:
                    body["note"] = f"an okapi, number {i}"
                batch.append({"body": body})
            status, payload = call(conn, "POST", f"{BASE}/images/messages/batch", {"messages": batch})
            if status != 200:
                sys.exit(f"batch send: HTTP {status} {payload[:200]!r}")

    threads = [threading.Thread(target=loop) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def measure(port, params, runs):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    path = "/api/messages?" + urllib.parse.urlencode({**params, "limit": 50})
    times = []
    found = None
    for _ in range(runs):
        t = time.perf_counter()
        status, payload = call(conn, "GET", path)
        times.append((time.perf_counter() - t) * 1000)
        if status != 200:
            sys.exit(f"GET {path}: HTTP {status} {payload[:200]!r}")
        answer = json.loads(payload)
        found = (len(answer["messages"]), answer.get("total"))
    return statistics.median(times), max(times), found


def main():
    binary = sys.argv[1]
    parent = sys.argv[2]
    sizes = [int(s) for s in (sys.argv[3] if len(sys.argv) > 3 else "1000000").split(",")]
    runs = int(sys.argv[4]) if len(sys.argv) > 4 else 5
    with headless(binary, parent, "bench-search-") as (_server, port):
        setup = http.client.HTTPConnection("127.0.0.1", port)
        status, payload = call(setup, "PATCH", f"{BASE}/images", {"settings": {"delivery_paused": True}})
        if status != 200:
            sys.exit(f"cannot pause the default queue: HTTP {status} {payload[:200]!r}")
        filled = 0
        for size in sizes:
            t = time.monotonic()
            fill(port, filled, size)
            took = time.monotonic() - t
            print(f"filled {filled:,} → {size:,} messages in {took:.1f} s ({(size - filled) / took:,.0f}/s)",
                  flush=True)
            filled = size
            time.sleep(10)  # the fill's checkpoint lands before the searches, not during them
            for name, params in SEARCHES:
                for total in (False, True):
                    median, worst, (page, count) = measure(port, {**params, "total": str(total).lower()}, runs)
                    print(f"  {size:>11,} {name:<9} total={str(total).lower():<5} median {median:8.1f} ms, "
                          f"max {worst:8.1f} ms  (page {page}, total {count})", flush=True)


if __name__ == "__main__":
    main()
