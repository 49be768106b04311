#!/usr/bin/env bash
# Runs the app under a virtual X server with a load — image jobs through the producer
# endpoint, one in ten pointing at an image that does not exist (retried, then
# dead-lettered), an operator pausing and resuming the queue, and a second queue left
# paused with messages waiting — and saves every page at 1366×768 and 1920×1080, light and
# dark, through the hidden --screenshot-all option: OUT_DIR/<page>-<size>-<light|dark>.png.
#
#   bench/screenshot_all.sh [BUILD_DIR] [OUT_DIR] [SECONDS] [JOBS_PER_SECOND]
#
# Defaults: build, bench/out/screens, 60 s, 100 jobs/s.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
out=${2:-bench/out/screens}
seconds=${3:-60}
rate=${4:-100}
bin="$build/bin/queuedeck"
[ -x "$bin" ] || { echo "no $bin: build the queuedeck target first" >&2; exit 1; }
mkdir -p "$out"
out=$(realpath "$out")

work=$(mktemp -d)
trap 'kill "$app" "${load:-}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

# The project file the app imports, as a real one would be.
cat > "$work/wrangler.toml" <<'TOML'
name = "image-pipeline"

[[queues.producers]]
queue = "images"
binding = "IMAGE_QUEUE"

[[queues.consumers]]
queue = "images"
max_batch_size = 10
max_batch_timeout = 1
max_retries = 2
dead_letter_queue = "images-dlq"
TOML

# The dashboard on the 1-minute range, through the settings the app remembers.
mkdir -p "$work/config/QueueDeck"
printf '[dashboard]\nrange=0\n[window]\npage=0\n' > "$work/config/QueueDeck/QueueDeck.conf"

XDG_CONFIG_HOME="$work/config" xvfb-run -a -s "-screen 0 1920x1200x24" \
    "$bin" --data-dir "$work/data" --port "$port" --config "$work/wrangler.toml" \
    --screenshot-all "$out" --screenshot-delay $((seconds * 1000)) > "$work/app.log" 2>&1 &
app=$!

python3 - "$port" "$seconds" "$rate" > "$work/load.log" 2>&1 <<'PY' &
import json, struct, sys, threading, time, urllib.request, zlib

port, seconds, rate = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
base = f"http://127.0.0.1:{port}"

def png(w, h, rgb):
    row = b"\x00" + bytes(rgb) * w
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(row * h)) + chunk(b"IEND", b""))

def call(method, path, body=None, content_type="application/json"):
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(base + path, data=data, method=method, headers={"Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")

for _ in range(200):  # the app is starting
    try:
        urllib.request.urlopen(base + "/healthz", timeout=1)
        break
    except Exception:
        time.sleep(0.1)

names = ["harbour.png", "meadow.png", "skyline.png", "tide-pool.png"]
blobs = [call("POST", "/uploads", png(64 + 16 * i, 48, (40 * i, 120, 200)), "image/png") for i in range(4)]
urls = []
for b in blobs:
    text = json.dumps(b)
    urls += [w.split("#")[0] for w in text.replace('"', " ").split() if "/blobs/" in w]
# A file name in the fragment, as the window's own uploads send it, names the Results tile.
urls = [u + "#" + names[i % len(names)] for i, u in enumerate(urls)] or [base + "/blobs/" + "0" * 64]
missing = base + "/blobs/" + "f" * 64

stop = time.time() + seconds + 30  # runs past the screenshot; the script ends it
sent = [0, 0]
lock = threading.Lock()

def producer(share):
    n = 0
    start = time.time()
    while time.time() < stop:
        n += 1
        url = missing if n % 10 == 0 else urls[n % len(urls)]
        try:
            call("POST", "/", {"imageUrl": url, "userId": "bench"})
            with lock:
                sent[0] += 1
        except Exception:
            with lock:
                sent[1] += 1
            time.sleep(0.05)
        # Paced so the threads together make `rate` jobs a second.
        delay = start + n / share - time.time()
        if delay > 0:
            time.sleep(delay)

threads = [threading.Thread(target=producer, args=(rate / 4,)) for _ in range(4)]
for t in threads:
    t.start()
# An operator pauses delivery for a while, then resumes: markers on the charts and a
# backlog that builds and drains.
time.sleep(max(5, seconds * 0.45))
call("PATCH", "/client/v4/accounts/local/queues/images", {"settings": {"delivery_paused": True}})
time.sleep(8)
call("PATCH", "/client/v4/accounts/local/queues/images", {"settings": {"delivery_paused": False}})
# A queue an operator parked: paused, with work waiting, named on the dashboard.
call("POST", "/client/v4/accounts/local/queues", {"queue_name": "exports"})
call("PATCH", "/client/v4/accounts/local/queues/exports", {"settings": {"delivery_paused": True}})
for i in range(25):
    call("POST", "/client/v4/accounts/local/queues/exports/messages", {"body": {"export": i}})
for t in threads:
    t.join()
PY
load=$!

wait "$app" || { cat "$work/app.log" "$work/load.log" >&2; exit 1; }
kill "$load" 2>/dev/null || true
grep -v XDG_RUNTIME_DIR "$work/app.log" >&2 || true
ls "$out"
