package analytics

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"govhub/graph"
)

// benchGraph generates a partnership-like graph of n nodes and m distinct
// edges: n/100 networks, each with 99 organisations; most edges join
// organisations of the same network (one in ten crosses networks), every
// organisation is PARTNER_IN its network, and every fifth edge has a strength.
func benchGraph(n, m int) graph.Subgraph {
	rng := rand.New(rand.NewPCG(1, 2))
	const size = 100
	groups := n / size
	var sg graph.Subgraph
	for i := range n {
		label := graph.Organization
		if i%size == 0 {
			label = graph.Network
		}
		sg.Nodes = append(sg.Nodes, graph.Node{ID: fmt.Sprintf("n%05d", i), Label: label, Props: graph.Props{"name": fmt.Sprintf("Node %d", i)}})
	}
	seen := map[[2]int]bool{}
	add := func(t graph.RelType, u, v int, p graph.Props) {
		if u == v || seen[[2]int{min(u, v), max(u, v)}] {
			return
		}
		seen[[2]int{min(u, v), max(u, v)}] = true
		sg.Edges = append(sg.Edges, graph.Edge{Type: t, From: sg.Nodes[u].ID, To: sg.Nodes[v].ID, Props: p})
	}
	for i := range n {
		if i%size != 0 {
			add(graph.PartnerIn, i, i-i%size, graph.Props{"role": "OPERATIONAL"})
		}
	}
	for len(sg.Edges) < m {
		g := rng.IntN(groups)
		u := g*size + rng.IntN(size)
		v := g*size + rng.IntN(size)
		if rng.IntN(10) == 0 {
			v = rng.IntN(n)
		}
		p := graph.Props{}
		if len(sg.Edges)%5 == 0 {
			p["strength"] = float64(1 + rng.IntN(5))
		}
		add(graph.SitsOn, u, v, p)
	}
	return sg
}

// BenchmarkAnalyze measures Analyze on the size the hub is sized for
// (2,000 nodes, 6,000 edges) and on a typical network view.
func BenchmarkAnalyze(b *testing.B) {
	for _, size := range []struct{ nodes, edges int }{{2000, 6000}, {300, 900}} {
		sg := benchGraph(size.nodes, size.edges)
		b.Run(fmt.Sprintf("nodes=%d,edges=%d", size.nodes, size.edges), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Analyze(sg, Options{})
			}
		})
	}
}

func BenchmarkShortestPaths(b *testing.B) {
	sg := benchGraph(2000, 6000)
	b.ReportAllocs()
	for b.Loop() {
		ShortestPaths(sg, "n00001", "n01999", 0, 0)
	}
}
