#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and `make demo-team`: initdb in a
# directory of our own, pg_ctl on a free loopback port, password (SCRAM) logins
# only. Never the system service. As root it runs the server as the `postgres`
# system user (PostgreSQL refuses to run as root).
#
#   pg-throwaway.sh start DIR [--watch PID]   prints `URL postgres://…` and `PORT n`;
#                                             with --watch, stops and deletes the cluster once PID exits
#   pg-throwaway.sh createdb DIR NAME         creates database NAME; prints its URL
#   pg-throwaway.sh restart DIR SECONDS       stops the server, waits, starts it again on the same port (tests of outages)
#   pg-throwaway.sh stop DIR                  stops the server and deletes DIR
set -euo pipefail
self=$(cd "$(dirname "$0")" && pwd)/$(basename "$0")

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[ -x "$bin/initdb" ] || { echo "pg-throwaway: PostgreSQL is not installed: run 'make setup' (it installs the postgresql package)" >&2; exit 2; }

as_server() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

cmd=${1:-}; dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { sed -n '6,11p' "$0" >&2; exit 2; }

case "$cmd" in
start)
  watch=""
  [ "${3:-}" = "--watch" ] && watch=${4:?--watch needs a PID}
  mkdir -p "$dir"
  [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
  chmod 700 "$dir"
  password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  as_server bash -c "umask 077; printf '%s\n' '$password' > '$dir/pwfile'"
  as_server "$bin/initdb" -D "$dir/data" -U calltop --pwfile="$dir/pwfile" --auth-host=scram-sha-256 --auth-local=scram-sha-256 \
    -E UTF8 --locale=C --no-sync >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  options="-c port=$port -c listen_addresses=127.0.0.1 -c unix_socket_directories='$dir' -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
  printf '%s\n' "$options" > "$dir/.options"
  as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$options" start >/dev/null || { cat "$dir/server.log" >&2; exit 1; }
  printf '%s\n%s\n' "$port" "$password" > "$dir/.endpoint"
  PGPASSWORD=$password "$bin/psql" -qAt -h 127.0.0.1 -p "$port" -U calltop -d postgres -c "CREATE DATABASE calltop" >/dev/null
  if [ -n "$watch" ]; then
    # Outlives this script, not the watched process: a crashed test run leaves no server behind.
    setsid nohup bash -c "while kill -0 $watch 2>/dev/null; do sleep 1; done; '$self' stop '$dir'" >/dev/null 2>&1 < /dev/null &
  fi
  echo "URL postgres://calltop:$password@127.0.0.1:$port/calltop?sslmode=disable"
  echo "PORT $port"
  ;;
createdb)
  name=${3:?createdb needs a NAME}
  { read -r port; read -r password; } < "$dir/.endpoint"
  PGPASSWORD=$password "$bin/psql" -qAt -h 127.0.0.1 -p "$port" -U calltop -d postgres -c "CREATE DATABASE \"$name\"" >/dev/null
  echo "URL postgres://calltop:$password@127.0.0.1:$port/$name?sslmode=disable"
  ;;
restart)
  seconds=${3:?restart needs SECONDS}
  as_server "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null
  sleep "$seconds"
  as_server "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -o "$(cat "$dir/.options")" start >/dev/null
  ;;
stop)
  if [ -d "$dir/data" ]; then as_server "$bin/pg_ctl" -D "$dir/data" -m immediate -w stop >/dev/null 2>&1 || true; fi
  rm -rf "$dir"
  ;;
*)
  sed -n '6,11p' "$0" >&2; exit 2
  ;;
esac
