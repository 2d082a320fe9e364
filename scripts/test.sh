#!/usr/bin/env bash
# Runs every test of the hub: static checks, freshness of generated code, and
# `go test -race ./...` with a real Neo4j Community server started from
# tools/neo4j (so the Neo4j conformance suite and the end-to-end tests on
# Neo4j run and must pass; they fail, never skip, when Neo4j is missing).
#
#   scripts/test.sh              everything (what CI runs, via make test)
#   scripts/test.sh PKG...       only these packages, e.g. ./graph/...
#
# Environment: NEO4J_TEST_PORT (default 17687) is the bolt port of the test
# server; it is started with a throwaway data directory and stopped at exit.
set -euo pipefail
cd "$(dirname "$0")/.."

case "${1:-}" in
  -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
esac
pkgs=("$@")
[[ ${#pkgs[@]} -gt 0 ]] || pkgs=(./...)

step() { printf '\n== %s\n' "$*"; }

step "go vet"
go vet ./...

step "staticcheck"
go tool staticcheck ./...

step "gofmt"
unformatted=$(gofmt -l $(find . -name '*.go' -not -path './web-client/node_modules/*'))
if [[ -n "$unformatted" ]]; then
  echo "not gofmt-ed:" $unformatted >&2
  exit 1
fi

step "generated code"
scripts/generate.sh --check

step "XML schemas for the GraphML/GEXF validation tests (Maven Central, cached)"
HUB_XSD_DIR=$(graph/interchange/testdata/fetch-xsd.sh)
export HUB_XSD_DIR HUB_REQUIRE_XSD=1

step "starting Neo4j (tools/neo4j)"
port=${NEO4J_TEST_PORT:-17687}
neo4j_data=$(mktemp -d "${TMPDIR:-/tmp}/hub-neo4j-test.XXXXXX")
stop_neo4j() {
  NEO4J_PORT=$port NEO4J_DATA=$neo4j_data tools/neo4j/stop.sh >/dev/null 2>&1 || true
  rm -rf "$neo4j_data"
}
trap stop_neo4j EXIT
NEO4J_PORT=$port NEO4J_DATA=$neo4j_data tools/neo4j/start.sh
export NEO4J_URI=bolt://127.0.0.1:$port NEO4J_USER=neo4j NEO4J_PASSWORD=test HUB_REQUIRE_NEO4J=1

# Neo4j Community has a single database, and the packages that use it wipe
# it: they run one after the other; everything else runs in parallel.
neo4j_pkgs=(govhub/graph/neo4j govhub/graph/interchange govhub/e2e)
mapfile -t all < <(go list "${pkgs[@]}")
other=() serial=()
for p in "${all[@]}"; do
  if [[ " ${neo4j_pkgs[*]} " == *" $p "* ]]; then serial+=("$p"); else other+=("$p"); fi
done
if [[ ${#other[@]} -gt 0 ]]; then
  step "go test -race (packages without Neo4j)"
  go test -race -count=1 -timeout 20m "${other[@]}"
fi
if [[ ${#serial[@]} -gt 0 ]]; then
  step "go test -race -p 1 (packages on Neo4j: ${serial[*]})"
  go test -race -count=1 -p 1 -timeout 30m "${serial[@]}"
fi

if [[ " ${pkgs[*]} " == *" ./... "* ]]; then
  step "fuzzing, bounded (request decoding and validation; token verification)"
  go test -run='^$' -fuzz=FuzzGraphQLRequest -fuzztime="${FUZZTIME:-20s}" ./internal/server/
  go test -run='^$' -fuzz=FuzzVerify -fuzztime="${FUZZTIME:-20s}" ./internal/auth/
fi
