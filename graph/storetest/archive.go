package storetest

import (
	"encoding/json"

	"govhub/graph"
)

var idempotenceTests = []testCase{
	{"SameDumpTwiceChangesNothing", testDumpTwice},
	{"ChangedDumpUpdatesOnlyTheChange", testDumpChanged},
}

// sampleDump is a small dump in its JSON form: numbers and lists come in as
// JSON gives them (float64, []any).
const sampleDump = `{"format": "govhub-graph", "version": 1, "source": "storetest",
 "nodes": [
  {"id": "terr-15", "label": "Territory", "props": {"name": "Campania", "code": "15", "level": "REGION", "population": 5590681}},
  {"id": "terr-063", "label": "Territory", "props": {"name": "Napoli", "code": "063", "level": "PROVINCE"}},
  {"id": "net-1", "label": "Network", "props": {"name": "Rete", "startDate": "2019-01-01", "fund": "FAMI 2014-2020"}},
  {"id": "org-1", "label": "Organization", "props": {"name": "Comune", "kind": "PUBLIC_INSTITUTION", "aliases": ["Municipio", "Città"]}},
  {"id": "org-2", "label": "Organization", "archived": true, "props": {"name": "Ex partner", "kind": "THIRD_SECTOR"}},
  {"id": "svc-1", "label": "Service", "props": {"name": "Sportello", "category": "ACCESS_POINT", "languages": ["it", "en"], "singleAccessPoint": true}},
  {"id": "ind-1", "label": "Indicator", "props": {"name": "Utenti", "target": 100, "baseline": 0}},
  {"id": "act-1", "label": "Action", "props": {"name": "WP1", "kind": "WORK_PACKAGE", "progress": 30}}
 ],
 "edges": [
  {"type": "PART_OF", "from": "terr-063", "to": "terr-15"},
  {"type": "PARTNER_IN", "from": "org-1", "to": "net-1", "props": {"role": "LEAD", "since": "2019-01-01"}},
  {"type": "PARTNER_IN", "from": "org-2", "to": "net-1", "props": {"role": "OPERATIONAL"}},
  {"type": "PROVIDES", "from": "org-1", "to": "svc-1"},
  {"type": "DELIVERED_IN", "from": "svc-1", "to": "terr-063"},
  {"type": "BASED_IN", "from": "org-1", "to": "terr-063"},
  {"type": "PART_OF", "from": "act-1", "to": "net-1"},
  {"type": "TRACKS", "from": "act-1", "to": "ind-1"}
 ]}`

var sampleIDs = []string{"terr-15", "terr-063", "net-1", "org-1", "org-2", "svc-1", "ind-1", "act-1"}

func loadDump(e *env, text string) graph.Dump {
	e.t.Helper()
	var d graph.Dump
	if err := json.Unmarshal([]byte(text), &d); err != nil {
		e.t.Fatalf("bad dump in the test: %v", err)
	}
	return d
}

func testDumpTwice(e *env) {
	d := loadDump(e, sampleDump)
	r := e.write(d.Write("import"))
	wantCounts(e.t, r, counts{Created: 8, Linked: 8})
	got := e.nodes("terr-15", "org-1", "ind-1", "act-1", "org-2")
	wantProps(e.t, "terr-15", got[0].Props, graph.Props{"name": "Campania", "code": "15", "level": "REGION", "population": int64(5590681)})
	wantProps(e.t, "org-1", got[1].Props, graph.Props{"name": "Comune", "kind": "PUBLIC_INSTITUTION", "aliases": []string{"Municipio", "Città"}})
	wantProps(e.t, "ind-1", got[2].Props, graph.Props{"name": "Utenti", "target": float64(100), "baseline": float64(0)})
	wantProps(e.t, "act-1", got[3].Props, graph.Props{"name": "WP1", "kind": "WORK_PACKAGE", "progress": int64(30)})
	if !got[4].Archived {
		e.t.Errorf("org-2 is not archived")
	}
	if n := len(e.edges(graph.EdgeQuery{NodeIDs: sampleIDs, Dir: graph.Both, IncludeArchived: true})); n != 8 {
		e.t.Errorf("%d edges, want 8", n)
	}

	before := e.snapshot(sampleIDs...)
	tick()
	r = e.write(d.Write("import"))
	wantCounts(e.t, r, counts{Unchanged: 8 + 8 + 1}) // nodes, edges, and the archive of org-2
	e.sameSnapshot(before, sampleIDs...)
}

func testDumpChanged(e *env) {
	d := loadDump(e, sampleDump)
	e.write(d.Write("import"))
	before := e.node("svc-1")
	hist := e.history("svc-1", 0)
	tick()

	d.Nodes[5].Props["languages"] = []any{"it", "en", "ar"}
	d.Edges[1].Props["role"] = "TECHNICAL"
	r := e.write(d.Write("import-2"))
	wantCounts(e.t, r, counts{Updated: 1, Linked: 1, Unchanged: 7 + 7 + 1})
	after := e.node("svc-1")
	if !after.UpdatedAt.After(before.UpdatedAt) {
		e.t.Errorf("svc-1 UpdatedAt did not advance")
	}
	wantProps(e.t, "svc-1", after.Props, graph.Props{"name": "Sportello", "category": "ACCESS_POINT",
		"languages": []string{"it", "en", "ar"}, "singleAccessPoint": true})
	h := e.history("svc-1", 0)
	if len(h) != len(hist)+1 || h[0].Op != graph.OpUpdate || h[0].Actor != "import-2" || !sameStrings(h[0].Fields, []string{"languages"}) {
		e.t.Errorf("history of svc-1 after the change: %v", h)
	}
	es := e.edges(graph.EdgeQuery{NodeIDs: []string{"org-1"}, Dir: graph.Out, Types: []graph.RelType{graph.PartnerIn}})
	if len(es) != 1 {
		e.t.Fatalf("PARTNER_IN of org-1: %q", edgeIDs(es))
	}
	wantProps(e.t, "PARTNER_IN", es[0].Props, graph.Props{"role": "TECHNICAL", "since": "2019-01-01"})
}

var archiveTests = []testCase{
	{"ArchiveHidesFromListRestoreBringsBack", testArchiveRestore},
	{"ArchiveTwiceIsUnchanged", testArchiveTwice},
	{"ArchiveAndRestoreInOneWrite", testArchiveOneWrite},
	{"ArchivedNodeCanBeUpdated", testArchivedUpdate},
}

func testArchiveRestore(e *env) {
	e.write(nodes(org("org-a", "A"), org("org-b", "B"), org("org-c", "C")))
	created := e.node("org-b")
	tick()
	r := e.write(graph.Write{Actor: "archivist", Archive: []string{"org-b"}})
	wantCounts(e.t, r, counts{Updated: 1})
	if len(r.Nodes) != 1 || r.Nodes[0].ID != "org-b" || !r.Nodes[0].Archived {
		e.t.Fatalf("WriteResult.Nodes = %v, want org-b archived", r.Nodes)
	}

	p := e.list(graph.ListQuery{Label: graph.Organization})
	wantIDs(e.t, "List", nodeIDs(p.Nodes), "org-a", "org-c")
	if p.TotalCount != 2 {
		e.t.Errorf("TotalCount = %d, want 2", p.TotalCount)
	}
	p = e.list(graph.ListQuery{Label: graph.Organization, IncludeArchived: true})
	wantIDs(e.t, "List with archived", nodeIDs(p.Nodes), "org-a", "org-b", "org-c")
	if p.TotalCount != 3 || !p.Nodes[1].Archived || p.Nodes[0].Archived {
		e.t.Errorf("List with archived: TotalCount %d, archived flags %v %v", p.TotalCount, p.Nodes[0].Archived, p.Nodes[1].Archived)
	}
	n := e.node("org-b")
	if !n.Archived || !n.UpdatedAt.After(created.UpdatedAt) || !n.CreatedAt.Equal(created.CreatedAt) {
		e.t.Errorf("archived node: %s (was %s)", fmtNode(n), fmtNode(created))
	}
	wantProps(e.t, "archived org-b", n.Props, created.Props)

	r = e.write(graph.Write{Restore: []string{"org-b"}})
	wantCounts(e.t, r, counts{Updated: 1})
	if len(r.Nodes) != 1 || r.Nodes[0].Archived {
		e.t.Fatalf("WriteResult.Nodes = %v, want org-b restored", r.Nodes)
	}
	p = e.list(graph.ListQuery{Label: graph.Organization})
	wantIDs(e.t, "List after restore", nodeIDs(p.Nodes), "org-a", "org-b", "org-c")
	if e.node("org-b").Archived {
		e.t.Errorf("org-b is still archived")
	}
}

func testArchiveTwice(e *env) {
	e.write(nodes(org("org-a", "A")))
	e.write(graph.Write{Archive: []string{"org-a"}})
	before := e.snapshot("org-a")
	tick()
	wantCounts(e.t, e.write(graph.Write{Archive: []string{"org-a"}}), counts{Unchanged: 1})
	e.sameSnapshot(before, "org-a")

	e.write(graph.Write{Restore: []string{"org-a"}})
	before = e.snapshot("org-a")
	tick()
	wantCounts(e.t, e.write(graph.Write{Restore: []string{"org-a"}}), counts{Unchanged: 1})
	e.sameSnapshot(before, "org-a")
}

// testArchiveOneWrite: a node created and archived in one write counts as
// created only; links are applied before Archive, so a node can be linked
// and archived at once.
func testArchiveOneWrite(e *env) {
	e.write(nodes(network("net-1", "N")))
	r := e.write(graph.Write{
		Nodes:   []graph.NodeWrite{org("org-a", "A")},
		Link:    []graph.Edge{partner("org-a", "net-1", "LEAD")},
		Archive: []string{"org-a", "net-1"},
	})
	wantCounts(e.t, r, counts{Created: 1, Updated: 1, Linked: 1})
	got := e.nodes("org-a", "net-1")
	if len(got) != 2 || !got[0].Archived || !got[1].Archived {
		e.t.Fatalf("Nodes = %v, want both archived", got)
	}
	if ids := e.listIDs(graph.ListQuery{Label: graph.Organization}); len(ids) != 0 {
		e.t.Errorf("List = %q, want none", ids)
	}
	wantEdges(e.t, "Edges", e.edges(graph.EdgeQuery{NodeIDs: []string{"org-a"}, Dir: graph.Out, IncludeArchived: true}),
		eid(graph.PartnerIn, "org-a", "net-1"))
	r = e.write(graph.Write{Restore: []string{"org-a", "net-1"}})
	wantCounts(e.t, r, counts{Updated: 2})
}

func testArchivedUpdate(e *env) {
	e.write(graph.Write{Nodes: []graph.NodeWrite{org("org-a", "A")}, Archive: []string{"org-a"}})
	wantCounts(e.t, e.write(nodes(update(graph.Organization, "org-a", "acronym", "AA"))), counts{Updated: 1})
	n := e.node("org-a")
	if !n.Archived || n.Str("acronym") != "AA" {
		e.t.Errorf("after updating an archived node: %s", fmtNode(n))
	}
}
