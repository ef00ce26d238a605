#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for the test suite.
#
#   scripts/pg.sh start   initdb + start on a free loopback port, create database "tracker",
#                         print its DATABASE_URL
#   scripts/pg.sh url     print the DATABASE_URL of the running cluster
#   scripts/pg.sh stop    stop the cluster and delete it
#
# The cluster lives in a fresh directory under $TMPDIR (/tmp), because the project folder may
# sit where the postgres user cannot go; a state file remembers where it is: .pg/state in
# the project, or $PG_STATE (one per caller, so that parallel runs never stop each other's).
# PostgreSQL refuses to run as root: as root the server runs as the OS user "postgres"
# (PG_OS_USER), otherwise as the current user. PG_BINDIR overrides the binaries' folder.
set -euo pipefail

PROJECT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${PG_STATE:-$PROJECT/.pg/state}
STATE_DIR=$(dirname "$STATE")
DB_NAME=tracker
OS_USER=${PG_OS_USER:-postgres}

die() { echo "pg.sh: $1" >&2; exit "${2:-1}"; }

find_bindir() {
    if [ -n "${PG_BINDIR:-}" ]; then
        [ -x "$PG_BINDIR/pg_ctl" ] && { echo "$PG_BINDIR"; return; }
        return 1
    fi
    local dir
    # Newest installed major version first.
    for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
        [ -x "$dir/pg_ctl" ] && [ -x "$dir/initdb" ] && { echo "$dir"; return; }
    done
    if command -v pg_ctl >/dev/null 2>&1 && command -v initdb >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return
    fi
    return 1
}

as_pg() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u "$OS_USER" -- "$@"
    else
        "$@"
    fi
}

free_port() {
    local py
    for py in python3 python; do
        if command -v "$py" >/dev/null 2>&1; then
            "$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
            return
        fi
    done
    # No Python on PATH: pick a random high port and hope.
    echo $((20000 + RANDOM % 20000))
}

read_state() {
    [ -f "$STATE" ] || return 1
    # shellcheck disable=SC1090
    . "$STATE"
    [ -n "${PG_DIR:-}" ] && [ -n "${PG_PORT:-}" ]
}

url() { echo "postgres://postgres@127.0.0.1:$PG_PORT/$DB_NAME"; }

start() {
    local bindir
    bindir=$(find_bindir) || die "PostgreSQL server binaries (pg_ctl, initdb) not found; install postgresql or set PG_BINDIR" 3
    if read_state && [ -d "$PG_DIR/data" ] && as_pg "$bindir/pg_ctl" -D "$PG_DIR/data" status >/dev/null 2>&1; then
        echo "pg.sh: a cluster is already running in $PG_DIR" >&2
        url
        return
    fi
    [ -f "$STATE" ] && stop >/dev/null 2>&1 || true

    PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/tracker-pg.XXXXXX")
    chmod 755 "$PG_DIR"
    mkdir -p "$PG_DIR/data" "$PG_DIR/run"
    if [ "$(id -u)" -eq 0 ]; then
        id "$OS_USER" >/dev/null 2>&1 || die "running as root needs the OS user '$OS_USER' to run PostgreSQL"
        chown -R "$OS_USER": "$PG_DIR"
    fi
    mkdir -p "$STATE_DIR"
    PG_PORT=$(free_port)
    write_state() { printf 'PG_DIR=%q\nPG_PORT=%q\nPG_BINDIR=%q\n' "$PG_DIR" "$PG_PORT" "$bindir" > "$STATE"; }
    write_state

    # A UTF-8 character type, never plain C: case folding of Kazakh and Russian (lower(),
    # ILIKE, the text search) needs it. No fallback: a cluster that cannot have it fails here.
    as_pg "$bindir/initdb" -D "$PG_DIR/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 \
        >"$PG_DIR/initdb.log" 2>&1 \
        || { cat "$PG_DIR/initdb.log" >&2; die "initdb with a UTF-8 locale (C.UTF-8) failed"; }

    # The free port may be taken by someone else before the server binds it: try another.
    local attempt
    for attempt in 1 2 3; do
        if as_pg "$bindir/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 start \
            -o "-p $PG_PORT -k $PG_DIR/run -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100" \
            >/dev/null 2>&1; then
            break
        fi
        [ "$attempt" -eq 3 ] && { cat "$PG_DIR/server.log" >&2; die "the server did not start"; }
        PG_PORT=$(free_port)
        write_state
    done

    local i
    for i in $(seq 1 60); do
        "$bindir/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" && break
        [ "$i" -eq 60 ] && { cat "$PG_DIR/server.log" >&2; die "the server is not ready after 30 s"; }
        sleep 0.5
    done
    "$bindir/createdb" -h 127.0.0.1 -p "$PG_PORT" -U postgres "$DB_NAME"
    url
}

stop() {
    if ! read_state; then
        rm -f "$STATE"
        rmdir "$STATE_DIR" 2>/dev/null || true
        return 0
    fi
    local bindir=${PG_BINDIR:-}
    [ -n "$bindir" ] || bindir=$(find_bindir) || true
    if [ -n "$bindir" ] && [ -d "$PG_DIR/data" ]; then
        as_pg "$bindir/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    fi
    case "$PG_DIR" in
        */tracker-pg.*) rm -rf "$PG_DIR" ;;
    esac
    rm -f "$STATE"
    rmdir "$STATE_DIR" 2>/dev/null || true
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    url) read_state || die "no cluster is running (scripts/pg.sh start)"; url ;;
    *) echo "usage: $0 start|stop|url" >&2; exit 2 ;;
esac
