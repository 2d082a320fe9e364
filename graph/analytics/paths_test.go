package analytics

import (
	"reflect"
	"testing"

	"govhub/graph"
)

// subgraphOf builds a subgraph from "from>to" pairs (stored in that direction).
func subgraphOf(nodes []string, pairs ...[2]string) graph.Subgraph {
	var sg graph.Subgraph
	for _, id := range nodes {
		sg.Nodes = append(sg.Nodes, graph.Node{ID: id, Label: graph.Organization, Props: graph.Props{"name": id}})
	}
	for _, p := range pairs {
		sg.Edges = append(sg.Edges, graph.Edge{Type: graph.SitsOn, From: p[0], To: p[1]})
	}
	return sg
}

func TestShortestPaths(t *testing.T) {
	// s reaches t in two hops through a, b or c (edges stored in both
	// directions and in parallel), in three through x-y, and d hangs apart.
	diamond := subgraphOf([]string{"s", "a", "b", "c", "t", "x", "y", "d", "e"},
		[2]string{"s", "b"}, [2]string{"a", "s"}, [2]string{"s", "c"},
		[2]string{"b", "t"}, [2]string{"t", "a"}, [2]string{"c", "t"}, [2]string{"t", "c"},
		[2]string{"s", "x"}, [2]string{"x", "y"}, [2]string{"y", "t"},
		[2]string{"d", "e"}, [2]string{"s", "s"})
	// A 3x3 grid: six shortest paths from corner to corner.
	grid := subgraphOf([]string{"00", "01", "02", "10", "11", "12", "20", "21", "22"},
		[2]string{"00", "01"}, [2]string{"01", "02"}, [2]string{"10", "11"}, [2]string{"11", "12"}, [2]string{"20", "21"}, [2]string{"21", "22"},
		[2]string{"00", "10"}, [2]string{"10", "20"}, [2]string{"01", "11"}, [2]string{"11", "21"}, [2]string{"02", "12"}, [2]string{"12", "22"})
	all := [][]string{
		{"00", "01", "02", "12", "22"},
		{"00", "01", "11", "12", "22"},
		{"00", "01", "11", "21", "22"},
		{"00", "10", "11", "12", "22"},
		{"00", "10", "11", "21", "22"},
		{"00", "10", "20", "21", "22"},
	}
	for _, c := range []struct {
		name           string
		sg             graph.Subgraph
		from, to       string
		maxHops, limit int
		want           [][]string
	}{
		{"all, ordered", diamond, "s", "t", 5, 0, [][]string{{"s", "a", "t"}, {"s", "b", "t"}, {"s", "c", "t"}}},
		{"reversed", diamond, "t", "s", 5, 0, [][]string{{"t", "a", "s"}, {"t", "b", "s"}, {"t", "c", "s"}}},
		{"limit", diamond, "s", "t", 5, 2, [][]string{{"s", "a", "t"}, {"s", "b", "t"}}},
		{"maxHops equal to the length", diamond, "s", "t", 2, 0, [][]string{{"s", "a", "t"}, {"s", "b", "t"}, {"s", "c", "t"}}},
		{"maxHops below the length", diamond, "s", "t", 1, 0, nil},
		{"no maxHops", diamond, "s", "y", 0, 0, [][]string{{"s", "x", "y"}}},
		{"one hop", diamond, "x", "s", 3, 0, [][]string{{"x", "s"}}},
		{"same node", diamond, "s", "s", 3, 0, [][]string{{"s"}}},
		{"not connected", diamond, "s", "d", 10, 0, nil},
		{"unknown from", diamond, "nope", "t", 10, 0, nil},
		{"unknown to", diamond, "s", "nope", 10, 0, nil},
		{"grid", grid, "00", "22", 4, 0, all},
		{"grid limit", grid, "00", "22", 4, 4, all[:4]},
		{"grid limit above count", grid, "00", "22", 10, 100, all},
		{"grid too far", grid, "00", "22", 3, 0, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := ShortestPaths(c.sg, c.from, c.to, c.maxHops, c.limit)
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ShortestPaths(%s, %s, %d, %d) = %v, want %v", c.from, c.to, c.maxHops, c.limit, got, c.want)
			}
		})
	}
}

// TestShortestPathsDefaultLimit: limit 0 means 50, on a graph with 60 paths.
func TestShortestPathsDefaultLimit(t *testing.T) {
	nodes := []string{"from", "to"}
	var pairs [][2]string
	for i := range 60 {
		m := string(rune('A'+i/26)) + string(rune('a'+i%26))
		nodes = append(nodes, m)
		pairs = append(pairs, [2]string{"from", m}, [2]string{m, "to"})
	}
	sg := subgraphOf(nodes, pairs...)
	if got := ShortestPaths(sg, "from", "to", 2, 0); len(got) != 50 || got[0][1] != "Aa" || got[49][1] != "Bx" {
		t.Errorf("got %d paths, first %v last %v", len(got), got[0], got[len(got)-1])
	}
	if got := ShortestPaths(sg, "from", "to", 2, 1000); len(got) != 60 {
		t.Errorf("got %d paths, want 60", len(got))
	}
}

// TestShortestPathsMatchNetworkx compares with nx.all_shortest_paths on
// karate and the seeded views.
func TestShortestPathsMatchNetworkx(t *testing.T) {
	n := 0
	for _, g := range loadExpected(t).Graphs {
		sg := g.subgraph()
		for _, c := range g.ShortestPaths {
			n++
			got := ShortestPaths(sg, c.From, c.To, 0, 1000)
			if !reflect.DeepEqual(got, c.Paths) {
				t.Errorf("%s: %s -> %s: %v, networkx %v", g.Name, c.From, c.To, got, c.Paths)
			}
		}
	}
	if n < 8 {
		t.Errorf("only %d cases", n)
	}
}
