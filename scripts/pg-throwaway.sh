#!/usr/bin/env bash
# A throwaway PostgreSQL (15 or newer) for tests and the benchmark: nothing persists after `stop`.
#
#   DATABASE_URL=$(scripts/pg-throwaway.sh start)     # prints the URL on stdout, logs on stderr
#   scripts/pg-throwaway.sh stop "$DATABASE_URL"      # or: stop <port>
#
# PGPORT picks the port (default: a free one); PGBIN the server binaries (default: the newest
# /usr/lib/postgresql/*/bin, else whatever pg_ctl is on PATH). PostgreSQL refuses to run as root,
# so as root the server runs as the `postgres` user; as anyone else it runs as that user.
# fsync is off: this cluster is for throwaway data only.
set -euo pipefail

STATE_ROOT="${PG_THROWAWAY_STATE:-${TMPDIR:-/tmp}}"
DBNAME="${PGDATABASE_NAME:-sopeli}"

find_pgbin() {
  if [[ -n "${PGBIN:-}" ]]; then echo "$PGBIN"; return; fi
  local best=""
  for d in /usr/lib/postgresql/*/bin; do
    [[ -x "$d/pg_ctl" ]] || continue
    v=$(basename "$(dirname "$d")")
    if [[ "${v%%.*}" -ge 15 ]]; then best="$d"; fi
  done
  if [[ -z "$best" ]] && command -v pg_ctl >/dev/null; then best=$(dirname "$(command -v pg_ctl)"); fi
  if [[ -z "$best" ]]; then
    echo "pg-throwaway: no PostgreSQL 15+ server found (apt-get install postgresql-15, or set PGBIN)" >&2
    exit 1
  fi
  echo "$best"
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

as_pg() {
  if [[ "$(id -u)" == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi
}

port_of() {  # a port number or a postgres:// URL -> the port
  local arg="$1"
  if [[ "$arg" =~ ^[0-9]+$ ]]; then echo "$arg"; else echo "$arg" | sed -E 's#.*:([0-9]+)/[^/]*$#\1#'; fi
}

start() {
  local pgbin port dir
  pgbin=$(find_pgbin)
  port="${PGPORT:-$(free_port)}"
  dir=$(mktemp -d "${STATE_ROOT}/sopeli-pg-${port}.XXXXXX")
  chmod 755 "$dir"
  if [[ "$(id -u)" == 0 ]]; then chown postgres:postgres "$dir"; fi
  as_pg "$pgbin/initdb" -D "$dir/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
  as_pg "$pgbin/pg_ctl" -D "$dir/data" -l "$dir/log" -w \
    -o "-p $port -c listen_addresses=127.0.0.1 -k $dir -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
    start >&2 || { cat "$dir/log" >&2; exit 1; }
  "$pgbin/createdb" -h 127.0.0.1 -p "$port" -U postgres "$DBNAME"
  echo "$dir" >"${STATE_ROOT}/sopeli-pg-${port}.state"
  echo "pg-throwaway: PostgreSQL ($("$pgbin/postgres" --version)) on port $port, data in $dir" >&2
  echo "postgres://postgres@127.0.0.1:${port}/${DBNAME}"
}

stop() {
  local port state dir pgbin
  port=$(port_of "${1:-${PGPORT:-}}")
  if [[ -z "$port" ]]; then echo "usage: $0 stop <DATABASE_URL|port>" >&2; exit 2; fi
  state="${STATE_ROOT}/sopeli-pg-${port}.state"
  if [[ ! -f "$state" ]]; then echo "pg-throwaway: nothing running on port $port" >&2; return 0; fi
  dir=$(cat "$state")
  pgbin=$(find_pgbin)
  as_pg "$pgbin/pg_ctl" -D "$dir/data" -m fast -w stop >&2 || true
  rm -rf "$dir" "$state"
  echo "pg-throwaway: stopped port $port" >&2
}

case "${1:-}" in
  start) start ;;
  stop) stop "${2:-}" ;;
  *) echo "usage: $0 start | stop <DATABASE_URL|port>" >&2; exit 2 ;;
esac
