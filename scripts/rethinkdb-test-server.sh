#!/usr/bin/env bash
# Runs a command against a throwaway real RethinkDB server:
#   scripts/rethinkdb-test-server.sh [command...]   (default: npx vitest run)
# The server (RETHINKDB_BIN, default ../shared/rethinkdb/rethinkdb beside the project) listens on
# loopback only, on free ports, with a private data directory; the command runs with
# RETHINKDB_URL pointing at it. The server is stopped by its PID and the directory removed when
# the command ends, fails or is interrupted. Exits with the command's status; 2 when no server
# binary is there (users bring their own: RETHINKDB_URL=rethinkdb://host:port npx vitest run).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
bin="${RETHINKDB_BIN:-$root/../shared/rethinkdb/rethinkdb}"
if [ ! -x "$bin" ]; then
  echo "rethinkdb-test-server: no RethinkDB server at $bin (set RETHINKDB_BIN, or run the suite against your own with RETHINKDB_URL=rethinkdb://host:port npx vitest run)" >&2
  exit 2
fi
[ "$#" -gt 0 ] || set -- npx vitest run

dir="$(mktemp -d "${TMPDIR:-/tmp}/rethinkql-rethinkdb.XXXXXX")"
pid=""
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    # A clean shutdown takes well under a second; a server that hangs is killed after 15 s.
    for _ in $(seq 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Port 0: the server picks free ports and prints them. A 256 MB cache: the default takes a
# large share of the machine's memory.
"$bin" --bind 127.0.0.1 --directory "$dir/data" --driver-port 0 --cluster-port 0 --http-port 0 \
  --cache-size 256 --no-update-check >"$dir/server.log" 2>&1 &
pid=$!

port=""
for _ in $(seq 300); do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "rethinkdb-test-server: the server exited before it was ready:" >&2
    cat "$dir/server.log" >&2
    exit 1
  fi
  [ -n "$port" ] || port="$(sed -n 's/.*Listening for client driver connections on port \([0-9]*\).*/\1/p' "$dir/server.log" | head -n 1)"
  if [ -n "$port" ] && grep -q '^Server ready' "$dir/server.log"; then break; fi
  sleep 0.1
done
if [ -z "$port" ] || ! grep -q '^Server ready' "$dir/server.log"; then
  echo "rethinkdb-test-server: the server was not ready after 30 s:" >&2
  cat "$dir/server.log" >&2
  exit 1
fi
echo "rethinkdb-test-server: RethinkDB $("$bin" --version | head -n 1 | sed 's/^rethinkdb //') (pid $pid) on 127.0.0.1:$port, data in $dir"

export RETHINKDB_URL="rethinkdb://127.0.0.1:$port"
status=0
"$@" || status=$?
exit "$status"
