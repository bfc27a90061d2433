#!/usr/bin/env bash
# Run a command against a throwaway PostgreSQL cluster, then remove the cluster.
# Usage: scripts/with-postgres.sh COMMAND [ARGS...]
# Exports INHOUSE_DATABASE_URL for the command and exits with its status.
set -euo pipefail

find_pg_bin() {
  if command -v initdb >/dev/null 2>&1; then
    dirname "$(command -v initdb)"
    return
  fi
  local candidate
  for candidate in /usr/lib/postgresql/*/bin; do
    if [ -x "$candidate/initdb" ]; then
      echo "$candidate"
      return
    fi
  done
  echo "PostgreSQL's initdb was not found; install Debian's postgresql package." >&2
  exit 1
}

PG_BIN=$(find_pg_bin)
PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()')
DATA_DIR=$(mktemp -d /tmp/inhouse-pg.XXXXXX)

# PostgreSQL refuses to run as root: hand the cluster to the postgres user.
as_cluster_owner=()
if [ "$(id -u)" = "0" ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home /var/lib/postgresql postgres
  chown postgres:postgres "$DATA_DIR"
  as_cluster_owner=(runuser -u postgres --)
fi

cleanup() {
  "${as_cluster_owner[@]}" "$PG_BIN/pg_ctl" -D "$DATA_DIR" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$DATA_DIR"
}
trap cleanup EXIT INT TERM

"${as_cluster_owner[@]}" "$PG_BIN/initdb" -D "$DATA_DIR" --auth=trust -U postgres \
  --encoding=UTF8 --locale=C >/dev/null
# A throwaway test cluster: speed over durability.
"${as_cluster_owner[@]}" "$PG_BIN/pg_ctl" -D "$DATA_DIR" -w -l "$DATA_DIR/server.log" \
  -o "-p $PORT -c listen_addresses=127.0.0.1 -c unix_socket_directories=$DATA_DIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
  start >/dev/null

export INHOUSE_DATABASE_URL="postgres://postgres@127.0.0.1:$PORT/inhouse"
echo "PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') on port $PORT"
set +e
"$@"
status=$?
set -e
exit $status
