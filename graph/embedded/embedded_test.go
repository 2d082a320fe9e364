package embedded

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"

	"govhub/graph"
	"govhub/graph/storetest"
)

var ctx = context.Background()

// TestConformance runs the suite every Store passes.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) graph.Store {
		s, err := Open(t.TempDir())
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		t.Cleanup(func() {
			if err := s.Close(context.Background()); err != nil {
				t.Errorf("Close: %v", err)
			}
		})
		return s
	})
}

func TestWriteAndRead(t *testing.T) {
	s, _ := openTest(t)
	caller := graph.Write{Actor: "alice", Nodes: []graph.NodeWrite{
		org("o1", "Alpha", graph.Props{"aliases": []any{"First One"}}),
		{ID: "n1", Label: graph.Network, Props: graph.Props{"name": "Net"}},
	}, Link: []graph.Edge{{Type: graph.PartnerIn, From: "o1", To: "n1", Props: graph.Props{"role": "LEAD"}}}}
	r := mustWrite(t, s, caller)
	if r.Created != 2 || r.Linked != 1 || len(r.Nodes) != 2 {
		t.Fatalf("result = %+v", r)
	}
	if _, ok := caller.Nodes[0].Props["aliases"].([]any); !ok {
		t.Errorf("the caller's Write was changed: %#v", caller.Nodes[0].Props)
	}
	// the result is the caller's to change
	r.Nodes[0].Props["name"] = "mutated"
	ns, err := s.Nodes(ctx, []string{"n1", "missing", "o1"})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(ns); !slices.Equal(got, []string{"n1", "o1"}) {
		t.Fatalf("Nodes = %v", got)
	}
	if ns[1].Str("name") != "Alpha" {
		t.Errorf("internal state changed through a result: %v", ns[1].Props)
	}
	if al, _ := ns[1].Props["aliases"].([]string); !slices.Equal(al, []string{"First One"}) {
		t.Errorf("aliases = %#v", ns[1].Props["aliases"])
	}
	ns[1].Props["aliases"].([]string)[0] = "changed"
	ns2, _ := s.Nodes(ctx, []string{"o1"})
	if ns2[0].Props["aliases"].([]string)[0] != "First One" {
		t.Errorf("internal list changed through a read")
	}

	// same write again changes nothing and does not open a write transaction
	before := txID(t, s)
	r = mustWrite(t, s, caller)
	if r.Created+r.Updated+r.Linked != 0 || r.Unchanged != 3 {
		t.Fatalf("re-write result = %+v", r)
	}
	if after := txID(t, s); after != before {
		t.Errorf("an unchanged write committed a transaction (%d -> %d)", before, after)
	}

	h, err := s.History(ctx, "o1", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 2 || h[0].Op != graph.OpLink || h[1].Op != graph.OpCreate || h[0].Seq <= h[1].Seq || h[0].Actor != "alice" {
		t.Fatalf("history = %+v", h)
	}
	if !slices.Equal(h[0].Fields, []string{"PARTNER_IN->n1"}) {
		t.Errorf("link fields = %v", h[0].Fields)
	}
	if h, _ := s.History(ctx, "o1", 1); len(h) != 1 || h[0].Op != graph.OpLink {
		t.Errorf("history limit 1 = %+v", h)
	}
	if h, _ := s.History(ctx, "o", 0); len(h) != 0 {
		t.Errorf("history of a prefix id = %+v", h)
	}
}

func txID(t *testing.T, s *Store) int {
	var id int
	if err := s.db.View(func(tx *bolt.Tx) error { id = int(tx.ID()); return nil }); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestFailedWriteChangesNothing(t *testing.T) {
	s, _ := openTest(t)
	mustWrite(t, s, graph.Write{Nodes: []graph.NodeWrite{org("o1", "Alpha", nil)}})
	_, err := s.Write(ctx, graph.Write{Nodes: []graph.NodeWrite{org("o2", "Beta", nil)},
		Link: []graph.Edge{{Type: graph.Provides, From: "o2", To: "nowhere"}}})
	if graph.CodeOf(err) != graph.CodeNotFound {
		t.Fatalf("err = %v", err)
	}
	if ns, _ := s.Nodes(ctx, []string{"o2"}); len(ns) != 0 {
		t.Fatalf("a rejected write created a node")
	}
	// a commit that fails leaves the memory as it was
	if err := s.db.Close(); err != nil {
		t.Fatal(err)
	}
	_, err = s.Write(ctx, graph.Write{Nodes: []graph.NodeWrite{org("o3", "Gamma", nil)}})
	if err == nil {
		t.Fatal("write on a closed file succeeded")
	}
	if ns, _ := s.Nodes(ctx, []string{"o3"}); len(ns) != 0 {
		t.Fatalf("a failed commit changed the memory")
	}
	if p, _ := s.List(ctx, graph.ListQuery{Label: graph.Organization}); p.TotalCount != 1 {
		t.Fatalf("list after failed commit = %d", p.TotalCount)
	}
}

func TestListFilters(t *testing.T) {
	s, _ := openTest(t)
	w := graph.Write{Actor: "t", Nodes: []graph.NodeWrite{
		terr("it", "Italia", "COUNTRY"), terr("pie", "Piemonte", "REGION"), terr("to", "Torino", "PROVINCE"),
		terr("tom", "Torino città", "MUNICIPALITY"), terr("lom", "Lombardia", "REGION"),
		org("o1", "Cooperativa Alfa", graph.Props{"aliases": []any{"Coop ALFA"}, "level": "LOCAL"}),
		org("o2", "Beta Onlus", graph.Props{"level": "REGIONAL"}),
		org("o3", "Gamma", nil),
		org("o4", "Delta", nil),
		{ID: "n1", Label: graph.Network, Props: graph.Props{"name": "Net"}},
		{ID: "a1", Label: graph.Action, Props: graph.Props{"name": "WP1", "kind": "WORK_PACKAGE", "progress": 10}},
		{ID: "a2", Label: graph.Action, Props: graph.Props{"name": "T1.1", "kind": "TASK", "progress": 50, "plannedEnd": "2020-01-31"}},
		{ID: "a3", Label: graph.Action, Props: graph.Props{"name": "Act 1.1.1", "kind": "ACTIVITY", "progress": 90, "plannedEnd": "2021-06-30"}},
		{ID: "s1", Label: graph.Service, Props: graph.Props{"name": "Sportello", "category": "ACCESS_POINT", "languages": []string{"it", "en"}}},
		{ID: "s2", Label: graph.Service, Props: graph.Props{"name": "Mediazione", "category": "MEDIATION", "languages": []string{"ar"}}},
	}, Link: []graph.Edge{
		partOf("pie", "it"), partOf("lom", "it"), partOf("to", "pie"), partOf("tom", "to"),
		{Type: graph.BasedIn, From: "o1", To: "tom"}, {Type: graph.OperatesIn, From: "o2", To: "pie"},
		{Type: graph.BasedIn, From: "o3", To: "lom"},
		{Type: graph.PartnerIn, From: "o1", To: "n1", Props: graph.Props{"role": "LEAD"}},
		{Type: graph.PartnerIn, From: "o2", To: "n1", Props: graph.Props{"role": "OPERATIONAL"}},
		{Type: graph.PartOf, From: "a1", To: "n1"}, {Type: graph.PartOf, From: "a2", To: "a1"}, {Type: graph.PartOf, From: "a3", To: "a2"},
		{Type: graph.DependsOn, From: "a1", To: "a2"}, {Type: graph.DependsOn, From: "a2", To: "a1"}, {Type: graph.DependsOn, From: "a3", To: "a2"},
	}, Archive: []string{"o4"}}
	mustWrite(t, s, w)

	cases := []struct {
		name string
		q    graph.ListQuery
		want []string
	}{
		{"all orgs by name", graph.ListQuery{Label: graph.Organization}, []string{"o2", "o1", "o3"}},
		{"archived too", graph.ListQuery{Label: graph.Organization, IncludeArchived: true}, []string{"o2", "o1", "o4", "o3"}},
		{"search name", graph.ListQuery{Label: graph.Organization, Search: "ALFA"}, []string{"o1"}},
		{"search alias", graph.ListQuery{Label: graph.Organization, Search: "coop a"}, []string{"o1"}},
		{"where in", graph.ListQuery{Label: graph.Territory, Where: []graph.PropFilter{{Key: "level", Op: graph.OpIn, Values: []any{"REGION", "COUNTRY"}}}}, []string{"it", "lom", "pie"}},
		{"where not in, missing passes", graph.ListQuery{Label: graph.Organization, Where: []graph.PropFilter{{Key: "level", Op: graph.OpNotIn, Values: []any{"LOCAL"}}}}, []string{"o2", "o3"}},
		{"where in, missing fails", graph.ListQuery{Label: graph.Organization, Where: []graph.PropFilter{{Key: "level", Op: graph.OpIn, Values: []any{"LOCAL", "REGIONAL"}}}}, []string{"o2", "o1"}},
		{"contains", graph.ListQuery{Label: graph.Service, Where: []graph.PropFilter{{Key: "languages", Op: graph.OpContains, Values: []any{"en", "fr"}}}}, []string{"s1"}},
		{"lt number", graph.ListQuery{Label: graph.Action, Where: []graph.PropFilter{{Key: "progress", Op: graph.OpLt, Values: []any{50}}}}, []string{"a1"}},
		{"gt number float", graph.ListQuery{Label: graph.Action, Where: []graph.PropFilter{{Key: "progress", Op: graph.OpGt, Values: []any{49.5}}}}, []string{"a3", "a2"}},
		{"lt date", graph.ListQuery{Label: graph.Action, Where: []graph.PropFilter{{Key: "plannedEnd", Op: graph.OpLt, Values: []any{"2021-01-01"}}}}, []string{"a2"}},
		{"type mismatch", graph.ListQuery{Label: graph.Action, Where: []graph.PropFilter{{Key: "progress", Op: graph.OpGt, Values: []any{"1"}}}}, []string{}},
		{"in with int", graph.ListQuery{Label: graph.Action, Where: []graph.PropFilter{{Key: "progress", Op: graph.OpIn, Values: []any{int64(90), 10.0}}}}, []string{"a3", "a1"}},
		{"related out", graph.ListQuery{Label: graph.Organization, Related: []graph.RelFilter{{Type: graph.PartnerIn, Dir: graph.Out, IDs: []string{"n1"}}}}, []string{"o2", "o1"}},
		{"related in", graph.ListQuery{Label: graph.Network, Related: []graph.RelFilter{{Type: graph.PartnerIn, Dir: graph.In, IDs: []string{"o1"}}}}, []string{"n1"}},
		{"related both", graph.ListQuery{Label: graph.Action, Related: []graph.RelFilter{{Type: graph.PartOf, Dir: graph.Both, IDs: []string{"a2"}}}}, []string{"a3", "a1"}},
		{"related direct", graph.ListQuery{Label: graph.Action, Related: []graph.RelFilter{{Type: graph.PartOf, Dir: graph.Out, IDs: []string{"n1"}}}}, []string{"a1"}},
		{"related transitive", graph.ListQuery{Label: graph.Action, Related: []graph.RelFilter{{Type: graph.PartOf, Dir: graph.Out, IDs: []string{"n1"}, Transitive: true}}}, []string{"a3", "a2", "a1"}},
		{"related both transitive excludes the id on a tree", graph.ListQuery{Label: graph.Action, Related: []graph.RelFilter{{Type: graph.PartOf, Dir: graph.Both, IDs: []string{"a2"}, Transitive: true}}}, []string{"a3", "a1"}},
		{"related both transitive over two edges", graph.ListQuery{Label: graph.Action, Related: []graph.RelFilter{{Type: graph.DependsOn, Dir: graph.Both, IDs: []string{"a1"}, Transitive: true}}}, []string{"a3", "a2", "a1"}},
		{"related both transitive back over one edge", graph.ListQuery{Label: graph.Action, Related: []graph.RelFilter{{Type: graph.DependsOn, Dir: graph.Both, IDs: []string{"a3"}, Transitive: true}}}, []string{"a2", "a1"}},
		{"related out transitive cycle", graph.ListQuery{Label: graph.Action, Related: []graph.RelFilter{{Type: graph.DependsOn, Dir: graph.Out, IDs: []string{"a1"}, Transitive: true}}}, []string{"a3", "a2", "a1"}},
		{"two related", graph.ListQuery{Label: graph.Organization, Related: []graph.RelFilter{
			{Type: graph.PartnerIn, Dir: graph.Out, IDs: []string{"n1"}}, {Type: graph.BasedIn, Dir: graph.Out, IDs: []string{"tom"}}}}, []string{"o1"}},
		{"territory of territories", graph.ListQuery{Label: graph.Territory, Territory: "pie"}, []string{"pie", "to", "tom"}},
		{"territory of orgs", graph.ListQuery{Label: graph.Organization, Territory: "pie"}, []string{"o2", "o1"}},
		{"territory country", graph.ListQuery{Label: graph.Organization, Territory: "it"}, []string{"o2", "o1", "o3"}},
		{"territory unknown", graph.ListQuery{Label: graph.Organization, Territory: "nowhere"}, []string{}},
		{"territory leaf", graph.ListQuery{Label: graph.Organization, Territory: "lom"}, []string{"o3"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := s.List(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(p.Nodes); !slices.Equal(got, c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			if p.TotalCount != len(c.want) || p.HasNextPage || len(p.Cursors) != len(p.Nodes) {
				t.Fatalf("page = %+v", p)
			}
		})
	}

	// lists see the writes after them
	mustWrite(t, s, graph.Write{Archive: []string{"o1"}, Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: "pie", Label: graph.Territory, Props: graph.Props{"name": "A Piemonte"}}}})
	if p, _ := s.List(ctx, graph.ListQuery{Label: graph.Organization, Search: "ALFA"}); p.TotalCount != 0 {
		t.Errorf("archived node still listed: %v", ids(p.Nodes))
	}
	if p, _ := s.List(ctx, graph.ListQuery{Label: graph.Territory, Territory: "pie"}); !slices.Equal(ids(p.Nodes), []string{"pie", "to", "tom"}) {
		t.Errorf("after rename: %v", ids(p.Nodes))
	}
	if p, _ := s.List(ctx, graph.ListQuery{Label: graph.Territory, Where: []graph.PropFilter{{Key: "level", Op: graph.OpIn, Values: []any{"REGION", "COUNTRY"}}}}); !slices.Equal(ids(p.Nodes), []string{"pie", "it", "lom"}) {
		t.Errorf("after rename: %v", ids(p.Nodes))
	}

	for _, q := range []graph.ListQuery{
		{Label: "Nope"},
		{Label: graph.Action, Territory: "it"},
		{Label: graph.Action, First: -1},
		{Label: graph.Action, First: graph.MaxPageSize + 1},
		{Label: graph.Action, After: "garbage"},
		{Label: graph.Action, Where: []graph.PropFilter{{Key: "nope", Op: graph.OpIn}}},
		{Label: graph.Action, Related: []graph.RelFilter{{Type: "NOPE"}}},
	} {
		if _, err := s.List(ctx, q); graph.CodeOf(err) != graph.CodeInvalid {
			t.Errorf("List(%+v) err = %v, want BAD_USER_INPUT", q, err)
		}
	}
}

func TestListPaging(t *testing.T) {
	s, _ := openTest(t)
	mustWrite(t, s, italy(500))
	q := graph.ListQuery{Label: graph.Territory, Where: []graph.PropFilter{{Key: "level", Op: graph.OpIn, Values: []any{"MUNICIPALITY"}}}, First: 40}
	var got []graph.Node
	for {
		p, err := s.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalCount != 500 {
			t.Fatalf("TotalCount = %d", p.TotalCount)
		}
		got = append(got, p.Nodes...)
		if !p.HasNextPage {
			break
		}
		q.After = p.Cursors[len(p.Cursors)-1]
	}
	if len(got) != 500 {
		t.Fatalf("paged %d nodes", len(got))
	}
	if !slices.IsSortedFunc(got, func(a, b graph.Node) int {
		if graph.Less(a, b) {
			return -1
		}
		return 1
	}) {
		t.Fatal("pages are not in list order")
	}

	// renaming a node moves it in the order
	mustWrite(t, s, graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: got[0].ID, Label: graph.Territory, Props: graph.Props{"name": "ZZZ"}}}})
	p, _ := s.List(ctx, graph.ListQuery{Label: graph.Territory, First: 10000})
	if last := p.Nodes[len(p.Nodes)-1]; last.ID != got[0].ID {
		t.Fatalf("renamed node is not last: %s", last.ID)
	}
	// territory subtree with few candidates
	p, err := s.List(ctx, graph.ListQuery{Label: graph.Territory, Territory: "p001"})
	if err != nil {
		t.Fatal(err)
	}
	// p001 holds m00001, m00108, m00215, m00322, m00429
	if got := ids(p.Nodes); p.TotalCount != 6 || !slices.Contains(got, "p001") || !slices.Contains(got, "m00429") {
		t.Fatalf("subtree = %v (%d)", got, p.TotalCount)
	}
}

func TestEdgesAndSubgraph(t *testing.T) {
	s, _ := openTest(t)
	mustWrite(t, s, graph.Write{Nodes: []graph.NodeWrite{
		org("o1", "A", nil), org("o2", "B", nil), org("o3", "C", nil),
		{ID: "n1", Label: graph.Network, Props: graph.Props{"name": "N1"}},
		{ID: "n2", Label: graph.Network, Props: graph.Props{"name": "N2"}},
		terr("t1", "T", "REGION"),
	}, Link: []graph.Edge{
		{Type: graph.PartnerIn, From: "o1", To: "n1", Props: graph.Props{"role": "LEAD"}},
		{Type: graph.PartnerIn, From: "o2", To: "n1", Props: graph.Props{"role": "ADHERENT"}},
		{Type: graph.PartnerIn, From: "o2", To: "n2", Props: graph.Props{"role": "LEAD"}},
		{Type: graph.PartnerIn, From: "o3", To: "n2", Props: graph.Props{"role": "LEAD"}},
		{Type: graph.BasedIn, From: "o1", To: "t1"},
		{Type: graph.OperatesIn, From: "n1", To: "t1"},
	}})
	es, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{"n1", "o1"}, Dir: graph.Both})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, e := range es {
		keys = append(keys, e.Key().ID())
	}
	want := []string{"n1|OPERATES_IN|t1", "o1|BASED_IN|t1", "o1|PARTNER_IN|n1", "o2|PARTNER_IN|n1"}
	if !slices.Equal(keys, want) {
		t.Fatalf("edges = %v, want %v", keys, want)
	}
	es, _ = s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{"n1"}, Dir: graph.In, Types: []graph.RelType{graph.PartnerIn}})
	if len(es) != 2 || es[0].Props["role"] != "LEAD" {
		t.Fatalf("in edges = %+v", es)
	}

	g, err := s.Subgraph(ctx, graph.SubgraphQuery{Roots: []string{"o1"}, Depth: 2, Types: []graph.RelType{graph.PartnerIn}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(g.Nodes); !slices.Equal(got, []string{"n1", "o1", "o2"}) {
		t.Fatalf("subgraph nodes = %v", got)
	}
	if len(g.Edges) != 2 {
		t.Fatalf("subgraph edges = %+v", g.Edges)
	}
	g, _ = s.Subgraph(ctx, graph.SubgraphQuery{Roots: []string{"o1"}, Depth: 4})
	if len(g.Nodes) != 6 || len(g.Edges) != 6 {
		t.Fatalf("full subgraph = %v, %d edges", ids(g.Nodes), len(g.Edges))
	}
	if _, err := s.Subgraph(ctx, graph.SubgraphQuery{Roots: []string{"o1"}, Depth: 4, MaxNodes: 5}); graph.CodeOf(err) != graph.CodeInvalid {
		t.Fatalf("MaxNodes err = %v", err)
	}
	if _, err := s.Subgraph(ctx, graph.SubgraphQuery{Roots: []string{"o1"}, Depth: 11}); graph.CodeOf(err) != graph.CodeInvalid {
		t.Fatalf("Depth err = %v", err)
	}

	mustWrite(t, s, graph.Write{Archive: []string{"n1"}})
	g, _ = s.Subgraph(ctx, graph.SubgraphQuery{Roots: []string{"o1"}, Depth: 3})
	if got := ids(g.Nodes); !slices.Equal(got, []string{"o1", "t1"}) {
		t.Fatalf("subgraph without archived = %v", got)
	}
	es, _ = s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{"o1"}, Dir: graph.Out})
	if len(es) != 1 || es[0].To != "t1" {
		t.Fatalf("edges without archived = %+v", es)
	}
	es, _ = s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{"o1"}, Dir: graph.Out, IncludeArchived: true})
	if len(es) != 2 {
		t.Fatalf("edges with archived = %+v", es)
	}
}

func TestReopen(t *testing.T) {
	dir := t.TempDir()
	s, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	mustWrite(t, s, graph.Write{Actor: "a", Nodes: []graph.NodeWrite{
		org("o1", "Alpha", graph.Props{"aliases": []string{"x", "y"}}),
		{ID: "a1", Label: graph.Action, Props: graph.Props{"name": "A", "kind": "TASK", "progress": 42}},
		{ID: "i1", Label: graph.Indicator, Props: graph.Props{"name": "I", "target": 1.5, "baseline": 2}},
		{ID: "s1", Label: graph.Service, Props: graph.Props{"name": "S", "category": "SOCIAL", "singleAccessPoint": true}},
	}, Link: []graph.Edge{{Type: graph.ResponsibleFor, From: "o1", To: "a1"}, {Type: graph.Tracks, From: "a1", To: "i1"}}})
	mustWrite(t, s, graph.Write{Actor: "b", Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: "o1", Label: graph.Organization, Unset: []string{"aliases"}}}, Archive: []string{"s1"}})
	beforeNodes, _ := s.Nodes(ctx, []string{"o1", "a1", "i1", "s1"})
	beforeEdges, _ := s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{"o1", "a1", "i1", "s1"}, Dir: graph.Both, IncludeArchived: true})
	beforeHist, _ := s.History(ctx, "o1", 0)
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Nodes(ctx, []string{"o1"}); err == nil {
		t.Fatal("read after Close succeeded")
	}
	if _, err := s.Write(ctx, graph.Write{Archive: []string{"o1"}}); err == nil {
		t.Fatal("write after Close succeeded")
	}
	if s.Ping(ctx) == nil {
		t.Fatal("Ping after Close succeeded")
	}

	s, err = Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(ctx)
	afterNodes, _ := s.Nodes(ctx, []string{"o1", "a1", "i1", "s1"})
	afterEdges, _ := s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{"o1", "a1", "i1", "s1"}, Dir: graph.Both, IncludeArchived: true})
	afterHist, _ := s.History(ctx, "o1", 0)
	if fmt.Sprintf("%#v", beforeNodes) != fmt.Sprintf("%#v", afterNodes) {
		t.Errorf("nodes differ after reopen:\n%#v\n%#v", beforeNodes, afterNodes)
	}
	for i := range afterNodes {
		if !afterNodes[i].CreatedAt.Equal(beforeNodes[i].CreatedAt) || afterNodes[i].CreatedAt != beforeNodes[i].CreatedAt {
			t.Errorf("createdAt differs")
		}
	}
	if fmt.Sprintf("%#v", beforeEdges) != fmt.Sprintf("%#v", afterEdges) {
		t.Errorf("edges differ after reopen:\n%#v\n%#v", beforeEdges, afterEdges)
	}
	if fmt.Sprintf("%#v", beforeHist) != fmt.Sprintf("%#v", afterHist) {
		t.Errorf("history differs after reopen:\n%#v\n%#v", beforeHist, afterHist)
	}
	// an unchanged write still changes nothing after reopen (canonical values compare equal)
	r := mustWrite(t, s, graph.Write{Nodes: []graph.NodeWrite{
		{ID: "a1", Label: graph.Action, Props: graph.Props{"name": "A", "kind": "TASK", "progress": 42}},
		{ID: "i1", Label: graph.Indicator, Props: graph.Props{"name": "I", "target": 1.5, "baseline": 2}},
	}})
	if r.Unchanged != 2 {
		t.Errorf("rewrite after reopen = %+v", r)
	}
	// Seq continues
	mustWrite(t, s, graph.Write{Actor: "c", Restore: []string{"s1"}})
	h, _ := s.History(ctx, "s1", 0)
	if h[0].Op != graph.OpRestore || h[0].Seq <= beforeHist[0].Seq || h[0].Actor != "c" {
		t.Errorf("history after reopen = %+v (before %+v)", h, beforeHist)
	}
}

func TestSecondOpenIsRefused(t *testing.T) {
	s, dir := openTest(t)
	start := time.Now()
	_, err := Open(dir, WithOpenTimeout(200*time.Millisecond))
	if !errors.Is(err, ErrInUse) {
		t.Fatalf("second Open err = %v", err)
	}
	if want := fmt.Sprintf("data directory %s is in use by another hub process", dir); err.Error() != want {
		t.Errorf("message = %q, want %q", err.Error(), want)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("second Open did not time out")
	}
	s.Close(ctx)
	s2, err := Open(dir)
	if err != nil {
		t.Fatalf("Open after Close: %v", err)
	}
	s2.Close(ctx)
}

func TestContextCancelled(t *testing.T) {
	s, _ := openTest(t)
	c, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.List(c, graph.ListQuery{Label: graph.Network}); !errors.Is(err, context.Canceled) {
		t.Errorf("List err = %v", err)
	}
	if _, err := s.Write(c, graph.Write{Nodes: []graph.NodeWrite{org("o", "O", nil)}}); !errors.Is(err, context.Canceled) {
		t.Errorf("Write err = %v", err)
	}
	if _, err := s.Nodes(c, []string{"o"}); !errors.Is(err, context.Canceled) {
		t.Errorf("Nodes err = %v", err)
	}
}

func TestConcurrentReadersAndWriters(t *testing.T) {
	s, _ := openTest(t)
	mustWrite(t, s, italy(300))
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for w := range 4 {
		wg.Go(func() {
			for i := range 25 {
				id := fmt.Sprintf("w%d-%d", w, i)
				_, err := s.Write(ctx, graph.Write{Actor: "w", Nodes: []graph.NodeWrite{org(id, id, nil)},
					Link: []graph.Edge{{Type: graph.BasedIn, From: id, To: fmt.Sprintf("m%05d", i)}}})
				if err != nil {
					errs <- err
					return
				}
				if i%5 == 0 {
					if _, err := s.Write(ctx, graph.Write{Nodes: []graph.NodeWrite{
						{Mode: graph.Update, ID: fmt.Sprintf("m%05d", i), Label: graph.Territory, Props: graph.Props{"name": fmt.Sprintf("X%d-%d", w, i)}}}}); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	for range 4 {
		wg.Go(func() {
			for i := range 50 {
				p, err := s.List(ctx, graph.ListQuery{Label: graph.Territory, Where: []graph.PropFilter{{Key: "level", Op: graph.OpIn, Values: []any{"MUNICIPALITY"}}}, First: 5})
				if err == nil && p.TotalCount != 300 {
					err = fmt.Errorf("count %d", p.TotalCount)
				}
				if err == nil {
					_, err = s.List(ctx, graph.ListQuery{Label: graph.Organization, Territory: "it", Search: "w"})
				}
				if err == nil {
					_, err = s.Subgraph(ctx, graph.SubgraphQuery{Roots: []string{"r01"}, Depth: 3})
				}
				if err == nil {
					_, err = s.History(ctx, fmt.Sprintf("m%05d", i), 0)
				}
				if err == nil {
					_, err = s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{"m00001"}, Dir: graph.Both})
				}
				if err != nil {
					errs <- err
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	p, _ := s.List(ctx, graph.ListQuery{Label: graph.Organization, Territory: "it"})
	if p.TotalCount != 100 {
		t.Errorf("orgs in Italy = %d", p.TotalCount)
	}
}
