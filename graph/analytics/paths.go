package analytics

import (
	"gonum.org/v1/gonum/graph/traverse"

	"govhub/graph"
)

// ShortestPaths returns all shortest paths between from and to, as node id
// sequences from..to, over the undirected simple graph of sg (edges of any
// type, in either direction; see the package documentation). It returns at
// most limit paths (limit <= 0 means 50), the first ones in lexicographic
// order of their ids, and only when the shortest paths have at most maxHops
// hops (maxHops <= 0 means no bound). It returns nil when from or to is not a
// node of sg, when they are not connected, or when the shortest paths are
// longer than maxHops. When from equals to the one path is [from].
//
// A gonum breadth-first walk from to gives every node's distance to it; the
// paths are then enumerated depth-first from from, taking the neighbours in id
// order and only steps that bring the walk one hop closer, so they come out
// in order and the enumeration stops at limit however many paths exist.
func ShortestPaths(sg graph.Subgraph, from, to string, maxHops, limit int) [][]string {
	if limit <= 0 {
		limit = defaultPathCap
	}
	g := newSimpleGraph(sg)
	s, ok1 := g.index[from]
	t, ok2 := g.index[to]
	if !ok1 || !ok2 {
		return nil
	}
	if s == t {
		return [][]string{{from}}
	}
	dist := make([]int, len(g.ids))
	var bf traverse.BreadthFirst
	distances(g, &bf, t, dist)
	if dist[s] < 0 || maxHops > 0 && dist[s] > maxHops {
		return nil
	}
	var out [][]string
	path := make([]int, 0, dist[s]+1)
	var walk func(u int) bool // reports whether the limit is reached
	walk = func(u int) bool {
		path = append(path, u)
		defer func() { path = path[:len(path)-1] }()
		if u == t {
			ids := make([]string, len(path))
			for i, x := range path {
				ids[i] = g.ids[x]
			}
			out = append(out, ids)
			return len(out) >= limit
		}
		for _, v := range g.adj[u] {
			if dist[v] == dist[u]-1 && walk(v) {
				return true
			}
		}
		return false
	}
	walk(s)
	return out
}
