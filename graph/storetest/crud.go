package storetest

import (
	"time"

	"govhub/graph"
)

var crudTests = []testCase{
	{"CreateReadsBackCanonicalTypes", testCreateRoundTrip},
	{"LargeAndPreciseNumbers", testNumbers},
	{"NodesInOrderAskedOmitsMissingIncludesArchived", testNodesOrder},
	{"UpdateMergesProps", testUpdateMerges},
	{"UpsertCreatesThenMergesAndSkipsNoOp", testUpsert},
	{"UnsetAndNilRemoveProps", testUnset},
	{"ResultNodesFollowWriteParts", testResultNodes},
}

// testCreateRoundTrip writes values in loose Go types (int for an Int, int for
// a Float, []any for a list) and reads them back in their canonical types.
func testCreateRoundTrip(e *env) {
	before := time.Now()
	r := e.write(nodes(
		with(graph.Create, territory("063049", "Napoli", "MUNICIPALITY", "population", 909048, "abbreviation", "NA")),
		with(graph.Create, node(graph.Indicator, "ind-1", "name", "Persone prese in carico", "target", 120, "baseline", 12.5, "unit", "persone")),
		with(graph.Create, service("svc-1", "Sportello unico", "category", "ACCESS_POINT", "languages", []any{"it", "ar", "fr"},
			"singleAccessPoint", true, "targetGroups", []string{"richiedenti asilo"})),
		with(graph.Create, service("svc-2", "Orientamento", "singleAccessPoint", false)),
		with(graph.Create, network("net-1", "Rete Città – «Integrazione» 🌍", "startDate", "2019-03-01", "endDate", "2022-12-31", "fund", "FAMI 2014-2020")),
		with(graph.Create, org("org-1", "Cooperativa Sociale", "aliases", []string{"Coop", "CS"}, "level", "LOCAL")),
		with(graph.Create, node(graph.Measurement, "msr-1", "date", "2021-06-30", "value", 0.1)),
		with(graph.Create, action("act-1", "Formazione", "progress", int64(40), "status", "IN_PROGRESS", "plannedEnd", "2021-12-31")),
	))
	after := time.Now()
	want := []struct {
		id    string
		label graph.Label
		props graph.Props
	}{
		{"terr-063049", graph.Territory, graph.Props{"name": "Napoli", "code": "063049", "level": "MUNICIPALITY", "population": int64(909048), "abbreviation": "NA"}},
		{"ind-1", graph.Indicator, graph.Props{"name": "Persone prese in carico", "target": float64(120), "baseline": 12.5, "unit": "persone"}},
		{"svc-1", graph.Service, graph.Props{"name": "Sportello unico", "category": "ACCESS_POINT", "languages": []string{"it", "ar", "fr"},
			"singleAccessPoint": true, "targetGroups": []string{"richiedenti asilo"}}},
		{"svc-2", graph.Service, graph.Props{"name": "Orientamento", "category": "SOCIAL", "singleAccessPoint": false}},
		{"net-1", graph.Network, graph.Props{"name": "Rete Città – «Integrazione» 🌍", "startDate": "2019-03-01", "endDate": "2022-12-31", "fund": "FAMI 2014-2020"}},
		{"org-1", graph.Organization, graph.Props{"name": "Cooperativa Sociale", "kind": "THIRD_SECTOR", "aliases": []string{"Coop", "CS"}, "level": "LOCAL"}},
		{"msr-1", graph.Measurement, graph.Props{"date": "2021-06-30", "value": 0.1}},
		{"act-1", graph.Action, graph.Props{"name": "Formazione", "kind": "ACTIVITY", "progress": int64(40), "status": "IN_PROGRESS", "plannedEnd": "2021-12-31"}},
	}
	wantCounts(e.t, r, counts{Created: len(want)})
	if len(r.Nodes) != len(want) {
		e.t.Fatalf("WriteResult.Nodes: got %v, want %d nodes", nodeIDs(r.Nodes), len(want))
	}
	ids := make([]string, len(want))
	for i, w := range want {
		ids[i] = w.id
	}
	read := e.nodes(ids...)
	wantIDs(e.t, "Nodes", nodeIDs(read), ids...)
	for i, w := range want {
		for _, n := range []graph.Node{r.Nodes[i], read[i]} {
			if n.ID != w.id || n.Label != w.label || n.Archived {
				e.t.Fatalf("node %d: got %s %s archived=%v, want %s %s", i, n.ID, n.Label, n.Archived, w.id, w.label)
			}
			wantProps(e.t, w.id, n.Props, w.props)
			if n.CreatedAt.Before(before.Add(-5*time.Minute)) || n.CreatedAt.After(after.Add(5*time.Minute)) {
				e.t.Fatalf("%s: CreatedAt %v is not the time of the write (%v)", w.id, n.CreatedAt, before)
			}
			if !n.UpdatedAt.Equal(n.CreatedAt) {
				e.t.Fatalf("%s: a new node has UpdatedAt %v != CreatedAt %v", w.id, n.UpdatedAt, n.CreatedAt)
			}
		}
		if !sameNode(r.Nodes[i], read[i]) {
			e.t.Fatalf("WriteResult and Nodes disagree:\n result %s\n read   %s", fmtNode(r.Nodes[i]), fmtNode(read[i]))
		}
	}
}

// testNumbers checks that int64 and float64 values survive exactly.
func testNumbers(e *env) {
	e.write(nodes(
		territory("IT", "Italia", "COUNTRY", "population", int64(1<<53+1)),
		territory("XX", "Nowhere", "COUNTRY", "population", int64(0)),
		node(graph.Indicator, "ind-1", "name", "Rate", "target", 2.0/3.0, "baseline", -1.5e-7),
		node(graph.Measurement, "msr-1", "date", "2024-02-29", "value", 1e300),
	))
	got := e.nodes("terr-IT", "terr-XX", "ind-1", "msr-1")
	wantIDs(e.t, "Nodes", nodeIDs(got), "terr-IT", "terr-XX", "ind-1", "msr-1")
	if v := got[0].Props["population"]; v != any(int64(1<<53+1)) {
		e.t.Errorf("population = %#v, want int64(%d)", v, int64(1<<53+1))
	}
	if v := got[1].Props["population"]; v != any(int64(0)) {
		e.t.Errorf("population = %#v, want int64(0)", v)
	}
	if v := got[2].Props["target"]; v != any(2.0/3.0) {
		e.t.Errorf("target = %#v, want %v", v, 2.0/3.0)
	}
	if v := got[2].Props["baseline"]; v != any(-1.5e-7) {
		e.t.Errorf("baseline = %#v, want -1.5e-7", v)
	}
	if v := got[3].Props["value"]; v != any(1e300) {
		e.t.Errorf("value = %#v, want 1e300", v)
	}
}

func testNodesOrder(e *env) {
	e.write(nodes(org("org-a", "A"), org("org-b", "B"), org("org-c", "C")))
	e.write(graph.Write{Archive: []string{"org-b"}})
	got := e.nodes("org-c", "missing", "org-a", "org-b")
	wantIDs(e.t, "Nodes", nodeIDs(got), "org-c", "org-a", "org-b")
	for i, archived := range []bool{false, false, true} {
		if got[i].Archived != archived {
			e.t.Errorf("%s: Archived = %v, want %v", got[i].ID, got[i].Archived, archived)
		}
		if got[i].Label != graph.Organization || got[i].Str("name") == "" {
			e.t.Errorf("%s: incomplete node %s", got[i].ID, fmtNode(got[i]))
		}
	}
	if ns := e.nodes(); len(ns) != 0 {
		e.t.Errorf("Nodes() = %v, want none", nodeIDs(ns))
	}
	if ns := e.nodes("missing", "also-missing"); len(ns) != 0 {
		e.t.Errorf("Nodes(missing) = %v, want none", nodeIDs(ns))
	}
}

func testUpdateMerges(e *env) {
	first := e.write(nodes(with(graph.Create, org("org-1", "Alpha", "acronym", "ALP")))).Nodes[0]
	tick()
	r := e.write(nodes(update(graph.Organization, "org-1", "website", "https://alpha.example", "name", "Alpha Onlus")))
	wantCounts(e.t, r, counts{Updated: 1})
	n := e.node("org-1")
	wantProps(e.t, "org-1", n.Props, graph.Props{"name": "Alpha Onlus", "kind": "THIRD_SECTOR", "acronym": "ALP", "website": "https://alpha.example"})
	if !n.CreatedAt.Equal(first.CreatedAt) {
		e.t.Errorf("CreatedAt changed from %v to %v", first.CreatedAt, n.CreatedAt)
	}
	if !n.UpdatedAt.After(first.UpdatedAt) {
		e.t.Errorf("UpdatedAt %v did not advance past %v", n.UpdatedAt, first.UpdatedAt)
	}
	if len(r.Nodes) != 1 || !sameNode(r.Nodes[0], n) {
		e.t.Errorf("WriteResult.Nodes = %v, want [%s]", r.Nodes, fmtNode(n))
	}
}

func testUpsert(e *env) {
	r := e.write(nodes(network("net-1", "Rete")))
	wantCounts(e.t, r, counts{Created: 1})
	first := e.node("net-1")

	tick()
	r = e.write(nodes(network("net-1", "Rete")))
	wantCounts(e.t, r, counts{Unchanged: 1})
	if len(r.Nodes) != 1 || !sameNode(r.Nodes[0], first) {
		e.t.Fatalf("no-op upsert: WriteResult.Nodes = %v, want [%s]", r.Nodes, fmtNode(first))
	}
	if n := e.node("net-1"); !sameNode(n, first) {
		e.t.Fatalf("no-op upsert changed the node:\n was %s\n now %s", fmtNode(first), fmtNode(n))
	}

	tick()
	r = e.write(nodes(network("net-1", "Rete", "acronym", "R1")))
	wantCounts(e.t, r, counts{Updated: 1})
	n := e.node("net-1")
	wantProps(e.t, "net-1", n.Props, graph.Props{"name": "Rete", "acronym": "R1"})
	if !n.UpdatedAt.After(first.UpdatedAt) || !n.CreatedAt.Equal(first.CreatedAt) {
		e.t.Errorf("after a change: created %v updated %v, was created %v updated %v", n.CreatedAt, n.UpdatedAt, first.CreatedAt, first.UpdatedAt)
	}
}

func testUnset(e *env) {
	e.write(nodes(org("org-1", "Alpha", "acronym", "ALP", "website", "https://a.example", "subtype", "onlus", "aliases", []string{"A"})))

	w := update(graph.Organization, "org-1")
	w.Unset = []string{"acronym", "aliases"}
	wantCounts(e.t, e.write(nodes(w)), counts{Updated: 1})
	wantProps(e.t, "after Unset", e.node("org-1").Props,
		graph.Props{"name": "Alpha", "kind": "THIRD_SECTOR", "website": "https://a.example", "subtype": "onlus"})

	wantCounts(e.t, e.write(nodes(org("org-1", "Alpha", "website", nil))), counts{Updated: 1})
	wantProps(e.t, "after nil in an upsert", e.node("org-1").Props,
		graph.Props{"name": "Alpha", "kind": "THIRD_SECTOR", "subtype": "onlus"})

	wantCounts(e.t, e.write(nodes(update(graph.Organization, "org-1", "subtype", nil))), counts{Updated: 1})
	wantProps(e.t, "after nil in an update", e.node("org-1").Props, graph.Props{"name": "Alpha", "kind": "THIRD_SECTOR"})

	// Removing what is not there changes nothing.
	before := e.node("org-1")
	tick()
	w = update(graph.Organization, "org-1", "website", nil)
	w.Unset = []string{"acronym"}
	wantCounts(e.t, e.write(nodes(w)), counts{Unchanged: 1})
	if n := e.node("org-1"); !sameNode(n, before) {
		e.t.Errorf("removing absent properties changed the node:\n was %s\n now %s", fmtNode(before), fmtNode(n))
	}
}

// testResultNodes checks WriteResult.Nodes: the node writes, then Archive,
// then Restore, each with its state after the write.
func testResultNodes(e *env) {
	e.write(nodes(org("org-a", "A"), org("org-b", "B")))
	e.write(graph.Write{Archive: []string{"org-b"}})
	r := e.write(graph.Write{
		Nodes:   []graph.NodeWrite{org("org-c", "C"), org("org-a", "A2")},
		Archive: []string{"org-a"},
		Restore: []string{"org-b"},
	})
	wantCounts(e.t, r, counts{Created: 1, Updated: 2})
	wantIDs(e.t, "WriteResult.Nodes", nodeIDs(r.Nodes), "org-c", "org-a", "org-a", "org-b")
	for i, archived := range []bool{false, true, true, false} {
		if r.Nodes[i].Archived != archived {
			e.t.Errorf("WriteResult.Nodes[%d] (%s): Archived = %v, want %v", i, r.Nodes[i].ID, r.Nodes[i].Archived, archived)
		}
	}
	if r.Nodes[1].Str("name") != "A2" {
		e.t.Errorf("WriteResult.Nodes[1]: name %q, want A2", r.Nodes[1].Str("name"))
	}
	got := e.nodes("org-a", "org-b", "org-c")
	for i, archived := range []bool{true, false, false} {
		if got[i].Archived != archived {
			e.t.Errorf("%s: Archived = %v, want %v", got[i].ID, got[i].Archived, archived)
		}
	}
}
