package neo4j

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"testing"

	"govhub/graph"
	"govhub/graph/embedded"
)

// TestParityWithEmbedded applies the same random writes to this store and to
// the embedded one and checks that every read answers the same: lists (order,
// counts, cursors) under random filters, edges, subgraphs and histories. The
// names mix characters where Neo4j and Go disagree on order or case.
func TestParityWithEmbedded(t *testing.T) {
	TestConfig(t)
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) { parity(t, seed) })
	}
}

func parity(t *testing.T, seed uint64) {
	n4 := openEmpty(t)
	em, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { em.Close(t.Context()) })
	stores := []graph.Store{em, n4}
	rng := rand.New(rand.NewPCG(seed, 2))

	// Names from pieces where the two orders or case mappings differ.
	pieces := []string{"a", "A", "b", "Z", "é", "e\u0301", "\uff01", "\U0001F600", "\ue000", "Σ", "σ", "ς", "İ", "i", " ", "ant", "ANT", "Ω"}
	name := func() string {
		var b strings.Builder
		for range 1 + rng.IntN(4) {
			b.WriteString(pieces[rng.IntN(len(pieces))])
		}
		return b.String()
	}
	var terrs, orgs, nets, acts, svcs []string
	w := graph.Write{Actor: "parity"}
	// A territory tree: country, regions, provinces, municipalities.
	addTerr := func(id, level, parent string) {
		terrs = append(terrs, id)
		w.Nodes = append(w.Nodes, graph.NodeWrite{ID: id, Label: graph.Territory,
			Props: graph.Props{"name": name(), "code": id, "level": level, "population": int64(rng.IntN(1000))}})
		if parent != "" {
			w.Link = append(w.Link, graph.Edge{Type: graph.PartOf, From: id, To: parent})
		}
	}
	addTerr("t", "COUNTRY", "")
	for r := range 3 {
		rid := fmt.Sprintf("t%d", r)
		addTerr(rid, "REGION", "t")
		for p := range 3 {
			pid := fmt.Sprintf("%s%d", rid, p)
			addTerr(pid, "PROVINCE", rid)
			for m := range 3 {
				addTerr(fmt.Sprintf("%s%d", pid, m), "MUNICIPALITY", pid)
			}
		}
	}
	kinds := graph.OrganizationKinds
	for i := range 30 {
		id := fmt.Sprintf("org-%02d\U0001F600%d", i, i%3)
		if i%4 == 0 {
			id = fmt.Sprintf("org-%02d\uff01", i)
		}
		orgs = append(orgs, id)
		p := graph.Props{"name": name(), "kind": kinds[rng.IntN(len(kinds))]}
		if rng.IntN(2) == 0 {
			p["aliases"] = []string{name(), name()}
		}
		if rng.IntN(2) == 0 {
			p["acronym"] = name()
		}
		w.Nodes = append(w.Nodes, graph.NodeWrite{ID: id, Label: graph.Organization, Props: p})
		w.Link = append(w.Link, graph.Edge{Type: graph.BasedIn, From: id, To: terrs[rng.IntN(len(terrs))]})
		if rng.IntN(2) == 0 {
			w.Link = append(w.Link, graph.Edge{Type: graph.OperatesIn, From: id, To: terrs[rng.IntN(len(terrs))]})
		}
	}
	for i := range 4 {
		id := fmt.Sprintf("net-%d", i)
		nets = append(nets, id)
		w.Nodes = append(w.Nodes, graph.NodeWrite{ID: id, Label: graph.Network, Props: graph.Props{"name": name()}})
	}
	for _, o := range orgs {
		for _, n := range nets {
			if rng.IntN(3) == 0 {
				w.Link = append(w.Link, graph.Edge{Type: graph.PartnerIn, From: o, To: n,
					Props: graph.Props{"role": graph.PartnerRoles[rng.IntN(len(graph.PartnerRoles))]}})
			}
		}
	}
	statuses := graph.ActionStatuses
	for i := range 25 {
		id := fmt.Sprintf("act-%02d", i)
		acts = append(acts, id)
		p := graph.Props{"name": name(), "kind": "ACTIVITY", "progress": int64(rng.IntN(101))}
		if rng.IntN(4) > 0 {
			p["status"] = statuses[rng.IntN(len(statuses))]
		}
		if rng.IntN(2) == 0 {
			p["plannedEnd"] = fmt.Sprintf("2024-%02d-15", 1+rng.IntN(12))
		}
		w.Nodes = append(w.Nodes, graph.NodeWrite{ID: id, Label: graph.Action, Props: p})
		if i < 4 {
			w.Link = append(w.Link, graph.Edge{Type: graph.PartOf, From: id, To: nets[i]})
		} else {
			w.Link = append(w.Link, graph.Edge{Type: graph.PartOf, From: id, To: acts[rng.IntN(i)]})
		}
	}
	// Dependencies with cycles.
	for range 30 {
		a, b := acts[rng.IntN(len(acts))], acts[rng.IntN(len(acts))]
		w.Link = append(w.Link, graph.Edge{Type: graph.DependsOn, From: a, To: b})
	}
	for i := range 15 {
		id := fmt.Sprintf("svc-%02d", i)
		svcs = append(svcs, id)
		w.Nodes = append(w.Nodes, graph.NodeWrite{ID: id, Label: graph.Service, Props: graph.Props{
			"name": name(), "category": graph.ServiceCategories[rng.IntN(4)],
			"languages": []string{"it", []string{"en", "fr", "ar"}[rng.IntN(3)]}, "singleAccessPoint": rng.IntN(2) == 0}})
		w.Link = append(w.Link, graph.Edge{Type: graph.DeliveredIn, From: id, To: terrs[rng.IntN(len(terrs))]},
			graph.Edge{Type: graph.Provides, From: orgs[rng.IntN(len(orgs))], To: id})
	}
	all := slices.Concat(terrs, orgs, nets, acts, svcs)

	// Writes: the graph, then archives, unlinks, updates, and failures.
	writes := []graph.Write{w,
		{Actor: "u1", Archive: []string{orgs[1], orgs[5], terrs[4], acts[3], svcs[2]}},
		{Actor: "u2", Unlink: []graph.EdgeKey{w.Link[5].Key(), w.Link[40].Key()}},
		{Actor: "u3", Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: orgs[2], Label: graph.Organization,
			Props: graph.Props{"name": "Σίσυφος ΟΔΟΣ"}, Unset: []string{"acronym"}}}},
		{Actor: "u4", Nodes: []graph.NodeWrite{{Mode: graph.Create, ID: orgs[3], Label: graph.Organization,
			Props: graph.Props{"name": "dup", "kind": "OTHER"}}}},
		{Actor: "u5", Link: []graph.Edge{{Type: graph.PartnerIn, From: orgs[1], To: nets[0], Props: graph.Props{"role": "LEAD"}}}},
		{Actor: "u6", Restore: []string{terrs[4]}},
		w,
	}
	for i, wr := range writes {
		var results []string
		for _, s := range stores {
			r, err := s.Write(t.Context(), wr)
			results = append(results, fmt.Sprintf("code=%q %+v", graph.CodeOf(err), stripResult(r)))
		}
		if results[0] != results[1] {
			t.Fatalf("write %d:\n embedded %s\n neo4j    %s", i, results[0], results[1])
		}
	}

	same := func(what string, f func(s graph.Store) any) {
		t.Helper()
		a, b := f(em), f(n4)
		if !reflect.DeepEqual(a, b) {
			t.Errorf("%s:\n embedded %v\n neo4j    %v", what, a, b)
		}
	}

	// Visibility restrictions (Only) come from their own generator, so that
	// the other random choices stay those of the seed: nil half of the time,
	// else a random part of the nodes, sometimes none.
	orng := rand.New(rand.NewPCG(seed, 3))
	randomOnly := func() []string {
		if orng.IntN(2) == 0 {
			return nil
		}
		only := []string{}
		if orng.IntN(8) == 0 {
			return only
		}
		for _, id := range all {
			if orng.IntN(10) < 6 {
				only = append(only, id)
			}
		}
		return only
	}

	// Lists under random filters, paged.
	labels := []graph.Label{graph.Organization, graph.Territory, graph.Action, graph.Service, graph.Network}
	ops := []graph.Op{graph.OpIn, graph.OpNotIn, graph.OpContains, graph.OpLt, graph.OpGt}
	for i := range 300 {
		q := graph.ListQuery{Label: labels[rng.IntN(len(labels))], IncludeArchived: rng.IntN(3) == 0, First: 1 + rng.IntN(7)}
		if rng.IntN(3) == 0 {
			q.Search = pieces[rng.IntN(len(pieces))]
		}
		if rng.IntN(3) == 0 {
			q.Territory = terrs[rng.IntN(len(terrs))]
			if q.Label == graph.Action {
				q.Territory = ""
			}
		}
		if rng.IntN(2) == 0 {
			props := graph.TypeOf(q.Label).Props
			p := props[rng.IntN(len(props))]
			vals := []any{name(), "PLANNED", "IN_PROGRESS", "THIRD_SECTOR", int64(50), 50.0, "2024-06-15", "it", "en", true, "SOCIAL"}
			f := graph.PropFilter{Key: p.Name, Op: ops[rng.IntN(len(ops))]}
			for range rng.IntN(3) + 1 {
				f.Values = append(f.Values, vals[rng.IntN(len(vals))])
			}
			q.Where = append(q.Where, f)
		}
		for range rng.IntN(3) {
			rf := graph.RelFilter{Dir: graph.Direction(rng.IntN(3)), Transitive: rng.IntN(2) == 0}
			switch rng.IntN(4) {
			case 0:
				rf.Type, rf.IDs = graph.PartnerIn, []string{nets[rng.IntN(len(nets))]}
			case 1:
				rf.Type, rf.IDs = graph.PartOf, []string{nets[rng.IntN(len(nets))], acts[rng.IntN(len(acts))]}
			case 2:
				rf.Type, rf.IDs = graph.DependsOn, []string{acts[rng.IntN(len(acts))]}
			case 3:
				rf.Type, rf.IDs = graph.PartOf, []string{terrs[rng.IntN(len(terrs))]}
			}
			q.Related = append(q.Related, rf)
		}
		q.Only = randomOnly()
		same(fmt.Sprintf("list %d %+v", i, q), func(s graph.Store) any { return listAll(t, s, q) })
	}

	// Edges and subgraphs from random nodes.
	for i := range 60 {
		var ids []string
		for range 1 + rng.IntN(3) {
			ids = append(ids, all[rng.IntN(len(all))])
		}
		var types []graph.RelType
		if rng.IntN(2) == 0 {
			types = []graph.RelType{graph.RelTypes[rng.IntN(len(graph.RelTypes))], graph.PartOf}
		}
		eq := graph.EdgeQuery{NodeIDs: ids, Types: types, Dir: graph.Direction(rng.IntN(3)), IncludeArchived: rng.IntN(2) == 0, Only: randomOnly()}
		same(fmt.Sprintf("edges %d %+v", i, eq), func(s graph.Store) any {
			es, err := s.Edges(t.Context(), eq)
			return fmt.Sprint(es, graph.CodeOf(err))
		})
		sq := graph.SubgraphQuery{Roots: ids, Depth: rng.IntN(5), Types: types, IncludeArchived: rng.IntN(2) == 0, MaxNodes: rng.IntN(80),
			Only: randomOnly()}
		same(fmt.Sprintf("subgraph %d %+v", i, sq), func(s graph.Store) any {
			g, err := s.Subgraph(t.Context(), sq)
			var ns []string
			for _, n := range g.Nodes {
				ns = append(ns, stripNode(n))
			}
			return fmt.Sprint(ns, g.Edges, graph.CodeOf(err))
		})
	}
	for _, id := range all {
		same("history "+id, func(s graph.Store) any {
			hs, err := s.History(t.Context(), id, 0)
			var out []string
			for _, c := range hs {
				out = append(out, fmt.Sprintf("%d %s %s %s %q", c.Seq, c.Actor, c.Op, c.NodeID, c.Fields))
			}
			return fmt.Sprint(out, err)
		})
	}
	same("nodes", func(s graph.Store) any {
		ns, err := s.Nodes(t.Context(), append(all, "missing", all[0]))
		var out []string
		for _, n := range ns {
			out = append(out, stripNode(n))
		}
		return fmt.Sprint(out, err)
	})
}

// listAll pages through q and describes every page.
func listAll(t *testing.T, s graph.Store, q graph.ListQuery) string {
	var b strings.Builder
	for range 100 {
		p, err := s.List(t.Context(), q)
		if err != nil {
			return fmt.Sprintf("error %s", graph.CodeOf(err))
		}
		fmt.Fprintf(&b, "total=%d next=%v ids=%q cursors=%q\n", p.TotalCount, p.HasNextPage, ids(p.Nodes), p.Cursors)
		if !p.HasNextPage {
			break
		}
		q.After = p.Cursors[len(p.Cursors)-1]
	}
	return b.String()
}

// stripNode describes a node without its times, which differ between stores.
func stripNode(n graph.Node) string {
	return fmt.Sprintf("%s %s archived=%v %s", n.ID, n.Label, n.Archived, fmtProps(n.Props))
}

func fmtProps(p graph.Props) string {
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s:%#v ", k, p[k])
	}
	return b.String()
}

func stripResult(r graph.WriteResult) string {
	var ns []string
	for _, n := range r.Nodes {
		ns = append(ns, stripNode(n))
	}
	return fmt.Sprintf("c=%d u=%d l=%d ul=%d un=%d %v", r.Created, r.Updated, r.Linked, r.Unlinked, r.Unchanged, ns)
}
