package storetest

import (
	"govhub/graph"
)

var linkTests = []testCase{
	{"LinkCreatesRelinkMergesProps", testRelink},
	{"UnlinkRemovesOnlyTheEdge", testUnlink},
	{"LinkNodesOfTheSameWrite", testLinkSameWrite},
	{"EdgePropsRoundTrip", testEdgeProps},
	{"EdgesByDirectionAndType", testEdgesDirection},
	{"EdgesOmitArchivedOtherEnd", testEdgesArchived},
}

func testRelink(e *env) {
	e.write(nodes(org("org-1", "O"), network("net-1", "N")))
	r := e.write(graph.Write{Link: []graph.Edge{link(graph.PartnerIn, "org-1", "net-1", "role", "LEAD", "since", "2019-01-01")}})
	wantCounts(e.t, r, counts{Linked: 1})
	es := e.edges(graph.EdgeQuery{NodeIDs: []string{"org-1"}, Dir: graph.Out})
	wantEdges(e.t, "Edges", es, eid(graph.PartnerIn, "org-1", "net-1"))
	wantProps(e.t, "PARTNER_IN", es[0].Props, graph.Props{"role": "LEAD", "since": "2019-01-01"})

	// Re-linking merges: role changes, since stays.
	r = e.write(graph.Write{Link: []graph.Edge{partner("org-1", "net-1", "OPERATIONAL")}})
	wantCounts(e.t, r, counts{Linked: 1})
	es = e.edges(graph.EdgeQuery{NodeIDs: []string{"org-1"}, Dir: graph.Out})
	wantEdges(e.t, "Edges after re-link", es, eid(graph.PartnerIn, "org-1", "net-1"))
	wantProps(e.t, "PARTNER_IN after re-link", es[0].Props, graph.Props{"role": "OPERATIONAL", "since": "2019-01-01"})

	// The same link again changes nothing; a nil property in a link is dropped, not removed.
	r = e.write(graph.Write{Link: []graph.Edge{link(graph.PartnerIn, "org-1", "net-1", "role", "OPERATIONAL", "since", nil)}})
	wantCounts(e.t, r, counts{Unchanged: 1})
	es = e.edges(graph.EdgeQuery{NodeIDs: []string{"net-1"}, Dir: graph.In})
	wantEdges(e.t, "Edges after no-op link", es, eid(graph.PartnerIn, "org-1", "net-1"))
	wantProps(e.t, "PARTNER_IN after no-op link", es[0].Props, graph.Props{"role": "OPERATIONAL", "since": "2019-01-01"})

	// Linking does not touch the nodes' properties or times.
	if n := e.node("org-1"); !n.UpdatedAt.Equal(n.CreatedAt) {
		e.t.Errorf("linking changed UpdatedAt of org-1: %s", fmtNode(n))
	}
}

func testUnlink(e *env) {
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{org("org-1", "O"), network("net-1", "N"), network("net-2", "M")},
		Link:  []graph.Edge{partner("org-1", "net-1", "LEAD"), partner("org-1", "net-2", "LEAD")},
	})
	r := e.write(graph.Write{Unlink: []graph.EdgeKey{{Type: graph.PartnerIn, From: "org-1", To: "net-1"}}})
	wantCounts(e.t, r, counts{Unlinked: 1})
	wantEdges(e.t, "Edges after unlink", e.edges(graph.EdgeQuery{NodeIDs: []string{"org-1", "net-1"}, Dir: graph.Both, IncludeArchived: true}),
		eid(graph.PartnerIn, "org-1", "net-2"))
	wantIDs(e.t, "Nodes after unlink", nodeIDs(e.nodes("org-1", "net-1", "net-2")), "org-1", "net-1", "net-2")
	e.writeErr(graph.Write{Unlink: []graph.EdgeKey{{Type: graph.PartnerIn, From: "org-1", To: "net-1"}}}, graph.CodeNotFound)

	// Unlinked edges can be linked again, with new properties only.
	r = e.write(graph.Write{Link: []graph.Edge{partner("org-1", "net-1", "TECHNICAL")}})
	wantCounts(e.t, r, counts{Linked: 1})
	es := e.edges(graph.EdgeQuery{NodeIDs: []string{"net-1"}, Dir: graph.In})
	wantEdges(e.t, "Edges after link again", es, eid(graph.PartnerIn, "org-1", "net-1"))
	wantProps(e.t, "PARTNER_IN linked again", es[0].Props, graph.Props{"role": "TECHNICAL"})
}

func testLinkSameWrite(e *env) {
	e.write(nodes(territory("1", "Uno", "REGION")))
	r := e.write(graph.Write{
		Nodes: []graph.NodeWrite{org("org-1", "O"), network("net-1", "N"), service("svc-1", "S")},
		Link: []graph.Edge{
			partner("org-1", "net-1", "LEAD"), link(graph.Provides, "org-1", "svc-1"),
			link(graph.PartOf, "svc-1", "net-1"), link(graph.DeliveredIn, "svc-1", "terr-1"),
		},
	})
	wantCounts(e.t, r, counts{Created: 3, Linked: 4})
	wantEdges(e.t, "Edges of svc-1", e.edges(graph.EdgeQuery{NodeIDs: []string{"svc-1"}, Dir: graph.Both}),
		eid(graph.DeliveredIn, "svc-1", "terr-1"), eid(graph.PartOf, "svc-1", "net-1"), eid(graph.Provides, "org-1", "svc-1"))
}

func testEdgeProps(e *env) {
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{org("org-1", "O"), memorandum("mou-1", "M"), service("svc-1", "S"), service("svc-2", "T"),
			node(graph.Person, "per-1", "name", "P"), body("gov-1", "G")},
		Link: []graph.Edge{
			link(graph.Signed, "org-1", "mou-1", "on", "2020-02-29"),
			link(graph.RefersTo, "svc-1", "svc-2", "note", "invio con scheda – «urgente»"),
			link(graph.HoldsRole, "per-1", "gov-1", "title", "Presidente"),
			link(graph.SitsOn, "org-1", "gov-1"),
		},
	})
	es := e.edges(graph.EdgeQuery{NodeIDs: []string{"org-1", "svc-1", "per-1"}, Dir: graph.Out})
	want := map[string]graph.Props{
		eid(graph.Signed, "org-1", "mou-1"):    {"on": "2020-02-29"},
		eid(graph.RefersTo, "svc-1", "svc-2"):  {"note": "invio con scheda – «urgente»"},
		eid(graph.HoldsRole, "per-1", "gov-1"): {"title": "Presidente"},
		eid(graph.SitsOn, "org-1", "gov-1"):    {},
	}
	if len(es) != len(want) {
		e.t.Fatalf("Edges = %q, want %d edges", edgeIDs(es), len(want))
	}
	for _, ed := range es {
		p, ok := want[ed.Key().ID()]
		if !ok {
			e.t.Fatalf("unexpected edge %s", ed.Key().ID())
		}
		wantProps(e.t, ed.Key().ID(), ed.Props, p)
	}
}

// edgesFixture: org-a PARTNER_IN net-n, org-a PROVIDES svc-s, svc-s PART_OF
// net-n, svc-s DELIVERED_IN terr-t, svc-r REFERS_TO svc-s.
func edgesFixture(e *env) {
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{
			org("org-a", "A"), network("net-n", "N"), service("svc-s", "S"), service("svc-r", "R"), territory("t", "T", "REGION"),
		},
		Link: []graph.Edge{
			partner("org-a", "net-n", "LEAD"), link(graph.Provides, "org-a", "svc-s"), link(graph.PartOf, "svc-s", "net-n"),
			link(graph.DeliveredIn, "svc-s", "terr-t"), link(graph.RefersTo, "svc-r", "svc-s"),
		},
	})
}

func testEdgesDirection(e *env) {
	edgesFixture(e)
	var (
		partnerIn   = eid(graph.PartnerIn, "org-a", "net-n")
		provides    = eid(graph.Provides, "org-a", "svc-s")
		partOf      = eid(graph.PartOf, "svc-s", "net-n")
		deliveredIn = eid(graph.DeliveredIn, "svc-s", "terr-t")
		refersTo    = eid(graph.RefersTo, "svc-r", "svc-s")
	)
	cases := []struct {
		name string
		q    graph.EdgeQuery
		want []string
	}{
		{"Out", graph.EdgeQuery{NodeIDs: []string{"svc-s"}, Dir: graph.Out}, []string{deliveredIn, partOf}},
		{"In", graph.EdgeQuery{NodeIDs: []string{"svc-s"}, Dir: graph.In}, []string{provides, refersTo}},
		{"Both", graph.EdgeQuery{NodeIDs: []string{"svc-s"}, Dir: graph.Both}, []string{deliveredIn, partOf, provides, refersTo}},
		{"OutOneType", graph.EdgeQuery{NodeIDs: []string{"svc-s"}, Dir: graph.Out, Types: []graph.RelType{graph.PartOf}}, []string{partOf}},
		{"BothTwoTypes", graph.EdgeQuery{NodeIDs: []string{"svc-s"}, Dir: graph.Both, Types: []graph.RelType{graph.RefersTo, graph.Provides}}, []string{provides, refersTo}},
		{"TypeInOtherDirection", graph.EdgeQuery{NodeIDs: []string{"svc-s"}, Dir: graph.In, Types: []graph.RelType{graph.PartOf}}, nil},
		{"InOfNetwork", graph.EdgeQuery{NodeIDs: []string{"net-n"}, Dir: graph.In}, []string{partOf, partnerIn}},
		{"OutOfNetwork", graph.EdgeQuery{NodeIDs: []string{"net-n"}, Dir: graph.Out}, nil},
		// An edge between two of the asked nodes is returned once.
		{"SeveralNodesNoDuplicates", graph.EdgeQuery{NodeIDs: []string{"svc-s", "org-a"}, Dir: graph.Both}, []string{deliveredIn, partOf, partnerIn, provides, refersTo}},
		{"SeveralNodesOut", graph.EdgeQuery{NodeIDs: []string{"org-a", "svc-r"}, Dir: graph.Out}, []string{partnerIn, provides, refersTo}},
		{"MissingNode", graph.EdgeQuery{NodeIDs: []string{"missing"}, Dir: graph.Both}, nil},
		{"NoNodes", graph.EdgeQuery{Dir: graph.Both}, nil},
	}
	for _, c := range cases {
		e.run(c.name, func(e *env) {
			es := e.edges(c.q)
			wantEdges(e.t, "Edges", es, c.want...)
			for _, ed := range es {
				if ed.Key().ID() == partnerIn {
					wantProps(e.t, partnerIn, ed.Props, graph.Props{"role": "LEAD"})
				}
			}
		})
	}
}

func testEdgesArchived(e *env) {
	edgesFixture(e)
	e.write(graph.Write{Archive: []string{"net-n"}})
	q := graph.EdgeQuery{NodeIDs: []string{"svc-s", "org-a"}, Dir: graph.Both}
	wantEdges(e.t, "Edges without archived ends", e.edges(q),
		eid(graph.DeliveredIn, "svc-s", "terr-t"), eid(graph.Provides, "org-a", "svc-s"), eid(graph.RefersTo, "svc-r", "svc-s"))
	q.IncludeArchived = true
	wantEdges(e.t, "Edges with archived ends", e.edges(q),
		eid(graph.DeliveredIn, "svc-s", "terr-t"), eid(graph.PartOf, "svc-s", "net-n"), eid(graph.PartnerIn, "org-a", "net-n"),
		eid(graph.Provides, "org-a", "svc-s"), eid(graph.RefersTo, "svc-r", "svc-s"))

	// Restoring the node brings its edges back: archiving deletes nothing.
	e.write(graph.Write{Restore: []string{"net-n"}})
	wantEdges(e.t, "Edges after restore", e.edges(graph.EdgeQuery{NodeIDs: []string{"svc-s", "org-a"}, Dir: graph.Out}),
		eid(graph.DeliveredIn, "svc-s", "terr-t"), eid(graph.PartOf, "svc-s", "net-n"), eid(graph.PartnerIn, "org-a", "net-n"),
		eid(graph.Provides, "org-a", "svc-s"))
}
