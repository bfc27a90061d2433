#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster, then remove the cluster.
#
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
#
# Exports INHOUSE_DATABASE_URL=postgres://postgres@127.0.0.1:PORT/inhouse for the
# command and exits with its status. The cluster trusts local connections, listens
# on 127.0.0.1 only and trades durability for speed: it is for tests, never data.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS...]" >&2
  exit 2
fi

# PATH first (this machine has them in /usr/local/bin), then Debian's versioned
# directories, preferring 15, the version production runs.
find_pg_bin() {
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  local candidate
  for candidate in /usr/lib/postgresql/15/bin $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -rV); do
    if [ -x "$candidate/initdb" ] && [ -x "$candidate/pg_ctl" ]; then
      echo "$candidate"
      return
    fi
  done
  echo "$0: PostgreSQL's initdb was not found on PATH or under /usr/lib/postgresql;" \
    "install Debian's postgresql package (make test does)." >&2
  return 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

PG_BIN=$(find_pg_bin)
PORT=$(free_port)
DATA_DIR=$(mktemp -d /tmp/inhouse-pg.XXXXXX)
LOG_FILE="$DATA_DIR/server.log"

# PostgreSQL refuses to run as root: as root, the cluster belongs to the postgres user.
as_owner=()
if [ "$(id -u)" = "0" ]; then
  id -u postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  chown postgres:postgres "$DATA_DIR"
  as_owner=(runuser -u postgres --)
fi

# Run a PostgreSQL program as the cluster's owner, from a directory it may enter
# (initdb and pg_ctl fail when they cannot read the current directory).
pg() {
  local program=$1
  shift
  (cd "$DATA_DIR" && "${as_owner[@]}" "$PG_BIN/$program" "$@")
}

cleanup() {
  pg pg_ctl -D "$DATA_DIR" -m immediate -w stop >/dev/null 2>&1 || true
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT
# Interrupted: exit with the shell's usual status; the EXIT trap then removes the cluster.
trap 'exit 130' INT
trap 'exit 143' TERM

pg initdb -D "$DATA_DIR" --auth=trust -U postgres --encoding=UTF8 --locale=C >/dev/null
if ! pg pg_ctl -D "$DATA_DIR" -w -t 60 -l "$LOG_FILE" \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DATA_DIR" \
  -o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null; then
  echo "$0: PostgreSQL did not start; its log:" >&2
  cat "$LOG_FILE" >&2 || true
  exit 1
fi

export INHOUSE_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/inhouse"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on 127.0.0.1:$PORT" >&2

status=0
"$@" || status=$?
exit "$status"
