package authz_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"govhub/graph"
	"govhub/graph/embedded"
	"govhub/graph/interchange"
	"govhub/internal/auth"
	"govhub/internal/authz"
	"govhub/seed"
)

func seeded(t *testing.T) (*authz.Store, graph.Store) {
	t.Helper()
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	if _, err := seed.Load(context.Background(), s, nil); err != nil {
		t.Fatal(err)
	}
	w := graph.Write{Actor: "test", Nodes: []graph.NodeWrite{
		{ID: "per-test-mediator", Label: graph.Person, Props: graph.Props{"name": "Test Mediator", "email": "mediator@example.org"}},
	}, Link: []graph.Edge{{Type: graph.HoldsRole, From: "per-test-mediator", To: "org-less-impresa-sociale"}}}
	if _, err := s.Write(context.Background(), w); err != nil {
		t.Fatal(err)
	}
	return authz.Wrap(s, 0), s
}

var (
	admin       = auth.Principal{Subject: "root", Role: auth.Admin}
	coordinator = auth.Principal{Subject: "alice", Role: auth.Coordinator, Networks: []string{"net-impact-campania"}}
	governanceE = auth.Principal{Subject: "tavolo-er", Role: auth.Governance, Regions: []string{"terr-08"}}
	viewer      = auth.Principal{Subject: "vera", Role: auth.Viewer}
)

func as(p auth.Principal) context.Context { return auth.WithPrincipal(context.Background(), p) }

func code(err error) graph.Code { return graph.CodeOf(err) }

func count(t *testing.T, s graph.Store, l graph.Label) int {
	t.Helper()
	p, err := s.List(context.Background(), graph.ListQuery{Label: l, IncludeArchived: true, First: 1})
	if err != nil {
		t.Fatal(err)
	}
	return p.TotalCount
}

func TestCoordinatorWritesOnlyItsNetworks(t *testing.T) {
	az, raw := seeded(t)
	ctx := as(coordinator)
	cases := []struct {
		name string
		w    graph.Write
		want graph.Code
	}{
		{"update own network", graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: "net-impact-campania", Label: graph.Network, Props: graph.Props{"description": "updated"}}}}, ""},
		{"update another network by id", graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: "net-intarsi", Label: graph.Network, Props: graph.Props{"description": "hijacked"}}}}, graph.CodeForbidden},
		{"archive another network", graph.Write{Archive: []string{"net-intarsi"}}, graph.CodeForbidden},
		{"update a partner of another network only", graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: "org-shannara", Label: graph.Organization, Props: graph.Props{"website": "https://x"}}}}, graph.CodeForbidden},
		{"nested: new service in another network", graph.Write{
			Nodes: []graph.NodeWrite{{Mode: graph.Create, ID: "svc-new", Label: graph.Service, Props: graph.Props{"name": "S", "category": "SOCIAL"}}},
			Link:  []graph.Edge{{Type: graph.PartOf, From: "svc-new", To: "net-intarsi"}},
		}, graph.CodeForbidden},
		{"new partner of another network", graph.Write{
			Nodes: []graph.NodeWrite{{Mode: graph.Create, ID: "org-new", Label: graph.Organization, Props: graph.Props{"name": "O", "kind": "ASSOCIATION"}}},
			Link:  []graph.Edge{{Type: graph.PartnerIn, From: "org-new", To: "net-intarsi", Props: graph.Props{"role": "OPERATIONAL"}}},
		}, graph.CodeForbidden},
		{"own partner joins another network", graph.Write{Link: []graph.Edge{{Type: graph.PartnerIn, From: "org-less-impresa-sociale", To: "net-intarsi", Props: graph.Props{"role": "OPERATIONAL"}}}}, graph.CodeForbidden},
		{"governance body", graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: "gov-napoli-tavolo-interistituzionale", Label: graph.GovernanceBody, Props: graph.Props{"description": "x"}}}}, graph.CodeForbidden},
		{"new partner of own network", graph.Write{
			Nodes: []graph.NodeWrite{{Mode: graph.Create, ID: "org-ok", Label: graph.Organization, Props: graph.Props{"name": "OK", "kind": "ASSOCIATION"}}},
			Link:  []graph.Edge{{Type: graph.PartnerIn, From: "org-ok", To: "net-impact-campania", Props: graph.Props{"role": "OPERATIONAL"}}, {Type: graph.BasedIn, From: "org-ok", To: "terr-063049"}},
		}, ""},
		{"update an own partner", graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: "org-less-impresa-sociale", Label: graph.Organization, Props: graph.Props{"website": "https://less.example"}}}}, ""},
	}
	for _, c := range cases {
		before := count(t, raw, graph.Organization) + count(t, raw, graph.Service)
		_, err := az.Write(ctx, c.w)
		if code(err) != c.want {
			t.Errorf("%s: error %v (code %q), want code %q", c.name, err, code(err), c.want)
		}
		if c.want != "" {
			if after := count(t, raw, graph.Organization) + count(t, raw, graph.Service); after != before {
				t.Errorf("%s: refused write changed the store (%d -> %d nodes)", c.name, before, after)
			}
		}
	}
	ns, _ := raw.Nodes(context.Background(), []string{"net-intarsi"})
	if _, hijacked := ns[0].Props["description"].(string); hijacked && strings.Contains(ns[0].Str("description"), "hijacked") {
		t.Error("another network was changed")
	}
	// The audit trail names the coordinator.
	h, _ := raw.History(context.Background(), "net-impact-campania", 1)
	if len(h) != 1 || h[0].Actor != "alice" {
		t.Errorf("history of the coordinator's update = %+v", h)
	}
}

func TestCoordinatorImportIntoAnotherNetwork(t *testing.T) {
	az, raw := seeded(t)
	before := count(t, raw, graph.Organization)
	elements := "Label,Type,Description,Tags\nInfiltrata,Association,,\n"
	connections := "From,To,Type,Label,Strength\nInfiltrata,net-intarsi,PARTNER_IN,OPERATIONAL,1\n"
	_, err := interchange.ImportKumu(as(coordinator), az, strings.NewReader(elements), strings.NewReader(connections), "ignored")
	if code(err) != graph.CodeForbidden {
		t.Fatalf("import into another network: %v, want FORBIDDEN", err)
	}
	if after := count(t, raw, graph.Organization); after != before {
		t.Errorf("refused import wrote %d organisations", after-before)
	}
}

func TestGovernanceReadsOnlyItsRegions(t *testing.T) {
	az, raw := seeded(t)
	ctx := as(governanceE)

	all, err := raw.List(context.Background(), graph.ListQuery{Label: graph.Organization, First: 1000})
	if err != nil {
		t.Fatal(err)
	}
	page, err := az.List(ctx, graph.ListQuery{Label: graph.Organization, First: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if page.TotalCount != len(page.Nodes) || page.TotalCount == 0 || page.TotalCount >= all.TotalCount {
		t.Fatalf("governance of Emilia-Romagna sees %d organisations (totalCount %d) of %d", len(page.Nodes), page.TotalCount, all.TotalCount)
	}
	for _, n := range page.Nodes {
		if n.ID == "org-regione-campania" || n.ID == "org-shannara" {
			t.Errorf("governance of Emilia-Romagna sees %s", n.ID)
		}
	}
	// Paging agrees with the count.
	var seen int
	q := graph.ListQuery{Label: graph.Organization, First: 2}
	for {
		p, err := az.List(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		seen += len(p.Nodes)
		if p.TotalCount != page.TotalCount {
			t.Errorf("page totalCount %d, first page %d", p.TotalCount, page.TotalCount)
		}
		if !p.HasNextPage {
			break
		}
		q.After = p.Cursors[len(p.Cursors)-1]
	}
	if seen != page.TotalCount {
		t.Errorf("paged through %d organisations, totalCount %d", seen, page.TotalCount)
	}
	// A node lookup outside the regions finds nothing.
	ns, err := az.Nodes(ctx, []string{"org-regione-campania", "org-comune-di-ravenna", "terr-063049", "terr-039014"})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, n := range ns {
		ids = append(ids, n.ID)
	}
	if !slices.Equal(ids, []string{"org-comune-di-ravenna", "terr-039014"}) {
		t.Errorf("lookup returned %v", ids)
	}
	// A territory list outside the regions is empty, inside it is whole.
	p, _ := az.List(ctx, graph.ListQuery{Label: graph.Territory, Territory: "terr-15", First: 1})
	if p.TotalCount != 0 {
		t.Errorf("governance of Emilia-Romagna sees %d territories of Campania", p.TotalCount)
	}
	p, _ = az.List(ctx, graph.ListQuery{Label: graph.Territory, Where: []graph.PropFilter{{Key: "level", Op: graph.OpIn, Values: []any{"PROVINCE"}}}, First: 100})
	if p.TotalCount != 9 {
		t.Errorf("governance of Emilia-Romagna sees %d provinces, want 9", p.TotalCount)
	}
	// Graph views and exports go through the same store.
	if _, err := graph.NetworkView(ctx, az, graph.NetworkViewOptions{Networks: []string{"net-impact-campania"}}); code(err) != graph.CodeNotFound {
		t.Errorf("view of a network outside the regions: %v", err)
	}
	sg, err := graph.EgoView(ctx, az, "org-comune-di-ravenna", 3, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range sg.Nodes {
		if n.ID == "terr-IT" || strings.HasPrefix(n.ID, "terr-15") || n.ID == "org-regione-campania" {
			t.Errorf("ego view from Ravenna leaks %s", n.ID)
		}
	}
	d, err := interchange.Collect(ctx, az, interchange.Scope{}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range d.Nodes {
		if n.ID == "org-regione-campania" || n.ID == "terr-063049" || n.ID == "net-impact-campania" {
			t.Errorf("export leaks %s", n.ID)
		}
	}
	if len(d.Nodes) == 0 {
		t.Error("export of the regions is empty")
	}
	if h, _ := az.History(ctx, "org-regione-campania", 10); len(h) != 0 {
		t.Errorf("history outside the regions: %d entries", len(h))
	}
}

func TestGovernanceWritesBodiesOfItsRegions(t *testing.T) {
	az, _ := seeded(t)
	ctx := as(governanceE)
	newBody := func(id, terr string) graph.Write {
		return graph.Write{
			Nodes: []graph.NodeWrite{{Mode: graph.Create, ID: id, Label: graph.GovernanceBody, Props: graph.Props{"name": "Tavolo " + id, "kind": "WORKING_TABLE", "level": "REGIONAL"}}},
			Link:  []graph.Edge{{Type: graph.ResponsibleFor, From: id, To: terr}},
		}
	}
	if _, err := az.Write(ctx, newBody("gov-er", "terr-08")); err != nil {
		t.Errorf("body in Emilia-Romagna: %v", err)
	}
	if _, err := az.Write(ctx, newBody("gov-campania", "terr-15")); code(err) != graph.CodeForbidden {
		t.Errorf("body in Campania: %v, want FORBIDDEN", err)
	}
	orphan := newBody("gov-orphan", "terr-08")
	orphan.Link = nil
	if _, err := az.Write(ctx, orphan); code(err) != graph.CodeForbidden {
		t.Errorf("body responsible for nothing: %v, want FORBIDDEN", err)
	}
	if _, err := az.Write(ctx, graph.Write{Link: []graph.Edge{{Type: graph.SitsOn, From: "org-comune-di-ravenna", To: "gov-er", Props: graph.Props{"role": "member"}}}}); err != nil {
		t.Errorf("seat on own body: %v", err)
	}
	if _, err := az.Write(ctx, graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: "org-comune-di-ravenna", Label: graph.Organization, Props: graph.Props{"website": "x"}}}}); code(err) != graph.CodeForbidden {
		t.Errorf("governance updating an organisation: %v, want FORBIDDEN", err)
	}
	if _, err := az.Write(ctx, graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: "gov-napoli-tavolo-interistituzionale", Label: graph.GovernanceBody, Props: graph.Props{"description": "x"}}}}); code(err) != graph.CodeForbidden {
		t.Errorf("governance updating a body of another region: %v, want FORBIDDEN", err)
	}
}

func TestViewerReadsWithoutPersonalData(t *testing.T) {
	az, _ := seeded(t)
	if _, err := az.Write(as(viewer), graph.Write{Archive: []string{"org-shannara"}}); code(err) != graph.CodeForbidden {
		t.Errorf("viewer write: %v, want FORBIDDEN", err)
	}
	anon := auth.AnonymousPrincipal()
	for _, c := range []struct {
		p        auth.Principal
		redacted bool
	}{{viewer, true}, {anon, true}, {coordinator, false}, {admin, false}, {governanceE, true}} {
		ns, err := az.Nodes(as(c.p), []string{"per-test-mediator"})
		if err != nil {
			t.Fatal(err)
		}
		if c.p.Role == auth.Governance {
			if len(ns) != 0 {
				t.Errorf("governance of Emilia-Romagna sees a person of Campania")
			}
			continue
		}
		email, has := ns[0].Props["email"]
		if c.redacted != (len(ns[0].Redacted) > 0) || c.redacted == has {
			t.Errorf("%s: email %v, redacted %v", c.p.Subject, email, ns[0].Redacted)
		}
	}
}
