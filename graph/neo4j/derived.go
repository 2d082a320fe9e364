package neo4j

import (
	"encoding/hex"
	"strings"

	"govhub/graph"
)

// Derived properties. Two properties of every node are computed in Go when the
// node is written, so that Neo4j answers exactly as graph.Less and the
// embedded store do:
//
//   - sortKey orders lists. Neo4j compares strings by UTF-16 code units, Go by
//     bytes of UTF-8 (code points): the two disagree on characters from U+E000
//     to U+FFFF against characters above U+FFFF (an emoji sorts before U+FF01
//     in Neo4j, after it in Go). sortKey is the hex of the UTF-8 bytes of the
//     sort value, a space, and the hex of the id: plain ASCII, whose order is
//     the byte order of (sort value, id), and one indexed property to seek
//     cursors on.
//   - searchText is the label's Search properties (list items one by one),
//     lower-cased by Go's strings.ToLower and joined by NUL, which no
//     property value contains. Free-text search is a CONTAINS on it, with the
//     search text lower-cased the same way: Cypher's toLower is Java's, which
//     differs from Go's on a few characters (final sigma, dotted capital I).
//
// Both are rewritten on every write of the node. A change of a label's SortBy
// or Search in graph/schema.go needs a migration that rewrites them
// (see refreshDerived).
const (
	propSortKey    = "sortKey"
	propSearchText = "searchText"
)

// searchSep separates the values in searchText.
const searchSep = "\x00"

// sortKey returns the sortKey of a sort value and id.
func sortKey(sort, id string) string {
	return hex.EncodeToString([]byte(sort)) + " " + hex.EncodeToString([]byte(id))
}

// searchText returns the searchText of a node.
func searchText(n graph.Node) string {
	t := graph.TypeOf(n.Label)
	if t == nil {
		return ""
	}
	var parts []string
	for _, key := range t.Search {
		switch v := n.Props[key].(type) {
		case string:
			parts = append(parts, strings.ToLower(v))
		case []string:
			for _, item := range v {
				parts = append(parts, strings.ToLower(item))
			}
		}
	}
	return strings.Join(parts, searchSep)
}
