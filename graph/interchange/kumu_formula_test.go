package interchange

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"govhub/graph"
	"govhub/graph/embedded"
)

// Cells a spreadsheet would run as formulas are exported as text and come
// back unchanged on import.
func TestKumuExportIsFormulaSafe(t *testing.T) {
	evil := []string{"=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "'=kept as written"}
	d := &graph.Dump{Format: graph.DumpFormat, Version: graph.DumpVersion}
	for i, name := range evil {
		d.Nodes = append(d.Nodes, graph.DumpNode{ID: "org-f" + string(rune('a'+i)), Label: graph.Organization,
			Props: graph.Props{"name": name, "kind": "ASSOCIATION", "description": name}})
	}
	var buf bytes.Buffer
	if err := Export(&buf, d, KumuElements); err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(buf.String(), "\n")[1:] {
		for _, cell := range strings.Split(line, ",") {
			cell = strings.Trim(cell, `"`)
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	rep, err := ImportKumu(context.Background(), s, &buf, nil, "test")
	if err != nil || len(rep.Rejected) > 0 {
		t.Fatalf("import: %v %+v", err, rep.Rejected)
	}
	for i, name := range evil {
		ns, _ := s.Nodes(context.Background(), []string{"org-f" + string(rune('a'+i))})
		if len(ns) != 1 || ns[0].Str("name") != name || ns[0].Str("description") != name {
			t.Errorf("%q came back as %+v", name, ns)
		}
	}
}
