#!/usr/bin/env bash
# Runs a command with a throwaway PostgreSQL server for the tests:
#
#   scripts/with-postgres.sh CMD ARGS...
#
# starts a server (scripts/pg-test-server.sh) in a new temporary folder, exports its libpq URI
# as DATATRAIL_TEST_POSTGRES, runs the command, stops the server however the command ends
# (success, failure, Ctrl-C, SIGTERM) and exits with the command's status. When
# DATATRAIL_TEST_POSTGRES is already set (a developer's own server) it only runs the command.
set -euo pipefail

(($# > 0)) || {
  echo "usage: $0 CMD ARGS..." >&2
  exit 2
}

if [[ -n "${DATATRAIL_TEST_POSTGRES:-}" ]]; then
  exec "$@"
fi

server_script="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/pg-test-server.sh"
state_dir=$(mktemp -d "${TMPDIR:-/tmp}/datatrail-test-postgres.XXXXXX")
child=

stop_server() {
  bash "$server_script" stop "$state_dir" || echo "with-postgres: stopping the test server failed" >&2
  rm -rf "$state_dir"
}
trap stop_server EXIT
# The command runs in the background so that a signal reaches this script at once (bash runs
# traps only between commands); the signal is passed on, and the script waits for the command
# to end before the EXIT trap stops the server under it. Ctrl-C reaches the command anyway:
# it is in the terminal's foreground process group like this script.
forward() {
  if [[ -n "$child" ]]; then
    kill "-$1" "$child" 2>/dev/null || true
  else
    exit $((128 + $2))
  fi
}
trap 'forward INT 2' INT
trap 'forward TERM 15' TERM

DATATRAIL_TEST_POSTGRES=$(bash "$server_script" start "$state_dir")
export DATATRAIL_TEST_POSTGRES

# Asynchronous commands get SIGINT ignored and stdin from /dev/null unless told otherwise;
# the command should behave as if it ran in the foreground.
(
  trap - INT TERM
  exec "$@"
) <&0 &
child=$!

status=0
while :; do
  wait "$child" && status=0 || status=$?
  # wait also returns when a trapped signal arrives; only a reaped command has ended.
  kill -0 "$child" 2>/dev/null || break
done
exit "$status"
