package e2e

import (
	"net/http"
	"slices"
	"sort"
	"strings"
	"testing"
)

// The documents of the foundation issue, exactly as written there: their
// field names are part of the contract with frontend developers.
const (
	qNetworks       = `{ networks(first: 50) { totalCount edges { node { id name acronym partners { role organization { id name kind } } } } } }`
	qNapoli         = `{ territory(code: "063049") { name level parent { code name level parent { code name level } } } }`
	qMunicipalities = `{ territories(filter: { level: MUNICIPALITY }) { totalCount } }`
	qShannara       = `{ organizations(filter: { search: "Shannara" }, first: 5) { edges { node { name kind } } } }`
)

var impactPartners = []string{
	"ANCI Campania", "CIDIS Onlus", "Cantiere Giovani Cooperativa Sociale", "Consorzio La Rada",
	"Cooperativa Sociale Credito Senza Confini", "Dedalus Cooperativa Sociale", "LTM - Gruppo Laici Terzo Mondo",
	"Less Impresa Sociale", "Per Aspera ad Astra Cooperativa Sociale Onlus",
	"Tertium Millennium Società Cooperativa Sociale", "Traparentesi Onlus",
}

type networksData struct {
	Networks struct {
		TotalCount int `json:"totalCount"`
		Edges      []struct {
			Node struct {
				ID       string `json:"id"`
				Name     string `json:"name"`
				Acronym  string `json:"acronym"`
				Partners []struct {
					Role         string `json:"role"`
					Organization struct {
						ID, Name, Kind string
					} `json:"organization"`
				} `json:"partners"`
			} `json:"node"`
		} `json:"edges"`
	} `json:"networks"`
}

func TestAcceptance(t *testing.T) {
	eachBackend(t, func(t *testing.T, args []string) {
		h := start(t, args...)

		var nets networksData
		h.data(qNetworks, nil, &nets)
		if nets.Networks.TotalCount != 6 || len(nets.Networks.Edges) != 6 {
			t.Fatalf("networks: totalCount %d, %d edges; want 6", nets.Networks.TotalCount, len(nets.Networks.Edges))
		}
		var impact *struct {
			Lead     []string
			Partners []string
		}
		for _, e := range nets.Networks.Edges {
			if e.Node.Name != "IMPACT Campania" {
				continue
			}
			impact = &struct {
				Lead     []string
				Partners []string
			}{}
			for _, p := range e.Node.Partners {
				if p.Role == "LEAD" {
					impact.Lead = append(impact.Lead, p.Organization.Name)
				} else {
					impact.Partners = append(impact.Partners, p.Organization.Name)
				}
			}
			if e.Node.Partners[0].Role != "LEAD" {
				t.Errorf("IMPACT Campania partners do not start with the lead: %+v", e.Node.Partners[0])
			}
		}
		if impact == nil {
			t.Fatal("no IMPACT Campania network")
		}
		if !slices.Equal(impact.Lead, []string{"Regione Campania"}) {
			t.Errorf("IMPACT Campania lead = %v, want [Regione Campania]", impact.Lead)
		}
		sort.Strings(impact.Partners)
		if !slices.Equal(impact.Partners, impactPartners) {
			t.Errorf("IMPACT Campania partners =\n%v\nwant\n%v", impact.Partners, impactPartners)
		}

		var napoli struct {
			Territory struct {
				Name, Level string
				Parent      struct {
					Code, Name, Level string
					Parent            struct{ Code, Name, Level string }
				}
			}
		}
		h.data(qNapoli, nil, &napoli)
		tr := napoli.Territory
		if tr.Name != "Napoli" || tr.Level != "MUNICIPALITY" ||
			tr.Parent.Code != "063" || tr.Parent.Name != "Napoli" || tr.Parent.Level != "PROVINCE" ||
			tr.Parent.Parent.Code != "15" || tr.Parent.Parent.Name != "Campania" || tr.Parent.Parent.Level != "REGION" {
			t.Errorf("Napoli chain = %+v", tr)
		}

		var munis struct{ Territories struct{ TotalCount int } }
		h.data(qMunicipalities, nil, &munis)
		if munis.Territories.TotalCount != 7904 {
			t.Errorf("municipalities = %d, want 7904", munis.Territories.TotalCount)
		}

		var sh struct {
			Organizations struct {
				Edges []struct{ Node struct{ Name, Kind string } }
			}
		}
		h.data(qShannara, nil, &sh)
		if len(sh.Organizations.Edges) != 1 || sh.Organizations.Edges[0].Node.Name != "Shannara Cooperativa Sociale" ||
			sh.Organizations.Edges[0].Node.Kind != "THIRD_SECTOR" {
			t.Errorf("Shannara search = %+v", sh.Organizations.Edges)
		}

		// The same query over GET, per GraphQL over HTTP.
		if r := h.get(qMunicipalities); len(r.Errors) > 0 || string(r.Data) != `{"territories":{"totalCount":7904}}` {
			t.Errorf("GET: data %s errors %+v", r.Data, r.Errors)
		}
		for _, path := range []string{"/healthz", "/readyz", "/", "/app/"} {
			resp, err := http.Get(h.url + path)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s: status %d", path, resp.StatusCode)
			}
		}
	})
}

const countOrgs = `{ organizations(filter: { includeArchived: true }) { totalCount } }`

func orgCount(t *testing.T, h *hub) int {
	var d struct{ Organizations struct{ TotalCount int } }
	h.data(countOrgs, nil, &d)
	return d.Organizations.TotalCount
}

func TestInvalidInputWritesNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, args []string) {
		h := start(t, args...)
		before := orgCount(t, h)
		cases := []struct {
			name, query string
			vars        map[string]any
			code        string
		}{
			{"bad website length", `mutation($in: CreateOrganizationInput!) { createOrganization(input: $in) { id } }`,
				map[string]any{"in": map[string]any{"name": "X", "kind": "THIRD_SECTOR", "website": string(make([]byte, 600))}}, "BAD_USER_INPUT"},
			{"empty name", `mutation { createOrganization(input: { name: "  ", kind: THIRD_SECTOR }) { id } }`, nil, "BAD_USER_INPUT"},
			{"bad date", `mutation { createNetwork(input: { name: "N", startDate: "2020-13-45" }) { id } }`, nil, "BAD_USER_INPUT"},
			{"link to a missing territory", `mutation { createOrganization(input: { name: "Y", kind: ASSOCIATION, basedIn: ["terr-nowhere"] }) { id } }`, nil, "NOT_FOUND"},
			{"link to a node of the wrong label", `mutation { createOrganization(input: { name: "Z", kind: ASSOCIATION, basedIn: ["net-impact-campania"] }) { id } }`, nil, "BAD_USER_INPUT"},
			{"duplicate id", `mutation { createOrganization(input: { id: "org-regione-campania", name: "Dup", kind: ASSOCIATION }) { id } }`, nil, "CONFLICT"},
			{"update of a missing id", `mutation { updateOrganization(id: "org-nope", input: { name: "A" }) { id } }`, nil, "NOT_FOUND"},
			{"required field removed", `mutation { updateOrganization(id: "org-regione-campania", input: { kind: null }) { id } }`, nil, "BAD_USER_INPUT"},
			{"progress out of range", `mutation { createAction(input: { name: "A", kind: TASK, progress: 140 }) { id } }`, nil, "BAD_USER_INPUT"},
			{"PARTNER_IN without role", `mutation { link(input: { type: PARTNER_IN, from: "org-regione-campania", to: "net-intarsi" }) { id } }`, nil, "BAD_USER_INPUT"},
			{"bad cursor", `{ organizations(after: "nonsense") { totalCount } }`, nil, "BAD_USER_INPUT"},
			{"page too large", `{ organizations(first: 100000) { totalCount } }`, nil, "BAD_USER_INPUT"},
		}
		for _, c := range cases {
			r := h.post(c.query, c.vars)
			if got := r.codes(); !slices.Equal(got, []string{c.code}) {
				t.Errorf("%s: codes %v (errors %+v), want [%s]", c.name, got, r.Errors, c.code)
			}
			for _, e := range r.Errors {
				if e.Message == "internal server error" || len(e.Message) > 300 {
					t.Errorf("%s: unhelpful message %q", c.name, e.Message)
				}
			}
		}
		// The wrongly typed variable is refused before any resolver runs.
		r := h.post(`mutation($in: CreateOrganizationInput!) { createOrganization(input: $in) { id } }`,
			map[string]any{"in": map[string]any{"name": "W", "kind": "NOT_A_KIND"}})
		if len(r.Errors) == 0 || r.Data != nil && string(r.Data) != "null" {
			t.Errorf("bad enum variable: %s %+v", r.Data, r.Errors)
		}
		if after := orgCount(t, h); after != before {
			t.Errorf("organisations: %d before, %d after invalid mutations", before, after)
		}
		var reg struct{ Organization struct{ Kind string } }
		h.data(`{ organization(id: "org-regione-campania") { kind } }`, nil, &reg)
		if reg.Organization.Kind != "PUBLIC_INSTITUTION" {
			t.Errorf("Regione Campania kind changed to %q", reg.Organization.Kind)
		}
	})
}

func TestWritesSurviveRestart(t *testing.T) {
	eachBackend(t, func(t *testing.T, args []string) {
		h := start(t, args...)
		var created struct {
			CreateOrganization struct {
				ID      string
				BasedIn []struct{ Code string }
			}
		}
		h.data(`mutation { createOrganization(input: { name: "Associazione Mediatori Napoli", kind: ASSOCIATION,
			aliases: ["AMN"], basedIn: ["terr-063049"] }) { id basedIn { code } } }`, nil, &created)
		id := created.CreateOrganization.ID
		if id == "" || len(created.CreateOrganization.BasedIn) != 1 || created.CreateOrganization.BasedIn[0].Code != "063049" {
			t.Fatalf("created = %+v", created)
		}
		var svc struct{ CreateService struct{ ID string } }
		h.data(`mutation($org: ID!) { createService(input: { name: "Sportello mediazione", category: MEDIATION,
			languages: ["ar", "fr"], providers: [$org], networks: ["net-impact-campania"], territories: ["terr-063049"] }) { id } }`,
			map[string]any{"org": id}, &svc)
		h.data(`mutation($id: ID!) { updateOrganization(id: $id, input: { website: "https://example.org", aliases: null }) { id } }`,
			map[string]any{"id": id}, &struct{}{})
		h.data(`mutation { link(input: { type: PARTNER_IN, from: "org-regione-campania", to: "net-intarsi", role: "ASSOCIATE" }) { id } }`, nil, &struct{}{})
		h.stop()

		h2 := start(t, args...)
		if !strings.Contains(h2.logs.String(), "hub listening") || strings.Contains(h2.logs.String(), "seeding") {
			t.Errorf("restart re-seeded or did not start:\n%s", h2.logs)
		}
		var got struct {
			Organization struct {
				Name     string
				Website  string
				Aliases  []string
				Services []struct {
					Name      string
					Languages []string
					Networks  []struct{ Name string }
				}
			}
		}
		h2.data(`query($id: ID!) { organization(id: $id) { name website aliases services { name languages networks { name } } } }`,
			map[string]any{"id": id}, &got)
		o := got.Organization
		if o.Name != "Associazione Mediatori Napoli" || o.Website != "https://example.org" || len(o.Aliases) != 0 ||
			len(o.Services) != 1 || !slices.Equal(o.Services[0].Languages, []string{"ar", "fr"}) ||
			len(o.Services[0].Networks) != 1 || o.Services[0].Networks[0].Name != "IMPACT Campania" {
			t.Errorf("after restart: %+v", o)
		}
		var hist struct {
			History []struct {
				Operation string
				Actor     string
				Fields    []string
			}
		}
		h2.data(`query($id: ID!) { history(id: $id) { operation actor fields } }`, map[string]any{"id": id}, &hist)
		var ops []string
		for _, c := range hist.History {
			ops = append(ops, c.Operation)
		}
		// newest first: the update, the PROVIDES link, the BASED_IN link, the creation
		if !slices.Equal(ops, []string{"UPDATE", "LINK", "LINK", "CREATE"}) {
			t.Errorf("history ops = %v (%+v)", ops, hist.History)
		}
		var parts struct {
			Network struct {
				Partners []struct {
					Role         string
					Organization struct{ Name string }
				}
			}
		}
		h2.data(`{ network(id: "net-intarsi") { partners { role organization { name } } } }`, nil, &parts)
		found := false
		for _, p := range parts.Network.Partners {
			found = found || p.Organization.Name == "Regione Campania" && p.Role == "ASSOCIATE"
		}
		if !found {
			t.Errorf("link lost across restart: %+v", parts)
		}
	})
}

func TestArchiveAndPaging(t *testing.T) {
	eachBackend(t, func(t *testing.T, args []string) {
		h := start(t, args...)
		// Page through the provinces of Campania's region, 2 at a time.
		var seen []string
		after := any(nil)
		for i := 0; i < 10; i++ {
			var d struct {
				Territories struct {
					TotalCount int
					Edges      []struct {
						Cursor string
						Node   struct{ Code string }
					}
					PageInfo struct {
						HasNextPage bool
						EndCursor   string
					}
				}
			}
			h.data(`query($after: String) { territories(filter: { within: "15", level: PROVINCE }, first: 2, after: $after) {
				totalCount edges { cursor node { code } } pageInfo { hasNextPage endCursor } } }`, map[string]any{"after": after}, &d)
			if d.Territories.TotalCount != 5 {
				t.Fatalf("Campania provinces totalCount = %d", d.Territories.TotalCount)
			}
			for _, e := range d.Territories.Edges {
				seen = append(seen, e.Node.Code)
			}
			if !d.Territories.PageInfo.HasNextPage {
				break
			}
			after = d.Territories.PageInfo.EndCursor
		}
		got := slices.Clone(seen)
		slices.Sort(got)
		if !slices.Equal(got, []string{"061", "062", "063", "064", "065"}) {
			t.Errorf("paged provinces = %v", seen)
		}

		var arch struct{ Archive struct{ ID string } }
		h.data(`mutation { archive(id: "org-traparentesi-onlus") { id } }`, nil, &arch)
		var nets networksData
		h.data(`{ networks(filter: { search: "impact" }) { totalCount edges { node { name partners { role organization { id name kind } } } } } }`, nil, &nets)
		if nets.Networks.TotalCount != 1 || len(nets.Networks.Edges[0].Node.Partners) != 11 {
			t.Errorf("after archiving a partner: %s", mustJSON(nets))
		}
		var byID struct {
			Organization struct {
				Name     string
				Archived bool
			}
		}
		h.data(`{ organization(id: "org-traparentesi-onlus") { name archived } }`, nil, &byID)
		if !byID.Organization.Archived || byID.Organization.Name != "Traparentesi Onlus" {
			t.Errorf("archived organisation by id = %+v", byID)
		}
		h.data(`mutation { restore(id: "org-traparentesi-onlus") { id } }`, nil, &struct{}{})
		h.data(`{ networks(filter: { search: "impact" }) { totalCount edges { node { name partners { role organization { id name kind } } } } } }`, nil, &nets)
		if len(nets.Networks.Edges[0].Node.Partners) != 12 {
			t.Errorf("after restore: %d partners", len(nets.Networks.Edges[0].Node.Partners))
		}
	})
}
