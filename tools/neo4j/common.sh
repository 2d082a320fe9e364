# Shared helpers for tools/neo4j/start.sh and stop.sh. Sourced, not run.
# shellcheck shell=bash

NEO4J_TOOL_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NEO4J_REPO_ROOT="$(cd "$NEO4J_TOOL_DIR/../.." && pwd)"
NEO4J_MAIN_CLASS="hub.tools.Neo4jServer"
NEO4J_HOST="127.0.0.1"

NEO4J_PORT="${NEO4J_PORT:-7687}"
NEO4J_DATA="${NEO4J_DATA:-$NEO4J_REPO_ROOT/.neo4j-data}"

log() { printf 'neo4j: %s\n' "$*" >&2; }
die() { printf 'neo4j: error: %s\n' "$*" >&2; exit 1; }

# Absolute path without requiring the directory to exist.
abspath() {
  case $1 in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$PWD/$1" ;;
  esac
}

check_port() {
  case $NEO4J_PORT in
    '' | *[!0-9]*) die "NEO4J_PORT must be a number, got '$NEO4J_PORT'" ;;
  esac
  if ((NEO4J_PORT < 1 || NEO4J_PORT > 65535)); then
    die "NEO4J_PORT out of range: $NEO4J_PORT"
  fi
}

# True while PID is a live (non-zombie) process.
alive() {
  local pid=$1 state
  [[ -r /proc/$pid/stat ]] || return 1
  state=$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | cut -d' ' -f1) || return 1
  [[ -n $state && $state != Z && $state != X ]]
}

# True if something accepts TCP connections on 127.0.0.1:PORT.
port_open() {
  (exec 3<>"/dev/tcp/$NEO4J_HOST/$1") 2>/dev/null
}

# Prints "PID PORT DATA" for every running server launched by start.sh
# (recognised by its main class on the java command line).
our_servers() {
  local f pid info
  for f in /proc/[0-9]*/cmdline; do
    pid=${f#/proc/}
    pid=${pid%/cmdline}
    info=$(tr '\0' '\n' 2>/dev/null <"$f" | awk -v cls="$NEO4J_MAIN_CLASS" '
      $0 == cls { ours = 1 }
      prev == "--port" { port = $0 }
      prev == "--data" { data = $0 }
      { prev = $0 }
      END { if (ours && port != "") print port, data }') || continue
    [[ -n $info ]] || continue
    alive "$pid" || continue
    printf '%s %s\n' "$pid" "$info"
  done
}

# PID of our server listening on PORT (empty if none).
server_on_port() {
  local pid port data
  while read -r pid port data; do
    if [[ $port == "$1" ]]; then
      printf '%s\n' "$pid"
      return 0
    fi
  done < <(our_servers)
}

# "PID PORT" of our server using DATA (empty if none).
server_on_data() {
  local pid port data
  while read -r pid port data; do
    if [[ $data == "$1" ]]; then
      printf '%s %s\n' "$pid" "$port"
      return 0
    fi
  done < <(our_servers)
}

# Data directory of our server with PID.
server_data() {
  local pid port data
  while read -r pid port data; do
    if [[ $pid == "$1" ]]; then
      printf '%s\n' "$data"
      return 0
    fi
  done < <(our_servers)
}
