#!/usr/bin/env bash
# Regenerates the GraphQL server code from schema/*.graphqls with gqlgen.
#   scripts/generate.sh          regenerate
#   scripts/generate.sh --check  regenerate and fail if anything changed (CI)
set -euo pipefail
cd "$(dirname "$0")/.."

generated=(resolvers/generated/exec.go resolvers/model/models_gen.go resolvers/*.resolvers.go)
snapshot() { cat "${generated[@]}" 2>/dev/null | sha256sum; }

case "${1:-}" in
  -h|--help) sed -n '2,4p' "$0" | sed 's/^# //'; exit 0 ;;
esac
before=$(snapshot)
go tool gqlgen generate
if [[ "${1:-}" == "--check" ]]; then
  if [[ "$(snapshot)" != "$before" ]]; then
    echo "generated GraphQL code was stale: run scripts/generate.sh (make generate) and commit the result" >&2
    git --no-pager diff --stat -- resolvers/ 2>/dev/null || true
    exit 1
  fi
  echo "generated GraphQL code is up to date"
fi
