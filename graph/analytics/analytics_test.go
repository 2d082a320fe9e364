package analytics

import (
	"math"
	"reflect"
	"slices"
	"strconv"
	"testing"

	"govhub/graph"
)

// tol is how far a metric may be from networkx's value.
const tol = 1e-6

type expectedMetrics struct {
	Betweenness float64 `json:"betweenness"`
	Closeness   float64 `json:"closeness"`
	Eigenvector float64 `json:"eigenvector"`
	PageRank    float64 `json:"pagerank"`
	Constraint  float64 `json:"constraint"`
	Brokerage   int     `json:"brokerage"`
	Bridges     int     `json:"bridges"`
}

type expectedGraph struct {
	fixtureGraph
	Metrics map[string]expectedMetrics `json:"metrics"`
	Summary struct {
		Nodes             int     `json:"nodes"`
		Edges             int     `json:"edges"`
		Components        int     `json:"components"`
		Density           float64 `json:"density"`
		AveragePathLength float64 `json:"averagePathLength"`
		Diameter          int     `json:"diameter"`
	} `json:"summary"`
	FactionModularity map[string]float64 `json:"factionModularity"`
	Louvain           *struct {
		Seed        int64      `json:"seed"`
		Communities [][]string `json:"communities"`
		Modularity  float64    `json:"modularity"`
	} `json:"louvain"`
	ShortestPaths []struct {
		From  string     `json:"from"`
		To    string     `json:"to"`
		Paths [][]string `json:"paths"`
	} `json:"shortestPaths"`
}

type expectedFile struct {
	NetworkX string          `json:"networkx"`
	Graphs   []expectedGraph `json:"graphs"`
}

func loadExpected(t testing.TB) expectedFile {
	t.Helper()
	var e expectedFile
	readJSON(t, "expected.json", &e)
	if len(e.Graphs) < 6 {
		t.Fatalf("expected.json has %d graphs, want at least 6", len(e.Graphs))
	}
	return e
}

func expectedGraphNamed(t testing.TB, name string) expectedGraph {
	t.Helper()
	for _, g := range loadExpected(t).Graphs {
		if g.Name == name {
			return g
		}
	}
	t.Fatalf("expected.json has no graph %q", name)
	return expectedGraph{}
}

func near(a, b float64) bool { return math.Abs(a-b) <= tol }

// TestMetricsMatchNetworkx compares every metric with the values networkx
// computed on the same graphs (testdata/gen.py). The seeded network views are
// taken from a freshly seeded embedded store, so this also checks the
// Subgraph -> Analyze path end to end.
func TestMetricsMatchNetworkx(t *testing.T) {
	exp := loadExpected(t)
	live := map[string]fixtureGraph{}
	for _, v := range views(t, seeded(t)) {
		live[v.Name] = v
	}
	for _, g := range exp.Graphs {
		t.Run(g.Name, func(t *testing.T) {
			sg := g.subgraph()
			if g.Root != "" {
				v, ok := live[g.Name]
				if !ok {
					t.Fatalf("no seeded view %q", g.Name)
				}
				sg = v.subgraph()
			}
			r := Analyze(sg, Options{})
			if len(r.Nodes) != len(g.Metrics) {
				t.Fatalf("Analyze returned %d nodes, networkx %d", len(r.Nodes), len(g.Metrics))
			}
			var prSum float64
			for id, want := range g.Metrics {
				got, ok := r.Nodes[id]
				if !ok {
					t.Errorf("%s: no metrics", id)
					continue
				}
				prSum += got.PageRank
				for _, c := range []struct {
					name      string
					got, want float64
				}{
					{"betweenness", got.Betweenness, want.Betweenness},
					{"closeness", got.Closeness, want.Closeness},
					{"eigenvector", got.Eigenvector, want.Eigenvector},
					{"pagerank", got.PageRank, want.PageRank},
					{"constraint", got.Constraint, want.Constraint},
				} {
					if !near(c.got, c.want) || math.IsNaN(c.got) {
						t.Errorf("%s %s = %.9g, networkx %.9g", id, c.name, c.got, c.want)
					}
				}
				if got.Brokerage != want.Brokerage {
					t.Errorf("%s brokerage = %d, want %d", id, got.Brokerage, want.Brokerage)
				}
				if got.Bridges != want.Bridges {
					t.Errorf("%s bridges = %d, want %d", id, got.Bridges, want.Bridges)
				}
			}
			if !near(prSum, 1) {
				t.Errorf("PageRank sums to %v", prSum)
			}
			s, w := r.Summary, g.Summary
			if s.Nodes != w.Nodes || s.Edges != w.Edges || s.Components != w.Components || s.Diameter != w.Diameter {
				t.Errorf("summary %+v, networkx %+v", s, w)
			}
			if !near(s.Density, w.Density) || !near(s.AveragePathLength, w.AveragePathLength) {
				t.Errorf("density %v, average path %v; networkx %v, %v", s.Density, s.AveragePathLength, w.Density, w.AveragePathLength)
			}
		})
	}
}

// TestModularityMatchesNetworkx checks the modularity function (gonum's Q on
// the weighted simple graph) on karate's two factions against networkx.
func TestModularityMatchesNetworkx(t *testing.T) {
	g := expectedGraphNamed(t, "karate")
	sg := newSimpleGraph(g.subgraph())
	byClub := map[string][]int{}
	for _, n := range g.Nodes {
		byClub[n.Club] = append(byClub[n.Club], sg.index[n.ID])
	}
	var groups [][]int
	for _, club := range []string{"Mr. Hi", "Officer"} {
		groups = append(groups, byClub[club])
	}
	if len(g.FactionModularity) != 3 {
		t.Fatalf("factionModularity: %v", g.FactionModularity)
	}
	for res, want := range g.FactionModularity {
		r, _ := strconv.ParseFloat(res, 64)
		if got := modularity(sg, groups, r); !near(got, want) {
			t.Errorf("resolution %v: modularity %.9g, networkx %.9g", r, got, want)
		}
	}
}

// TestCommunitiesKarate checks the Louvain partition of the karate club: as
// good as networkx's, faithful to the club's split, labelled by its
// best-connected member, ordered, and identical for the same seed.
func TestCommunitiesKarate(t *testing.T) {
	g := expectedGraphNamed(t, "karate")
	sg := g.subgraph()
	club := map[string]string{}
	for _, n := range g.Nodes {
		club[n.ID] = n.Club
	}
	for _, seed := range []int64{0, 1, 7, 42, 1234} {
		r := Analyze(sg, Options{Seed: seed})
		q := r.Summary.Modularity
		if q <= 0.38 || q < g.Louvain.Modularity-0.03 {
			t.Errorf("seed %d: modularity %.4f, networkx louvain %.4f", seed, q, g.Louvain.Modularity)
		}
		// The modularity reported is that of the communities returned.
		ssg := newSimpleGraph(sg)
		var groups [][]int
		for _, c := range r.Communities {
			var grp []int
			for _, id := range c.Members {
				grp = append(grp, ssg.index[id])
			}
			groups = append(groups, grp)
		}
		if want := modularity(ssg, groups, 1); !near(q, want) {
			t.Errorf("seed %d: Summary.Modularity %v, partition's %v", seed, q, want)
		}
		// Each community lies mostly in one faction: at most 3 of the 34
		// members sit in a community whose majority is the other faction.
		misplaced := 0
		for _, c := range r.Communities {
			counts := map[string]int{}
			for _, id := range c.Members {
				counts[club[id]]++
			}
			misplaced += min(counts["Mr. Hi"], counts["Officer"])
		}
		if misplaced > 3 || len(r.Communities) < 2 {
			t.Errorf("seed %d: %d communities, %d members outside their community's faction", seed, len(r.Communities), misplaced)
		}
		checkCommunities(t, sg, r)

		again := Analyze(sg, Options{Seed: seed})
		if !reflect.DeepEqual(again.Communities, r.Communities) || again.Summary.Modularity != q {
			t.Errorf("seed %d: a second run found other communities", seed)
		}
		for id, m := range r.Nodes {
			if again.Nodes[id].Community != m.Community {
				t.Errorf("seed %d: %s in community %d then %d", seed, id, m.Community, again.Nodes[id].Community)
			}
		}
	}
	if a, b := Analyze(sg, Options{}), Analyze(sg, Options{Seed: DefaultSeed}); !reflect.DeepEqual(a.Communities, b.Communities) {
		t.Errorf("Seed 0 is not DefaultSeed")
	}
}

// checkCommunities checks the invariants of Result.Communities: a partition
// of the nodes, ids in order, sorted members, order by size then label, the
// label of the best-connected member, and Metrics.Community consistent.
func checkCommunities(t *testing.T, sg graph.Subgraph, r Result) {
	t.Helper()
	g := newSimpleGraph(sg)
	seen := map[string]int{}
	for i, c := range r.Communities {
		if c.ID != i {
			t.Errorf("community %d has id %d", i, c.ID)
		}
		if !slices.IsSorted(c.Members) {
			t.Errorf("community %d: members not sorted", i)
		}
		if i > 0 {
			p := r.Communities[i-1]
			if len(p.Members) < len(c.Members) || len(p.Members) == len(c.Members) && p.Label > c.Label {
				t.Errorf("communities %d and %d out of order", i-1, i)
			}
		}
		in := map[int]bool{}
		for _, id := range c.Members {
			if _, dup := seen[id]; dup {
				t.Errorf("%s in two communities", id)
			}
			seen[id] = i
			in[g.index[id]] = true
			if r.Nodes[id].Community != i {
				t.Errorf("%s: Metrics.Community %d, member of %d", id, r.Nodes[id].Community, i)
			}
		}
		inner := func(u int) int {
			d := 0
			for _, v := range g.adj[u] {
				if in[v] {
					d++
				}
			}
			return d
		}
		best := g.index[c.LabelNodeID]
		if !in[best] {
			t.Errorf("community %d: label node %s is not a member", i, c.LabelNodeID)
		}
		if c.Label != graph.Caption(g.nodes[best]) {
			t.Errorf("community %d: label %q is not the caption of %s", i, c.Label, c.LabelNodeID)
		}
		for u := range in {
			d, bd := inner(u), inner(best)
			cp := graph.Caption(g.nodes[u])
			if d > bd || d == bd && u != best && (cp < c.Label || cp == c.Label && g.ids[u] < c.LabelNodeID) {
				t.Errorf("community %d: %s (inner degree %d) should label it rather than %s (%d)", i, g.ids[u], d, c.LabelNodeID, bd)
			}
		}
	}
	if len(seen) != len(r.Nodes) {
		t.Errorf("communities cover %d nodes of %d", len(seen), len(r.Nodes))
	}
}

// TestCommunityLabelTies: in a 4-cycle every member has two neighbours
// inside; the label is the smallest caption, then the smallest id.
func TestCommunityLabelTies(t *testing.T) {
	sg := graph.Subgraph{
		Nodes: []graph.Node{
			{ID: "n1", Props: graph.Props{"name": "Delta"}},
			{ID: "n2", Props: graph.Props{"name": "Alpha"}},
			{ID: "n0", Props: graph.Props{"name": "Alpha"}},
			{ID: "n3", Props: graph.Props{"name": "Gamma"}},
		},
		Edges: []graph.Edge{
			{From: "n0", To: "n1"}, {From: "n1", To: "n2"}, {From: "n2", To: "n3"}, {From: "n3", To: "n0"},
		},
	}
	r := Analyze(sg, Options{Resolution: 0.1}) // low resolution: one community
	if len(r.Communities) != 1 {
		t.Fatalf("communities %+v", r.Communities)
	}
	if c := r.Communities[0]; c.Label != "Alpha" || c.LabelNodeID != "n0" || !reflect.DeepEqual(c.Members, []string{"n0", "n1", "n2", "n3"}) {
		t.Errorf("community %+v", c)
	}
}

// TestResolution: a higher resolution gives smaller communities.
func TestResolution(t *testing.T) {
	sg := expectedGraphNamed(t, "karate").subgraph()
	low := Analyze(sg, Options{Resolution: 0.3})
	def := Analyze(sg, Options{})
	high := Analyze(sg, Options{Resolution: 3})
	if !(len(low.Communities) < len(def.Communities) && len(def.Communities) < len(high.Communities)) {
		t.Errorf("communities at resolution 0.3, 1, 3: %d, %d, %d", len(low.Communities), len(def.Communities), len(high.Communities))
	}
	if z := Analyze(sg, Options{Resolution: 0}); !reflect.DeepEqual(z.Communities, def.Communities) {
		t.Errorf("resolution 0 is not 1")
	}
}

// TestDegreesAsStored: degrees count the edges as stored, with direction;
// parallel edges count each, a self-loop once in and once out; edges to
// nodes outside the subgraph are ignored.
func TestDegreesAsStored(t *testing.T) {
	sg := expectedGraphNamed(t, "triangles").subgraph()
	sg.Edges = append(sg.Edges, graph.Edge{Type: graph.SitsOn, From: "a", To: "elsewhere"})
	r := Analyze(sg, Options{})
	for id, want := range map[string]Metrics{
		"a": {Degree: 3, InDegree: 2, OutDegree: 1, WeightedDegree: 3.5},
		"b": {Degree: 3, InDegree: 1, OutDegree: 2, WeightedDegree: 3.5},
		"c": {Degree: 4, InDegree: 2, OutDegree: 2, WeightedDegree: 16},
		"d": {Degree: 2, InDegree: 1, OutDegree: 1, WeightedDegree: 2},
		"z": {},
	} {
		got := r.Nodes[id]
		if got.Degree != want.Degree || got.InDegree != want.InDegree || got.OutDegree != want.OutDegree || got.WeightedDegree != want.WeightedDegree {
			t.Errorf("%s: degree %d in %d out %d weighted %v; want %d %d %d %v", id,
				got.Degree, got.InDegree, got.OutDegree, got.WeightedDegree, want.Degree, want.InDegree, want.OutDegree, want.WeightedDegree)
		}
	}
	if _, ok := r.Nodes["elsewhere"]; ok {
		t.Error("a node outside the subgraph got metrics")
	}
	z := r.Nodes["z"]
	if z.Closeness != 0 || z.Betweenness != 0 || z.Constraint != 0 || z.Brokerage != 0 || z.Bridges != 0 {
		t.Errorf("isolate: %+v", z)
	}
	// The isolate is a community of its own, the smallest, last.
	if last := r.Communities[len(r.Communities)-1]; !reflect.DeepEqual(last.Members, []string{"z"}) {
		t.Errorf("last community %+v", last)
	}
}

// TestStrengths: strengths weigh PageRank, eigenvector, constraint and
// communities but not distances; an edge of strength 0 still joins its ends.
func TestStrengths(t *testing.T) {
	edge := func(from, to string, s float64) graph.Edge {
		return graph.Edge{Type: graph.SitsOn, From: from, To: to, Props: graph.Props{"strength": s}}
	}
	nodes := []graph.Node{{ID: "a"}, {ID: "b"}, {ID: "c"}}
	even := Analyze(graph.Subgraph{Nodes: nodes, Edges: []graph.Edge{edge("a", "b", 1), edge("a", "c", 1)}}, Options{})
	skew := Analyze(graph.Subgraph{Nodes: nodes, Edges: []graph.Edge{edge("a", "b", 5), edge("a", "c", 0)}}, Options{})
	if even.Nodes["b"].PageRank != even.Nodes["c"].PageRank || skew.Nodes["b"].PageRank <= skew.Nodes["c"].PageRank {
		t.Errorf("PageRank b, c: even %v %v, skewed %v %v", even.Nodes["b"].PageRank, even.Nodes["c"].PageRank, skew.Nodes["b"].PageRank, skew.Nodes["c"].PageRank)
	}
	if skew.Nodes["b"].Eigenvector <= skew.Nodes["c"].Eigenvector {
		t.Errorf("eigenvector b %v <= c %v", skew.Nodes["b"].Eigenvector, skew.Nodes["c"].Eigenvector)
	}
	if even.Nodes["a"].Betweenness != 1 || skew.Nodes["a"].Betweenness != 1 || skew.Summary.Diameter != 2 || skew.Summary.Components != 1 {
		t.Errorf("distances should ignore strengths: %+v %+v", skew.Nodes["a"], skew.Summary)
	}
	if skew.Nodes["a"].WeightedDegree != 5 || skew.Nodes["c"].WeightedDegree != 0 {
		t.Errorf("weighted degree a %v c %v", skew.Nodes["a"].WeightedDegree, skew.Nodes["c"].WeightedDegree)
	}
}

// TestEdgeCases: empty and tiny subgraphs give zero values, never NaN.
func TestEdgeCases(t *testing.T) {
	r := Analyze(graph.Subgraph{}, Options{})
	if len(r.Nodes) != 0 || len(r.Communities) != 0 || r.Summary != (Summary{}) {
		t.Errorf("empty: %+v", r)
	}
	one := Analyze(graph.Subgraph{Nodes: []graph.Node{{ID: "x"}, {ID: "x"}}}, Options{})
	if len(one.Nodes) != 1 || one.Nodes["x"].PageRank != 1 || one.Summary.Components != 1 || len(one.Communities) != 1 {
		t.Errorf("one node: %+v", one)
	}
	two := Analyze(graph.Subgraph{Nodes: []graph.Node{{ID: "x"}, {ID: "y"}}, Edges: []graph.Edge{{From: "x", To: "y"}, {From: "y", To: "x"}}}, Options{})
	if two.Summary.Edges != 1 || two.Summary.Density != 1 || two.Nodes["x"].Closeness != 1 || two.Nodes["x"].Degree != 2 {
		t.Errorf("two nodes: %+v", two)
	}
	for _, res := range []Result{one, two} {
		for id, m := range res.Nodes {
			for _, v := range []float64{m.Betweenness, m.Closeness, m.Eigenvector, m.PageRank, m.Constraint} {
				if math.IsNaN(v) || math.IsInf(v, 0) {
					t.Errorf("%s: %+v", id, m)
				}
			}
		}
		if math.IsNaN(res.Summary.Modularity) || math.IsNaN(res.Summary.AveragePathLength) {
			t.Errorf("summary %+v", res.Summary)
		}
	}
}

// TestBridgesSeeded: in the IMPACT Campania view, Regione Campania (partner
// of IMPACT Campania and of Com.&In.) bridges two networks.
func TestBridgesSeeded(t *testing.T) {
	var sg graph.Subgraph
	for _, v := range views(t, seeded(t)) {
		if v.Root == "net-impact-campania" {
			sg = v.subgraph()
		}
	}
	r := Analyze(sg, Options{})
	if got := r.Nodes["org-regione-campania"].Bridges; got != 2 {
		t.Errorf("Regione Campania bridges %d networks, want 2", got)
	}
	if got := r.Nodes["org-cidis-onlus"].Bridges; got != 1 {
		t.Errorf("CIDIS bridges %d networks, want 1", got)
	}
}
