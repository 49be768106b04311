#!/usr/bin/env bash
# Fails when a file includes a header of a higher layer. The layers, lowest first, are the
# folders below; a file belongs to the longest one its path starts with (so runtime/ alone
# means runtime.{h,cpp}, and runtime/store/ holds store/sqlite/ and store/postgres/). A file
# may include headers of its own layer and of the layers listed before it. The CMake targets
# enforce the same order (a lower target does not link a higher one); this check names the
# offending line instead of a missing header. Usage: scripts/check-layers.sh [SOURCE_DIR]
set -euo pipefail
cd "${1:-$(dirname "$0")/..}"

layers=(
  runtime/core
  runtime/store
  runtime/blobs
  runtime/consumers
  runtime/broker
  runtime/metrics
  runtime/http
  runtime/workers
  runtime
  imaging
  models
  controllers
  widgets
  app
)

# The layer index of a path, by the longest listed folder it is in; -1 when in none.
layer_of() {
  local path=$1 best=-1 bestlen=0 i
  for i in "${!layers[@]}"; do
    local dir=${layers[$i]}
    if [[ $path == "$dir"/* ]] && (( ${#dir} > bestlen )); then
      best=$i
      bestlen=${#dir}
    fi
  done
  echo "$best"
}

declare -A header_layer=()
declare -A file_layer=()
for dir in "${layers[@]}"; do
  if [[ ! -d $dir ]]; then
    echo "check-layers: listed folder $dir does not exist" >&2
    exit 2
  fi
done
while IFS= read -r -d '' file; do
  layer=$(layer_of "$file")
  file_layer[$file]=$layer
  if [[ $file == *.h ]]; then
    name=${file##*/}
    if [[ -n ${header_layer[$name]:-} && ${header_layer[$name]} != "$layer" ]]; then
      echo "check-layers: $name exists in two layers; includes are by bare name" >&2
      exit 2
    fi
    header_layer[$name]=$layer
  fi
done < <(find "${layers[@]}" -type f \( -name '*.h' -o -name '*.cpp' \) -print0 | sort -zu)

status=0
for file in "${!file_layer[@]}"; do
  own=${file_layer[$file]}
  while IFS=: read -r line included; do
    name=${included##*/}
    target=${header_layer[$name]:-}
    [[ -z $target ]] && continue
    if (( target > own )); then
      echo "$file:$line: ${layers[$own]}/ includes $included from ${layers[$target]}/, a higher layer" >&2
      status=1
    fi
  done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$file" \
             | sed -E 's/^([0-9]+):[^"]*"([^"]+)".*/\1:\2/')
done

if (( status == 0 )); then
  echo "check-layers: no include goes up (${#file_layer[@]} files in ${#layers[@]} layers)"
fi
exit "$status"
