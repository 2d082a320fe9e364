package storetest

import (
	"fmt"

	"govhub/graph"
)

var bulkTests = []testCase{
	{"ThreeThousandTerritoriesInOneWrite", testBulk},
}

// bulkDump generates a country of 20 regions, 5 provinces each, and
// municipalities up to n territories in all, each PART_OF its parent. Values
// are in their JSON form (float64 numbers) as an import reads them; some
// names repeat, so ties are broken by id.
func bulkDump(n int) (d graph.Dump, parent map[string]string) {
	d = graph.Dump{Format: graph.DumpFormat, Version: graph.DumpVersion, Source: "storetest"}
	parent = map[string]string{}
	add := func(code, name, level, up string, pop int) {
		id := graph.TerritoryID(code)
		d.Nodes = append(d.Nodes, graph.DumpNode{ID: id, Label: graph.Territory, Props: graph.Props{
			"name": name, "code": code, "level": level, "population": float64(pop),
		}})
		if up != "" {
			parent[id] = up
			d.Edges = append(d.Edges, graph.DumpEdge{Type: graph.PartOf, From: id, To: up})
		}
	}
	add("IT", "Italia", "COUNTRY", "", 58850717)
	var provinces []string
	for r := range 20 {
		rc := fmt.Sprintf("%02d", r+1)
		add(rc, fmt.Sprintf("Regione %02d", (r*7)%20), "REGION", graph.TerritoryID("IT"), 1000000+r)
		for p := range 5 {
			pc := fmt.Sprintf("%03d", r*5+p+1)
			add(pc, fmt.Sprintf("Provincia %03d", (r*5+p)*37%100), "PROVINCE", graph.TerritoryID(rc), 100000+p)
			provinces = append(provinces, graph.TerritoryID(pc))
		}
	}
	for i := 0; len(d.Nodes) < n; i++ {
		prov := provinces[i%len(provinces)]
		name := fmt.Sprintf("Comune %05d", (i*7919)%100000)
		if i%50 == 0 {
			name = "Sant'Angelo"
		}
		add(fmt.Sprintf("%s%03d", prov[len("terr-"):], i/len(provinces)+1), name, "MUNICIPALITY", prov, 1000+i)
	}
	return d, parent
}

func testBulk(e *env) {
	const n = 3000
	d, parent := bulkDump(n)
	r := e.write(d.Write("bulk"))
	wantCounts(e.t, r, counts{Created: n, Linked: n - 1})
	if len(r.Nodes) != n {
		e.t.Fatalf("WriteResult.Nodes: %d, want %d", len(r.Nodes), n)
	}

	// The expected order, by the contract's own comparison.
	want := make([]graph.Node, n)
	for i, dn := range d.Nodes {
		want[i] = graph.Node{ID: dn.ID, Label: dn.Label, Props: dn.Props}
	}
	graph.SortNodes(want)
	wantOrder := nodeIDs(want)

	p := e.list(graph.ListQuery{Label: graph.Territory, First: graph.MaxPageSize})
	if p.TotalCount != n || len(p.Nodes) != n || p.HasNextPage {
		e.t.Fatalf("List: TotalCount %d, %d nodes, HasNextPage %v; want %d, %d, false", p.TotalCount, len(p.Nodes), p.HasNextPage, n, n)
	}
	wantIDs(e.t, "List of all territories", nodeIDs(p.Nodes), wantOrder...)
	for _, nd := range p.Nodes[:20] {
		if _, ok := nd.Props["population"].(int64); !ok {
			e.t.Fatalf("%s: population %#v is not an int64", nd.ID, nd.Props["population"])
		}
	}

	paged, sizes := e.pageThrough(graph.ListQuery{Label: graph.Territory}, 1000)
	wantIDs(e.t, "pages of 1000", paged, wantOrder...)
	if fmt.Sprint(sizes) != "[1000 1000 1000]" {
		e.t.Errorf("page sizes %v", sizes)
	}

	// The territory filter follows the whole tree.
	region := graph.TerritoryID("07")
	inRegion := 0
	for _, dn := range d.Nodes {
		for id := dn.ID; id != ""; id = parent[id] {
			if id == region {
				inRegion++
				break
			}
		}
	}
	if p := e.list(graph.ListQuery{Label: graph.Territory, Territory: region, First: graph.MaxPageSize}); p.TotalCount != inRegion || len(p.Nodes) != inRegion {
		e.t.Errorf("territories in region 07: TotalCount %d, %d nodes, want %d", p.TotalCount, len(p.Nodes), inRegion)
	}
	if p := e.list(graph.ListQuery{Label: graph.Territory, Territory: graph.TerritoryID("IT"), First: 1}); p.TotalCount != n {
		e.t.Errorf("territories in IT: TotalCount %d, want %d", p.TotalCount, n)
	}

	g := e.subgraph(graph.SubgraphQuery{Roots: []string{graph.TerritoryID("IT")}, Depth: 3, MaxNodes: n})
	if len(g.Nodes) != n || len(g.Edges) != n-1 {
		e.t.Errorf("Subgraph of the whole tree: %d nodes, %d edges; want %d, %d", len(g.Nodes), len(g.Edges), n, n-1)
	}
	if _, err := e.s.Subgraph(e.ctx, graph.SubgraphQuery{Roots: []string{graph.TerritoryID("IT")}, Depth: 3, MaxNodes: n - 1}); graph.CodeOf(err) != graph.CodeInvalid {
		e.t.Errorf("Subgraph over MaxNodes: error %v, want %s", err, graph.CodeInvalid)
	}

	// Loading the same dump again changes nothing.
	r = e.write(d.Write("bulk"))
	wantCounts(e.t, r, counts{Unchanged: n + n - 1})
}
