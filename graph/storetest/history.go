package storetest

import (
	"fmt"

	"govhub/graph"
)

var historyTests = []testCase{
	{"RecordsEveryOperation", testHistoryOps},
	{"Limit", testHistoryLimit},
	{"NoOpsRecordNothing", testHistoryNoOps},
	{"FailedWritesRecordNothing", testHistoryFailed},
	{"SeqIncreasesAcrossWritesAndWithinOne", testHistorySeq},
	{"UnknownNodeHasNoHistory", testHistoryUnknown},
}

// wantChange is the part of a Change a test knows in advance.
type wantChange struct {
	actor  string
	op     graph.ChangeOp
	fields []string
}

// checkHistory compares a history with want (newest first) and checks
// that Seq decreases and At does not increase down the list.
func (e *env) checkHistory(id string, got []graph.Change, want []wantChange) {
	e.t.Helper()
	var b []string
	for _, c := range got {
		b = append(b, fmtChange(c))
	}
	if len(got) != len(want) {
		e.t.Fatalf("History(%s): %d changes, want %d:\n%s", id, len(got), len(want), fmt.Sprint(b))
	}
	for i, w := range want {
		c := got[i]
		if c.NodeID != id || c.Actor != w.actor || c.Op != w.op || !sameStrings(c.Fields, w.fields) {
			e.t.Fatalf("History(%s)[%d] = %s, want actor=%s %s %q", id, i, fmtChange(c), w.actor, w.op, w.fields)
		}
		if c.At.IsZero() {
			e.t.Fatalf("History(%s)[%d] has no time", id, i)
		}
		if i > 0 {
			if prev := got[i-1]; prev.Seq <= c.Seq || prev.At.Before(c.At) {
				e.t.Fatalf("History(%s) is not newest first: %s before %s", id, fmtChange(prev), fmtChange(c))
			}
		}
	}
}

func testHistoryOps(e *env) {
	e.write(graph.Write{Actor: "setup", Nodes: []graph.NodeWrite{network("net-1", "N")}})
	e.write(graph.Write{Actor: "alice", Nodes: []graph.NodeWrite{with(graph.Create, org("org-1", "Alpha", "acronym", "AL"))}})
	e.write(graph.Write{Actor: "bob", Nodes: []graph.NodeWrite{
		unset(update(graph.Organization, "org-1", "website", "https://a.example", "name", "Alpha 2", "kind", "THIRD_SECTOR"), "acronym"),
	}})
	e.write(graph.Write{Actor: "carol", Link: []graph.Edge{partner("org-1", "net-1", "LEAD")}})
	e.write(graph.Write{Actor: "carol", Link: []graph.Edge{partner("org-1", "net-1", "OPERATIONAL")}})
	e.write(graph.Write{Actor: "dave", Unlink: []graph.EdgeKey{{Type: graph.PartnerIn, From: "org-1", To: "net-1"}}})
	e.write(graph.Write{Actor: "erin", Archive: []string{"org-1"}})
	e.write(graph.Write{Actor: "frank", Restore: []string{"org-1"}})

	out, in := []string{"PARTNER_IN->net-1"}, []string{"PARTNER_IN<-org-1"}
	e.checkHistory("org-1", e.history("org-1", 0), []wantChange{
		{"frank", graph.OpRestore, nil},
		{"erin", graph.OpArchive, nil},
		{"dave", graph.OpUnlink, out},
		{"carol", graph.OpLink, out},
		{"carol", graph.OpLink, out},
		{"bob", graph.OpUpdate, []string{"acronym", "name", "website"}},
		{"alice", graph.OpCreate, []string{"acronym", "kind", "name"}},
	})
	e.checkHistory("net-1", e.history("net-1", 0), []wantChange{
		{"dave", graph.OpUnlink, in},
		{"carol", graph.OpLink, in},
		{"carol", graph.OpLink, in},
		{"setup", graph.OpCreate, []string{"name"}},
	})
}

func testHistoryLimit(e *env) {
	e.write(nodes(org("org-1", "A")))
	for i := range 4 {
		e.write(graph.Write{Actor: fmt.Sprintf("user-%d", i), Nodes: []graph.NodeWrite{update(graph.Organization, "org-1", "acronym", fmt.Sprint(i))}})
	}
	all := e.history("org-1", 0)
	if len(all) != 5 {
		e.t.Fatalf("History: %d changes, want 5", len(all))
	}
	for _, limit := range []int{1, 3, 5, 100} {
		got := e.history("org-1", limit)
		want := all[:min(limit, len(all))]
		if fmt.Sprint(got) != fmt.Sprint(want) {
			e.t.Fatalf("History limit %d:\n got  %v\n want %v", limit, got, want)
		}
	}
	if got := e.history("org-1", 2); got[0].Actor != "user-3" || got[1].Actor != "user-2" {
		e.t.Fatalf("History limit 2 is not the newest: %v", got)
	}
}

func testHistoryNoOps(e *env) {
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{org("org-1", "A"), network("net-1", "N"), network("net-2", "M")},
		Link:  []graph.Edge{partner("org-1", "net-1", "LEAD")},
	})
	e.write(graph.Write{Archive: []string{"net-2"}})
	ids := []string{"org-1", "net-1", "net-2"}
	before := e.snapshot(ids...)
	wantCounts(e.t, e.write(graph.Write{
		Nodes:   []graph.NodeWrite{org("org-1", "A"), update(graph.Network, "net-1", "name", "N")},
		Link:    []graph.Edge{partner("org-1", "net-1", "LEAD")},
		Archive: []string{"net-2"},
		Restore: []string{"net-1"},
	}), counts{Unchanged: 5})
	e.sameSnapshot(before, ids...)
}

func testHistoryFailed(e *env) {
	e.write(nodes(org("org-1", "A"), network("net-1", "N")))
	ids := []string{"org-1", "net-1", "new-1"}
	before := e.snapshot(ids...)
	e.writeErr(graph.Write{
		Nodes:   []graph.NodeWrite{update(graph.Organization, "org-1", "name", "B"), org("new-1", "New")},
		Link:    []graph.Edge{partner("org-1", "net-1", "LEAD"), partner("new-1", "net-1", "LEAD")},
		Archive: []string{"net-1", "missing"},
	}, graph.CodeNotFound)
	e.sameSnapshot(before, ids...)
	if h := e.history("org-1", 0); len(h) != 1 {
		e.t.Fatalf("History(org-1) = %v, want the CREATE only", h)
	}
}

func testHistorySeq(e *env) {
	e.write(nodes(org("org-x", "X")))
	e.write(nodes(org("org-y", "Y")))
	x, y := e.history("org-x", 0), e.history("org-y", 0)
	if len(x) != 1 || len(y) != 1 || y[0].Seq <= x[0].Seq {
		e.t.Fatalf("a later write has no later Seq: %v then %v", x, y)
	}

	// One write: CREATE p, CREATE q, then LINK on p and on q; every change
	// has its own Seq, in the order the write makes them.
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{org("org-p", "P"), network("net-q", "Q")},
		Link:  []graph.Edge{partner("org-p", "net-q", "LEAD")},
	})
	p, q := e.history("org-p", 0), e.history("net-q", 0)
	e.checkHistory("org-p", p, []wantChange{{"tester", graph.OpLink, []string{"PARTNER_IN->net-q"}}, {"tester", graph.OpCreate, []string{"kind", "name"}}})
	e.checkHistory("net-q", q, []wantChange{{"tester", graph.OpLink, []string{"PARTNER_IN<-org-p"}}, {"tester", graph.OpCreate, []string{"name"}}})
	seqs := map[int64]bool{}
	for _, c := range append(p, q...) {
		if seqs[c.Seq] {
			e.t.Fatalf("Seq %d used twice in one write: %v %v", c.Seq, p, q)
		}
		seqs[c.Seq] = true
		if c.Seq <= y[0].Seq {
			e.t.Fatalf("Seq %d of a later write is not after %d", c.Seq, y[0].Seq)
		}
	}
	if !(p[1].Seq < q[1].Seq && q[1].Seq < p[0].Seq && p[0].Seq < q[0].Seq) {
		e.t.Errorf("Seq does not follow the order of the write (CREATE p, CREATE q, LINK p, LINK q): p %v q %v", p, q)
	}
	if !p[0].At.Equal(q[1].At) {
		e.t.Errorf("changes of one write have different times: %v and %v", p[0].At, q[1].At)
	}
}

func testHistoryUnknown(e *env) {
	e.write(nodes(org("org-1", "A")))
	if h := e.history("missing", 0); len(h) != 0 {
		e.t.Fatalf("History(missing) = %v, want none", h)
	}
}
