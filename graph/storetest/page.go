package storetest

import (
	"encoding/base64"
	"fmt"

	"govhub/graph"
)

var paginationTests = []testCase{
	{"PagesMatchOneBigPage", testPages},
	{"LastFullPageHasNoNext", testExactPages},
	{"DefaultPageSize", testDefaultPageSize},
	{"PageSizeBounds", testPageBounds},
	{"MalformedCursor", testBadCursor},
	{"EqualSortValuesOrderedByID", testTies},
	{"PagesOfAFilteredList", testFilteredPages},
	{"CursorIsAPosition", testCursorPosition},
}

// writeOrgs writes n organizations whose names repeat every ten, so that
// sort values tie and the id decides.
func writeOrgs(e *env, n int) {
	w := graph.Write{}
	for i := range n {
		w.Nodes = append(w.Nodes, org(fmt.Sprintf("org-%02d", (i*7)%n), fmt.Sprintf("Org %d", i%10), "level", graph.GovernanceLevels[i%len(graph.GovernanceLevels)]))
	}
	e.write(w)
}

// pageThrough lists every page of q with page size first and returns the
// ids, checking the page invariants on the way.
func (e *env) pageThrough(q graph.ListQuery, first int) (ids []string, sizes []int) {
	e.t.Helper()
	q.First = first
	total := -1
	for range 1000 {
		p := e.list(q)
		if total == -1 {
			total = p.TotalCount
		} else if p.TotalCount != total {
			e.t.Fatalf("TotalCount changed between pages: %d then %d", total, p.TotalCount)
		}
		if len(p.Nodes) > first {
			e.t.Fatalf("page of %d nodes, First=%d", len(p.Nodes), first)
		}
		if p.HasNextPage && len(p.Nodes) != first {
			e.t.Fatalf("page of %d nodes with a next page, First=%d", len(p.Nodes), first)
		}
		ids = append(ids, nodeIDs(p.Nodes)...)
		sizes = append(sizes, len(p.Nodes))
		if !p.HasNextPage {
			if len(ids) != total {
				e.t.Fatalf("paged through %d nodes, TotalCount %d", len(ids), total)
			}
			return ids, sizes
		}
		q.After = p.Cursors[len(p.Cursors)-1]
	}
	e.t.Fatalf("more than 1000 pages")
	return nil, nil
}

func testPages(e *env) {
	writeOrgs(e, 25)
	all := e.listIDs(graph.ListQuery{Label: graph.Organization, First: 100})
	if len(all) != 25 {
		e.t.Fatalf("one big page: %d nodes, want 25", len(all))
	}
	seen := map[string]bool{}
	for _, id := range all {
		if seen[id] {
			e.t.Fatalf("%s listed twice", id)
		}
		seen[id] = true
	}
	paged, sizes := e.pageThrough(graph.ListQuery{Label: graph.Organization}, 7)
	wantIDs(e.t, "paged ids", paged, all...)
	if fmt.Sprint(sizes) != "[7 7 7 4]" {
		e.t.Errorf("page sizes %v, want [7 7 7 4]", sizes)
	}
	// The cursor of a node on the big page continues from that node too.
	p := e.list(graph.ListQuery{Label: graph.Organization, First: 100})
	rest := e.listIDs(graph.ListQuery{Label: graph.Organization, First: 100, After: p.Cursors[9]})
	wantIDs(e.t, "after the 10th node", rest, all[10:]...)
}

func testExactPages(e *env) {
	writeOrgs(e, 25)
	all := e.listIDs(graph.ListQuery{Label: graph.Organization, First: 100})
	paged, sizes := e.pageThrough(graph.ListQuery{Label: graph.Organization}, 5)
	wantIDs(e.t, "paged ids", paged, all...)
	if fmt.Sprint(sizes) != "[5 5 5 5 5]" {
		e.t.Errorf("page sizes %v, want [5 5 5 5 5] (the last full page must say it is the last)", sizes)
	}
	p := e.list(graph.ListQuery{Label: graph.Organization, First: 25})
	if p.HasNextPage || len(p.Nodes) != 25 {
		e.t.Fatalf("First=25 of 25: %d nodes, HasNextPage %v", len(p.Nodes), p.HasNextPage)
	}
	end := e.list(graph.ListQuery{Label: graph.Organization, First: 5, After: p.Cursors[24]})
	if len(end.Nodes) != 0 || end.HasNextPage || end.TotalCount != 25 {
		e.t.Fatalf("after the last node: %d nodes, HasNextPage %v, TotalCount %d; want 0, false, 25",
			len(end.Nodes), end.HasNextPage, end.TotalCount)
	}
}

func testDefaultPageSize(e *env) {
	writeOrgs(e, graph.DefaultPageSize+5)
	p := e.list(graph.ListQuery{Label: graph.Organization})
	if len(p.Nodes) != graph.DefaultPageSize || !p.HasNextPage || p.TotalCount != graph.DefaultPageSize+5 {
		e.t.Fatalf("First=0: %d nodes, HasNextPage %v, TotalCount %d; want %d, true, %d",
			len(p.Nodes), p.HasNextPage, p.TotalCount, graph.DefaultPageSize, graph.DefaultPageSize+5)
	}
	p = e.list(graph.ListQuery{Label: graph.Organization, After: p.Cursors[len(p.Cursors)-1]})
	if len(p.Nodes) != 5 || p.HasNextPage {
		e.t.Fatalf("second page: %d nodes, HasNextPage %v; want 5, false", len(p.Nodes), p.HasNextPage)
	}
}

func testPageBounds(e *env) {
	writeOrgs(e, 3)
	e.listErr(graph.ListQuery{Label: graph.Organization, First: -1}, graph.CodeInvalid)
	e.listErr(graph.ListQuery{Label: graph.Organization, First: graph.MaxPageSize + 1}, graph.CodeInvalid)
	if ids := e.listIDs(graph.ListQuery{Label: graph.Organization, First: graph.MaxPageSize}); len(ids) != 3 {
		e.t.Fatalf("First=MaxPageSize: %q", ids)
	}
	p := e.list(graph.ListQuery{Label: graph.Organization, First: 1})
	if len(p.Nodes) != 1 || !p.HasNextPage || p.TotalCount != 3 {
		e.t.Fatalf("First=1: %d nodes, HasNextPage %v, TotalCount %d", len(p.Nodes), p.HasNextPage, p.TotalCount)
	}
}

func testBadCursor(e *env) {
	writeOrgs(e, 3)
	b64 := func(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
	for _, after := range []string{"not a cursor", "%%%", b64("garbage"), b64(`{"s":"Org 1"}`), b64(`[1,2]`)} {
		e.run(after, func(e *env) {
			e.listErr(graph.ListQuery{Label: graph.Organization, After: after}, graph.CodeInvalid)
		})
	}
}

func testTies(e *env) {
	w := graph.Write{}
	for _, id := range []string{"o-2", "o-10", "o-1", "o-b", "o-A", "o-a"} {
		w.Nodes = append(w.Nodes, org(id, "Same"))
	}
	e.write(w)
	want := []string{"o-1", "o-10", "o-2", "o-A", "o-a", "o-b"}
	wantIDs(e.t, "one page", e.listIDs(graph.ListQuery{Label: graph.Organization}), want...)
	paged, _ := e.pageThrough(graph.ListQuery{Label: graph.Organization}, 2)
	wantIDs(e.t, "pages of 2", paged, want...)
}

func testFilteredPages(e *env) {
	writeOrgs(e, 25)
	q := graph.ListQuery{Label: graph.Organization, Where: []graph.PropFilter{{Key: "level", Op: graph.OpIn, Values: []any{"EU", "LOCAL"}}}}
	all := e.listIDs(q)
	if len(all) != 10 {
		e.t.Fatalf("filtered list: %d nodes, want 10", len(all))
	}
	paged, sizes := e.pageThrough(q, 3)
	wantIDs(e.t, "filtered pages", paged, all...)
	if fmt.Sprint(sizes) != "[3 3 3 1]" {
		e.t.Errorf("page sizes %v, want [3 3 3 1]", sizes)
	}
	q.Search = "ORG 4"
	paged, _ = e.pageThrough(q, 1)
	wantIDs(e.t, "filtered and searched pages", paged, e.listIDs(q)...)
	if len(paged) != 3 {
		e.t.Errorf("filtered and searched: %q, want 3 nodes", paged)
	}
}

// testCursorIsAPosition: a cursor stays valid when the list changes; the
// next page starts after its position, whatever was inserted before it.
func testCursorPosition(e *env) {
	e.write(nodes(org("org-b", "B"), org("org-d", "D"), org("org-f", "F"), org("org-h", "H")))
	p := e.list(graph.ListQuery{Label: graph.Organization, First: 2})
	wantIDs(e.t, "first page", nodeIDs(p.Nodes), "org-b", "org-d")
	e.write(graph.Write{Nodes: []graph.NodeWrite{org("org-a", "A"), org("org-e", "E")}, Archive: []string{"org-d"}})
	next := e.list(graph.ListQuery{Label: graph.Organization, First: 2, After: p.Cursors[1]})
	wantIDs(e.t, "next page", nodeIDs(next.Nodes), "org-e", "org-f")
	if next.TotalCount != 5 || !next.HasNextPage {
		e.t.Errorf("next page: TotalCount %d HasNextPage %v, want 5 true", next.TotalCount, next.HasNextPage)
	}
}
