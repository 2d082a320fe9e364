package storetest

import (
	"fmt"
	"slices"

	"govhub/graph"
)

// onlyTests cover the visibility restriction of ListQuery.Only,
// SubgraphQuery.Only and EdgeQuery.Only: nil is unrestricted, an empty
// non-nil list matches nothing, and a list is one more filter ANDed with the
// others, applied before paging and counting.
var onlyTests = []testCase{
	{"ListAlone", testOnlyList},
	{"ListEmpty", testOnlyEmpty},
	{"ListWithSearchAndWhere", testOnlySearchWhere},
	{"ListWithRelated", testOnlyRelated},
	{"ListWithTerritory", testOnlyTerritory},
	{"ListPages", testOnlyPages},
	{"SubgraphNotThroughOutside", testOnlySubgraphChain},
	{"Subgraph", testOnlySubgraph},
	{"Edges", testOnlyEdges},
}

// only returns its arguments as a non-nil Only list.
func only(ids ...string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

func testOnlyList(e *env) {
	listFixture(e)
	o := graph.Organization
	q := func(ids []string) graph.ListQuery { return graph.ListQuery{Label: o, Only: ids} }
	all := []string{"org-comune", "org-coop", "org-regione", "org-spa", "org-uni", "org-area"}
	// The unrestricted list first: a store that remembers lists must not
	// answer a restricted query with it, nor the other way round.
	e.runListCases([]listCase{
		{"NilIsUnrestricted", q(nil), all},
		{"ListOrderNotOnlyOrder", q(only("org-area", "org-uni", "org-coop")), []string{"org-coop", "org-uni", "org-area"}},
		{"SameSetOtherOrder", q(only("org-coop", "org-area", "org-uni")), []string{"org-coop", "org-uni", "org-area"}},
		{"OtherSet", q(only("org-comune", "org-spa")), []string{"org-comune", "org-spa"}},
		{"OtherLabelsUnknownAndRepeatedIDsIgnored", q(only("svc-1", "org-spa", "missing", "org-spa", "act-1")), []string{"org-spa"}},
		{"OnlyOtherLabels", q(only("svc-1", "act-1", "ind-1")), nil},
		{"Everything", q(only(append(slices.Clone(all), "svc-1")...)), all},
		{"UnrestrictedAgain", q(nil), all},
		{"OtherLabel", graph.ListQuery{Label: graph.Service, Only: only("org-spa", "svc-3", "svc-1")}, []string{"svc-3", "svc-1"}},
	})
	e.write(graph.Write{Archive: []string{"org-coop"}})
	e.runListCases([]listCase{
		{"ArchivedInOnlyStillHidden", q(only("org-coop", "org-uni")), []string{"org-uni"}},
		{"ArchivedInOnlyWithIncludeArchived", graph.ListQuery{Label: o, Only: only("org-coop", "org-uni"), IncludeArchived: true},
			[]string{"org-coop", "org-uni"}},
		{"ArchivedOutsideOnly", graph.ListQuery{Label: o, Only: only("org-uni"), IncludeArchived: true}, []string{"org-uni"}},
	})
}

// An empty, non-nil Only matches nothing, whatever the other filters.
func testOnlyEmpty(e *env) {
	listFixture(e)
	territoryFixture(e)
	o := graph.Organization
	e.runListCases([]listCase{
		{"Alone", graph.ListQuery{Label: o, Only: []string{}}, nil},
		{"WithIncludeArchived", graph.ListQuery{Label: o, Only: []string{}, IncludeArchived: true}, nil},
		{"WithSearch", graph.ListQuery{Label: o, Only: []string{}, Search: "comune"}, nil},
		{"WithWhere", graph.ListQuery{Label: o, Only: []string{},
			Where: []graph.PropFilter{{Key: "kind", Op: graph.OpIn, Values: []any{"PUBLIC_INSTITUTION"}}}}, nil},
		{"WithTerritory", graph.ListQuery{Label: o, Only: []string{}, Territory: "terr-IT"}, nil},
		{"WithRelated", graph.ListQuery{Label: graph.Territory, Only: []string{},
			Related: []graph.RelFilter{{Type: graph.PartOf, Dir: graph.Out, IDs: []string{"terr-IT"}, Transitive: true}}}, nil},
		{"NilStillUnrestricted", graph.ListQuery{Label: o, Territory: "terr-15"}, []string{"org-napoli", "org-pozzuoli", "org-campania"}},
	})
	e.run("PageOfOne", func(e *env) {
		p := e.list(graph.ListQuery{Label: o, Only: []string{}, First: 1})
		if len(p.Nodes) != 0 || p.TotalCount != 0 || p.HasNextPage {
			e.t.Fatalf("empty Only, First=1: %q TotalCount %d HasNextPage %v; want nothing", nodeIDs(p.Nodes), p.TotalCount, p.HasNextPage)
		}
	})
}

func testOnlySearchWhere(e *env) {
	listFixture(e)
	o, a := graph.Organization, graph.Action
	f := func(key string, op graph.Op, vals ...any) graph.PropFilter {
		return graph.PropFilter{Key: key, Op: op, Values: vals}
	}
	public := f("kind", graph.OpIn, "PUBLIC_INSTITUTION", "UNIVERSITY")
	e.runListCases([]listCase{
		{"SearchUnrestricted", graph.ListQuery{Label: o, Search: "co"}, []string{"org-comune", "org-coop"}},
		{"Search", graph.ListQuery{Label: o, Search: "co", Only: only("org-coop", "org-uni")}, []string{"org-coop"}},
		{"SearchNoneInOnly", graph.ListQuery{Label: o, Search: "co", Only: only("org-uni", "org-spa")}, nil},
		{"WhereUnrestricted", graph.ListQuery{Label: o, Where: []graph.PropFilter{public}}, []string{"org-comune", "org-regione", "org-uni"}},
		{"Where", graph.ListQuery{Label: o, Where: []graph.PropFilter{public}, Only: only("org-uni", "org-coop", "org-comune")},
			[]string{"org-comune", "org-uni"}},
		{"WhereNotIn", graph.ListQuery{Label: a, Where: []graph.PropFilter{f("status", graph.OpNotIn, "COMPLETED")},
			Only: only("act-1", "act-4", "act-3")}, []string{"act-4", "act-3"}},
		{"SearchAndWhere", graph.ListQuery{Label: o, Search: "di", Where: []graph.PropFilter{public}, Only: only("org-comune", "org-uni")},
			[]string{"org-comune", "org-uni"}},
		{"SearchAndWhereExcluded", graph.ListQuery{Label: o, Search: "di", Where: []graph.PropFilter{public}, Only: only("org-regione", "org-coop")},
			nil},
	})
}

func testOnlyRelated(e *env) {
	relatedFixture(e)
	rel := func(t graph.RelType, d graph.Direction, transitive bool, ids ...string) graph.RelFilter {
		return graph.RelFilter{Type: t, Dir: d, IDs: ids, Transitive: transitive}
	}
	q := func(l graph.Label, ids []string, rs ...graph.RelFilter) graph.ListQuery {
		return graph.ListQuery{Label: l, Related: rs, Only: ids}
	}
	a, o := graph.Action, graph.Organization
	partOfNet1 := rel(graph.PartOf, graph.Out, true, "net-1")
	e.runListCases([]listCase{
		{"Unrestricted", q(a, nil, partOfNet1), []string{"act-act", "act-task", "act-wp"}},
		{"Transitive", q(a, only("act-task", "act-x", "net-1"), partOfNet1), []string{"act-task"}},
		// Only restricts the nodes listed, not the chains a relationship
		// filter follows: it is ANDed with the filter.
		{"ChainThroughNodesOutsideOnly", q(a, only("act-act"), partOfNet1), []string{"act-act"}},
		{"RelatedIDOutsideOnly", q(o, only("org-a", "org-b", "org-c"), rel(graph.PartnerIn, graph.Out, false, "net-1")), []string{"org-a", "org-c"}},
		{"SeveralRelated", q(o, only("org-c"), rel(graph.PartnerIn, graph.Out, false, "net-1"), rel(graph.PartnerIn, graph.Out, false, "net-2")),
			[]string{"org-c"}},
		{"SeveralRelatedExcluded", q(o, only("org-a", "org-b"), rel(graph.PartnerIn, graph.Out, false, "net-1"), rel(graph.PartnerIn, graph.Out, false, "net-2")),
			nil},
		{"RelatedAndWhere", graph.ListQuery{Label: o, Related: []graph.RelFilter{rel(graph.PartnerIn, graph.Both, false, "net-1", "net-2")},
			Where: []graph.PropFilter{{Key: "kind", Op: graph.OpIn, Values: []any{"THIRD_SECTOR"}}}, Only: only("org-b", "org-c")},
			[]string{"org-b"}},
	})
}

func testOnlyTerritory(e *env) {
	territoryFixture(e)
	o, t := graph.Organization, graph.Territory
	q := func(l graph.Label, code string, ids []string) graph.ListQuery {
		return graph.ListQuery{Label: l, Territory: graph.TerritoryID(code), Only: ids}
	}
	e.runListCases([]listCase{
		{"OrganizationsUnrestricted", q(o, "IT", nil), []string{"org-mazara", "org-napoli", "org-pozzuoli", "org-campania"}},
		{"Organizations", q(o, "IT", only("org-napoli", "org-mazara", "org-none")), []string{"org-mazara", "org-napoli"}},
		{"OrganizationsOtherRegion", q(o, "15", only("org-mazara")), nil},
		{"Territories", q(t, "15", only("terr-063", "terr-081", "terr-IT", "terr-063064")), []string{"terr-063", "terr-063064"}},
		// Only restricts the nodes listed, not the territories they are located in.
		{"TerritoryItselfOutsideOnly", q(o, "063", only("org-pozzuoli")), []string{"org-pozzuoli"}},
		{"Services", q(graph.Service, "IT", only("svc-2")), []string{"svc-2"}},
		{"TerritoryAndSearch", graph.ListQuery{Label: o, Territory: "terr-15", Search: "comune", Only: only("org-pozzuoli", "org-campania")},
			[]string{"org-pozzuoli"}},
	})

	// Every filter at once (the query of testCombined), each ids set in turn.
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{network("net-2", "Rete sociale"), org("org-coop", "Cooperativa di Napoli")},
		Link: []graph.Edge{
			partner("org-napoli", "net-2", "LEAD"), partner("org-coop", "net-2", "OPERATIONAL"), partner("org-mazara", "net-2", "ADHERENT"),
			link(graph.BasedIn, "org-coop", "terr-063049"),
		},
	})
	all := graph.ListQuery{
		Label:     o,
		Search:    "napoli",
		Related:   []graph.RelFilter{{Type: graph.PartnerIn, Dir: graph.Out, IDs: []string{"net-2"}}},
		Territory: "terr-15",
	}
	with := func(ids []string) graph.ListQuery { q := all; q.Only = ids; return q }
	e.runListCases([]listCase{
		{"AllFiltersUnrestricted", all, []string{"org-napoli", "org-coop"}},
		{"AllFilters", with(only("org-coop", "org-mazara")), []string{"org-coop"}},
		{"AllFiltersOther", with(only("org-napoli")), []string{"org-napoli"}},
		{"AllFiltersNone", with(only("org-mazara", "org-pozzuoli")), nil},
	})
}

// Pages of a restricted list: every page counts the restricted list, and
// no page shows, or announces with HasNextPage, a node outside Only.
func testOnlyPages(e *env) {
	writeOrgs(e, 25)
	all := e.listIDs(graph.ListQuery{Label: graph.Organization, First: 100})
	var in []string // every third node in list order
	for i := 0; i < len(all); i += 3 {
		in = append(in, all[i])
	}
	// Only in another order than the list's, with ids of no node.
	ids := slices.Clone(in)
	slices.Reverse(ids)
	ids = append(ids, "org-missing", "net-x")
	q := graph.ListQuery{Label: graph.Organization, Only: ids}

	e.run("OnePage", func(e *env) {
		wantIDs(e.t, "restricted list", e.listIDs(q), in...)
	})
	e.run("PagesOf1To4", func(e *env) {
		for first := 1; first <= 4; first++ {
			q := q
			q.First = first
			after := ""
			var got []string
			for range 100 {
				q.After = after
				p := e.list(q)
				if p.TotalCount != len(in) {
					e.t.Fatalf("First=%d After=%q: TotalCount %d, want %d", first, after, p.TotalCount, len(in))
				}
				got = append(got, nodeIDs(p.Nodes)...)
				if wantNext := len(got) < len(in); p.HasNextPage != wantNext {
					e.t.Fatalf("First=%d after %d nodes: HasNextPage %v, want %v", first, len(got), p.HasNextPage, wantNext)
				}
				if !p.HasNextPage {
					break
				}
				after = p.Cursors[len(p.Cursors)-1]
			}
			wantIDs(e.t, fmt.Sprintf("pages of %d", first), got, in...)
		}
		paged, sizes := e.pageThrough(q, 2)
		wantIDs(e.t, "pageThrough", paged, in...)
		if fmt.Sprint(sizes) != "[2 2 2 2 1]" {
			e.t.Errorf("page sizes %v, want [2 2 2 2 1]", sizes)
		}
	})
	e.run("NoNextPageAfterTheLastNodeInOnly", func(e *env) {
		// The first four nodes of the list: the nodes after them are outside Only.
		q := graph.ListQuery{Label: graph.Organization, Only: slices.Clone(all[:4]), First: 4}
		p := e.list(q)
		wantIDs(e.t, "first page", nodeIDs(p.Nodes), all[:4]...)
		if p.HasNextPage || p.TotalCount != 4 {
			e.t.Fatalf("HasNextPage %v TotalCount %d, want false 4", p.HasNextPage, p.TotalCount)
		}
		q.First, q.After = 2, p.Cursors[1]
		p = e.list(q)
		wantIDs(e.t, "after the second", nodeIDs(p.Nodes), all[2:4]...)
		if p.HasNextPage || p.TotalCount != 4 {
			e.t.Fatalf("after the second: HasNextPage %v TotalCount %d, want false 4", p.HasNextPage, p.TotalCount)
		}
		q.After = p.Cursors[1]
		p = e.list(q)
		if len(p.Nodes) != 0 || p.HasNextPage || p.TotalCount != 4 {
			e.t.Fatalf("after the last: %q HasNextPage %v TotalCount %d, want nothing, false, 4", nodeIDs(p.Nodes), p.HasNextPage, p.TotalCount)
		}
	})
	e.run("CursorOfANodeOutsideOnly", func(e *env) {
		// A cursor is a position: one taken from the unrestricted list, at a
		// node outside Only, continues the restricted list from there.
		full := e.list(graph.ListQuery{Label: graph.Organization, First: 100})
		p := e.list(graph.ListQuery{Label: graph.Organization, Only: ids, First: 2, After: full.Cursors[10]})
		wantIDs(e.t, "after the 11th node", nodeIDs(p.Nodes), all[12], all[15])
		if !p.HasNextPage || p.TotalCount != len(in) {
			e.t.Fatalf("HasNextPage %v TotalCount %d, want true %d", p.HasNextPage, p.TotalCount, len(in))
		}
	})
	e.run("UnrestrictedUnchanged", func(e *env) {
		p := e.list(graph.ListQuery{Label: graph.Organization, First: 5})
		if p.TotalCount != 25 || !p.HasNextPage {
			e.t.Fatalf("unrestricted: TotalCount %d HasNextPage %v, want 25 true", p.TotalCount, p.HasNextPage)
		}
	})
}

// chainFixture: terr-a PART_OF terr-b PART_OF terr-c, and a second way
// from a to c, terr-a PART_OF terr-d PART_OF terr-c.
func chainFixture(e *env) {
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{
			territory("a", "A", "MUNICIPALITY"), territory("b", "B", "PROVINCE"),
			territory("c", "C", "REGION"), territory("d", "D", "PROVINCE"),
		},
		Link: []graph.Edge{
			link(graph.PartOf, "terr-a", "terr-b"), link(graph.PartOf, "terr-b", "terr-c"),
			link(graph.PartOf, "terr-a", "terr-d"), link(graph.PartOf, "terr-d", "terr-c"),
		},
	})
}

func testOnlySubgraphChain(e *env) {
	chainFixture(e)
	ids := func(ids ...string) []string { return ids }
	ab, bc := eid(graph.PartOf, "terr-a", "terr-b"), eid(graph.PartOf, "terr-b", "terr-c")
	ad, dc := eid(graph.PartOf, "terr-a", "terr-d"), eid(graph.PartOf, "terr-d", "terr-c")
	q := func(depth int, only []string, roots ...string) graph.SubgraphQuery {
		return graph.SubgraphQuery{Roots: roots, Depth: depth, Only: only}
	}
	e.runSubgraphCases([]subgraphCase{
		{"Unrestricted", q(2, nil, "terr-a"), ids("terr-a", "terr-b", "terr-c", "terr-d"), ids(ab, bc, ad, dc), nil},
		{"NotThroughB", q(2, only("terr-a", "terr-c"), "terr-a"), ids("terr-a"), nil, nil},
		{"NotThroughBDepth10", q(10, only("terr-a", "terr-c"), "terr-a"), ids("terr-a"), nil, nil},
		{"ThroughD", q(2, only("terr-a", "terr-c", "terr-d"), "terr-a"), ids("terr-a", "terr-c", "terr-d"), ids(ad, dc), nil},
		{"ThroughDDepth1", q(1, only("terr-a", "terr-c", "terr-d"), "terr-a"), ids("terr-a", "terr-d"), ids(ad), nil},
		{"RootOutsideDropped", q(2, only("terr-a", "terr-c"), "terr-b", "terr-a"), ids("terr-a"), nil, nil},
		{"OnlyRootOutside", q(2, only("terr-a", "terr-c"), "terr-b"), nil, nil, nil},
		{"EdgesAmongReturnedOnly", q(0, only("terr-a", "terr-c"), "terr-a", "terr-b", "terr-c"), ids("terr-a", "terr-c"), nil, nil},
		{"EmptyOnly", q(2, only(), "terr-a"), nil, nil, nil},
	})
}

func testOnlySubgraph(e *env) {
	subgraphFixture(e)
	ids := func(ids ...string) []string { return ids }
	// Everything but the hub net-n.
	noHub := only("gov-g", "org-a", "org-b", "org-c", "org-z", "svc-s", "terr-t", "terr-t0")
	q := func(depth int, only []string, roots ...string) graph.SubgraphQuery {
		return graph.SubgraphQuery{Roots: roots, Depth: depth, Only: only}
	}
	e.runSubgraphCases([]subgraphCase{
		{"NotThroughHub", q(2, noHub, "org-a"), ids("gov-g", "org-a", "svc-s", "terr-t"), ids(sgST, sgAS, sgAG), nil},
		{"NotThroughHubFromLeaf", q(3, noHub, "org-b"), ids("org-b"), nil, nil},
		{"InducedEdgesAmongReturned", q(0, only("org-a", "gov-g"), "org-a", "net-n", "gov-g"), ids("gov-g", "org-a"), ids(sgAG), nil},
		{"WithTypes", graph.SubgraphQuery{Roots: ids("org-a"), Depth: 2, Types: []graph.RelType{graph.PartnerIn}, Only: only("org-a", "net-n", "org-c")},
			ids("net-n", "org-a", "org-c"), ids(sgAN, sgCN), nil},
		{"Empty", q(2, only(), "org-a", "net-n"), nil, nil, nil},
	})
	e.run("MaxNodesCountsRestricted", func(e *env) {
		// Unrestricted, depth 10 from org-a reaches 8 nodes; without net-n, 5.
		g := e.subgraph(graph.SubgraphQuery{Roots: ids("org-a"), Depth: 10, MaxNodes: 5, Only: noHub})
		wantIDs(e.t, "nodes", sortedIDs(g.Nodes), "gov-g", "org-a", "svc-s", "terr-t", "terr-t0")
		_, err := e.s.Subgraph(e.ctx, graph.SubgraphQuery{Roots: ids("org-a"), Depth: 10, MaxNodes: 5})
		if graph.CodeOf(err) != graph.CodeInvalid {
			e.t.Fatalf("unrestricted with MaxNodes 5: %v, want %s", err, graph.CodeInvalid)
		}
	})
	e.write(graph.Write{Archive: []string{"svc-s"}})
	e.runSubgraphCases([]subgraphCase{
		{"ArchivedInOnlyNotTraversed", q(3, noHub, "org-a"), ids("gov-g", "org-a"), ids(sgAG), nil},
		{"ArchivedInOnlyWithIncludeArchived", graph.SubgraphQuery{Roots: ids("org-a"), Depth: 3, Only: noHub, IncludeArchived: true},
			ids("gov-g", "org-a", "svc-s", "terr-t", "terr-t0"), ids(sgAG, sgAS, sgST, sgTT0), ids("svc-s")},
		{"IncludeArchivedStillRestricted", graph.SubgraphQuery{Roots: ids("org-b"), Depth: 3, Only: noHub, IncludeArchived: true},
			ids("org-b"), nil, nil},
	})
}

func testOnlyEdges(e *env) {
	subgraphFixture(e)
	q := func(dir graph.Direction, only []string, nodeIDs ...string) graph.EdgeQuery {
		return graph.EdgeQuery{NodeIDs: nodeIDs, Dir: dir, Only: only}
	}
	cases := []struct {
		name string
		q    graph.EdgeQuery
		want []string
	}{
		{"Unrestricted", q(graph.Both, nil, "net-n"), []string{sgAN, sgBN, sgCN, sgGN}},
		{"BothEnds", q(graph.Both, only("net-n", "org-a", "org-c"), "net-n"), []string{sgAN, sgCN}},
		{"NodeOutsideOnly", q(graph.Both, only("org-a", "org-b"), "net-n"), nil},
		{"OneNodeOutsideOnly", q(graph.Both, only("org-a", "gov-g"), "net-n", "org-a"), []string{sgAG}},
		{"Out", q(graph.Out, only("org-a", "net-n", "svc-s"), "org-a", "net-n"), []string{sgAN, sgAS}},
		{"In", q(graph.In, only("net-n", "gov-g", "org-a"), "net-n"), []string{sgAN, sgGN}},
		{"Types", graph.EdgeQuery{NodeIDs: []string{"net-n"}, Dir: graph.Both, Types: []graph.RelType{graph.PartnerIn},
			Only: only("net-n", "org-b", "gov-g")}, []string{sgBN}},
		{"Empty", q(graph.Both, only(), "net-n", "org-a"), nil},
	}
	for _, c := range cases {
		e.run(c.name, func(e *env) {
			wantEdges(e.t, "Edges", e.edges(c.q), c.want...)
		})
	}
	e.write(graph.Write{Archive: []string{"org-c"}})
	e.run("ArchivedEndInOnly", func(e *env) {
		wantEdges(e.t, "Edges", e.edges(q(graph.Both, only("net-n", "org-b", "org-c"), "net-n")), sgBN)
		withArchived := graph.EdgeQuery{NodeIDs: []string{"net-n"}, Dir: graph.Both, Only: only("net-n", "org-b", "org-c"), IncludeArchived: true}
		wantEdges(e.t, "Edges with archived", e.edges(withArchived), sgBN, sgCN)
	})
}
