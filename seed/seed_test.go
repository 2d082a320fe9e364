package seed

import (
	"context"
	"maps"
	"slices"
	"strings"
	"testing"

	"govhub/graph"
	"govhub/graph/embedded"
)

func dumps(t *testing.T) (terr, nets *graph.Dump) {
	t.Helper()
	terr, err := Territories()
	if err != nil {
		t.Fatalf("Territories: %v", err)
	}
	nets, err = Networks()
	if err != nil {
		t.Fatalf("Networks: %v", err)
	}
	return terr, nets
}

func TestDumpsAreValid(t *testing.T) {
	terr, nets := dumps(t)
	if err := Validate(terr, nets); err != nil {
		t.Fatal(err)
	}
	for _, d := range []*graph.Dump{terr, nets} {
		if d.Source == "" {
			t.Error("a dump has no source line")
		}
	}
	if !strings.Contains(terr.Source, "CC BY 3.0 IT") {
		t.Errorf("territories source %q does not credit ISTAT's licence", terr.Source)
	}
	// The networks must not stand alone: a territory edge that Validate
	// resolves only through the territory dump.
	if err := Validate(nets); err == nil {
		t.Error("networks validate without territories; expected edges into territory ids")
	}
}

func TestValidateRejects(t *testing.T) {
	base := func() *graph.Dump {
		return &graph.Dump{Format: graph.DumpFormat, Version: graph.DumpVersion, Nodes: []graph.DumpNode{
			{ID: "net-a", Label: graph.Network, Props: graph.Props{"name": "A"}},
			{ID: "org-b", Label: graph.Organization, Props: graph.Props{"name": "B", "kind": "THIRD_SECTOR"}},
		}}
	}
	tests := []struct {
		name   string
		change func(d *graph.Dump)
	}{
		{"missing required property", func(d *graph.Dump) { delete(d.Nodes[1].Props, "kind") }},
		{"bad enum", func(d *graph.Dump) { d.Nodes[1].Props["kind"] = "CHARITY" }},
		{"unknown property", func(d *graph.Dump) { d.Nodes[0].Props["budget"] = "1" }},
		{"duplicate id", func(d *graph.Dump) { d.Nodes = append(d.Nodes, d.Nodes[0]) }},
		{"edge to missing node", func(d *graph.Dump) {
			d.Edges = append(d.Edges, graph.DumpEdge{Type: graph.PartnerIn, From: "org-b", To: "net-x", Props: graph.Props{"role": "LEAD"}})
		}},
		{"edge between wrong labels", func(d *graph.Dump) {
			d.Edges = append(d.Edges, graph.DumpEdge{Type: graph.PartnerIn, From: "net-a", To: "org-b", Props: graph.Props{"role": "LEAD"}})
		}},
		{"edge missing required property", func(d *graph.Dump) {
			d.Edges = append(d.Edges, graph.DumpEdge{Type: graph.PartnerIn, From: "org-b", To: "net-a"})
		}},
		{"duplicate edge", func(d *graph.Dump) {
			e := graph.DumpEdge{Type: graph.PartnerIn, From: "org-b", To: "net-a", Props: graph.Props{"role": "LEAD"}}
			d.Edges = append(d.Edges, e, e)
		}},
	}
	if err := Validate(base()); err != nil {
		t.Fatalf("base dump: %v", err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := base()
			tt.change(d)
			if err := Validate(d); err == nil {
				t.Error("Validate accepted it")
			}
		})
	}
}

func TestTerritories(t *testing.T) {
	terr, _ := dumps(t)
	byID := map[string]graph.DumpNode{}
	levels := map[string]int{}
	var sumMunicipalities int64
	for _, n := range terr.Nodes {
		if n.Label != graph.Territory {
			t.Fatalf("%s is a %s", n.ID, n.Label)
		}
		if n.ID != graph.TerritoryID(n.Props["code"].(string)) {
			t.Errorf("%s has code %v", n.ID, n.Props["code"])
		}
		byID[n.ID] = n
		lv := n.Props["level"].(string)
		levels[lv]++
		if lv == "MUNICIPALITY" {
			sumMunicipalities += n.Props["population"].(int64)
		}
	}
	want := map[string]int{"COUNTRY": 1, "REGION": 20, "PROVINCE": 107, "MUNICIPALITY": 7904}
	if !maps.Equal(levels, want) {
		t.Errorf("levels = %v, want %v", levels, want)
	}
	if len(terr.Edges) != len(terr.Nodes)-1 {
		t.Errorf("%d PART_OF edges for %d nodes", len(terr.Edges), len(terr.Nodes))
	}
	parent := map[string]string{}
	for _, e := range terr.Edges {
		if e.Type != graph.PartOf {
			t.Fatalf("edge of type %s", e.Type)
		}
		if _, dup := parent[e.From]; dup {
			t.Errorf("%s has two parents", e.From)
		}
		parent[e.From] = e.To
	}
	// Every territory reaches the country in at most three hops, one level at a time.
	next := map[string]string{"MUNICIPALITY": "PROVINCE", "PROVINCE": "REGION", "REGION": "COUNTRY"}
	for id, n := range byID {
		lv := n.Props["level"].(string)
		if lv == "COUNTRY" {
			continue
		}
		p, ok := byID[parent[id]]
		if !ok || p.Props["level"] != next[lv] {
			t.Errorf("%s (%s) has parent %q", id, lv, parent[id])
		}
	}
	country := byID["terr-IT"]
	if country.Props["name"] != "Italia" || country.Props["population"] != sumMunicipalities {
		t.Errorf("country = %v, want Italia with population %d", country.Props, sumMunicipalities)
	}
	napoli := byID["terr-063049"]
	if napoli.Props["name"] != "Napoli" || napoli.Props["cadastralCode"] != "F839" || parent["terr-063049"] != "terr-063" {
		t.Errorf("Napoli = %v, parent %s", napoli.Props, parent["terr-063049"])
	}
	if p := byID["terr-063"]; p.Props["abbreviation"] != "NA" || parent["terr-063"] != "terr-15" {
		t.Errorf("province 063 = %v, parent %s", p.Props, parent["terr-063"])
	}
	if r := byID["terr-15"]; r.Props["name"] != "Campania" || r.Props["macroArea"] != "Sud" {
		t.Errorf("region 15 = %v", r.Props)
	}
	var provinces int64
	for id, n := range byID {
		if parent[id] == "terr-15" {
			provinces += n.Props["population"].(int64)
		}
	}
	if got := byID["terr-15"].Props["population"]; got != provinces {
		t.Errorf("Campania population %v, sum of its provinces %d", got, provinces)
	}
}

func TestTerritoryDataChecks(t *testing.T) {
	tests := []struct{ name, data, want string }{
		{"duplicate code", `{"regions":[{"istat":"01","name":"A"},{"istat":"01","name":"B"}]}`, "duplicated"},
		{"missing region", `{"regions":[{"istat":"01","name":"A"}],"provinces":[{"istat":"001","name":"P","region":"02"}]}`, "unknown region"},
		{"missing province", `{"regions":[{"istat":"01","name":"A"}],"municipalities":[{"istat":"001001","name":"M","province":"001","region":"01"}]}`, "unknown province"},
		{"bad code", `{"regions":[{"istat":"1","name":"A"}]}`, "not 2 digits"},
		{"region disagrees", `{"regions":[{"istat":"01","name":"A"},{"istat":"02","name":"B"}],"provinces":[{"istat":"001","name":"P","region":"01"}],` +
			`"municipalities":[{"istat":"001001","name":"M","province":"001","region":"02"}]}`, "its province"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := territoryDump([]byte(tt.data))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want one containing %q", err, tt.want)
			}
		})
	}
}

// netIndex indexes the networks dump for tests that need no store.
type netIndex struct {
	nodes map[string]graph.DumpNode
	out   map[string][]graph.DumpEdge
	in    map[string][]graph.DumpEdge
}

func indexNetworks(t *testing.T) netIndex {
	_, nets := dumps(t)
	x := netIndex{nodes: map[string]graph.DumpNode{}, out: map[string][]graph.DumpEdge{}, in: map[string][]graph.DumpEdge{}}
	for _, n := range nets.Nodes {
		x.nodes[n.ID] = n
	}
	for _, e := range nets.Edges {
		x.out[e.From] = append(x.out[e.From], e)
		x.in[e.To] = append(x.in[e.To], e)
	}
	return x
}

func (x netIndex) name(id string) string { s, _ := x.nodes[id].Props["name"].(string); return s }

func TestNetworksModel(t *testing.T) {
	x := indexNetworks(t)
	labels := map[graph.Label]int{}
	for id, n := range x.nodes {
		labels[n.Label]++
		if prefix := graph.TypeOf(n.Label).IDScope + "-"; !strings.HasPrefix(id, prefix) {
			t.Errorf("%s: id of a %s should start with %q", id, n.Label, prefix)
		}
		if id != strings.ToLower(id) || strings.Trim(id, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
			t.Errorf("%s: ids are lower-case slugs", id)
		}
		if n.Label == graph.Person {
			if len(n.Props) != 1 {
				t.Errorf("%s: a person has only a name in the sources, got %v", id, n.Props)
			}
		}
	}
	if labels[graph.Network] != 6 {
		t.Errorf("%d networks, want 6", labels[graph.Network])
	}

	var people []string
	for id, n := range x.nodes {
		if n.Label == graph.Person {
			people = append(people, x.name(id))
			if len(x.out[id]) == 0 {
				t.Errorf("%s holds no role", id)
			}
			for _, e := range x.out[id] {
				if e.Type != graph.HoldsRole || e.Props["title"] == "" {
					t.Errorf("%s: %s %v", id, e.Type, e.Props)
				}
			}
		}
	}
	slices.Sort(people)
	wantPeople := []string{"Angela Visconti", "Anna Schettini", "Carmelina Labruzzo", "Elly Schlein", "Fabio Pascapè",
		"Gloria Lisi", "Monica Buonanno", "Salvatore Petirro", "Umberto Cimmino", "Valentina Morigi"}
	if !slices.Equal(people, wantPeople) {
		t.Errorf("people = %q, want %q", people, wantPeople)
	}

	// Every network has partners or actions, a description and a territory.
	for id, n := range x.nodes {
		if n.Label != graph.Network {
			continue
		}
		if n.Props["description"] == nil {
			t.Errorf("%s has no description", id)
		}
		var operates bool
		for _, e := range x.out[id] {
			operates = operates || e.Type == graph.OperatesIn
		}
		if !operates {
			t.Errorf("%s operates nowhere", id)
		}
		if len(x.in[id]) == 0 {
			t.Errorf("%s has nothing attached", id)
		}
	}

	// The single access point refers people to services.
	pua := x.nodes["svc-giugliano-porta-unica-di-accesso"]
	if pua.Props["singleAccessPoint"] != true || pua.Props["name"] != "Porta Unica di Accesso" {
		t.Errorf("PUA = %v", pua.Props)
	}
	var refers []string
	for _, e := range x.out[pua.ID] {
		if e.Type == graph.RefersTo {
			refers = append(refers, x.name(e.To))
		}
	}
	if !slices.Contains(refers, "Mediazione linguistico-culturale") || !slices.Contains(refers, "Tutoring domiciliare educativo") {
		t.Errorf("PUA refers to %q", refers)
	}

	// CO.Efficienti: deliverables PART_OF tasks PART_OF work packages PART_OF the network.
	codes := map[string]string{} // code -> code of parent (or the network id)
	for id, n := range x.nodes {
		code, _ := n.Props["code"].(string)
		if n.Label != graph.Action || code == "" {
			continue
		}
		for _, e := range x.out[id] {
			if e.Type == graph.PartOf {
				if pc, _ := x.nodes[e.To].Props["code"].(string); pc != "" {
					codes[code] = pc
				} else {
					codes[code] = e.To
				}
			}
		}
	}
	wantCodes := map[string]string{
		"WP0": "net-co-efficienti", "T0.1": "WP0", "D1": "T0.1",
		"WP1": "net-co-efficienti", "T1.1": "WP1", "D2": "T1.1", "D3": "T1.1", "D4": "T1.1", "D5": "T1.1",
		"T1.2": "WP1", "D6": "T1.2", "D7": "T1.2",
		"WP2": "net-co-efficienti", "T2.2": "WP2",
	}
	if !maps.Equal(codes, wantCodes) {
		t.Errorf("CO.Efficienti codes = %v, want %v", codes, wantCodes)
	}

	// The 2016 memorandum of the five southern regions.
	var signers, covers []string
	for _, e := range x.in["mou-regioni-sud-2016"] {
		signers = append(signers, x.name(e.From))
	}
	for _, e := range x.out["mou-regioni-sud-2016"] {
		covers = append(covers, e.To)
	}
	slices.Sort(signers)
	slices.Sort(covers)
	if want := []string{"Regione Basilicata", "Regione Calabria", "Regione Campania", "Regione Puglia", "Regione Siciliana"}; !slices.Equal(signers, want) {
		t.Errorf("memorandum signed by %q", signers)
	}
	if want := []string{"net-com-in", "terr-15", "terr-16", "terr-17", "terr-18", "terr-19"}; !slices.Equal(covers, want) {
		t.Errorf("memorandum covers %q", covers)
	}
}

// impactPartners are the partners of IMPACT Campania besides its lead, as the source lists them.
var impactPartners = []string{
	"ANCI Campania", "CIDIS Onlus", "Cantiere Giovani Cooperativa Sociale", "Consorzio La Rada",
	"Cooperativa Sociale Credito Senza Confini", "Dedalus Cooperativa Sociale", "LTM - Gruppo Laici Terzo Mondo",
	"Less Impresa Sociale", "Per Aspera ad Astra Cooperativa Sociale Onlus",
	"Tertium Millennium Società Cooperativa Sociale", "Traparentesi Onlus",
}

func openStore(t *testing.T) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatalf("open embedded store: %v", err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	return s
}

func TestLoad(t *testing.T) {
	ctx := context.Background()
	s := openStore(t)

	empty, err := IsEmpty(ctx, s)
	if err != nil || !empty {
		t.Fatalf("IsEmpty before Load = %v, %v; want true", empty, err)
	}

	type call struct {
		step        string
		done, total int
	}
	var calls []call
	res, err := Load(ctx, s, func(step string, done, total int) { calls = append(calls, call{step, done, total}) })
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	terr, nets := dumps(t)
	if len(res.Steps) != 2 || res.Steps[0].Step != StepTerritories || res.Steps[1].Step != StepNetworks {
		t.Fatalf("steps = %+v", res.Steps)
	}
	for i, d := range []*graph.Dump{terr, nets} {
		st := res.Steps[i]
		if st.Created != len(d.Nodes) || st.Linked != len(d.Edges) || st.Updated != 0 || st.Unchanged != 0 {
			t.Errorf("first load, step %s: %+v; want %d created, %d linked", st.Step, st, len(d.Nodes), len(d.Edges))
		}
	}
	// Progress: per step from 0 to the total, never backwards.
	last := map[string]call{}
	for _, c := range calls {
		if p, ok := last[c.step]; ok && (c.done < p.done || c.total != p.total) {
			t.Errorf("progress went from %+v to %+v", p, c)
		}
		last[c.step] = c
	}
	if c := last[StepTerritories]; c.done != c.total || c.total != len(terr.Nodes)+len(terr.Edges) {
		t.Errorf("last territories progress %+v", c)
	}
	if c := last[StepNetworks]; c.done != c.total || c.total != len(nets.Nodes)+len(nets.Edges) {
		t.Errorf("last networks progress %+v", c)
	}

	if empty, err := IsEmpty(ctx, s); err != nil || empty {
		t.Errorf("IsEmpty after Load = %v, %v; want false", empty, err)
	}

	t.Run("counts", func(t *testing.T) {
		count := func(l graph.Label, where ...graph.PropFilter) int {
			p, err := s.List(ctx, graph.ListQuery{Label: l, Where: where, First: 1})
			if err != nil {
				t.Fatalf("List %s: %v", l, err)
			}
			return p.TotalCount
		}
		level := func(lv string) graph.PropFilter {
			return graph.PropFilter{Key: "level", Op: graph.OpIn, Values: []any{lv}}
		}
		for _, c := range []struct {
			what      string
			got, want int
		}{
			{"networks", count(graph.Network), 6},
			{"country", count(graph.Territory, level("COUNTRY")), 1},
			{"regions", count(graph.Territory, level("REGION")), 20},
			{"provinces", count(graph.Territory, level("PROVINCE")), 107},
			{"municipalities", count(graph.Territory, level("MUNICIPALITY")), 7904},
			{"people", count(graph.Person), 10},
		} {
			if c.got != c.want {
				t.Errorf("%s: %d, want %d", c.what, c.got, c.want)
			}
		}
	})

	t.Run("IMPACT Campania partners", func(t *testing.T) {
		edges, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: []string{"net-impact-campania"}, Types: []graph.RelType{graph.PartnerIn}, Dir: graph.In})
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, e := range edges {
			ids = append(ids, e.From)
		}
		orgs, err := s.Nodes(ctx, ids)
		if err != nil {
			t.Fatal(err)
		}
		var lead, others []string
		for i, e := range edges {
			if e.Props["role"] == "LEAD" {
				lead = append(lead, orgs[i].Str("name"))
			} else {
				others = append(others, orgs[i].Str("name"))
			}
		}
		slices.Sort(others)
		if !slices.Equal(lead, []string{"Regione Campania"}) {
			t.Errorf("lead = %q", lead)
		}
		if !slices.Equal(others, impactPartners) {
			t.Errorf("partners (%d) = %q\nwant (%d) %q", len(others), others, len(impactPartners), impactPartners)
		}
	})

	t.Run("Napoli is in its province and region", func(t *testing.T) {
		chain := []string{"terr-063049"}
		for range 3 {
			edges, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: chain[len(chain)-1:], Types: []graph.RelType{graph.PartOf}, Dir: graph.Out})
			if err != nil {
				t.Fatal(err)
			}
			if len(edges) != 1 {
				t.Fatalf("%s has %d parents", chain[len(chain)-1], len(edges))
			}
			chain = append(chain, edges[0].To)
		}
		if want := []string{"terr-063049", "terr-063", "terr-15", "terr-IT"}; !slices.Equal(chain, want) {
			t.Errorf("chain = %q, want %q", chain, want)
		}
		ns, err := s.Nodes(ctx, chain)
		if err != nil || len(ns) != 4 {
			t.Fatalf("Nodes = %v, %v", ns, err)
		}
		if ns[0].Str("name") != "Napoli" || ns[1].Str("name") != "Napoli" || ns[2].Str("name") != "Campania" || ns[3].Str("name") != "Italia" {
			t.Errorf("names along the chain: %s, %s, %s, %s", ns[0].Str("name"), ns[1].Str("name"), ns[2].Str("name"), ns[3].Str("name"))
		}
	})

	t.Run("Comune di Napoli reaches the working table and Less in 2 hops", func(t *testing.T) {
		sg, err := s.Subgraph(ctx, graph.SubgraphQuery{Roots: []string{"org-comune-di-napoli"}, Depth: 2})
		if err != nil {
			t.Fatal(err)
		}
		ids := nodeIDs(sg)
		for _, want := range []string{"gov-napoli-tavolo-interistituzionale", "org-less-impresa-sociale", "net-impact-campania", "terr-063049"} {
			if !ids[want] {
				t.Errorf("%s not within 2 hops of Comune di Napoli", want)
			}
		}
	})

	t.Run("Shannara is connected to Regione Campania", func(t *testing.T) {
		const from, to = "org-shannara", "org-regione-campania"
		sg, err := s.Subgraph(ctx, graph.SubgraphQuery{Roots: []string{from}, Depth: 4})
		if err != nil {
			t.Fatal(err)
		}
		if d := hops(sg, from, to); d < 0 || d > 4 {
			t.Errorf("%s to %s: %d hops, want a path within 4", from, to, d)
		}
	})

	t.Run("second load changes nothing", func(t *testing.T) {
		calls = nil
		again, err := Load(ctx, s, nil)
		if err != nil {
			t.Fatalf("second Load: %v", err)
		}
		for _, st := range again.Steps {
			if st.Changed() || st.Created+st.Updated+st.Linked != 0 {
				t.Errorf("second load, step %s: %+v", st.Step, st)
			}
			if st.Unchanged != st.Nodes+st.Edges {
				t.Errorf("second load, step %s: %d unchanged of %d nodes and edges", st.Step, st.Unchanged, st.Nodes+st.Edges)
			}
		}
		if again.Changed() || len(calls) != 0 {
			t.Errorf("second load changed %+v, progress calls %v with nil progress", again.Total(), calls)
		}
		hist, err := s.History(ctx, "net-impact-campania", 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range hist {
			if c.Actor != Actor {
				t.Errorf("change by %q, want %q", c.Actor, Actor)
			}
			if c.Op == graph.OpUpdate {
				t.Errorf("network updated by a reload: %+v", c)
			}
		}
	})
}

func TestLoadCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := Load(ctx, openStore(t), nil); err == nil {
		t.Error("Load with a cancelled context succeeded")
	}
}

func nodeIDs(sg graph.Subgraph) map[string]bool {
	ids := map[string]bool{}
	for _, n := range sg.Nodes {
		ids[n.ID] = true
	}
	return ids
}

// hops is the length of a shortest undirected path between two nodes of a subgraph, or -1.
func hops(sg graph.Subgraph, from, to string) int {
	adj := map[string][]string{}
	for _, e := range sg.Edges {
		adj[e.From] = append(adj[e.From], e.To)
		adj[e.To] = append(adj[e.To], e.From)
	}
	dist := map[string]int{from: 0}
	queue := []string{from}
	for len(queue) > 0 {
		n := queue[0]
		queue = queue[1:]
		if n == to {
			return dist[n]
		}
		for _, m := range adj[n] {
			if _, seen := dist[m]; !seen {
				dist[m] = dist[n] + 1
				queue = append(queue, m)
			}
		}
	}
	return -1
}

// IsEmpty relies on the networks being written in one atomic Write.
func TestNetworksFitOneWrite(t *testing.T) {
	d, err := Networks()
	if err != nil {
		t.Fatal(err)
	}
	if n := len(d.Nodes) + len(d.Edges); n > BatchSize {
		t.Errorf("networks.json has %d nodes and edges, more than one Write of %d: IsEmpty would see a half-seeded store as seeded", n, BatchSize)
	}
}
