#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests of the server's PostgreSQL store.
#
#   Tools/postgres-cluster.sh start DIR   initdb into DIR/data, start it on a free loopback port
#                                         (and a unix socket in DIR), print its URL on stdout
#   Tools/postgres-cluster.sh stop DIR    stop it at once and delete DIR
#
# initdb refuses to run as root: as root, the cluster belongs to the `postgres` user that
# Debian's package creates. Tools/test.sh starts one, exports its URL as
# OUTPOST_TEST_POSTGRES_URL and stops it when it exits, also on failure. Nothing here is kept.
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -n "$bin" ] || { echo "postgres-cluster: PostgreSQL is not installed (apt-get install postgresql)" >&2; exit 1; }

as_owner() {
    if [ "$(id -u)" -eq 0 ]; then su postgres -s /bin/sh -c "$1"; else sh -c "$1"; fi
}

case "${1:-}" in
start)
    dir=${2:?usage: postgres-cluster.sh start DIR}
    mkdir -p "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_owner "'$bin/initdb' -D '$dir/data' -A trust -U postgres --no-sync -E UTF8 >'$dir/initdb.log' 2>&1" \
        || { cat "$dir/initdb.log" >&2; exit 1; }
    as_owner "'$bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w -t 60 \
        -o \"-p $port -k '$dir' -c listen_addresses=127.0.0.1 -c max_connections=300\" start >/dev/null" \
        || { cat "$dir/server.log" >&2; exit 1; }
    echo "postgres://postgres@127.0.0.1:$port/postgres"
    ;;
stop)
    dir=${2:?usage: postgres-cluster.sh stop DIR}
    if [ -d "$dir/data" ]; then
        as_owner "'$bin/pg_ctl' -D '$dir/data' -m immediate -w stop >/dev/null 2>&1" || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: Tools/postgres-cluster.sh start DIR | stop DIR" >&2
    exit 2
    ;;
esac
