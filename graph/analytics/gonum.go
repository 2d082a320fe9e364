package analytics

import (
	"math"
	"slices"
	"sort"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/iterator"
	"gonum.org/v1/gonum/graph/simple"

	"govhub/graph"
)

// simpleGraph is the undirected simple graph a Subgraph is analysed as: one
// node per distinct node id, numbered 0..n-1 in id order, and one edge per
// pair of distinct nodes joined by at least one edge in either direction,
// weighted by the sum of the strengths of those edges. Neighbour lists are
// sorted, so every gonum algorithm walks it in the same order on every run:
// results do not depend on map iteration order.
//
// It is seen by gonum through three views: hops (unweighted, for traversals,
// shortest paths and betweenness, which count hops), weighted (undirected
// with strengths, for communities and modularity) and both (each edge in both
// directions with strengths, for PageRank).
type simpleGraph struct {
	ids   []string       // node index -> id, sorted
	nodes []graph.Node   // node index -> node
	index map[string]int // id -> node index
	adj   [][]int        // sorted neighbour indices
	wt    [][]float64    // wt[u][i] is the weight of the edge u - adj[u][i]
	edges int            // distinct adjacent pairs
	nbrs  [][]gonum.Node // the gonum nodes of adj
}

// strength returns the weight an edge contributes: its "strength" property,
// or 1 when it is absent or not a finite non-negative number.
func strength(e graph.Edge) float64 {
	var f float64
	switch v := e.Props[graph.Strength.Name].(type) {
	case float64:
		f = v
	case int64:
		f = float64(v)
	case interface{ Float64() (float64, error) }: // json.Number
		x, err := v.Float64()
		if err != nil {
			return 1
		}
		f = x
	default:
		return 1
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || f < 0 {
		return 1
	}
	return f
}

// newSimpleGraph builds the simple graph of sg. Edges with an end that is not
// among sg.Nodes and self-loops are left out.
func newSimpleGraph(sg graph.Subgraph) *simpleGraph {
	byID := make(map[string]graph.Node, len(sg.Nodes))
	for _, n := range sg.Nodes {
		if _, ok := byID[n.ID]; !ok {
			byID[n.ID] = n
		}
	}
	g := &simpleGraph{ids: make([]string, 0, len(byID)), index: make(map[string]int, len(byID))}
	for id := range byID {
		g.ids = append(g.ids, id)
	}
	sort.Strings(g.ids)
	g.nodes = make([]graph.Node, len(g.ids))
	for i, id := range g.ids {
		g.index[id] = i
		g.nodes[i] = byID[id]
	}
	type pair struct{ u, v int }
	weights := map[pair]float64{}
	for _, e := range sg.Edges {
		u, ok1 := g.index[e.From]
		v, ok2 := g.index[e.To]
		if !ok1 || !ok2 || u == v {
			continue
		}
		if u > v {
			u, v = v, u
		}
		weights[pair{u, v}] += strength(e)
	}
	g.adj = make([][]int, len(g.ids))
	g.wt = make([][]float64, len(g.ids))
	for p := range weights {
		g.adj[p.u] = append(g.adj[p.u], p.v)
		g.adj[p.v] = append(g.adj[p.v], p.u)
	}
	for u := range g.adj {
		slices.Sort(g.adj[u])
		g.wt[u] = make([]float64, len(g.adj[u]))
		for i, v := range g.adj[u] {
			a, b := u, v
			if a > b {
				a, b = b, a
			}
			g.wt[u][i] = weights[pair{a, b}]
		}
	}
	g.edges = len(weights)
	all := make([]gonum.Node, len(g.ids))
	for i := range all {
		all[i] = simple.Node(i)
	}
	g.nbrs = make([][]gonum.Node, len(g.ids))
	for u, nb := range g.adj {
		g.nbrs[u] = make([]gonum.Node, len(nb))
		for i, v := range nb {
			g.nbrs[u][i] = all[v]
		}
	}
	return g
}

func (g *simpleGraph) has(id int64) bool { return id >= 0 && id < int64(len(g.ids)) }

// pos returns the position of v in u's neighbour list, or -1.
func (g *simpleGraph) pos(u, v int64) int {
	if !g.has(u) || !g.has(v) {
		return -1
	}
	nb := g.adj[u]
	i, ok := slices.BinarySearch(nb, int(v))
	if !ok {
		return -1
	}
	return i
}

// weight returns the weight of the edge u - v, or 0 when there is none.
func (g *simpleGraph) weight(u, v int) float64 {
	if i := g.pos(int64(u), int64(v)); i >= 0 {
		return g.wt[u][i]
	}
	return 0
}

func (g *simpleGraph) allNodes() gonum.Nodes {
	ns := make([]gonum.Node, len(g.ids))
	for i := range ns {
		ns[i] = simple.Node(i)
	}
	return iterator.NewOrderedNodes(ns)
}

// from returns the neighbours of id, in order. The gonum nodes of each
// neighbour list are made once, by newSimpleGraph, and shared by every call
// (concurrent ones too: nothing writes them after): the iterator
// returned does not hand out the slice (it is no gonum NodeSlicer), so no
// algorithm can change it.
func (g *simpleGraph) from(id int64) gonum.Nodes {
	if !g.has(id) || len(g.adj[id]) == 0 {
		return gonum.Empty
	}
	return &nodeIter{nodes: g.nbrs[id], i: -1}
}

// nodeIter iterates over a shared slice of nodes.
type nodeIter struct {
	nodes []gonum.Node
	i     int
}

func (it *nodeIter) Len() int {
	if it.i >= len(it.nodes) {
		return 0
	}
	return len(it.nodes) - it.i - 1
}

func (it *nodeIter) Next() bool {
	if it.i+1 < len(it.nodes) {
		it.i++
		return true
	}
	it.i = len(it.nodes)
	return false
}

func (it *nodeIter) Node() gonum.Node {
	if it.i < 0 || it.i >= len(it.nodes) {
		return nil
	}
	return it.nodes[it.i]
}

func (it *nodeIter) Reset() { it.i = -1 }

// hops is the unweighted undirected view: every edge counts one hop.
type hops struct{ g *simpleGraph }

var _ gonum.Undirected = hops{}

func (h hops) Node(id int64) gonum.Node {
	if !h.g.has(id) {
		return nil
	}
	return simple.Node(id)
}
func (h hops) Nodes() gonum.Nodes                { return h.g.allNodes() }
func (h hops) From(id int64) gonum.Nodes         { return h.g.from(id) }
func (h hops) HasEdgeBetween(x, y int64) bool    { return h.g.pos(x, y) >= 0 }
func (h hops) EdgeBetween(x, y int64) gonum.Edge { return h.Edge(x, y) }
func (h hops) Edge(u, v int64) gonum.Edge {
	if h.g.pos(u, v) < 0 {
		return nil
	}
	return simple.Edge{F: simple.Node(u), T: simple.Node(v)}
}

// weighted is the undirected view weighted by strengths.
type weighted struct{ hops }

var _ gonum.WeightedUndirected = weighted{}

func (w weighted) Edge(u, v int64) gonum.Edge { return w.WeightedEdge(u, v) }
func (w weighted) EdgeBetween(x, y int64) gonum.Edge {
	return w.WeightedEdge(x, y)
}
func (w weighted) WeightedEdgeBetween(x, y int64) gonum.WeightedEdge {
	return w.WeightedEdge(x, y)
}
func (w weighted) WeightedEdge(u, v int64) gonum.WeightedEdge {
	i := w.g.pos(u, v)
	if i < 0 {
		return nil
	}
	return simple.WeightedEdge{F: simple.Node(u), T: simple.Node(v), W: w.g.wt[u][i]}
}

// Weight returns the weight of the edge x - y; a node's weight with itself is
// 0 (self-loops are left out).
func (w weighted) Weight(x, y int64) (float64, bool) {
	if x == y {
		return 0, w.g.has(x)
	}
	i := w.g.pos(x, y)
	if i < 0 {
		return 0, false
	}
	return w.g.wt[x][i], true
}

// both is the directed view with each edge in both directions, weighted.
type both struct{ weighted }

var _ gonum.WeightedDirected = both{}

func (b both) HasEdgeFromTo(u, v int64) bool { return b.g.pos(u, v) >= 0 }
func (b both) To(id int64) gonum.Nodes       { return b.g.from(id) }
