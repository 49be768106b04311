#!/usr/bin/env bash
# Runs clang-tidy (with .clang-tidy, whose WarningsAsErrors makes any finding fail) over
# the first-party library and app sources of a configured build folder, two at a time.
# Generated files (moc, resources), the benchmarks and the tests are left out: each file
# costs about 9 s of CPU (Qt's headers are parsed again for every one), and the 107 library
# and app files already took 28 min on the shared 2-core machine. Usage:
#   scripts/clang-tidy.sh [BUILD_DIR]     (default build-ci, configured by scripts/test.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build-ci}"
if [ ! -f "$build/compile_commands.json" ]; then
  echo "clang-tidy: no $build/compile_commands.json; configure with a preset first" >&2
  exit 1
fi
root="$(pwd)"
# Sources listed in the compilation database, under the first-party folders only.
mapfile -t files < <(python3 - "$build/compile_commands.json" "$root" <<'PY'
import json, os, sys
database, root = sys.argv[1:3]
folders = ("runtime", "imaging", "models", "controllers", "widgets", "app")
seen = set()
for entry in json.load(open(database)):
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    rel = os.path.relpath(path, root)
    if rel.split(os.sep)[0] in folders and "_autogen" not in rel and rel not in seen:
        seen.add(rel)
        print(rel)
PY
)
echo "clang-tidy: ${#files[@]} files"
start=$(date +%s)
log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# run-clang-tidy prints each file's findings together and fails if any file had one; its
# arguments are patterns, so each path is anchored.
set +e
run-clang-tidy -quiet -j "${QUEUEDECK_TIDY_JOBS:-2}" -p "$build" "${files[@]/#/^$root/}" > "$log" 2>&1
status=$?
set -e
# Only the findings, not the command line of every file.
sed 's/\x1b\[[0-9;]*m//g' "$log" \
  | grep -v -e '^clang-tidy' -e '^[0-9]* warnings\? generated' -e '^Suppressed' -e '^Use -header-filter' || true
echo "clang-tidy: $(( $(date +%s) - start )) s"
exit "$status"
