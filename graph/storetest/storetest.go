// Package storetest is the conformance suite of graph.Store: every behaviour
// of the contract, written once, run by every backend. A backend's test calls
//
//	storetest.Run(t, func(t *testing.T) graph.Store { ... })
//
// with a function that returns an empty store and arranges its Close (with
// t.Cleanup). It is called once for each subtest; subtests never run in
// parallel, so it may wipe and reuse one database.
package storetest

import (
	"context"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"govhub/graph"
)

// Run runs the whole conformance suite against the stores open returns.
func Run(t *testing.T, open func(t *testing.T) graph.Store) {
	groups := []struct {
		name  string
		tests []testCase
	}{
		{"CRUD", crudTests},
		{"Errors", errorTests()},
		{"NoPartialWrites", atomicityTests()},
		{"Links", linkTests},
		{"Idempotence", idempotenceTests},
		{"Archive", archiveTests},
		{"List", listTests},
		{"Pagination", paginationTests},
		{"Subgraph", subgraphTests},
		{"Only", onlyTests},
		{"Queries", queryTests},
		{"History", historyTests},
		{"Concurrency", concurrencyTests},
		{"Bulk", bulkTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					s := open(t)
					if s == nil {
						t.Fatal("open returned a nil store")
					}
					tc.run(&env{t: t, s: s, ctx: t.Context()})
				})
			}
		})
	}
}

type testCase struct {
	name string
	run  func(e *env)
}

// env is one subtest against one store, with helpers that fail the test on
// unexpected errors.
type env struct {
	t   *testing.T
	s   graph.Store
	ctx context.Context
}

// sub returns the env of a nested subtest over the same store.
func (e *env) sub(t *testing.T) *env { return &env{t: t, s: e.s, ctx: t.Context()} }

// run runs a nested subtest over the same store.
func (e *env) run(name string, f func(e *env)) {
	e.t.Helper()
	e.t.Run(name, func(t *testing.T) { f(e.sub(t)) })
}

func (e *env) write(w graph.Write) graph.WriteResult {
	e.t.Helper()
	if w.Actor == "" {
		w.Actor = "tester"
	}
	r, err := e.s.Write(e.ctx, w)
	if err != nil {
		e.t.Fatalf("Write: unexpected error: %v", err)
	}
	return r
}

// writeErr checks that w fails with the given code.
func (e *env) writeErr(w graph.Write, want graph.Code) {
	e.t.Helper()
	if w.Actor == "" {
		w.Actor = "tester"
	}
	_, err := e.s.Write(e.ctx, w)
	if got := graph.CodeOf(err); got != want {
		e.t.Fatalf("Write: got error %v (code %q), want code %q", err, got, want)
	}
}

func (e *env) nodes(ids ...string) []graph.Node {
	e.t.Helper()
	ns, err := e.s.Nodes(e.ctx, ids)
	if err != nil {
		e.t.Fatalf("Nodes(%v): %v", ids, err)
	}
	return ns
}

// node returns the node with the id, failing the test when it is missing.
func (e *env) node(id string) graph.Node {
	e.t.Helper()
	ns := e.nodes(id)
	if len(ns) != 1 || ns[0].ID != id {
		e.t.Fatalf("Nodes(%q) = %v, want that node", id, nodeIDs(ns))
	}
	return ns[0]
}

// list runs q and checks the invariants every page has.
func (e *env) list(q graph.ListQuery) graph.Page {
	e.t.Helper()
	p, err := e.s.List(e.ctx, q)
	if err != nil {
		e.t.Fatalf("List(%+v): %v", q, err)
	}
	if len(p.Cursors) != len(p.Nodes) {
		e.t.Fatalf("List(%+v): %d cursors for %d nodes", q, len(p.Cursors), len(p.Nodes))
	}
	for _, n := range p.Nodes {
		if n.Label != q.Label {
			e.t.Fatalf("List(%+v): node %s has label %s", q, n.ID, n.Label)
		}
		if n.Archived && !q.IncludeArchived {
			e.t.Fatalf("List(%+v): archived node %s listed", q, n.ID)
		}
	}
	if q.After == "" && !p.HasNextPage && p.TotalCount != len(p.Nodes) {
		e.t.Fatalf("List(%+v): one complete page of %d nodes, but TotalCount %d", q, len(p.Nodes), p.TotalCount)
	}
	if p.TotalCount < len(p.Nodes) {
		e.t.Fatalf("List(%+v): TotalCount %d < %d nodes on the page", q, p.TotalCount, len(p.Nodes))
	}
	return p
}

// listIDs returns the ids of the first page of q, checking that it is the only page.
func (e *env) listIDs(q graph.ListQuery) []string {
	e.t.Helper()
	p := e.list(q)
	if p.HasNextPage {
		e.t.Fatalf("List(%+v): unexpected next page", q)
	}
	return nodeIDs(p.Nodes)
}

// listErr checks that q fails with the given code.
func (e *env) listErr(q graph.ListQuery, want graph.Code) {
	e.t.Helper()
	_, err := e.s.List(e.ctx, q)
	if got := graph.CodeOf(err); got != want {
		e.t.Fatalf("List(%+v): got error %v (code %q), want code %q", q, err, got, want)
	}
}

// edges returns the edges q selects, sorted by key.
func (e *env) edges(q graph.EdgeQuery) []graph.Edge {
	e.t.Helper()
	es, err := e.s.Edges(e.ctx, q)
	if err != nil {
		e.t.Fatalf("Edges(%+v): %v", q, err)
	}
	sortEdges(es)
	return es
}

func (e *env) history(id string, limit int) []graph.Change {
	e.t.Helper()
	hs, err := e.s.History(e.ctx, id, limit)
	if err != nil {
		e.t.Fatalf("History(%q, %d): %v", id, limit, err)
	}
	return hs
}

func (e *env) subgraph(q graph.SubgraphQuery) graph.Subgraph {
	e.t.Helper()
	g, err := e.s.Subgraph(e.ctx, q)
	if err != nil {
		e.t.Fatalf("Subgraph(%+v): %v", q, err)
	}
	return g
}

// snapshot describes, as text, everything a store holds about ids: the
// nodes, every list's count and ids, the edges and the history. Two equal
// snapshots mean nothing observable changed.
func (e *env) snapshot(ids ...string) string {
	e.t.Helper()
	var b strings.Builder
	for _, n := range e.nodes(ids...) {
		fmt.Fprintf(&b, "node %s\n", fmtNode(n))
	}
	for _, l := range graph.Labels {
		p := e.list(graph.ListQuery{Label: l, IncludeArchived: true, First: graph.MaxPageSize})
		fmt.Fprintf(&b, "list %s total=%d %v\n", l, p.TotalCount, nodeIDs(p.Nodes))
	}
	for _, ed := range e.edges(graph.EdgeQuery{NodeIDs: ids, Dir: graph.Both, IncludeArchived: true}) {
		fmt.Fprintf(&b, "edge %s %s\n", ed.Key().ID(), fmtProps(ed.Props))
	}
	for _, id := range ids {
		for _, c := range e.history(id, 0) {
			fmt.Fprintf(&b, "change %s %s\n", id, fmtChange(c))
		}
	}
	return b.String()
}

// sameSnapshot fails the test when the store no longer matches before.
func (e *env) sameSnapshot(before string, ids ...string) {
	e.t.Helper()
	if after := e.snapshot(ids...); after != before {
		e.t.Fatalf("store changed:\n--- before\n%s--- after\n%s", before, after)
	}
}

// tick lets the clock move, so that a later write has a later time.
func tick() { time.Sleep(5 * time.Millisecond) }

// Fixtures.

func props(kv ...any) graph.Props {
	p := graph.Props{}
	for i := 0; i+1 < len(kv); i += 2 {
		p[kv[i].(string)] = kv[i+1]
	}
	return p
}

// node is an upsert of a node with the given properties.
func node(l graph.Label, id string, kv ...any) graph.NodeWrite {
	return graph.NodeWrite{Mode: graph.Upsert, ID: id, Label: l, Props: props(kv...)}
}

// with returns nw in mode m.
func with(m graph.Mode, nw graph.NodeWrite) graph.NodeWrite { nw.Mode = m; return nw }

// update is an Update of the given properties only.
func update(l graph.Label, id string, kv ...any) graph.NodeWrite {
	return graph.NodeWrite{Mode: graph.Update, ID: id, Label: l, Props: props(kv...)}
}

func org(id, name string, kv ...any) graph.NodeWrite {
	return node(graph.Organization, id, append([]any{"name", name, "kind", "THIRD_SECTOR"}, kv...)...)
}

func network(id, name string, kv ...any) graph.NodeWrite {
	return node(graph.Network, id, append([]any{"name", name}, kv...)...)
}

func service(id, name string, kv ...any) graph.NodeWrite {
	return node(graph.Service, id, append([]any{"name", name, "category", "SOCIAL"}, kv...)...)
}

func action(id, name string, kv ...any) graph.NodeWrite {
	return node(graph.Action, id, append([]any{"name", name, "kind", "ACTIVITY"}, kv...)...)
}

func body(id, name string, kv ...any) graph.NodeWrite {
	return node(graph.GovernanceBody, id, append([]any{"name", name, "kind", "WORKING_TABLE", "level", "REGIONAL"}, kv...)...)
}

func memorandum(id, name string, kv ...any) graph.NodeWrite {
	return node(graph.Memorandum, id, append([]any{"name", name, "kind", "PROTOCOL"}, kv...)...)
}

// territory is a territory with id graph.TerritoryID(code).
func territory(code, name, level string, kv ...any) graph.NodeWrite {
	return node(graph.Territory, graph.TerritoryID(code), append([]any{"name", name, "code", code, "level", level}, kv...)...)
}

func link(t graph.RelType, from, to string, kv ...any) graph.Edge {
	return graph.Edge{Type: t, From: from, To: to, Props: props(kv...)}
}

func partner(orgID, netID, role string) graph.Edge {
	return link(graph.PartnerIn, orgID, netID, "role", role)
}

func nodes(nws ...graph.NodeWrite) graph.Write { return graph.Write{Nodes: nws} }

// Comparisons.

func nodeIDs(ns []graph.Node) []string {
	ids := make([]string, len(ns))
	for i, n := range ns {
		ids[i] = n.ID
	}
	return ids
}

func sortedIDs(ns []graph.Node) []string {
	ids := nodeIDs(ns)
	slices.Sort(ids)
	return ids
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

func sortEdges(es []graph.Edge) {
	slices.SortFunc(es, func(a, b graph.Edge) int { return strings.Compare(a.Key().ID(), b.Key().ID()) })
}

// edgeIDs returns the sorted ids of the edges.
func edgeIDs(es []graph.Edge) []string {
	ids := make([]string, len(es))
	for i, ed := range es {
		ids[i] = ed.Key().ID()
	}
	slices.Sort(ids)
	return ids
}

func eid(t graph.RelType, from, to string) string {
	return graph.EdgeKey{Type: t, From: from, To: to}.ID()
}

func sameStrings(a, b []string) bool { return len(a) == 0 && len(b) == 0 || slices.Equal(a, b) }

// wantIDs checks ids against want, in order.
func wantIDs(t *testing.T, what string, got []string, want ...string) {
	t.Helper()
	if !sameStrings(got, want) {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
}

// sameProps compares properties exactly, Go types included; nil and empty are the same.
func sameProps(a, b graph.Props) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}

func wantProps(t *testing.T, what string, got, want graph.Props) {
	t.Helper()
	if !sameProps(got, want) {
		t.Fatalf("%s: props\n got  %s\n want %s", what, fmtProps(got), fmtProps(want))
	}
}

type counts struct{ Created, Updated, Linked, Unlinked, Unchanged int }

func wantCounts(t *testing.T, r graph.WriteResult, want counts) {
	t.Helper()
	got := counts{r.Created, r.Updated, r.Linked, r.Unlinked, r.Unchanged}
	if got != want {
		t.Fatalf("WriteResult counts = %+v, want %+v", got, want)
	}
}

// sameNode reports whether two reads of a node agree on everything.
func sameNode(a, b graph.Node) bool { return fmtNode(a) == fmtNode(b) }

func fmtNode(n graph.Node) string {
	return fmt.Sprintf("%s %s archived=%v created=%s updated=%s %s", n.ID, n.Label, n.Archived,
		fmtTime(n.CreatedAt), fmtTime(n.UpdatedAt), fmtProps(n.Props))
}

func fmtTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

// fmtProps prints properties with their Go types, in key order.
func fmtProps(p graph.Props) string {
	var b strings.Builder
	b.WriteString("{")
	for i, k := range slices.Sorted(maps.Keys(p)) {
		if i > 0 {
			b.WriteString(" ")
		}
		fmt.Fprintf(&b, "%s:%#v", k, p[k])
	}
	b.WriteString("}")
	return b.String()
}

func fmtChange(c graph.Change) string {
	return fmt.Sprintf("seq=%d at=%s actor=%s %s node=%s %q", c.Seq, fmtTime(c.At), c.Actor, c.Op, c.NodeID, c.Fields)
}

// wantEdges checks the keys of es against want, in any order.
func wantEdges(t *testing.T, what string, es []graph.Edge, want ...string) {
	t.Helper()
	if got, want := edgeIDs(es), sorted(want); !sameStrings(got, want) {
		t.Fatalf("%s: got %q, want %q", what, got, want)
	}
}
