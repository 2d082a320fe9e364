package interchange

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"govhub/graph"
	"govhub/graph/neo4j"
)

// roundTrip loads the JSON b into dst and returns the JSON export of dst.
func roundTrip(t *testing.T, dst graph.Store, b []byte, batch int) []byte {
	t.Helper()
	d, err := ReadJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("ReadJSON: %v", err)
	}
	if again := export(t, d, JSON); !bytes.Equal(again, b) {
		t.Fatalf("ReadJSON+Export is not the identity: %s", firstDiff(b, again))
	}
	var calls, last int
	res, err := Load(context.Background(), dst, d, "import-test", batch, func(done, total int) {
		calls++
		if done < last || done > total || total != len(d.Nodes)+len(d.Edges) {
			t.Errorf("progress(%d, %d) after %d", done, total, last)
		}
		last = done
	})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if last != len(d.Nodes)+len(d.Edges) || calls < 2 {
		t.Errorf("progress ended at %d after %d calls, want %d", last, calls, len(d.Nodes)+len(d.Edges))
	}
	if res.Created != len(d.Nodes) || res.Linked != len(d.Edges) {
		t.Errorf("first Load into an empty store: %+v, want %d created and %d linked", res, len(d.Nodes), len(d.Edges))
	}
	got := collect(t, dst)
	got.Source = d.Source // the scope of the collect differs, not the graph
	return export(t, got, JSON)
}

func TestRoundTripJSON(t *testing.T) {
	src := seeded(t)
	d := collect(t, src)
	b := export(t, d, JSON)

	// The dump has everything, archived nodes and personal data included.
	var archived, email bool
	for _, n := range d.Nodes {
		archived = archived || (n.ID == "org-extra-archived" && n.Archived)
		email = email || n.Props["email"] == "maria.rossi@example.org"
	}
	if !archived || !email {
		t.Errorf("whole-graph dump: archived node %v, person email %v; want both", archived, email)
	}
	if !slices.IsSortedFunc(d.Edges, compareEdges) {
		t.Error("edges are not sorted by from, type, to")
	}
	for i := 1; i < len(d.Nodes); i++ {
		a, b := d.Nodes[i-1], d.Nodes[i]
		if labelRank(a.Label) > labelRank(b.Label) || (a.Label == b.Label && a.ID >= b.ID) {
			t.Fatalf("nodes not in label then id order at %d: %s %s, %s %s", i, a.Label, a.ID, b.Label, b.ID)
		}
	}
	// Collecting again gives the same bytes.
	if again := export(t, collect(t, src), JSON); !bytes.Equal(again, b) {
		t.Fatalf("two Collects differ: %s", firstDiff(b, again))
	}

	t.Run("embedded", func(t *testing.T) {
		got := roundTrip(t, openEmbedded(t), b, 3000)
		if !bytes.Equal(got, b) {
			t.Fatalf("export after import differs: %s", firstDiff(b, got))
		}
	})
	t.Run("neo4j", func(t *testing.T) {
		s := neo4j.OpenTest(t)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
		defer cancel()
		if err := s.DeleteAll(ctx); err != nil {
			t.Fatal(err)
		}
		got := roundTrip(t, s, b, 0)
		if !bytes.Equal(got, b) {
			t.Fatalf("export after import into Neo4j differs: %s", firstDiff(b, got))
		}
		// And the Neo4j store's scoped export equals the embedded one's.
		want := export(t, collect(t, src, impact), JSON)
		if got := export(t, collect(t, s, impact), JSON); !bytes.Equal(got, want) {
			t.Fatalf("scoped export from Neo4j differs: %s", firstDiff(want, got))
		}
		// Loading again changes nothing on Neo4j either.
		d2, err := ReadJSON(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		res, err := Load(ctx, s, d2, "import-test", 0, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Created+res.Updated+res.Linked+res.Unlinked != 0 || res.Unchanged != len(d2.Nodes)+len(d2.Edges) {
			t.Errorf("second Load on Neo4j: %+v", res)
		}
	})
}

func TestCollectNetworkScope(t *testing.T) {
	s := seeded(t)
	d := collect(t, s, impact)
	ids := map[string]graph.Label{}
	for _, n := range d.Nodes {
		ids[n.ID] = n.Label
	}
	for _, id := range []string{
		impact,
		"org-regione-campania", "org-anci-campania", "org-less-impresa-sociale", // partners
		"org-extra-archived",                                         // an archived partner
		"org-comune-di-napoli",                                       // sits on the working table
		"gov-napoli-tavolo-interistituzionale",                       // coordinates the network
		"act-impact-campania-monitoraggio", "ind-extra", "msr-extra", // actions, indicators, measurements
		"svc-napoli-politiche-di-integrazione-e-nuove-cittadinanze", // provided by the Comune
		"per-fabio-pascape", "per-extra", // people with roles
		"terr-063049", "terr-063", "terr-15", "terr-IT", // Napoli and its ancestors
	} {
		if _, ok := ids[id]; !ok {
			t.Errorf("scope of %s lacks %s", impact, id)
		}
	}
	for _, id := range []string{"net-intarsi", "terr-063001", "terr-065", "terr-08", "org-regione-emilia-romagna", "net-extra"} {
		if _, ok := ids[id]; ok {
			t.Errorf("scope of %s has unrelated %s", impact, id)
		}
	}
	// Territories are only those linked and their ancestors: no municipality
	// but Napoli (the seed links no other municipality to this network).
	for id, l := range ids {
		if l == graph.Territory && len(id) == len("terr-063049") && id != "terr-063049" {
			t.Errorf("scope has municipality %s", id)
		}
	}
	// Every edge is among included nodes, and every edge among them is there.
	all := collect(t, s)
	var want []graph.DumpEdge
	for _, e := range all.Edges {
		if _, ok := ids[e.From]; ok {
			if _, ok := ids[e.To]; ok {
				want = append(want, e)
			}
		}
	}
	if len(want) != len(d.Edges) {
		t.Errorf("scope has %d edges, the induced subgraph %d", len(d.Edges), len(want))
	}
	// Unknown networks are NOT_FOUND.
	for _, bad := range []string{"net-nope", "org-regione-campania"} {
		if _, err := Collect(context.Background(), s, Scope{Networks: []string{bad}}, nil); graph.CodeOf(err) != graph.CodeNotFound {
			t.Errorf("Collect(%s) = %v, want NOT_FOUND", bad, err)
		}
	}
	// Two networks: the union.
	two := collect(t, s, impact, "net-community-building-city")
	if len(two.Nodes) <= len(d.Nodes) || !slices.ContainsFunc(two.Nodes, func(n graph.DumpNode) bool { return n.ID == "org-shannara" }) {
		t.Errorf("two networks: %d nodes (one: %d), Shannara included: %v", len(two.Nodes), len(d.Nodes),
			slices.ContainsFunc(two.Nodes, func(n graph.DumpNode) bool { return n.ID == "org-shannara" }))
	}
	// The scoped dump loads on its own into an empty store.
	dst := openEmbedded(t)
	b := export(t, d, JSON)
	if got := roundTrip(t, dst, b, 50); !bytes.Equal(got, b) {
		t.Fatalf("scoped round trip differs: %s", firstDiff(b, got))
	}
}

func TestLoadTwice(t *testing.T) {
	src := seeded(t)
	d := collect(t, src)
	dst := openEmbedded(t)
	ctx := context.Background()
	first, err := Load(ctx, dst, d, "a", 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if first.Created != len(d.Nodes) || first.Linked != len(d.Edges) {
		t.Errorf("first Load: %+v", first)
	}
	second, err := Load(ctx, dst, d, "a", 1000, nil)
	if err != nil {
		t.Fatal(err)
	}
	if second.Created != 0 || second.Updated != 0 || second.Linked != 0 || second.Unlinked != 0 || second.Unchanged != len(d.Nodes)+len(d.Edges) {
		t.Errorf("second Load: %+v, want all %d unchanged", second, len(d.Nodes)+len(d.Edges))
	}
	h, err := dst.History(ctx, "org-extra-archived", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(h) == 0 || h[0].Op != graph.OpArchive || h[0].Actor != "a" {
		t.Errorf("history of the archived node: %+v", h)
	}
}

func TestLoadArchiveStates(t *testing.T) {
	ctx := context.Background()
	s := openEmbedded(t)
	must := func(w graph.Write) {
		t.Helper()
		if _, err := s.Write(ctx, w); err != nil {
			t.Fatal(err)
		}
	}
	net := graph.NodeWrite{ID: "net-a", Label: graph.Network, Props: graph.Props{"name": "A"}}
	org := graph.NodeWrite{ID: "org-b", Label: graph.Organization, Props: graph.Props{"name": "B", "kind": "OTHER"}}
	gone := graph.NodeWrite{ID: "org-c", Label: graph.Organization, Props: graph.Props{"name": "C", "kind": "OTHER"}}
	must(graph.Write{Nodes: []graph.NodeWrite{net, org, gone}})
	must(graph.Write{Archive: []string{"net-a", "org-b"}})

	// The dump: net-a archived with a new edge to it (restored for the link,
	// archived again), org-b not archived (restored), org-c archived.
	d := &graph.Dump{Format: graph.DumpFormat, Version: graph.DumpVersion,
		Nodes: []graph.DumpNode{
			{ID: "net-a", Label: graph.Network, Archived: true, Props: net.Props},
			{ID: "org-b", Label: graph.Organization, Props: org.Props},
			{ID: "org-c", Label: graph.Organization, Archived: true, Props: gone.Props},
		},
		Edges: []graph.DumpEdge{
			{Type: graph.PartnerIn, From: "org-b", To: "net-a", Props: graph.Props{"role": "LEAD"}},
			{Type: graph.PartnerIn, From: "org-c", To: "net-a", Props: graph.Props{"role": "FUNDER", "strength": 3.0}},
		}}
	if _, err := Load(ctx, s, d, "t", 1, nil); err != nil {
		t.Fatal(err)
	}
	got := collect(t, s)
	got.Source = ""
	SortDump(d)
	want := export(t, d, JSON)
	if b := export(t, got, JSON); !bytes.Equal(b, want) {
		t.Fatalf("store after Load differs from the dump: %s", firstDiff(want, b))
	}
	res, err := Load(ctx, s, d, "t", 1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if res.Created+res.Updated+res.Linked != 0 || res.Unchanged != 5 {
		t.Errorf("second Load: %+v", res)
	}
}

func TestReadJSONErrors(t *testing.T) {
	head := `{"format": "govhub-graph", "version": 1, "nodes": [` + "\n"
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"not an object", "[]", "must be a JSON object"},
		{"syntax", head + `{"id": "net-a", "label": "Network", "props": {"name": "A",}}]}`, "line 2"},
		{"wrong format", `{"format": "other", "version": 1, "nodes": [], "edges": []}`, `format is "other"`},
		{"no format", `{"version": 1, "nodes": [], "edges": []}`, "no format"},
		{"newer version", `{"format": "govhub-graph", "version": 2, "nodes": [], "edges": []}`, "upgrade"},
		{"unknown top field", `{"format": "govhub-graph", "version": 1, "nodez": []}`, `unknown field "nodez"`},
		{"bad enum", head + `{"id": "org-a", "label": "Organization", "props": {"name": "A", "kind": "CHARITY"}}], "edges": []}`,
			`line 2, column 1: nodes[0] (id "org-a"): kind: must be one of`},
		{"unknown label", head + `{"id": "x-a", "label": "Thing", "props": {}}], "edges": []}`, `unknown label "Thing"`},
		{"bad id", head + `{"id": "a b", "label": "Network", "props": {"name": "A"}}], "edges": []}`, "id: must not contain spaces"},
		{"null prop", head + `{"id": "net-a", "label": "Network", "props": {"name": "A", "fund": null}}], "edges": []}`, "fund: must not be null"},
		{"unknown node field", head + `{"id": "net-a", "label": "Network", "prop": {}}], "edges": []}`, `unknown field "prop"`},
		{"wrong type", head + `{"id": "net-a", "label": "Network", "archived": "yes", "props": {"name": "A"}}], "edges": []}`, "archived: must be a JSON boolean"},
		{"duplicate id", head + `{"id": "net-a", "label": "Network", "props": {"name": "A"}},` + "\n" +
			`{"id": "net-a", "label": "Network", "props": {"name": "B"}}], "edges": []}`, "line 3, column 1: nodes[1] (id \"net-a\"): the id is also used by nodes[0]"},
		{"edge labels", head + `{"id": "net-a", "label": "Network", "props": {"name": "A"}},` + "\n" +
			`{"id": "org-b", "label": "Organization", "props": {"name": "B", "kind": "OTHER"}}],` + "\n" +
			`"edges": [{"type": "PARTNER_IN", "from": "net-a", "to": "org-b", "props": {"role": "LEAD"}}]}`, "line 4, column 11: edges[0] (PARTNER_IN from \"net-a\" to \"org-b\"): PARTNER_IN cannot join a Network to an Organization"},
		{"edge prop", head + `], "edges": [{"type": "PARTNER_IN", "from": "org-b", "to": "net-a", "props": {"role": "LEAD", "strength": -1}}]}`, "strength: must be at least 0"},
		{"duplicate edge", head + `], "edges": [{"type": "PROVIDES", "from": "org-b", "to": "svc-a"},` + "\n" + `{"type": "PROVIDES", "from": "org-b", "to": "svc-a"}]}`, "line 3, column 1: edges[1]"},
		{"trailing data", `{"format": "govhub-graph", "version": 1, "nodes": [], "edges": []} {}`, "after the end"},
		{"truncated", head + `{"id": "net-a"`, "ends too early"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ReadJSON(strings.NewReader(tt.in))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("ReadJSON error = %v, want one containing %q", err, tt.want)
			}
			if graph.CodeOf(err) != graph.CodeInvalid {
				t.Errorf("code %s, want %s", graph.CodeOf(err), graph.CodeInvalid)
			}
		})
	}
	// A dump whose edges point outside it (as the seed networks point at
	// territories) is valid.
	if _, err := ReadJSON(strings.NewReader(head + `], "edges": [{"type": "BASED_IN", "from": "org-x", "to": "terr-15"}]}`)); err != nil {
		t.Errorf("edges to nodes outside the dump: %v", err)
	}
}
