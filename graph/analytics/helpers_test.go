package analytics

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"govhub/graph"
	"govhub/graph/embedded"
	"govhub/seed"
)

// update rewrites testdata/views.json from the seed; testdata/gen.py then
// rewrites testdata/expected.json from it (see the instructions in gen.py).
var update = flag.Bool("update", false, "rewrite testdata/views.json from the seeded store")

// fixtureNode and fixtureEdge describe the graphs of the JSON fixtures.
type fixtureNode struct {
	ID    string `json:"id"`
	Label string `json:"label"`
	Name  string `json:"name,omitempty"`
	Club  string `json:"club,omitempty"` // karate club faction
}

type fixtureEdge struct {
	From     string   `json:"from"`
	To       string   `json:"to"`
	Type     string   `json:"type"`
	Strength *float64 `json:"strength,omitempty"`
}

type fixtureGraph struct {
	Name  string        `json:"name"`
	Root  string        `json:"root,omitempty"`  // seeded views: the network
	Depth int           `json:"depth,omitempty"` // seeded views: the subgraph depth
	Nodes []fixtureNode `json:"nodes"`
	Edges []fixtureEdge `json:"edges"`
}

// subgraph turns a fixture into a graph.Subgraph.
func (f fixtureGraph) subgraph() graph.Subgraph {
	var sg graph.Subgraph
	for _, n := range f.Nodes {
		p := graph.Props{}
		if n.Name != "" {
			p["name"] = n.Name
		}
		sg.Nodes = append(sg.Nodes, graph.Node{ID: n.ID, Label: graph.Label(n.Label), Props: p})
	}
	for _, e := range f.Edges {
		p := graph.Props{}
		if e.Strength != nil {
			p["strength"] = *e.Strength
		}
		sg.Edges = append(sg.Edges, graph.Edge{Type: graph.RelType(e.Type), From: e.From, To: e.To, Props: p})
	}
	return sg
}

// fixtureOf describes a subgraph the way the fixtures do.
func fixtureOf(name, root string, depth int, sg graph.Subgraph) fixtureGraph {
	f := fixtureGraph{Name: name, Root: root, Depth: depth, Nodes: []fixtureNode{}, Edges: []fixtureEdge{}}
	for _, n := range sg.Nodes {
		f.Nodes = append(f.Nodes, fixtureNode{ID: n.ID, Label: string(n.Label), Name: n.Str("name")})
	}
	for _, e := range sg.Edges {
		fe := fixtureEdge{From: e.From, To: e.To, Type: string(e.Type)}
		if v, ok := e.Props["strength"].(float64); ok {
			fe.Strength = &v
		}
		f.Edges = append(f.Edges, fe)
	}
	return f
}

// seededViews are the network views of the seed that the fixtures hold:
// the subgraph within viewDepth hops of the network, every relationship type.
var seededViews = []struct{ name, root string }{
	{"impact-campania", "net-impact-campania"},
	{"community-building-city", "net-community-building-city"},
}

const viewDepth = 2

// seeded opens an embedded store in a temporary directory and loads the seed.
func seeded(t testing.TB) graph.Store {
	t.Helper()
	ctx := context.Background()
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatalf("embedded.Open: %v", err)
	}
	t.Cleanup(func() { s.Close(ctx) })
	if _, err := seed.Load(ctx, s, nil); err != nil {
		t.Fatalf("seed.Load: %v", err)
	}
	return s
}

// views returns the seeded network views, from the store.
func views(t testing.TB, s graph.Store) []fixtureGraph {
	t.Helper()
	var out []fixtureGraph
	for _, v := range seededViews {
		sg, err := s.Subgraph(context.Background(), graph.SubgraphQuery{Roots: []string{v.root}, Depth: viewDepth})
		if err != nil {
			t.Fatalf("Subgraph(%s): %v", v.root, err)
		}
		out = append(out, fixtureOf(v.name, v.root, viewDepth, sg))
	}
	return out
}

func readJSON(t testing.TB, name string, v any) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("read fixture: %v", err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatalf("decode %s: %v", name, err)
	}
}

// TestViewsFixture checks that testdata/views.json is what the seed gives
// today (so expected.json was computed on the graphs the other tests build),
// and rewrites it with -update.
func TestViewsFixture(t *testing.T) {
	got := views(t, seeded(t))
	path := filepath.Join("testdata", "views.json")
	if *update {
		if err := os.WriteFile(path, encodeGraphs(t, got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s; now run python3 testdata/gen.py", path)
		return
	}
	var want []fixtureGraph
	readJSON(t, "views.json", &want)
	gb, _ := json.Marshal(got)
	wb, _ := json.Marshal(want)
	if string(gb) != string(wb) {
		t.Fatalf("the seeded network views changed; regenerate the fixtures: go test ./graph/analytics -run TestViewsFixture -update && python3 graph/analytics/testdata/gen.py")
	}
}

// encodeGraphs writes graphs as JSON with one node or edge a line.
func encodeGraphs(t testing.TB, gs []fixtureGraph) []byte {
	t.Helper()
	line := func(v any) string {
		b, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	var b strings.Builder
	b.WriteString("[\n")
	for i, g := range gs {
		fmt.Fprintf(&b, "{\"name\": %s, \"root\": %s, \"depth\": %d,\n\"nodes\": [\n", line(g.Name), line(g.Root), g.Depth)
		for j, n := range g.Nodes {
			b.WriteString(line(n))
			if j < len(g.Nodes)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("],\n\"edges\": [\n")
		for j, e := range g.Edges {
			b.WriteString(line(e))
			if j < len(g.Edges)-1 {
				b.WriteString(",")
			}
			b.WriteString("\n")
		}
		b.WriteString("]}")
		if i < len(gs)-1 {
			b.WriteString(",")
		}
		b.WriteString("\n")
	}
	b.WriteString("]\n")
	return []byte(b.String())
}
