// Package analytics computes network metrics, communities and paths over a
// graph.Subgraph, and answers domain questions (service coverage gaps,
// referral chains) through the graph.Store interface. Everything runs in Go
// over what either store returns, so both stores give the same answers; it
// depends on no database plugin (Neo4j Community has no Graph Data Science).
//
// # The graph that is analysed
//
// Analyze, ShortestPaths and the community search see a Subgraph as an
// undirected simple graph: its nodes (a repeated id counts once), and one
// edge between two distinct nodes when at least one edge of any type joins
// them in either direction. Parallel edges collapse into that one edge, whose
// weight is the sum of their strengths (the optional "strength" property,
// graph.Strength; 1 when absent or not a finite non-negative number).
// Self-loops and edges with an end outside the Subgraph's nodes are ignored.
// Node order is the order of ids, so every result is the same on every run.
//
// Weights are used where the intensity of a tie matters: WeightedDegree,
// PageRank, Eigenvector, Constraint, the communities and their Modularity.
// Distance-based measures count hops and ignore weights: Betweenness,
// Closeness, AveragePathLength, Diameter, ShortestPaths. Degree counts,
// Brokerage, Bridges, Components and Density ignore weights too. Without any
// strength property every weighted measure equals its unweighted form.
//
// # Definitions, aligned with networkx 3.6
//
// Every value below was checked against networkx (see testdata/gen.py and
// testdata/expected.json); n is the number of nodes.
//
//   - Degree, InDegree, OutDegree: edges of the Subgraph as stored (not
//     collapsed), by direction; a self-loop counts once in and once out.
//     WeightedDegree sums their strengths the same way.
//   - Betweenness: nx.betweenness_centrality(G, normalized=True), unweighted:
//     the sum over unordered pairs s,t of the share of shortest s-t paths
//     through the node, divided by (n-1)(n-2)/2; 0 when n <= 2. Computed with
//     gonum network.Betweenness.
//   - Closeness: nx.closeness_centrality(G, wf_improved=True), unweighted:
//     with r the nodes reachable from v (v included) and s the sum of their
//     distances, (r-1)/s * (r-1)/(n-1); 0 for an isolate.
//   - Eigenvector: nx.eigenvector_centrality(G, weight="weight"): the power
//     iteration of networkx (on A+I, from the uniform vector, normalised to
//     Euclidean norm 1 over all nodes, so not max-normalised), run until the
//     L1 change is below n·1e-12, at most 10,000 iterations; every node 0 when
//     it does not converge. On a disconnected graph the component with the
//     largest eigenvalue takes the weight, as in networkx.
//   - PageRank: nx.pagerank(G, alpha=0.85, weight="weight") on the graph with
//     each edge in both directions; a node without weighted edges spreads its
//     rank uniformly. Computed with gonum network.PageRankSparse (which starts
//     from a random vector, so values may differ between runs below 1e-10)
//     and rescaled to sum exactly 1.
//   - Brokerage: the pairs of the node's neighbours that are not adjacent to
//     each other: the open triads it sits in the middle of.
//   - Constraint: nx.constraint(G, weight="weight"), Burt's constraint:
//     with p(i,j) the weight of i-j over the total weight of i's edges,
//     the sum over neighbours j of (p(i,j) + sum over neighbours q of
//     p(i,q)p(q,j))². 0 for an isolate (networkx says NaN) and when all the
//     node's edges weigh 0.
//   - Bridges: the number of distinct Network nodes, other than the node
//     itself, that are a neighbour of the node or that a neighbouring
//     Organization is PARTNER_IN by an edge of the Subgraph. An
//     organisation partner in two networks, or a governance body whose members
//     sit in several networks, bridges them. High Brokerage, low Constraint
//     and Bridges above 1 together point at who joins otherwise unconnected
//     partners or networks.
//   - Communities: gonum community.Modularize (Louvain) on the weighted graph
//     at Options.Resolution with a random source seeded from Options.Seed;
//     every isolate is a community of its own. Ids are 0-based in the order of
//     size descending, then label, then label node id. Modularity is gonum
//     community.Q of that partition at the same resolution (networkx
//     modularity(G, communities, weight="weight", resolution=γ)); 0 when the
//     graph has no edge weight.
//   - Summary: Edges is the number of distinct adjacent pairs (what the
//     metrics see; len(Subgraph.Edges) is the stored count); Components
//     counts connected components, isolates included; Density is
//     2·Edges/(n(n-1)), 0 when n < 2; AveragePathLength is the mean
//     shortest-path length over the ordered pairs of distinct nodes joined by
//     a path (on a connected graph nx.average_shortest_path_length; on a
//     disconnected one the mean over all its components' pairs together, not
//     a mean of per-component means), 0 when there is none; Diameter is the
//     longest of those shortest paths (the largest nx.diameter of a
//     component), 0 without edges.
package analytics

import (
	"cmp"
	"math"
	"math/rand/v2"
	"slices"
	"sync"

	gonum "gonum.org/v1/gonum/graph"
	"gonum.org/v1/gonum/graph/community"
	"gonum.org/v1/gonum/graph/network"
	"gonum.org/v1/gonum/graph/simple"
	"gonum.org/v1/gonum/graph/topo"
	"gonum.org/v1/gonum/graph/traverse"

	"govhub/graph"
)

// Options tune Analyze.
type Options struct {
	Resolution float64 // Louvain resolution; 0 (or any value <= 0) means 1
	Seed       int64   // seed for the community search, so results are repeatable; 0 means DefaultSeed
}

// DefaultSeed seeds the community search when Options.Seed is 0.
const DefaultSeed = 1

// Metrics are the measures of one node. See the package documentation for
// their precise definitions.
type Metrics struct {
	Degree, InDegree, OutDegree int     // over the subgraph's edges (direction as stored)
	WeightedDegree              float64 // sum of edge "strength" props, 1 when absent
	Betweenness                 float64 // undirected, normalised to [0,1] like networkx (normalized=True)
	Closeness                   float64 // undirected, Wasserman-Faust variant like networkx closeness_centrality(wf_improved=True)
	Eigenvector                 float64 // undirected, weighted, Euclidean norm 1 over all nodes as networkx; 0 where it does not converge
	PageRank                    float64 // undirected (each edge both ways), weighted, damping 0.85, sums to 1
	Brokerage                   int     // pairs of the node's neighbours that are not adjacent to each other
	Constraint                  float64 // Burt's constraint (networkx nx.constraint, weighted), 0 for isolates
	Bridges                     int     // distinct networks the node connects (see the package documentation)
	Community                   int     // id of its community, 0-based, communities ordered by size desc then label
}

// Community is a group of nodes found by the community search.
type Community struct {
	ID          int
	Label       string // graph.Caption of its best-connected member (most neighbours inside the community; ties by caption then id)
	LabelNodeID string
	Members     []string // node ids, sorted
}

// Summary describes the whole subgraph.
type Summary struct {
	Nodes, Edges, Components int
	Density                  float64 // undirected simple-graph density 2E/(N(N-1))
	AveragePathLength        float64 // mean shortest-path length over ordered pairs joined by a path
	Diameter                 int     // longest shortest path within a component
	Modularity               float64 // of the community partition found, at the resolution used
}

// Result is what Analyze finds.
type Result struct {
	Nodes       map[string]Metrics // by node id, one per node of the subgraph
	Communities []Community
	Summary     Summary
}

// Algorithm constants.
const (
	damping        = 0.85
	pageRankTol    = 1e-12 // 2-norm of the change between PageRank iterations
	eigenTol       = 1e-12 // per node, L1 change between power iterations
	eigenMaxIter   = 10000
	defaultPathCap = 50
)

// Analyze computes the metrics of every node, the communities and a summary
// of sg. It does not modify sg. Its cost is dominated by one breadth-first
// search per node for distances and Brandes' betweenness (gonum's, which
// runs in a goroutine of its own): O(n·(n+m)) time for n nodes and m edges.
// A few seconds for 2,000 nodes and 6,000 edges: callers should bound the
// subgraphs they analyse.
func Analyze(sg graph.Subgraph, opt Options) Result {
	g := newSimpleGraph(sg)
	n := len(g.ids)
	m := make([]Metrics, n)

	// Degrees over the edges as stored.
	for _, e := range sg.Edges {
		u, ok1 := g.index[e.From]
		v, ok2 := g.index[e.To]
		if !ok1 || !ok2 {
			continue
		}
		s := strength(e)
		m[u].OutDegree++
		m[v].InDegree++
		m[u].WeightedDegree += s
		m[v].WeightedDegree += s
	}
	for i := range m {
		m[i].Degree = m[i].InDegree + m[i].OutDegree
	}

	h := hops{g}
	// Betweenness, the costliest measure, runs alongside the others; it
	// writes only the Betweenness fields. gonum sums over ordered pairs,
	// networkx's undirected normalisation divides the unordered sum by
	// (n-1)(n-2)/2.
	var wg sync.WaitGroup
	if n > 2 {
		wg.Go(func() {
			scale := 1 / float64((n-1)*(n-2))
			for id, b := range network.Betweenness(h) {
				m[id].Betweenness = b * scale
			}
		})
	}

	sum := distanceMeasures(g, m)

	if x, ok := eigenvector(g); ok {
		for i := range m {
			m[i].Eigenvector = x[i]
		}
	}

	if n > 0 {
		pr := network.PageRankSparse(both{weighted{h}}, damping, pageRankTol)
		var total float64
		for _, r := range pr {
			total += r
		}
		for id, r := range pr {
			m[id].PageRank = r / total
		}
	}

	brokerage(g, m)
	constraint(g, m)
	bridges(g, sg.Edges, m)

	comms, q := communities(g, opt)
	wg.Wait()
	for _, c := range comms {
		for _, id := range c.Members {
			m[g.index[id]].Community = c.ID
		}
	}

	sum.Nodes = n
	sum.Edges = g.edges
	sum.Components = len(topo.ConnectedComponents(h))
	if n > 1 {
		sum.Density = 2 * float64(g.edges) / float64(n*(n-1))
	}
	sum.Modularity = q

	res := Result{Nodes: make(map[string]Metrics, n), Communities: comms, Summary: sum}
	for i, id := range g.ids {
		res.Nodes[id] = m[i]
	}
	return res
}

// distances fills dist with the hop distance of every node from src (-1 when
// unreachable), by a gonum breadth-first walk.
func distances(g *simpleGraph, bf *traverse.BreadthFirst, src int, dist []int) {
	for i := range dist {
		dist[i] = -1
	}
	bf.Reset()
	bf.Walk(hops{g}, simple.Node(src), func(n gonum.Node, d int) bool {
		dist[n.ID()] = d
		return false
	})
}

// distanceMeasures sets Closeness and returns the summary's
// AveragePathLength and Diameter, from one breadth-first search per node.
func distanceMeasures(g *simpleGraph, m []Metrics) Summary {
	n := len(g.ids)
	var (
		bf     traverse.BreadthFirst
		dist   = make([]int, n)
		total  float64 // sum of the distances of connected ordered pairs
		pairs  float64 // connected ordered pairs
		s      Summary
		maxHop int
	)
	for u := range n {
		if len(g.adj[u]) == 0 {
			continue // an isolate: closeness 0, no pairs
		}
		distances(g, &bf, u, dist)
		reached, sum := 0, 0
		for _, d := range dist {
			if d >= 0 {
				reached++
				sum += d
				maxHop = max(maxHop, d)
			}
		}
		if sum > 0 && n > 1 {
			r := float64(reached - 1)
			m[u].Closeness = r / float64(sum) * r / float64(n-1)
		}
		total += float64(sum)
		pairs += float64(reached - 1)
	}
	if pairs > 0 {
		s.AveragePathLength = total / pairs
	}
	s.Diameter = maxHop
	return s
}

// eigenvector runs networkx's power iteration for eigenvector centrality on
// the weighted graph: x <- (A+I)x, normalised to Euclidean norm 1, from the
// uniform vector, until the L1 change is below n·eigenTol. gonum has no
// eigenvector centrality (its HITS differs on bipartite graphs, which
// partnership graphs often are, and a dense eigendecomposition costs O(n³)).
func eigenvector(g *simpleGraph) ([]float64, bool) {
	n := len(g.ids)
	if n == 0 {
		return nil, false
	}
	x := make([]float64, n)
	last := make([]float64, n)
	for i := range x {
		x[i] = 1 / float64(n)
	}
	for range eigenMaxIter {
		copy(last, x)
		for u, nb := range g.adj {
			for i, v := range nb {
				x[v] += last[u] * g.wt[u][i]
			}
		}
		var norm float64
		for _, v := range x {
			norm += v * v
		}
		norm = math.Sqrt(norm)
		if norm == 0 {
			norm = 1
		}
		var change float64
		for i := range x {
			x[i] /= norm
			change += math.Abs(x[i] - last[i])
		}
		if change < float64(n)*eigenTol {
			return x, true
		}
	}
	return nil, false
}

// brokerage counts, for each node, the pairs of its neighbours that are not
// adjacent: k(k-1)/2 minus the edges among its neighbours.
func brokerage(g *simpleGraph, m []Metrics) {
	mark := make([]int, len(g.ids)) // mark[v] == u+1 when v is a neighbour of u
	for u, nb := range g.adj {
		k := len(nb)
		if k < 2 {
			continue
		}
		for _, v := range nb {
			mark[v] = u + 1
		}
		links := 0
		for _, a := range nb {
			for _, b := range g.adj[a] {
				if b > a && mark[b] == u+1 {
					links++
				}
			}
		}
		m[u].Brokerage = k*(k-1)/2 - links
	}
}

// constraint computes Burt's constraint as nx.constraint(G, weight=...).
func constraint(g *simpleGraph, m []Metrics) {
	n := len(g.ids)
	total := make([]float64, n) // total weight of each node's edges
	for u := range g.adj {
		for _, w := range g.wt[u] {
			total[u] += w
		}
	}
	p := func(i, j int) float64 { // normalised mutual weight of i - j
		if total[i] == 0 {
			return 0
		}
		return g.weight(i, j) / total[i]
	}
	for u, nb := range g.adj {
		if total[u] == 0 {
			continue
		}
		var c float64
		for _, v := range nb {
			direct := p(u, v)
			var indirect float64
			for _, q := range nb {
				if q != v {
					indirect += p(u, q) * p(q, v)
				}
			}
			c += (direct + indirect) * (direct + indirect)
		}
		m[u].Constraint = c
	}
}

// bridges counts, for each node, the distinct Network nodes other than
// itself among its neighbours and among the networks its Organization
// neighbours are PARTNER_IN (by edges of the subgraph).
func bridges(g *simpleGraph, edges []graph.Edge, m []Metrics) {
	partnerIn := map[int][]int{} // organisation -> networks
	for _, e := range edges {
		if e.Type != graph.PartnerIn {
			continue
		}
		o, ok1 := g.index[e.From]
		nw, ok2 := g.index[e.To]
		if ok1 && ok2 && o != nw && g.nodes[o].Label == graph.Organization && g.nodes[nw].Label == graph.Network {
			partnerIn[o] = append(partnerIn[o], nw)
		}
	}
	seen := make([]int, len(g.ids)) // seen[net] == u+1 when counted for u
	for u, nb := range g.adj {
		count := 0
		add := func(nw int) {
			if nw != u && seen[nw] != u+1 {
				seen[nw] = u + 1
				count++
			}
		}
		for _, v := range nb {
			switch g.nodes[v].Label {
			case graph.Network:
				add(v)
			case graph.Organization:
				for _, nw := range partnerIn[v] {
					add(nw)
				}
			}
		}
		m[u].Bridges = count
	}
}

// communities runs Louvain and returns the communities in id order with the
// modularity of the partition.
func communities(g *simpleGraph, opt Options) ([]Community, float64) {
	n := len(g.ids)
	out := []Community{}
	if n == 0 {
		return out, 0
	}
	resolution := opt.Resolution
	if resolution <= 0 {
		resolution = 1
	}
	seed := opt.Seed
	if seed == 0 {
		seed = DefaultSeed
	}
	w := weighted{hops{g}}
	src := rand.NewPCG(uint64(seed), 0x9e3779b97f4a7c15)
	found := community.Modularize(w, resolution, src).Communities()

	member := make([]int, n) // node -> index in found
	for i, c := range found {
		for _, x := range c {
			member[x.ID()] = i
		}
	}
	for i, c := range found {
		if len(c) == 0 {
			continue
		}
		best, bestDeg := -1, -1
		var bestCap string
		members := make([]string, 0, len(c))
		for _, x := range c {
			u := int(x.ID())
			members = append(members, g.ids[u])
			deg := 0
			for _, v := range g.adj[u] {
				if member[v] == i {
					deg++
				}
			}
			cp := graph.Caption(g.nodes[u])
			if deg > bestDeg || deg == bestDeg && (cp < bestCap || cp == bestCap && g.ids[u] < g.ids[best]) {
				best, bestDeg, bestCap = u, deg, cp
			}
		}
		slices.Sort(members)
		out = append(out, Community{Label: bestCap, LabelNodeID: g.ids[best], Members: members})
	}
	slices.SortFunc(out, func(a, b Community) int {
		return cmp.Or(
			cmp.Compare(len(b.Members), len(a.Members)),
			cmp.Compare(a.Label, b.Label),
			cmp.Compare(a.LabelNodeID, b.LabelNodeID),
		)
	})
	groups := make([][]int, len(out))
	for i := range out {
		out[i].ID = i
		for _, id := range out[i].Members {
			groups[i] = append(groups[i], g.index[id])
		}
	}
	// Computed on the ordered communities, so the same partition always
	// gives the same value to the last bit.
	return out, modularity(g, groups, resolution)
}

// modularity returns gonum's modularity Q of the partition of g into groups
// of node indices, on the weighted graph; 0 when no edge has weight.
func modularity(g *simpleGraph, groups [][]int, resolution float64) float64 {
	var total float64
	for u := range g.wt {
		for _, x := range g.wt[u] {
			total += x
		}
	}
	if total == 0 {
		return 0
	}
	comms := make([][]gonum.Node, len(groups))
	for i, grp := range groups {
		for _, u := range grp {
			comms[i] = append(comms[i], simple.Node(u))
		}
	}
	return community.Q(weighted{hops{g}}, comms, resolution)
}
