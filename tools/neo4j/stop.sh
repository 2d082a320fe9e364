#!/usr/bin/env bash
# Stop the local Neo4j server started by tools/neo4j/start.sh. Idempotent.
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

usage() {
  cat <<'EOF'
usage: tools/neo4j/stop.sh [--help]

Stops the Neo4j server that tools/neo4j/start.sh started for $NEO4J_DATA:
SIGTERM (clean shutdown: checkpoint, store closed), waits for the process to
exit, and only as a last resort SIGKILL. Removes the pid file. Does nothing
(exit 0) if no server runs on that data directory.

The server is found by $NEO4J_DATA/neo4j.pid, or else by its command line
(main class + --data). A server on $NEO4J_PORT that uses another data
directory is NOT stopped (it may be someone else's, e.g. another test run);
stop.sh names its data directory instead.

environment:
  NEO4J_DATA           data directory (default <repo>/.neo4j-data)
  NEO4J_PORT           Bolt port (default 7687), only used for that hint
  NEO4J_STOP_TIMEOUT   seconds to wait after SIGTERM before SIGKILL (default 60)
EOF
}

for arg in "$@"; do
  case $arg in
    -h | --help)
      usage
      exit 0
      ;;
    *)
      usage >&2
      die "unknown argument: $arg"
      ;;
  esac
done

check_port
NEO4J_DATA="$(abspath "$NEO4J_DATA")"
NEO4J_DATA="${NEO4J_DATA%/}"
TIMEOUT="${NEO4J_STOP_TIMEOUT:-60}"
PIDFILE="$NEO4J_DATA/neo4j.pid"

# The target: our server (recognised by its command line) using NEO4J_DATA.
target=""
if [[ -f $PIDFILE ]]; then
  p=$(tr -dc '0-9' <"$PIDFILE")
  if [[ -n $p && $(server_data "$p") == "$NEO4J_DATA" ]]; then
    target=$p
  fi
fi
if [[ -z $target ]]; then
  on_data=$(server_on_data "$NEO4J_DATA")
  target=${on_data%% *}
fi

if [[ -z $target ]]; then
  log "not running (data $NEO4J_DATA)"
  other=$(server_on_port "$NEO4J_PORT")
  if [[ -n $other ]]; then
    log "note: port $NEO4J_PORT is served by pid $other with data $(server_data "$other"); not stopped (set NEO4J_DATA to that directory to stop it)"
  fi
  rm -f "$PIDFILE" # stale, if any
  exit 0
fi

log "stopping pid $target (data $NEO4J_DATA)"
kill -TERM "$target" 2>/dev/null || true
deadline=$((SECONDS + TIMEOUT))
while alive "$target" && ((SECONDS < deadline)); do
  sleep 0.2
done
if alive "$target"; then
  log "pid $target still alive after ${TIMEOUT}s; sending SIGKILL"
  kill -KILL "$target" 2>/dev/null || true
  for _ in $(seq 1 50); do
    alive "$target" || break
    sleep 0.2
  done
  if alive "$target"; then
    die "pid $target survived SIGKILL"
  fi
fi
rm -f "$PIDFILE"
log "stopped pid $target"
