package embedded

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"govhub/graph"
)

// Bounds of the list cache: past either, it is emptied.
const (
	maxCachedLists = 256
	maxCachedNodes = 1 << 20
)

// listCache keeps the full, ordered result of recent list queries (without
// their paging), so that asking again for a count or for the next page does
// not filter the label again. Every applied write moves the store to a new
// generation, which empties the cache at its next use.
type listCache struct {
	mu      sync.Mutex
	gen     uint64
	entries map[string][]*graph.Node
	nodes   int
}

// get returns the matches cached for key in generation gen.
func (c *listCache) get(gen uint64, key string) ([]*graph.Node, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return nil, false
	}
	m, ok := c.entries[key]
	return m, ok
}

// put caches the matches of key in generation gen. The slice is never
// modified afterwards.
func (c *listCache) put(gen uint64, key string, matches []*graph.Node) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen || c.entries == nil || len(c.entries) >= maxCachedLists || c.nodes+len(matches) > maxCachedNodes {
		c.gen = gen
		c.entries = map[string][]*graph.Node{}
		c.nodes = 0
	}
	c.entries[key] = matches
	c.nodes += len(matches)
}

// listKey is the identity of a list query without its paging: two queries
// with the same key match the same nodes. Strings are quoted and values
// carry their Go types, so distinct queries never share a key. An Only
// restriction, which may hold thousands of ids, enters as the SHA-256 of
// its set of ids (sorted, without repeats, each prefixed by its length), so
// the same set in any order is the same key and the key stays short.
func listKey(q graph.ListQuery) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%q %q %q %t", q.Label, strings.ToLower(q.Search), q.Territory, q.IncludeArchived)
	for _, f := range q.Where {
		fmt.Fprintf(&b, " where %q %d", f.Key, f.Op)
		for _, v := range f.Values {
			fmt.Fprintf(&b, " %T %#v", v, v)
		}
	}
	for _, r := range q.Related {
		fmt.Fprintf(&b, " related %q %d %t", r.Type, r.Dir, r.Transitive)
		for _, id := range r.IDs {
			fmt.Fprintf(&b, " %q", id)
		}
	}
	if q.Only != nil {
		fmt.Fprintf(&b, " only %x", onlyDigest(q.Only))
	}
	return b.String()
}

// onlyDigest is the SHA-256 of the set of ids: sorted, without repeats, each
// prefixed by its length.
func onlyDigest(only []string) [sha256.Size]byte {
	ids := slices.Clone(only)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, id := range ids {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(id)))])
		h.Write([]byte(id))
	}
	var sum [sha256.Size]byte
	h.Sum(sum[:0])
	return sum
}

// cursorOf is graph.CursorOf without encoding/json for the common case of
// strings that JSON writes as they are; it returns exactly what
// graph.CursorOf returns.
func cursorOf(n *graph.Node) string {
	sv := graph.SortValue(*n)
	if !jsonVerbatim(sv) || !jsonVerbatim(n.ID) {
		return graph.CursorOf(*n)
	}
	buf := make([]byte, 0, len(sv)+len(n.ID)+14)
	buf = append(buf, `{"s":"`...)
	buf = append(buf, sv...)
	buf = append(buf, `","i":"`...)
	buf = append(buf, n.ID...)
	buf = append(buf, `"}`...)
	return base64.RawURLEncoding.EncodeToString(buf)
}

// jsonVerbatim reports whether encoding/json writes s between its quotes
// unchanged: valid UTF-8 without control characters, quotes, backslashes,
// the HTML characters <, >, & and the separators U+2028 and U+2029.
func jsonVerbatim(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' || c == '<' || c == '>' || c == '&' {
				return false
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
			return false
		}
		i += size - 1
	}
	return true
}
