#!/usr/bin/env bash
# Start a local Neo4j Community server (Bolt on 127.0.0.1, auth disabled).
set -euo pipefail

# shellcheck source-path=SCRIPTDIR source=common.sh
. "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/common.sh"

usage() {
  cat <<EOF
usage: tools/neo4j/start.sh [--fresh] [--build-only] [--help]

Builds (if needed, with Maven) and starts a real Neo4j Community $(neo4j_version)
server in the background: Bolt on 127.0.0.1:\$NEO4J_PORT, authentication
DISABLED (loopback-only dev/test database). Waits until Bolt accepts
connections, then prints the environment to use on stdout, e.g.

  NEO4J_URI=bolt://127.0.0.1:7687
  NEO4J_USER=neo4j
  NEO4J_PASSWORD=neo4j

(any user/password is accepted, and so is no auth at all).
Progress messages go to stderr, so  export \$(tools/neo4j/start.sh)  works.
If a server started by this script already runs on that port, it says so
and exits 0.

options:
  --fresh        wipe the data directory first (empty database); refused if
                 a server is running on it or it does not look like a data
                 directory made by this script
  --build-only   only build the Java launcher (target/), do not start
  -h, --help     this help

environment:
  NEO4J_PORT            Bolt port (default 7687)
  NEO4J_DATA            data directory (default <repo>/.neo4j-data); holds the
                        database, logs/ (debug.log, console.log) and neo4j.pid.
                        For a throwaway database: NEO4J_DATA=\$(mktemp -d)
  NEO4J_HEAP            max Java heap (default 1g)
  NEO4J_PAGECACHE       Neo4j page cache size (default 256m)
  NEO4J_START_TIMEOUT   seconds to wait for Bolt (default 120)
  NEO4J_JAVA_OPTS       extra JVM options
  JAVA_HOME             Java 17+ to use (default: java on PATH)

Stop it with tools/neo4j/stop.sh (same NEO4J_DATA / NEO4J_PORT).
EOF
}

neo4j_version() {
  sed -n 's:.*<neo4j.version>\(.*\)</neo4j.version>.*:\1:p' "$NEO4J_TOOL_DIR/pom.xml"
}

fresh=0
build_only=0
for arg in "$@"; do
  case $arg in
    --fresh) fresh=1 ;;
    --build-only) build_only=1 ;;
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
HEAP="${NEO4J_HEAP:-1g}"
PAGECACHE="${NEO4J_PAGECACHE:-256m}"
TIMEOUT="${NEO4J_START_TIMEOUT:-120}"
TARGET="$NEO4J_TOOL_DIR/target"
STAMP="$TARGET/.built"
PIDFILE="$NEO4J_DATA/neo4j.pid"
CONSOLE="$NEO4J_DATA/logs/console.log"
URI="bolt://$NEO4J_HOST:$NEO4J_PORT"

if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]]; then
  JAVA="$JAVA_HOME/bin/java"
else
  JAVA="$(command -v java)" || die "java not found (need Java 17+)"
fi

print_env() {
  printf 'NEO4J_URI=%s\nNEO4J_USER=neo4j\nNEO4J_PASSWORD=neo4j\n' "$URI"
}

needs_build() {
  [[ -f $STAMP && -f $TARGET/neo4j-server.jar && -d $TARGET/lib ]] || return 0
  [[ -n $(find "$NEO4J_TOOL_DIR/pom.xml" "$NEO4J_TOOL_DIR/src" -newer "$STAMP" -print -quit) ]]
}

build() {
  command -v mvn >/dev/null || die "mvn not found (needed to fetch Neo4j from Maven Central)"
  log "building launcher with Maven (first run downloads Neo4j $(neo4j_version), ~125 MB)..."
  # A stale target/lib could mix two Neo4j versions on the classpath.
  # Unlink rather than overwrite, so a server still running from the old
  # jars keeps reading its open files.
  rm -rf "${TARGET:?}/lib" "$STAMP" "$TARGET/neo4j-server.jar"
  local pid _rest
  while read -r pid _rest; do
    if tr '\0' '\n' 2>/dev/null <"/proc/$pid/cmdline" | grep -qF "$TARGET/neo4j-server.jar"; then
      log "note: rebuilding while pid $pid runs from this build (it keeps its open jars)"
    fi
  done < <(our_servers)
  # (sed drops the stray colour-reset codes Debian's Maven prints even with -q)
  if ! mvn -q -B -Dstyle.color=never -f "$NEO4J_TOOL_DIR/pom.xml" package 2>&1 | sed 's/\x1b\[0m//g' >&2; then
    die "Maven build failed"
  fi
  touch "$STAMP"
}

# Serialise concurrent start.sh runs (build + launch + wait).
mkdir -p "$TARGET"
exec 9>"$TARGET/.start.lock"
flock 9

# Already running?
running=$(server_on_port "$NEO4J_PORT")
if [[ -n $running ]]; then
  rdata=$(server_data "$running")
  if ((fresh)); then
    die "a server is already running on $URI (pid $running, data $rdata); run tools/neo4j/stop.sh before --fresh"
  fi
  log "already running: $URI (pid $running, data $rdata)"
  if [[ $rdata != "$NEO4J_DATA" ]]; then
    log "warning: it uses data directory $rdata, not $NEO4J_DATA"
  elif [[ ! -f $PIDFILE ]]; then
    echo "$running" >"$PIDFILE"
  fi
  ((build_only)) || print_env
  exit 0
fi

if ((!build_only)); then
  other=$(server_on_data "$NEO4J_DATA")
  if [[ -n $other ]]; then
    die "data directory $NEO4J_DATA is in use by the server on port ${other#* } (pid ${other%% *}); stop it first"
  fi
  if port_open "$NEO4J_PORT"; then
    die "port $NEO4J_PORT is already in use by another program; choose another NEO4J_PORT"
  fi
fi

if needs_build; then
  build
fi
if ((build_only)); then
  log "built: $TARGET/neo4j-server.jar + $TARGET/lib/"
  exit 0
fi

if ((fresh)) && [[ -e $NEO4J_DATA ]]; then
  # Only wipe something that is empty or was made by this script.
  if [[ -n $(ls -A "$NEO4J_DATA") && ! -d $NEO4J_DATA/data/databases && ! -f $NEO4J_DATA/logs/console.log ]]; then
    die "--fresh: $NEO4J_DATA is not empty and does not look like a Neo4j data directory; refusing to wipe it"
  fi
  case $NEO4J_DATA in
    / | "$HOME" | "$NEO4J_REPO_ROOT") die "--fresh: refusing to wipe $NEO4J_DATA" ;;
  esac
  log "wiping $NEO4J_DATA"
  find "$NEO4J_DATA" -mindepth 1 -delete
fi

mkdir -p "$NEO4J_DATA/logs"
rm -f "$PIDFILE"

jvm_opts=(
  -Xms256m "-Xmx$HEAP"
  -XX:+UseG1GC
  -XX:+ExitOnOutOfMemoryError
  -XX:-OmitStackTraceInFastThrow
  -XX:+UnlockExperimentalVMOptions -XX:+TrustFinalNonStaticFields
  -XX:+DisableExplicitGC
  -Djdk.nio.maxCachedBufferSize=1024
  -Dio.netty.tryReflectionSetAccessible=true
  -Dlog4j2.disable.jmx=true
  --add-opens=java.base/java.nio=ALL-UNNAMED
  --add-opens=java.base/java.io=ALL-UNNAMED
  --add-opens=java.base/sun.nio.ch=ALL-UNNAMED
)
if [[ -n ${NEO4J_JAVA_OPTS:-} ]]; then
  # shellcheck disable=SC2206 # word splitting of user options is intended
  jvm_opts+=($NEO4J_JAVA_OPTS)
fi

log "starting Neo4j $(neo4j_version) on $URI (data $NEO4J_DATA)"
# setsid: own session, so Ctrl-C in the calling terminal does not reach it;
# env --default-signal: a background job of a script starts with SIGINT and
# SIGQUIT ignored, and the JVM would keep them ignored (then `kill -INT` would
# not stop it, nor `kill -QUIT` print a thread dump);
# 9>&- : the child must not inherit the start lock.
setsid env --default-signal=INT,QUIT "$JAVA" "${jvm_opts[@]}" -cp "$TARGET/neo4j-server.jar:$TARGET/lib/*" \
  "$NEO4J_MAIN_CLASS" --data "$NEO4J_DATA" --port "$NEO4J_PORT" --pagecache "$PAGECACHE" \
  </dev/null >"$CONSOLE" 2>&1 9>&- &
pid=$!
echo "$pid" >"$PIDFILE"

show_logs() {
  {
    echo "---- last lines of $CONSOLE ----"
    tail -n 40 "$CONSOLE" 2>/dev/null || true
    if [[ -f $NEO4J_DATA/logs/debug.log ]]; then
      echo "---- last lines of $NEO4J_DATA/logs/debug.log ----"
      tail -n 40 "$NEO4J_DATA/logs/debug.log" || true
    fi
  } >&2
}

deadline=$((SECONDS + TIMEOUT))
while :; do
  if grep -q "^neo4j ready $URI\$" "$CONSOLE" 2>/dev/null && port_open "$NEO4J_PORT"; then
    break
  fi
  if ! alive "$pid"; then
    rm -f "$PIDFILE"
    show_logs
    die "Neo4j exited during startup (see $NEO4J_DATA/logs/)"
  fi
  if ((SECONDS >= deadline)); then
    show_logs
    log "not ready after ${TIMEOUT}s; stopping pid $pid"
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do
      alive "$pid" || break
      sleep 0.2
    done
    if alive "$pid"; then
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$PIDFILE"
    die "Neo4j did not become ready within ${TIMEOUT}s"
  fi
  sleep 0.2
done

log "ready: $URI (pid $pid, logs $NEO4J_DATA/logs/); auth disabled"
print_env
