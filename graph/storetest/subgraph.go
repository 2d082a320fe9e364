package storetest

import (
	"slices"

	"govhub/graph"
)

var subgraphTests = []testCase{
	{"Expand", testSubgraph},
	{"ArchivedNodes", testSubgraphArchived},
	{"Limits", testSubgraphLimits},
}

// subgraphFixture: a star of partners around net-n, a chain
// org-a -> svc-s -> terr-t -> terr-t0, a triangle org-a, net-n, gov-g, and an
// unconnected org-z.
func subgraphFixture(e *env) {
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{
			network("net-n", "N"), org("org-a", "A"), org("org-b", "B"), org("org-c", "C"), org("org-z", "Z"),
			service("svc-s", "S"), territory("t", "T", "PROVINCE"), territory("t0", "T0", "REGION"), body("gov-g", "G"),
		},
		Link: []graph.Edge{
			partner("org-a", "net-n", "LEAD"), partner("org-b", "net-n", "OPERATIONAL"), partner("org-c", "net-n", "OPERATIONAL"),
			link(graph.Provides, "org-a", "svc-s"), link(graph.DeliveredIn, "svc-s", "terr-t"), link(graph.PartOf, "terr-t", "terr-t0"),
			link(graph.Coordinates, "gov-g", "net-n"), link(graph.SitsOn, "org-a", "gov-g", "role", "membro"),
		},
	})
}

var (
	sgAN  = eid(graph.PartnerIn, "org-a", "net-n")
	sgBN  = eid(graph.PartnerIn, "org-b", "net-n")
	sgCN  = eid(graph.PartnerIn, "org-c", "net-n")
	sgAS  = eid(graph.Provides, "org-a", "svc-s")
	sgST  = eid(graph.DeliveredIn, "svc-s", "terr-t")
	sgTT0 = eid(graph.PartOf, "terr-t", "terr-t0")
	sgGN  = eid(graph.Coordinates, "gov-g", "net-n")
	sgAG  = eid(graph.SitsOn, "org-a", "gov-g")
)

type subgraphCase struct {
	name     string
	q        graph.SubgraphQuery
	nodes    []string // in any order
	edges    []string // ids, in any order
	archived []string // ids expected with Archived=true
}

func (e *env) runSubgraphCases(cases []subgraphCase) {
	e.t.Helper()
	for _, c := range cases {
		e.run(c.name, func(e *env) {
			g := e.subgraph(c.q)
			wantIDs(e.t, "Subgraph nodes", sortedIDs(g.Nodes), sorted(c.nodes)...)
			wantEdges(e.t, "Subgraph edges", g.Edges, c.edges...)
			for _, n := range g.Nodes {
				archived := slices.Contains(c.archived, n.ID)
				if n.Archived != archived {
					e.t.Errorf("%s: Archived = %v, want %v", n.ID, n.Archived, archived)
				}
				if n.Label == "" || len(n.Props) == 0 || n.CreatedAt.IsZero() {
					e.t.Errorf("incomplete node %s", fmtNode(n))
				}
			}
			for _, ed := range g.Edges {
				switch ed.Key().ID() {
				case sgAN:
					wantProps(e.t, sgAN, ed.Props, graph.Props{"role": "LEAD"})
				case sgAG:
					wantProps(e.t, sgAG, ed.Props, graph.Props{"role": "membro"})
				}
			}
		})
	}
}

func testSubgraph(e *env) {
	subgraphFixture(e)
	q := func(depth int, types []graph.RelType, roots ...string) graph.SubgraphQuery {
		return graph.SubgraphQuery{Roots: roots, Depth: depth, Types: types}
	}
	ids := func(ids ...string) []string { return ids }
	all := ids("gov-g", "net-n", "org-a", "org-b", "org-c", "svc-s", "terr-t", "terr-t0")
	allEdges := ids(sgCN, sgGN, sgST, sgTT0, sgBN, sgAN, sgAS, sgAG)
	e.runSubgraphCases([]subgraphCase{
		{"Depth0", q(0, nil, "org-a"), ids("org-a"), nil, nil},
		{"Depth0EdgesAmongRoots", q(0, nil, "org-a", "net-n"), ids("net-n", "org-a"), ids(sgAN), nil},
		{"Depth1", q(1, nil, "org-a"), ids("gov-g", "net-n", "org-a", "svc-s"), ids(sgGN, sgAN, sgAS, sgAG), nil},
		{"Depth2", q(2, nil, "org-a"), ids("gov-g", "net-n", "org-a", "org-b", "org-c", "svc-s", "terr-t"),
			ids(sgCN, sgGN, sgST, sgBN, sgAN, sgAS, sgAG), nil},
		{"Depth1FromHubFollowsIncomingEdges", q(1, nil, "net-n"), ids("gov-g", "net-n", "org-a", "org-b", "org-c"),
			ids(sgCN, sgGN, sgBN, sgAN, sgAG), nil},
		{"Depth2FromChainEnd", q(2, nil, "terr-t0"), ids("svc-s", "terr-t", "terr-t0"), ids(sgST, sgTT0), nil},
		{"Depth10ReachesAll", q(10, nil, "org-a"), all, allEdges, nil},
		{"SeveralRoots", q(1, nil, "terr-t0", "org-b"), ids("net-n", "org-b", "terr-t", "terr-t0"), ids(sgTT0, sgBN), nil},
		{"OneType", q(2, []graph.RelType{graph.PartnerIn}, "org-a"), ids("net-n", "org-a", "org-b", "org-c"), ids(sgCN, sgBN, sgAN), nil},
		{"TwoTypes", q(3, []graph.RelType{graph.Provides, graph.DeliveredIn}, "org-a"), ids("org-a", "svc-s", "terr-t"), ids(sgST, sgAS), nil},
		{"TypesLimitInducedEdges", q(0, []graph.RelType{graph.SitsOn}, "org-a", "gov-g", "net-n"), ids("gov-g", "net-n", "org-a"), ids(sgAG), nil},
		{"TypeNotAtRoot", q(2, []graph.RelType{graph.Coordinates}, "org-a"), ids("org-a"), nil, nil},
		{"IsolatedRoot", q(3, nil, "org-z"), ids("org-z"), nil, nil},
	})
}

func testSubgraphArchived(e *env) {
	subgraphFixture(e)
	e.write(graph.Write{Archive: []string{"net-n"}})
	ids := func(ids ...string) []string { return ids }
	e.runSubgraphCases([]subgraphCase{
		{"NotReturnedNorTraversed", graph.SubgraphQuery{Roots: []string{"org-a"}, Depth: 2},
			ids("gov-g", "org-a", "svc-s", "terr-t"), ids(sgST, sgAS, sgAG), nil},
		{"NotTraversedFromLeaf", graph.SubgraphQuery{Roots: []string{"org-b"}, Depth: 3}, ids("org-b"), nil, nil},
		{"IncludeArchived", graph.SubgraphQuery{Roots: []string{"org-a"}, Depth: 2, IncludeArchived: true},
			ids("gov-g", "net-n", "org-a", "org-b", "org-c", "svc-s", "terr-t"),
			ids(sgCN, sgGN, sgST, sgBN, sgAN, sgAS, sgAG), ids("net-n")},
	})
}

func testSubgraphLimits(e *env) {
	subgraphFixture(e)
	errCase := func(name string, q graph.SubgraphQuery) {
		e.run(name, func(e *env) {
			_, err := e.s.Subgraph(e.ctx, q)
			if graph.CodeOf(err) != graph.CodeInvalid {
				e.t.Fatalf("Subgraph(%+v): got error %v, want %s", q, err, graph.CodeInvalid)
			}
		})
	}
	// Depth 10 from org-a reaches 8 nodes.
	e.run("MaxNodesReached", func(e *env) {
		if g := e.subgraph(graph.SubgraphQuery{Roots: []string{"org-a"}, Depth: 10, MaxNodes: 8}); len(g.Nodes) != 8 {
			e.t.Fatalf("%d nodes, want 8", len(g.Nodes))
		}
	})
	errCase("MaxNodesExceeded", graph.SubgraphQuery{Roots: []string{"org-a"}, Depth: 10, MaxNodes: 7})
	errCase("MaxNodesExceededByRoots", graph.SubgraphQuery{Roots: []string{"org-a", "org-b", "org-c"}, Depth: 0, MaxNodes: 2})
	errCase("NegativeDepth", graph.SubgraphQuery{Roots: []string{"org-a"}, Depth: -1})
	errCase("DepthOver10", graph.SubgraphQuery{Roots: []string{"org-a"}, Depth: 11})
}
