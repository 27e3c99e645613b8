# Sourced by .ci/run: a PostgreSQL server for the PostgreSQL tier of the tests.
#
# pg_ci_start: keeps $SHIFTDESK_TEST_PG_URL if the caller set one; else uses a server already
#   listening on 127.0.0.1:5432 that lets `postgres` in without a password; else installs Debian's
#   `postgresql` package when no server binaries are present (apt-get update, then install), and
#   starts a throwaway cluster in a temporary directory on 127.0.0.1 and a free port (as the
#   postgres user when run as root, since initdb refuses root). Either way it creates a throwaway
#   database and exports SHIFTDESK_TEST_PG_URL pointing at it.
# pg_ci_stop: drops that database, or stops and deletes the throwaway cluster.

PG_CI_DIR=""
PG_CI_BIN=""
PG_CI_PORT=""
PG_CI_DB=""

pg_ci_bindir() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ]; then
      echo "$dir"
      return 0
    fi
  done
  return 1
}

pg_ci_root() {  # run a command as root: directly, or through sudo
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "ci: '$*' needs root (or sudo)" >&2
    return 1
  fi
}

pg_ci_install() {
  echo "ci: no PostgreSQL server installed; installing Debian's postgresql package" >&2
  pg_ci_root env DEBIAN_FRONTEND=noninteractive apt-get update -q
  pg_ci_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends postgresql
}

pg_ci_as_owner() {  # run a server command as the cluster's owner (never root)
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

pg_ci_free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

pg_ci_psql() {
  local psql="psql"
  [ -n "$PG_CI_BIN" ] && [ -x "$PG_CI_BIN/psql" ] && psql="$PG_CI_BIN/psql"
  PGCONNECT_TIMEOUT=5 "$psql" -w -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_CI_PORT" -U postgres -d postgres "$@"
}

pg_ci_start_cluster() {
  PG_CI_BIN="$(pg_ci_bindir)" || { pg_ci_install && PG_CI_BIN="$(pg_ci_bindir)"; } || {
    echo "ci: PostgreSQL server binaries not found even after apt-get install" >&2
    return 1
  }
  PG_CI_DIR="$(mktemp -d /tmp/shiftdesk-ci-pg.XXXXXX)"
  PG_CI_PORT="$(pg_ci_free_port)"
  if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres
    chown postgres: "$PG_CI_DIR"
  fi
  echo "ci: starting a throwaway PostgreSQL ($PG_CI_BIN) on 127.0.0.1:$PG_CI_PORT in $PG_CI_DIR" >&2
  if ! pg_ci_as_owner "$PG_CI_BIN/initdb" -D "$PG_CI_DIR/data" -U postgres -A trust -E UTF8 --locale=C \
      >"$PG_CI_DIR/initdb.log" 2>&1; then
    cat "$PG_CI_DIR/initdb.log" >&2
    return 1
  fi
  if ! pg_ci_as_owner "$PG_CI_BIN/pg_ctl" -D "$PG_CI_DIR/data" -l "$PG_CI_DIR/server.log" -w -t 60 \
      -o "-h 127.0.0.1 -p $PG_CI_PORT -k $PG_CI_DIR -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null; then
    cat "$PG_CI_DIR/server.log" >&2
    return 1
  fi
}

pg_ci_start() {
  if [ -n "${SHIFTDESK_TEST_PG_URL:-}" ]; then
    echo "ci: PostgreSQL from SHIFTDESK_TEST_PG_URL" >&2
    return 0
  fi
  PG_CI_PORT=5432
  if ! { command -v psql >/dev/null && pg_ci_psql -Atc "SELECT 1" >/dev/null 2>&1; }; then
    pg_ci_start_cluster || return 1
  else
    echo "ci: using the PostgreSQL server on 127.0.0.1:5432" >&2
  fi
  PG_CI_DB="shiftdesk_ci_$$"
  pg_ci_psql -c "CREATE DATABASE $PG_CI_DB" || return 1
  export SHIFTDESK_TEST_PG_URL="postgresql+psycopg://postgres@127.0.0.1:$PG_CI_PORT/$PG_CI_DB"
}

pg_ci_stop() {
  if [ -n "$PG_CI_DIR" ]; then
    pg_ci_as_owner "$PG_CI_BIN/pg_ctl" -D "$PG_CI_DIR/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$PG_CI_DIR"
  elif [ -n "$PG_CI_DB" ]; then
    pg_ci_psql -c "DROP DATABASE IF EXISTS $PG_CI_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
}
