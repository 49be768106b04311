#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and local runs of the PostgreSQL store.
#
#   bash scripts/pg.sh start DIR [PORT]   creates the cluster in DIR if there is none, starts
#                                         it on 127.0.0.1:PORT (default 54329), waits until
#                                         it accepts connections and prints its URL
#   bash scripts/pg.sh url DIR            prints the URL of the cluster in DIR
#   bash scripts/pg.sh stop DIR           stops it (fast shutdown); nothing if not running
#
# The URL is postgresql://queuedeck@127.0.0.1:PORT/queuedeck: role `queuedeck` (the
# cluster's superuser) and database `queuedeck`, trust authentication, listening on
# loopback only, its unix socket inside DIR. Remove DIR to throw the cluster away.
#
# PostgreSQL refuses to run as root: run as root, the server runs as the `postgres` user
# the Debian package creates (PG_OS_USER to choose another) and DIR is handed to it, so
# DIR's parent must be one that user can reach (/tmp is). Run as anyone else, it runs as
# that user. PG_FAST=1 turns off fsync, synchronous_commit and full_page_writes: faster,
# and a crash of the machine can lose the cluster, so for tests only. PG_BINDIR picks the
# server's binaries (default: the newest /usr/lib/postgresql/*/bin).
set -euo pipefail

usage()
{
    sed -n '4,8p' "$0" | sed 's/^# \{0,1\}//' >&2
    exit 2
}

[ $# -ge 2 ] || usage
cmd="$1"
if [ "$cmd" = start ]; then
    mkdir -p "$2"
elif [ ! -d "$2" ]; then
    [ "$cmd" = stop ] && exit 0
    echo "pg.sh: no cluster in $2" >&2
    exit 1
fi
dir="$(cd "$2" && pwd)"
data="$dir/data"

bindir="${PG_BINDIR:-}"
if [ -z "$bindir" ]; then
    for d in $(printf "%s\n" /usr/lib/postgresql/*/bin | sort -V -r); do
        if [ -x "$d/initdb" ]; then
            bindir="$d"
            break
        fi
    done
fi
if [ -z "$bindir" ] && command -v initdb > /dev/null 2>&1; then
    bindir="$(dirname "$(command -v initdb)")"
fi
if [ -z "$bindir" ] || [ ! -x "$bindir/pg_ctl" ]; then
    echo "pg.sh: no PostgreSQL server binaries found (apt-get install postgresql-15, or set PG_BINDIR)" >&2
    exit 1
fi

# Runs a server binary as the cluster's owner, from DIR so that no unreadable working
# directory gets in the way.
as_owner()
{
    if [ "$(id -u)" -eq 0 ]; then
        (cd "$dir" && runuser -u "${PG_OS_USER:-postgres}" -- "$@")
    else
        (cd "$dir" && "$@")
    fi
}

running()
{
    [ -f "$data/PG_VERSION" ] && as_owner "$bindir/pg_ctl" status -D "$data" > /dev/null 2>&1
}

# The port the cluster runs on (from postmaster.pid) or was last started with.
port_of()
{
    if running && [ -f "$data/postmaster.pid" ]; then
        sed -n 4p "$data/postmaster.pid"
    elif [ -f "$data/queuedeck.conf" ]; then
        sed -n 's/^port = \([0-9]*\)$/\1/p' "$data/queuedeck.conf"
    fi
}

url_of() { echo "postgresql://queuedeck@127.0.0.1:$1/queuedeck"; }

case "$cmd" in
start)
    port="${3:-54329}"
    if [ "$(id -u)" -eq 0 ]; then
        owner="${PG_OS_USER:-postgres}"
        if ! id "$owner" > /dev/null 2>&1; then
            echo "pg.sh: no user '$owner' to run the server as (set PG_OS_USER)" >&2
            exit 1
        fi
        chown "$owner:" "$dir"
        chmod 700 "$dir"
    fi
    if ! running; then
        if [ ! -f "$data/PG_VERSION" ]; then
            as_owner "$bindir/initdb" -D "$data" --username=queuedeck --auth=trust \
                --encoding=UTF8 --locale=C.UTF-8 > "$dir/initdb.log" \
                || { cat "$dir/initdb.log" >&2; exit 1; }
            echo "include_if_exists = 'queuedeck.conf'" >> "$data/postgresql.conf"
        fi
        # Written at every start, so a new PORT or PG_FAST takes effect on the next one.
        {
            echo "listen_addresses = '127.0.0.1'"
            echo "port = $port"
            echo "unix_socket_directories = '$dir'"
            echo "max_connections = 200"
            echo "log_min_messages = warning"
            if [ "${PG_FAST:-0}" = 1 ]; then
                echo "fsync = off"
                echo "synchronous_commit = off"
                echo "full_page_writes = off"
            fi
        } > "$dir/queuedeck.conf.new"
        if [ "$(id -u)" -eq 0 ]; then chown "${PG_OS_USER:-postgres}:" "$dir/queuedeck.conf.new"; fi
        mv "$dir/queuedeck.conf.new" "$data/queuedeck.conf"
        if ! as_owner "$bindir/pg_ctl" start -D "$data" -l "$dir/server.log" -w -t 60 > /dev/null; then
            tail -n 20 "$dir/server.log" >&2 || true
            exit 1
        fi
    fi
    port="$(port_of)"
    ready=0
    for _ in $(seq 1 120); do
        if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U queuedeck -d postgres; then
            ready=1
            break
        fi
        sleep 0.5
    done
    if [ "$ready" != 1 ]; then
        echo "pg.sh: the server on 127.0.0.1:$port did not become ready; see $dir/server.log" >&2
        exit 1
    fi
    psql=("$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U queuedeck)
    if [ -z "$("${psql[@]}" -d postgres -tAc "select 1 from pg_database where datname = 'queuedeck'")" ]; then
        "${psql[@]}" -d postgres -c 'create database queuedeck' > /dev/null
    fi
    url_of "$port"
    ;;
url)
    port="$(port_of)"
    if [ -z "$port" ]; then
        echo "pg.sh: no cluster in $dir" >&2
        exit 1
    fi
    url_of "$port"
    ;;
stop)
    if running; then
        as_owner "$bindir/pg_ctl" stop -D "$data" -m fast -w > /dev/null
    fi
    ;;
*)
    usage
    ;;
esac
