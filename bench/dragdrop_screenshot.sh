#!/usr/bin/env bash
# Drops a folder of 50 generated images on the window, as a person would drag it there
# (the hidden --drop-files option feeds the window's own drop path), waits until every
# file is processed, and saves pictures of the Submit page's list and of the Results
# gallery via the hidden --screenshot option.
#
#   bench/dragdrop_screenshot.sh [BUILD_DIR] [OUT_DIR] [COUNT]
#
# Defaults: build, bench/out, 50. Writes OUT_DIR/dragdrop-submit.png and
# OUT_DIR/dragdrop-results.png.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
outdir=${2:-bench/out}
count=${3:-50}
bin="$build/bin/queuedeck"
[ -x "$bin" ] || { echo "no $bin: build the queuedeck target first" >&2; exit 1; }
mkdir -p "$outdir"
outdir=$(realpath "$outdir")

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
python3 bench/make_images.py "$work/images" "$count"
# One text file among the images, to show a refusal with its reason.
echo "not an image" > "$work/images/readme.txt"

# Settings the app remembers live in the throwaway directory; the user id is set there
# as the form would remember it.
mkdir -p "$work/config/QueueDeck"
printf '[submit]\nuserId=dana\n[results]\ngallery=true\n' > "$work/config/QueueDeck/QueueDeck.conf"
run() {
    XDG_CONFIG_HOME="$work/config" xvfb-run -a -s "-screen 0 1600x1000x24" \
        "$bin" -qwindowgeometry 1500x950+0+0 --data-dir "$work/data" --port 0 "$@"
}

# First run: the drop. The screenshot waits until every file is done, failed or refused.
run --drop-files "$work/images" --screenshot-page submit --screenshot "$outdir/dragdrop-submit.png" \
    --screenshot-delay 500 > "$work/submit.log" 2>&1 || { cat "$work/submit.log" >&2; exit 1; }
# Second run over the same store: the gallery of what was processed.
run --screenshot-page results --screenshot "$outdir/dragdrop-results.png" --screenshot-delay 2500 \
    > "$work/results.log" 2>&1 || { cat "$work/results.log" >&2; exit 1; }

results=$(python3 - "$work/data/queuedeck.db" <<'PY'
import sqlite3, sys
print(sqlite3.connect(sys.argv[1]).execute("select count(*) from results").fetchone()[0])
PY
)
echo "processed: $results of $count images"
echo "saved $outdir/dragdrop-submit.png and $outdir/dragdrop-results.png"
[ "$results" -ge "$count" ]
