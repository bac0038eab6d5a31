#!/usr/bin/env bash
# A throwaway PostgreSQL server for the tests.
#
#   scripts/pg-test-server.sh start DIR   initialise and start a cluster; print its libpq URI
#                                         (also written to DIR/uri)
#   scripts/pg-test-server.sh stop DIR    stop it and remove everything start created
#
# Both are idempotent: start on a running server prints its URI again, stop on a stopped or
# never started one does nothing. The server listens on a Unix socket only, trusts local
# connections for the superuser `datatrail`, and gives up durability for speed (its data is
# thrown away). PostgreSQL refuses to run as root, so as root the server runs as the system
# user datatrail-pg, created on first use. The binaries come from the newest
# /usr/lib/postgresql/<version>/bin (Debian's layout) unless DATATRAIL_PG_BINDIR names another.
set -euo pipefail

readonly service_user=datatrail-pg
readonly superuser=datatrail
# Only names the socket file (.s.PGSQL.<port>) in our own socket folder: there is no TCP
# listener, so this cannot clash with another server.
readonly port=5432
# The cluster and its socket live here rather than in DIR: a socket path must fit in about
# 107 bytes, and DIR may be deep inside a clone that the unprivileged user cannot even enter.
readonly runtime_template=/tmp/dt-pg.XXXXXXXX
readonly runtime_pattern='^/tmp/dt-pg\.[A-Za-z0-9]+$'

die() {
  echo "pg-test-server: $*" >&2
  exit 1
}

usage() {
  echo "usage: $0 start|stop DIR" >&2
  exit 2
}

find_bindir() {
  if [[ -n "${DATATRAIL_PG_BINDIR:-}" ]]; then
    [[ -x "$DATATRAIL_PG_BINDIR/initdb" ]] || die "DATATRAIL_PG_BINDIR=$DATATRAIL_PG_BINDIR has no initdb"
    echo "$DATATRAIL_PG_BINDIR"
    return
  fi
  local candidates=() dir
  for dir in /usr/lib/postgresql/*/bin; do
    [[ -x "$dir/initdb" ]] && candidates+=("$dir")
  done
  ((${#candidates[@]} > 0)) ||
    die "no PostgreSQL server found in /usr/lib/postgresql/<version>/bin; run scripts/install-deps.sh (it installs postgresql) or set DATATRAIL_PG_BINDIR"
  printf '%s\n' "${candidates[@]}" | sort -V | tail -n 1
}

is_root() { ((EUID == 0)); }

# Runs a command as the user that owns the cluster, from a folder that user may enter
# (PostgreSQL's programs look up their working directory and fail where they cannot).
run_as_owner() {
  local cwd=$1
  shift
  if is_root; then
    (cd "$cwd" && runuser -u "$service_user" -- "$@")
  else
    (cd "$cwd" && "$@")
  fi
}

ensure_service_user() {
  getent passwd "$service_user" >/dev/null && return
  local out
  # A second start running at the same moment may win the race: then the user exists anyway.
  if ! out=$(useradd --system --user-group --no-create-home --home-dir /nonexistent \
    --shell /usr/sbin/nologin --comment "datatrail test PostgreSQL servers" "$service_user" 2>&1); then
    getent passwd "$service_user" >/dev/null || die "cannot create the user $service_user: $out"
  fi
}

# The runtime folder start recorded in DIR, checked before anything is removed from it.
recorded_runtime() {
  local dir=$1 runtime
  [[ -f "$dir/runtime" ]] || return 1
  runtime=$(<"$dir/runtime")
  [[ "$runtime" =~ $runtime_pattern ]] || die "$dir/runtime names '$runtime', not a folder this script creates; not touching it"
  echo "$runtime"
}

is_running() {
  local runtime=$1
  [[ -d "$runtime/data" ]] && run_as_owner / "$bindir/pg_ctl" status -D "$runtime/data" >/dev/null 2>&1
}

# Stops the server if it runs and removes its runtime folder; leaves DIR's own files alone.
remove_runtime() {
  local dir=$1 runtime
  runtime=$(recorded_runtime "$dir") || return 0
  if is_running "$runtime"; then
    run_as_owner / "$bindir/pg_ctl" stop -D "$runtime/data" -m fast -w -t 60 -s ||
      run_as_owner / "$bindir/pg_ctl" stop -D "$runtime/data" -m immediate -w -t 60 -s ||
      echo "pg-test-server: could not stop the server in $runtime/data" >&2
  fi
  rm -rf "$runtime"
  rm -f "$dir/runtime" "$dir/uri"
}

start() {
  local dir=$1 runtime uri out
  if [[ ! -d "$dir" ]]; then
    mkdir -p "$dir"
    touch "$dir/.created-by-pg-test-server"
  fi
  dir=$(cd "$dir" && pwd)

  if runtime=$(recorded_runtime "$dir") && [[ -f "$dir/uri" ]] && is_running "$runtime"; then
    cat "$dir/uri"
    return
  fi
  remove_runtime "$dir"  # whatever a crashed or interrupted run left behind

  runtime=$(mktemp -d "$runtime_template")
  # Recorded first, so that stop cleans up after a start that fails half-way.
  echo "$runtime" >"$dir/runtime"
  if is_root; then
    ensure_service_user
    # Group root rather than other: root connects through the socket without relying on
    # its power to override permissions, and other local users cannot reach the socket.
    chown "$service_user:root" "$runtime"
    chmod 0750 "$runtime"
  fi

  local data=$runtime/data
  if ! out=$(run_as_owner "$runtime" "$bindir/initdb" -D "$data" --username="$superuser" \
    --auth-local=trust --auth-host=reject --encoding=UTF8 --locale=C --no-sync 2>&1); then
    echo "$out" >&2
    die "initdb failed in $data"
  fi

  # fsync, full_page_writes and synchronous_commit off: a crash may lose or corrupt data,
  # which for a server whose data is thrown away costs nothing and saves much test time.
  # max_connections: parallel test processes, each with a connection pool, plus admin ones.
  run_as_owner "$runtime" tee -a "$data/postgresql.conf" >/dev/null <<EOF

# Added by datatrail's scripts/pg-test-server.sh: a throwaway test server.
listen_addresses = ''
port = $port
unix_socket_directories = '$runtime'
unix_socket_permissions = 0777
max_connections = 200
shared_buffers = 32MB
fsync = off
full_page_writes = off
synchronous_commit = off
EOF

  if ! run_as_owner "$runtime" "$bindir/pg_ctl" start -D "$data" -l "$runtime/server.log" -w -t 120 -s; then
    run_as_owner "$runtime" cat "$runtime/server.log" >&2 || true
    die "the server in $data did not start (its log is above)"
  fi

  uri="postgresql:///postgres?host=$runtime&port=$port&user=$superuser"
  # pg_ctl -w waited for the server to accept connections; this proves that the caller can
  # connect through the socket, which is what the tests will do.
  if ! out=$("$bindir/psql" -X -q -A -t -d "$uri" -c 'SELECT 1' 2>&1) || [[ "$out" != 1 ]]; then
    echo "$out" >&2
    die "the server in $data runs, but $(id -un) cannot connect to $uri"
  fi
  echo "$uri" >"$dir/uri"
  echo "$uri"
}

stop() {
  local dir=$1
  [[ -d "$dir" ]] || return 0
  remove_runtime "$dir"
  if [[ -f "$dir/.created-by-pg-test-server" ]]; then
    rm -f "$dir/.created-by-pg-test-server"
    rmdir "$dir" 2>/dev/null || true
  fi
}

(($# == 2)) || usage
[[ -n "$2" ]] || usage
bindir=$(find_bindir)
readonly bindir
case "$1" in
  start) start "$2" ;;
  stop) stop "$2" ;;
  *) usage ;;
esac
