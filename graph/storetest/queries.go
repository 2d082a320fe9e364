package storetest

import (
	"govhub/graph"
)

var queryTests = []testCase{
	{"InvalidQueries", testInvalidQueries},
	{"SubgraphRoots", testSubgraphRoots},
	{"EdgesOfArchivedNode", testEdgesOfArchivedNode},
	{"TerritoryThroughArchivedTerritory", testTerritoryArchived},
	{"NodesRepeatedIDs", testNodesRepeated},
}

// testInvalidQueries: reads with input no caller should send are
// BAD_USER_INPUT, never an internal error or a silent empty answer.
func testInvalidQueries(e *env) {
	listFixture(e)
	lists := []struct {
		name string
		q    graph.ListQuery
	}{
		{"ListUnknownLabel", graph.ListQuery{Label: "Spaceship"}},
		{"ListUnknownWhereKey", graph.ListQuery{Label: graph.Organization, Where: []graph.PropFilter{{Key: "colour", Op: graph.OpIn, Values: []any{"red"}}}}},
		{"ListUnknownOperator", graph.ListQuery{Label: graph.Organization, Where: []graph.PropFilter{{Key: "name", Op: graph.Op(42), Values: []any{"x"}}}}},
		{"ListUnknownRelType", graph.ListQuery{Label: graph.Organization, Related: []graph.RelFilter{{Type: "LIKES", Dir: graph.Out, IDs: []string{"org-coop"}}}}},
		{"ListTerritoryOfUnlocatedLabel", graph.ListQuery{Label: graph.Action, Territory: graph.TerritoryID("IT")}},
	}
	for _, c := range lists {
		e.run(c.name, func(e *env) { e.listErr(c.q, graph.CodeInvalid) })
	}
	e.run("EdgesUnknownType", func(e *env) {
		_, err := e.s.Edges(e.ctx, graph.EdgeQuery{NodeIDs: []string{"org-coop"}, Types: []graph.RelType{"LIKES"}})
		wantCode(e, "Edges", err, graph.CodeInvalid)
	})
	e.run("EdgesUnknownDirection", func(e *env) {
		_, err := e.s.Edges(e.ctx, graph.EdgeQuery{NodeIDs: []string{"org-coop"}, Dir: graph.Direction(7)})
		wantCode(e, "Edges", err, graph.CodeInvalid)
	})
	e.run("HistoryNegativeLimit", func(e *env) {
		_, err := e.s.History(e.ctx, "org-coop", -1)
		wantCode(e, "History", err, graph.CodeInvalid)
	})
	e.run("SubgraphNegativeMaxNodes", func(e *env) {
		_, err := e.s.Subgraph(e.ctx, graph.SubgraphQuery{Roots: []string{"org-coop"}, Depth: 1, MaxNodes: -1})
		wantCode(e, "Subgraph", err, graph.CodeInvalid)
	})
}

func wantCode(e *env, what string, err error, want graph.Code) {
	e.t.Helper()
	if got := graph.CodeOf(err); got != want {
		e.t.Fatalf("%s: got error %v (code %q), want code %q", what, err, got, want)
	}
}

// testSubgraphRoots: missing roots are ignored, archived roots are left
// out unless IncludeArchived, repeated roots count once, no roots is empty.
func testSubgraphRoots(e *env) {
	subgraphFixture(e)
	e.write(graph.Write{Archive: []string{"org-b"}})
	ids := func(ids ...string) []string { return ids }
	e.runSubgraphCases([]subgraphCase{
		{"MissingRootIgnored", graph.SubgraphQuery{Roots: []string{"missing", "org-a"}, Depth: 0}, ids("org-a"), nil, nil},
		{"ArchivedRootLeftOut", graph.SubgraphQuery{Roots: []string{"org-b"}, Depth: 1}, nil, nil, nil},
		{"ArchivedRootIncluded", graph.SubgraphQuery{Roots: []string{"org-b"}, Depth: 1, IncludeArchived: true},
			ids("org-b", "net-n"), ids(sgBN), ids("org-b")},
		{"RepeatedRootsOnce", graph.SubgraphQuery{Roots: []string{"org-a", "org-a", "svc-s"}, Depth: 0}, ids("org-a", "svc-s"), ids(sgAS), nil},
		{"NoRoots", graph.SubgraphQuery{Depth: 3}, nil, nil, nil},
	})
}

// testEdgesOfArchivedNode: an archived node's own edges are hidden too
// unless IncludeArchived.
func testEdgesOfArchivedNode(e *env) {
	edgesFixture(e)
	e.write(graph.Write{Archive: []string{"svc-s"}})
	if es := e.edges(graph.EdgeQuery{NodeIDs: []string{"svc-s"}, Dir: graph.Both}); len(es) != 0 {
		e.t.Fatalf("edges of an archived node: %q, want none", edgeIDs(es))
	}
	wantEdges(e.t, "edges of an archived node with IncludeArchived",
		e.edges(graph.EdgeQuery{NodeIDs: []string{"svc-s"}, Dir: graph.Both, IncludeArchived: true}),
		eid(graph.DeliveredIn, "svc-s", "terr-t"), eid(graph.PartOf, "svc-s", "net-n"),
		eid(graph.Provides, "org-a", "svc-s"), eid(graph.RefersTo, "svc-r", "svc-s"))
}

// testTerritoryArchived: archiving a territory hides it, but the tree still
// holds: its descendants and what is located in them stay in their ancestors.
func testTerritoryArchived(e *env) {
	territoryFixture(e)
	e.write(graph.Write{Archive: []string{"terr-063"}})
	e.runListCases([]listCase{
		{"Organizations", graph.ListQuery{Label: graph.Organization, Territory: "terr-15"}, []string{"org-napoli", "org-pozzuoli", "org-campania"}},
		{"Territories", graph.ListQuery{Label: graph.Territory, Territory: "terr-15"}, []string{"terr-15", "terr-063049", "terr-063064"}},
		{"InTheArchivedOne", graph.ListQuery{Label: graph.Territory, Territory: "terr-063"}, []string{"terr-063049", "terr-063064"}},
	})
}

func testNodesRepeated(e *env) {
	e.write(nodes(org("org-a", "A"), org("org-b", "B")))
	wantIDs(e.t, "Nodes", nodeIDs(e.nodes("org-b", "org-a", "org-b")), "org-b", "org-a", "org-b")
}
