package embedded

import (
	"context"
	"fmt"
	"testing"

	"govhub/graph"
)

// openTest opens a store in a fresh directory, closed when the test ends.
func openTest(t testing.TB, opts ...Option) (*Store, string) {
	t.Helper()
	dir := t.TempDir()
	s, err := Open(dir, opts...)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s, dir
}

func mustWrite(t testing.TB, s graph.Store, w graph.Write) graph.WriteResult {
	t.Helper()
	r, err := s.Write(context.Background(), w)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return r
}

func ids(ns []graph.Node) []string {
	out := make([]string, len(ns))
	for i, n := range ns {
		out[i] = n.ID
	}
	return out
}

func terr(id, name, level string) graph.NodeWrite {
	return graph.NodeWrite{ID: id, Label: graph.Territory, Props: graph.Props{"name": name, "code": id, "level": level}}
}

func org(id, name string, extra graph.Props) graph.NodeWrite {
	p := graph.Props{"name": name, "kind": "THIRD_SECTOR"}
	for k, v := range extra {
		p[k] = v
	}
	return graph.NodeWrite{ID: id, Label: graph.Organization, Props: p}
}

func partOf(from, to string) graph.Edge { return graph.Edge{Type: graph.PartOf, From: from, To: to} }

// italy generates a territory tree shaped like Italy's: one country, 20
// regions, 107 provinces and the given number of municipalities, each linked
// PART_OF its parent.
func italy(municipalities int) graph.Write {
	w := graph.Write{Actor: "gen"}
	w.Nodes = append(w.Nodes, terr("it", "Italia", "COUNTRY"))
	var provinces []string
	for r := range 20 {
		rid := fmt.Sprintf("r%02d", r)
		w.Nodes = append(w.Nodes, terr(rid, fmt.Sprintf("Regione %02d", r), "REGION"))
		w.Link = append(w.Link, partOf(rid, "it"))
	}
	for p := range 107 {
		pid := fmt.Sprintf("p%03d", p)
		provinces = append(provinces, pid)
		w.Nodes = append(w.Nodes, terr(pid, fmt.Sprintf("Provincia %03d", p), "PROVINCE"))
		w.Link = append(w.Link, partOf(pid, fmt.Sprintf("r%02d", p%20)))
	}
	for m := range municipalities {
		mid := fmt.Sprintf("m%05d", m)
		// names in an order unrelated to ids, so sorting matters
		nw := terr(mid, fmt.Sprintf("Comune %05d", (m*7919)%municipalities), "MUNICIPALITY")
		nw.Props["population"] = int64(100 + m)
		w.Nodes = append(w.Nodes, nw)
		w.Link = append(w.Link, partOf(mid, provinces[m%len(provinces)]))
	}
	return w
}
