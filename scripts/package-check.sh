#!/usr/bin/env bash
# Builds the Debian package from BUILD_DIR (an already configured and built tree), installs
# it with apt-get as a user would, and checks what was installed: `queuedeck --version`, a
# headless smoke run of the installed binary (an image job for one of the installed sample
# images goes POST / → 202 → acked), the desktop entry, the AppStream metainfo, the systemd
# unit, the man page and the bash and zsh completions. Removes the package at the end (and
# with it one that was installed before). Run as root
# (or with sudo) on Debian 12; scripts/test.sh calls it after ctest.
set -euo pipefail
build="$(cd "${1:?usage: package-check.sh BUILD_DIR}" && pwd)"
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive

step() { printf '\n== package-check: %s\n' "$*"; }
fail() { printf 'package-check: FAIL: %s\n' "$*" >&2; exit 1; }

step "building the package"
rm -f "$build"/queuedeck_*.deb
# Only what the package holds: the `package` target would first build every test and
# benchmark of a tree configured with them. In CI the binary is already built by then.
cmake --build "$build" --target queuedeck queuedeck_manpage
(cd "$build" && cpack -G DEB) > "$build/package.log" 2>&1 || { cat "$build/package.log"; fail "cpack"; }
debs=("$build"/queuedeck_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "expected one queuedeck_*.deb in $build"
deb="${debs[0]}"
depends="$(dpkg-deb -f "$deb" Depends)"
echo "$(basename "$deb"): Depends: $depends"
for lib in libqt6core6 libqt6widgets6 libqt6network6 libqt6charts6 libsqlite3-0 libc6 qt6-qpa-plugins; do
  grep -q "$lib" <<< "$depends" || fail "Depends lacks $lib (dpkg-shlibdeps did not run?)"
done

work="$(mktemp -d /tmp/queuedeck-package.XXXXXX)"
pid=""
cleanup()
{
  if [ -n "$pid" ]; then kill "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; fi
  rm -rf "$work"
  $SUDO apt-get remove -y -qq queuedeck > /dev/null 2>&1 || true
}
trap cleanup EXIT

step "installing it"
# apt-get reads a local file only through a path with a slash in it.
$SUDO apt-get install -y -qq --no-install-recommends "$deb" > "$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get install"; }
dpkg -L queuedeck > "$work/files"
for f in /usr/bin/queuedeck /usr/share/applications/io.queuedeck.QueueDeck.desktop \
  /usr/share/metainfo/io.queuedeck.QueueDeck.metainfo.xml \
  /usr/share/icons/hicolor/scalable/apps/io.queuedeck.QueueDeck.svg \
  /usr/share/icons/hicolor/16x16/apps/io.queuedeck.QueueDeck.png \
  /usr/share/icons/hicolor/512x512/apps/io.queuedeck.QueueDeck.png \
  /usr/share/queuedeck/samples/berry.png /usr/share/man/man1/queuedeck.1.gz \
  /usr/share/bash-completion/completions/queuedeck /usr/share/zsh/vendor-completions/_queuedeck \
  /usr/lib/systemd/system/queuedeck.service /usr/share/doc/queuedeck/README.md; do
  grep -qx "$f" "$work/files" && [ -e "$f" ] || fail "the package does not install $f"
done

step "queuedeck --version"
version="$(/usr/bin/queuedeck --version)"
echo "$version"
grep -Eq '^QueueDeck [0-9]+\.[0-9]+\.[0-9]+$' <<< "$version" || fail "unexpected --version: $version"

step "headless smoke run of the installed binary"
/usr/bin/queuedeck --headless --data-dir "$work/data" --port 0 > "$work/out" 2> "$work/err" &
pid=$!
endpoint=""
for _ in $(seq 1 300); do
  endpoint="$(sed -n 's|.*listening on \(http://127\.0\.0\.1:[0-9]*/\).*|\1|p' "$work/out")"
  [ -n "$endpoint" ] && break
  kill -0 "$pid" 2> /dev/null || break
  sleep 0.1
done
[ -n "$endpoint" ] || { cat "$work/out" "$work/err"; fail "the installed runtime did not start"; }
echo "endpoint $endpoint"
# One of the installed sample images, uploaded to the runtime's own blob store, is the
# imageUrl of the job: the image consumer fetches it over loopback and acks it.
upload="$(curl -sS -f -X POST "${endpoint}uploads" -H 'Content-Type: image/png' \
  --data-binary @/usr/share/queuedeck/samples/berry.png)"
blob="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["jobs"][0]["imageUrl"])' <<< "$upload")"
code="$(curl -sS -o "$work/post" -w '%{http_code}' -X POST "$endpoint" -H 'Content-Type: application/json' \
  -d "{\"imageUrl\": \"$blob\", \"userId\": \"package-check\"}")"
[ "$code" = 202 ] || fail "POST / answered $code: $(cat "$work/post")"
id="$(python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])' < "$work/post")"
echo "POST / → 202, message $id"
state=""
for _ in $(seq 1 300); do
  state="$(curl -sS "${endpoint}api/messages/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin).get("state", ""))')"
  [ "$state" = acked ] && break
  sleep 0.1
done
[ "$state" = acked ] || fail "message $id is $state, not acked, after 30 s"
echo "message $id acked"
kill -TERM "$pid"
wait "$pid" || fail "the runtime did not exit cleanly on SIGTERM"
pid=""
grep -q "runtime stopped" "$work/out" || fail "no clean stop"

step "desktop entry, AppStream metainfo, systemd unit"
desktop-file-validate /usr/share/applications/io.queuedeck.QueueDeck.desktop
appstreamcli validate --no-net /usr/share/metainfo/io.queuedeck.QueueDeck.metainfo.xml
# verify exits 0 on unknown keys and bad values, which it only prints: any output fails.
# (--man=no: the man page is checked below, and a minimal system may have no man-db.)
systemd-analyze verify --man=no /usr/lib/systemd/system/queuedeck.service > "$work/verify" 2>&1 || true
if [ -s "$work/verify" ] || ! systemd-analyze verify --man=no /usr/lib/systemd/system/queuedeck.service; then
  cat "$work/verify"
  fail "systemd-analyze verify queuedeck.service"
fi
echo "queuedeck.service verifies"

step "man page and completions"
zcat /usr/share/man/man1/queuedeck.1.gz | groff -man -Tutf8 -ww -z 2>&1 | tee "$work/groff" >&2
[ ! -s "$work/groff" ] || fail "the man page has warnings"
# Every option --help lists is completed, and so is every option of `ctl --help` after
# `queuedeck ctl`: the completions keep up with the command line.
bash_complete()
{
  bash -c 'source /usr/share/bash-completion/completions/queuedeck
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _queuedeck; printf "%s\n" "${COMPREPLY[@]}"' _ "$@"
}
zsh_file=/usr/share/zsh/vendor-completions/_queuedeck
mapfile -t options < <(/usr/bin/queuedeck --help | grep -oE -- '--[a-z][a-z-]*' | sort -u)
completed="$(bash_complete queuedeck --)"
for o in "${options[@]}"; do
  grep -qx -- "$o" <<< "$completed" || fail "the bash completion lacks $o"
  grep -qE -- "(^|[^a-z-])$o([^a-z=-]|=|\$)" "$zsh_file" || fail "the zsh completion lacks $o"
done
mapfile -t ctl_options < <(/usr/bin/queuedeck ctl --help | grep -oE -- '^ +--[a-z][a-z-]*' | tr -d ' ' | sort -u)
[ ${#ctl_options[@]} -gt 5 ] || fail "queuedeck ctl --help lists no options"
# Each option is offered after the command it belongs to; together, all of them.
ctl_completed="$(for c in queues send messages retry redrive purge pause resume tail; do bash_complete queuedeck ctl "$c" --; done | sort -u)"
for o in "${ctl_options[@]}"; do
  grep -qx -- "$o" <<< "$ctl_completed" || fail "the bash completion lacks ctl $o"
  grep -qE -- "(^|[^a-z-])$o([^a-z=-]|=|\$)" "$zsh_file" || fail "the zsh completion lacks ctl $o"
done
[ "$(bash_complete queuedeck ctl '')" = "$(printf '%s\n' queues send messages retry redrive purge pause resume tail)" ] \
  || fail "the bash completion does not list the ctl commands"
zsh -n "$zsh_file" || fail "the zsh completion does not parse"
# The zsh completion run for real, in an interactive zsh with compinit (the screen without
# its colour and cursor escapes).
zsh_complete()
{
  zsh -f scripts/zsh-complete.zsh /usr/share/zsh/vendor-completions "$1" | sed 's/\x1b\[[0-9;?]*[a-zA-Z]//g'
}
zsh_complete 'queuedeck ctl q' | grep -q 'queuedeck ctl queues' || fail "zsh does not complete queuedeck ctl q to queues"
zsh_complete 'queuedeck --log-l' | grep -q 'queuedeck --log-level=' || fail "zsh does not complete --log-l to --log-level="
zsh_complete 'queuedeck ctl messages --st' | grep -q 'queuedeck ctl messages --state=' \
  || fail "zsh does not complete ctl messages --st to --state="
echo "bash and zsh complete all ${#options[@]} options and ${#ctl_options[@]} ctl options"

step "removing it"
$SUDO apt-get remove -y -qq queuedeck > /dev/null
trap - EXIT
rm -rf "$work"
! dpkg-query -W -f='${Status}' queuedeck 2> /dev/null | grep -q "install ok installed" || fail "still installed"
echo "package-check: all checks passed"
