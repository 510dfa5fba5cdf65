#!/usr/bin/env bash
# A throw-away PostgreSQL cluster for the tests that run on both backends (packaging/test.sh), from
# Debian's own postgresql package: initdb and pg_ctl as the postgres user when run as root (initdb
# refuses root), SCRAM passwords, loopback only, a free port. Writes DIR/url (the superuser's address,
# without its password) and DIR/pw.
# Usage: packaging/pg-cluster.sh start DIR | stop DIR
set -euo pipefail
action=${1:?start or stop}
dir=$(realpath -m "${2:?directory}")
bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
[ -x "$bin/initdb" ] || { echo "pg-cluster: no initdb under /usr/lib/postgresql: run packaging/setup.sh" >&2; exit 1; }
as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
case $action in
  start)
    [ -e "$dir/data/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    mkdir -p "$dir"
    chmod 0777 "$dir"
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$dir/pw"
    chmod 0644 "$dir/pw"
    as_postgres "$bin/initdb" -D "$dir/data" -A scram-sha-256 -U postgres --pwfile="$dir/pw" -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log"
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    as_postgres "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -t 60 \
      -o "-k $dir -c listen_addresses=127.0.0.1 -p $port -c fsync=off -c max_connections=200" start >/dev/null
    echo "postgres://postgres@127.0.0.1:$port" > "$dir/url"
    echo "pg-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
    ;;
  stop)
    [ -e "$dir/data/postmaster.pid" ] && as_postgres "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null
    rm -rf "$dir"
    ;;
  *) echo "usage: $0 start DIR | stop DIR" >&2; exit 2 ;;
esac
