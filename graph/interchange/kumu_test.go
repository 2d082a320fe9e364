package interchange

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"govhub/graph"
)

const kumuElements = `ID,Label,Type,Description,Tags,kind,website,category,languages,targetGroups,Image
,Rete Test,Network,Una rete di prova,,,,,,,
,Cooperativa Alfa,Third sector,,Alfa coop|Coop A,,https://alfa.example,,,,x.png
org-beta,Beta Onlus,Organization,,,CHARITY,,,,,
,Sportello Alfa,Service,Sportello per i cittadini,Health|priority,,,,it|en,migrants|families,
only,three,columns
org-cooperativa-alfa,Cooperativa Alfa bis,Organization,,,ASSOCIATION,,,,,
,,Network,,,,,,,,
org-comune-di-napoli,Comune di Napoli,Organization,,,PUBLIC_INSTITUTION,https://www.comune.napoli.it,,,,
,Sportello senza categoria,Service,,,,,,,,
,Rete Gamma,Netwrk,,,,,,,,
`

const kumuConnections = `From,To,Type,Label,Strength,since
Cooperativa Alfa,Rete Test,PARTNER_IN,lead,"0,8",2021-01-01
org-cooperativa-alfa,svc-sportello-alfa,provides,,,
Cooperativa Alfa,Nowhere,PARTNER_IN,LEAD,,
Beta Onlus,Rete Test,PARTNER_IN,LEAD,,
Cooperativa Alfa,net-impact-campania,partner in,operational,1,
Rete Test,Cooperativa Alfa,PARTNER_IN,LEAD,,
org-cooperativa-alfa,terr-063049,BASED_IN,,,
Sportello Alfa,terr-063049,DELIVERED_IN,,-1,
Cooperativa Alfa,Rete Test,KNOWS,,,
Cooperativa Alfa,Rete Test,PARTNER_IN,OPERATIONAL,,
Cooperativa Alfa,Sportello senza categoria,PROVIDES,,,
Comune di Napoli,Rete Test,PARTNER_IN,,,
org-comune-di-napoli,Sportello Alfa,PROVIDES,,,
`

// want is a rejected row: file, line, and a part of the reason.
type want struct {
	file string
	line int
	msg  string
}

var kumuRejected = []want{
	{ElementsFile, 4, `kind: must be one of PUBLIC_INSTITUTION`},
	{ElementsFile, 6, "has 3 columns, the header has 11"},
	{ElementsFile, 7, `duplicate ID "org-cooperativa-alfa": line 3 has it already`},
	{ElementsFile, 8, "Label is empty"},
	{ElementsFile, 10, "a Service needs a category"},
	{ElementsFile, 11, `unknown Type "Netwrk"`},
	{ConnectionsFile, 4, `To "Nowhere" is neither an element`},
	{ConnectionsFile, 5, `From "Beta Onlus" is the element on line 4, which was rejected`},
	{ConnectionsFile, 7, "PARTNER_IN cannot join a Network to an Organization (From and To the other way round?)"},
	{ConnectionsFile, 9, "strength: must be at least 0"},
	{ConnectionsFile, 10, `unknown connection Type "KNOWS"`},
	{ConnectionsFile, 11, "the same connection (PARTNER_IN from \"org-cooperativa-alfa\" to \"net-rete-test\") is on line 2"},
	{ConnectionsFile, 12, `To "Sportello senza categoria" is the element on line 10, which was rejected`},
	{ConnectionsFile, 13, "role: is required for PARTNER_IN"},
}

func checkRejected(t *testing.T, got []RowError, want []want) {
	t.Helper()
	if len(got) != len(want) {
		for _, g := range got {
			t.Logf("rejected %s", g)
		}
		t.Fatalf("%d rows rejected, want %d", len(got), len(want))
	}
	for i, w := range want {
		g := got[i]
		if g.File != w.file || g.Row != w.line || !strings.Contains(g.Message, w.msg) {
			t.Errorf("rejected[%d] = %s, want %s:%d: ...%s...", i, g, w.file, w.line, w.msg)
		}
	}
}

func TestImportKumu(t *testing.T) {
	ctx := context.Background()
	s := seeded(t)
	rep, err := ImportKumu(ctx, s, strings.NewReader(kumuElements), strings.NewReader(kumuConnections), "coordinator")
	if err != nil {
		t.Fatal(err)
	}
	checkRejected(t, rep.Rejected, kumuRejected)
	if rep.Nodes != 4 || rep.Edges != 5 {
		t.Errorf("imported %d nodes and %d edges, want 4 and 5", rep.Nodes, rep.Edges)
	}
	if r := rep.Result; r.Created != 3 || r.Updated != 1 || r.Linked != 5 {
		t.Errorf("result %+v, want 3 created, 1 updated (the Comune's website), 5 linked", r)
	}
	// Warnings: the Image column, the tag with no place on a service.
	var warnings []string
	for _, w := range rep.Warnings {
		warnings = append(warnings, w.String())
	}
	for _, w := range []string{`elements:1: column "Image" is not a property`, `elements:5: tag "priority" has no place on a Service`} {
		if !strings.Contains(strings.Join(warnings, "\n"), w) {
			t.Errorf("warnings %q lack %q", warnings, w)
		}
	}

	ns, err := s.Nodes(ctx, []string{"net-rete-test", "org-cooperativa-alfa", "svc-sportello-alfa", "org-comune-di-napoli", "org-beta"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 4 {
		t.Fatalf("nodes after import: %v", ns)
	}
	alfa, svc, napoli := ns[1], ns[2], ns[3]
	if alfa.Props["kind"] != "THIRD_SECTOR" || !graph.EqualValues(alfa.Props["aliases"], []string{"Alfa coop", "Coop A"}) || alfa.Props["website"] != "https://alfa.example" {
		t.Errorf("Cooperativa Alfa: %v", alfa.Props)
	}
	if svc.Props["category"] != "HEALTH" || !graph.EqualValues(svc.Props["languages"], []string{"it", "en"}) || !graph.EqualValues(svc.Props["targetGroups"], []string{"migrants", "families"}) || svc.Props["description"] != "Sportello per i cittadini" {
		t.Errorf("Sportello Alfa: %v", svc.Props)
	}
	if napoli.Props["website"] != "https://www.comune.napoli.it" || napoli.Props["name"] != "Comune di Napoli" {
		t.Errorf("Comune di Napoli: %v", napoli.Props)
	}
	es, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{"org-cooperativa-alfa"}, Dir: graph.Out})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]graph.Props{}
	for _, e := range es {
		got[e.Key().ID()] = e.Props
	}
	if p := got["org-cooperativa-alfa|PARTNER_IN|net-rete-test"]; p["role"] != "LEAD" || p["strength"] != 0.8 || p["since"] != "2021-01-01" {
		t.Errorf("PARTNER_IN to the new network: %v", p)
	}
	if p := got["org-cooperativa-alfa|PARTNER_IN|"+impact]; p["role"] != "OPERATIONAL" || p["strength"] != 1.0 {
		t.Errorf("PARTNER_IN to a store network: %v", p)
	}
	if _, ok := got["org-cooperativa-alfa|BASED_IN|terr-063049"]; !ok || len(got) != 4 {
		t.Errorf("edges of Cooperativa Alfa: %v", got)
	}

	// The same files again change nothing and reject the same rows.
	again, err := ImportKumu(ctx, s, strings.NewReader(kumuElements), strings.NewReader(kumuConnections), "coordinator")
	if err != nil {
		t.Fatal(err)
	}
	checkRejected(t, again.Rejected, kumuRejected)
	if r := again.Result; r.Created+r.Updated+r.Linked+r.Unlinked != 0 || r.Unchanged != 9 {
		t.Errorf("second import: %+v, want 9 unchanged", r)
	}
}

// racingStore writes a conflicting node just before the import's Write, as
// a concurrent user would, so that the store rejects the Write.
type racingStore struct {
	graph.Store
}

func (s racingStore) Write(ctx context.Context, w graph.Write) (graph.WriteResult, error) {
	if _, err := s.Store.Write(ctx, graph.Write{Actor: "other", Nodes: []graph.NodeWrite{
		{ID: "net-rete-test", Label: graph.Organization, Props: graph.Props{"name": "Rete Test", "kind": "OTHER"}},
	}}); err != nil {
		return graph.WriteResult{}, err
	}
	return s.Store.Write(ctx, w)
}

func TestImportKumuAtomic(t *testing.T) {
	ctx := context.Background()
	s := seeded(t)
	rep, err := ImportKumu(ctx, racingStore{s}, strings.NewReader(kumuElements), strings.NewReader(kumuConnections), "coordinator")
	if err == nil || graph.CodeOf(err) != graph.CodeConflict {
		t.Fatalf("import against a conflicting store: %v, want a CONFLICT", err)
	}
	checkRejected(t, rep.Rejected, kumuRejected)
	if rep.Nodes != 0 || rep.Edges != 0 {
		t.Errorf("report counts %d nodes, %d edges imported after a failed write", rep.Nodes, rep.Edges)
	}
	ns, err := s.Nodes(ctx, []string{"org-cooperativa-alfa", "svc-sportello-alfa"})
	if err != nil {
		t.Fatal(err)
	}
	if len(ns) != 0 {
		t.Errorf("a failed import left %v", ns)
	}
	n, err := s.Nodes(ctx, []string{"org-comune-di-napoli"})
	if err != nil || n[0].Props["website"] != nil {
		t.Errorf("a failed import changed the Comune: %v %v", n, err)
	}
	// Seen before the Write, the same conflict rejects the row instead.
	rep, err = ImportKumu(ctx, s, strings.NewReader(kumuElements), nil, "coordinator")
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range rep.Rejected {
		found = found || (r.Row == 2 && strings.Contains(r.Message, `ID "net-rete-test" is an Organization in the store, not a Network`))
	}
	if !found {
		t.Errorf("rejected %v, want line 2 for the id of another label", rep.Rejected)
	}
}

func TestImportKumuFileErrors(t *testing.T) {
	ctx := context.Background()
	s := openEmbedded(t)
	tests := []struct {
		name, elements, connections, want string
	}{
		{"empty", "", "", "the elements CSV is empty"},
		{"no label column", "ID,Type\na,Network\n", "", "no Label column"},
		{"repeated column", "Label,Type,label\na,Network,b\n", "", `column "label" appears twice`},
		{"connections without To", "Label,Type\nA,Network\n", "From,Type\nA,PART_OF\n", "the connections CSV has no To column"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var conns *strings.Reader
			if tt.connections != "" {
				conns = strings.NewReader(tt.connections)
			}
			var err error
			if conns != nil {
				_, err = ImportKumu(ctx, s, strings.NewReader(tt.elements), conns, "x")
			} else {
				_, err = ImportKumu(ctx, s, strings.NewReader(tt.elements), nil, "x")
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || graph.CodeOf(err) != graph.CodeInvalid {
				t.Fatalf("error %v, want BAD_USER_INPUT with %q", err, tt.want)
			}
		})
	}
	// Semicolons (spreadsheets in Italian), a BOM, quoted cells with newlines,
	// and a CSV syntax error in a row.
	elements := "\ufeffLabel;Type;Description\n\"Rete; uno\";Network;\"riga uno\nriga due\"\nRete \"due;Network;\nRete tre;Network;\n"
	rep, err := ImportKumu(ctx, s, strings.NewReader(elements), nil, "x")
	if err != nil {
		t.Fatal(err)
	}
	if rep.Nodes != 2 || len(rep.Rejected) != 1 || rep.Rejected[0].Row != 4 {
		t.Fatalf("report %+v", rep)
	}
	n, err := s.Nodes(ctx, []string{"net-rete-uno"})
	if err != nil || len(n) != 1 || n[0].Props["description"] != "riga uno\nriga due" {
		t.Errorf("quoted cells: %v %v", n, err)
	}
}

// A Kumu export of a scope imports into an empty store as the same graph.
func TestKumuRoundTrip(t *testing.T) {
	ctx := context.Background()
	src := seeded(t)
	d := collect(t, src, impact)
	var elements, connections bytes.Buffer
	if err := Export(&elements, d, KumuElements); err != nil {
		t.Fatal(err)
	}
	if err := Export(&connections, d, KumuConnections); err != nil {
		t.Fatal(err)
	}
	dst := openEmbedded(t)
	rep, err := ImportKumu(ctx, dst, bytes.NewReader(elements.Bytes()), bytes.NewReader(connections.Bytes()), "kumu")
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Rejected) != 0 || len(rep.Warnings) != 0 || rep.Nodes != len(d.Nodes) || rep.Edges != len(d.Edges) {
		t.Fatalf("import of the export: %d nodes, %d edges, rejected %v, warnings %v", rep.Nodes, rep.Edges, rep.Rejected, rep.Warnings)
	}
	got := collect(t, dst, impact)
	// Kumu cannot tell an empty list from no list.
	for _, n := range d.Nodes {
		for k, v := range n.Props {
			if l, ok := v.([]string); ok && len(l) == 0 {
				delete(n.Props, k)
			}
		}
	}
	want := export(t, d, JSON)
	if b := export(t, got, JSON); !bytes.Equal(b, want) {
		t.Fatalf("Kumu round trip differs: %s", firstDiff(want, b))
	}
	again, err := ImportKumu(ctx, dst, bytes.NewReader(elements.Bytes()), bytes.NewReader(connections.Bytes()), "kumu")
	if err != nil {
		t.Fatal(err)
	}
	if r := again.Result; r.Created+r.Updated+r.Linked != 0 {
		t.Errorf("second import of the export: %+v", r)
	}
}

func TestSlug(t *testing.T) {
	for in, want := range map[string]string{
		"Comune di Napoli":               "comune-di-napoli",
		"LTM - Gruppo Laici Terzo Mondo": "ltm-gruppo-laici-terzo-mondo",
		"Città dell'Altra Economia":      "citta-dell-altra-economia",
		"  Perché?  ":                    "perche",
		"ÉCOLE":                          "ecole",
		"!!!":                            "", // hashed
		"Com.&In. - Competenze per l'Integrazione in Europa": "com-in-competenze-per-l-integrazione-in-europa",
	} {
		got := slug(in)
		if want == "" {
			if len(got) != 12 || got != slug(in) {
				t.Errorf("slug(%q) = %q, want a stable 12-digit hash", in, got)
			}
			continue
		}
		if got != want {
			t.Errorf("slug(%q) = %q, want %q", in, got, want)
		}
	}
	if long := slug(strings.Repeat("abc ", 100)); len(long) > 120 || graph.ValidID("id", "org-"+long) != nil {
		t.Errorf("long slug %q", long)
	}
}
