#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what clang-format (with .clang-format) makes of
# it, naming the file and line. Usage: scripts/check-format.sh [SOURCE_DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"
git ls-files -z '*.cpp' '*.h' | xargs -0 clang-format --dry-run -Werror
echo "check-format: every C++ file is formatted"
