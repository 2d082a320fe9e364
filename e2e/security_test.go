package e2e

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"govhub/internal/auth"
)

const testSecret = "e2e-secret-0123456789-abcdefghijklmnop"

var secureEnv = []string{"HUB_JWT_SECRET=" + testSecret}

func token(t *testing.T, role auth.Role, subject string, mod func(*auth.MintOptions)) string {
	t.Helper()
	o := auth.MintOptions{Secret: []byte(testSecret), Issuer: "governance-hub", Audience: "governance-hub",
		Subject: subject, Role: role, TTL: time.Hour}
	if mod != nil {
		mod(&o)
	}
	tok, err := auth.Mint(o)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func secure(t *testing.T, args []string, extra ...string) *hub {
	return startEnv(t, secureEnv, append(append([]string{"--auth", "jwt", "--cors-origins", "https://map.example.org"}, extra...), args...)...)
}

func TestAuthentication(t *testing.T) {
	eachBackend(t, func(t *testing.T, args []string) {
		h := secure(t, args)
		q := `{ networks { totalCount } }`
		if r, status := h.postAs("", q, nil); status != http.StatusUnauthorized || r.Data != nil || !slices.Contains(r.codes(), "UNAUTHENTICATED") {
			t.Errorf("no token: status %d, data %s, codes %v", status, r.Data, r.codes())
		}
		good := token(t, auth.Viewer, "vera", nil)
		if r, status := h.postAs(good, q, nil); status != http.StatusOK || len(r.Errors) > 0 {
			t.Fatalf("viewer token: status %d, %+v", status, r.Errors)
		}
		parts := strings.Split(good, ".")
		none := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
		adminPayload := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(mustDecode(t, parts[1]), `"VIEWER"`, `"ADMIN"`, 1)))
		attacks := map[string]string{
			"alg none":       none,
			"tampered role":  parts[0] + "." + adminPayload + "." + parts[2],
			"expired":        expired(t),
			"wrong audience": token(t, auth.Admin, "x", func(o *auth.MintOptions) { o.Audience = "someone-else" }),
			"wrong issuer":   token(t, auth.Admin, "x", func(o *auth.MintOptions) { o.Issuer = "evil" }),
			"other secret":   token(t, auth.Admin, "x", func(o *auth.MintOptions) { o.Secret = []byte("another-secret-0123456789-abcdefghij") }),
			"garbage":        "not.a.token",
		}
		for name, tok := range attacks {
			r, status := h.postAs(tok, `mutation { archive(id: "org-shannara") { id } }`, nil)
			if status != http.StatusUnauthorized || r.Data != nil {
				t.Errorf("%s: status %d, data %s", name, status, r.Data)
			}
		}
		var o struct{ Organization struct{ Archived bool } }
		h.dataAs(good, `{ organization(id: "org-shannara") { archived } }`, nil, &o)
		if o.Organization.Archived {
			t.Error("an attack token archived an organisation")
		}
	})
}

// expired signs, with the right key, an admin token that expired an hour ago.
func expired(t *testing.T) string {
	now := time.Now()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims{
		"sub": "old", "role": "ADMIN", "iss": "governance-hub", "aud": "governance-hub",
		"iat": now.Add(-3 * time.Hour).Unix(), "nbf": now.Add(-3 * time.Hour).Unix(), "exp": now.Add(-time.Hour).Unix(),
	}).SignedString([]byte(testSecret))
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func mustDecode(t *testing.T, s string) string {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func (h *hub) dataAs(token, query string, vars map[string]any, out any) {
	h.t.Helper()
	r, status := h.postAs(token, query, vars)
	if len(r.Errors) > 0 || status != http.StatusOK {
		h.t.Fatalf("query failed (%d): %+v\nquery: %s", status, r.Errors, query)
	}
	decodeInto(h.t, r.Data, out)
}

func TestAuthorization(t *testing.T) {
	eachBackend(t, func(t *testing.T, args []string) {
		h := secure(t, args)
		admin := token(t, auth.Admin, "root", nil)
		coord := token(t, auth.Coordinator, "alice", func(o *auth.MintOptions) { o.Networks = []string{"net-impact-campania"} })
		gov := token(t, auth.Governance, "tavolo-er", func(o *auth.MintOptions) { o.Regions = []string{"08"} })
		viewer := token(t, auth.Viewer, "vera", nil)

		// A person with contact data, by the admin.
		h.dataAs(admin, `mutation { createPerson(input: { id: "per-e2e", name: "Mediatrice", email: "m@example.org" }) { id } }`, nil, &struct{}{})
		h.dataAs(admin, `mutation { link(input: { type: HOLDS_ROLE, from: "per-e2e", to: "org-less-impresa-sociale", title: "mediator" }) { id } }`, nil, &struct{}{})

		// The coordinator of IMPACT Campania cannot touch another network: by id,
		// by a nested mutation, by import.
		refused := map[string]string{
			"by id":  `mutation { updateNetwork(id: "net-intarsi", input: { description: "hijacked" }) { id } }`,
			"nested": `mutation { createService(input: { name: "Intrusa", category: SOCIAL, networks: ["net-intarsi"] }) { id } }`,
			"link":   `mutation { link(input: { type: PARTNER_IN, from: "org-less-impresa-sociale", to: "net-intarsi", role: "OPERATIONAL" }) { id } }`,
			"import": `mutation { importKumu(elements: "Label,Type\nIntrusa,Association\n", connections: "From,To,Type,Label\nIntrusa,net-intarsi,PARTNER_IN,OPERATIONAL\n") { created } }`,
			"body":   `mutation { updateGovernanceBody(id: "gov-napoli-tavolo-interistituzionale", input: { description: "x" }) { id } }`,
			"viewer": ``,
		}
		for name, q := range refused {
			tok := coord
			if name == "viewer" {
				tok, q = viewer, `mutation { archive(id: "org-shannara") { id } }`
			}
			r, _ := h.postAs(tok, q, nil)
			if !slices.Equal(r.codes(), []string{"FORBIDDEN"}) {
				t.Errorf("%s: codes %v, want [FORBIDDEN]", name, r.codes())
			}
		}
		var n struct {
			Network  struct{ Description *string }
			Services struct{ TotalCount int }
		}
		h.dataAs(admin, `{ network(id: "net-intarsi") { description } services(filter: { search: "Intrusa" }) { totalCount } }`, nil, &n)
		if n.Network.Description != nil && strings.Contains(*n.Network.Description, "hijacked") || n.Services.TotalCount != 0 {
			t.Errorf("refused writes left traces: %+v", n)
		}
		// What the coordinator may do, and the audit trail names it.
		h.dataAs(coord, `mutation { updateNetwork(id: "net-impact-campania", input: { website: "https://impact.example" }) { id } }`, nil, &struct{}{})
		var hist struct {
			History []struct{ Actor, Operation string }
		}
		h.dataAs(admin, `{ history(id: "net-impact-campania", first: 1) { actor operation } }`, nil, &hist)
		if len(hist.History) != 1 || hist.History[0].Actor != "alice" || hist.History[0].Operation != "UPDATE" {
			t.Errorf("audit of the coordinator's update = %+v", hist.History)
		}

		// The governance table of Emilia-Romagna reads only there: lists,
		// lookups, graph views, exports.
		var lists struct {
			Organizations struct {
				TotalCount int
				Nodes      []struct{ ID string }
			}
		}
		h.dataAs(gov, `{ organizations(first: 500) { totalCount nodes { id } } }`, nil, &lists)
		if lists.Organizations.TotalCount != len(lists.Organizations.Nodes) || lists.Organizations.TotalCount == 0 {
			t.Errorf("governance list: totalCount %d for %d nodes", lists.Organizations.TotalCount, len(lists.Organizations.Nodes))
		}
		for _, o := range lists.Organizations.Nodes {
			if o.ID == "org-regione-campania" {
				t.Error("governance of Emilia-Romagna lists Regione Campania")
			}
		}
		var look struct{ Organization *struct{ Name string } }
		h.dataAs(gov, `{ organization(id: "org-regione-campania") { name } }`, nil, &look)
		if look.Organization != nil {
			t.Error("governance of Emilia-Romagna looks up Regione Campania")
		}
		if r, _ := h.postAs(gov, `{ networkGraph(networks: ["net-impact-campania"]) { nodes { id } } }`, nil); !slices.Equal(r.codes(), []string{"NOT_FOUND"}) {
			t.Errorf("governance view of IMPACT Campania: %v %s", r.codes(), r.Data)
		}
		var ex struct {
			Export struct{ Files []struct{ Content string } }
		}
		h.dataAs(gov, `{ export(format: JSON) { files { content } } }`, nil, &ex)
		if c := ex.Export.Files[0].Content; strings.Contains(c, "org-regione-campania") || !strings.Contains(c, "org-comune-di-ravenna") {
			t.Error("governance export leaks Campania or misses Ravenna")
		}

		// Personal data: null with a FORBIDDEN entry for a viewer, visible to the admin.
		r, _ := h.postAs(viewer, `{ person(id: "per-e2e") { name email } }`, nil)
		if !slices.Equal(r.codes(), []string{"FORBIDDEN"}) || !strings.Contains(string(r.Data), `"email":null`) || !strings.Contains(string(r.Data), "Mediatrice") {
			t.Errorf("viewer reading an email: %s %v", r.Data, r.codes())
		}
		var p struct{ Person struct{ Email string } }
		h.dataAs(admin, `{ person(id: "per-e2e") { email } }`, nil, &p)
		if p.Person.Email != "m@example.org" {
			t.Errorf("admin reads email %q", p.Person.Email)
		}
		h.dataAs(coord, `{ person(id: "per-e2e") { email } }`, nil, &p)
		if p.Person.Email != "m@example.org" {
			t.Errorf("coordinator of the person's organisation reads email %q", p.Person.Email)
		}
	})
}

// TestHardening checks the limits the hub puts on requests, on the real binary.
func TestHardening(t *testing.T) {
	eachBackend(t, func(t *testing.T, args []string) {
		h := secure(t, args, "--introspection=false")
		admin := token(t, auth.Admin, "root", nil)

		// A query 50 deep is refused before it runs.
		deep := `{ territory(code: "063049") ` + strings.Repeat(`{ parent `, 49) + `{ name }` + strings.Repeat(` }`, 49) + ` }`
		if r, _ := h.postAs(admin, deep, nil); !slices.Contains(r.codes(), "QUERY_TOO_DEEP") {
			t.Errorf("50-deep query: %v", r.codes())
		}
		var aliases strings.Builder
		aliases.WriteString("{")
		for i := range 1000 {
			aliases.WriteString(" a" + strings.Repeat("x", i%7) + string(rune('a'+i%26)) + strings.Repeat("y", i/26) + `: networks { totalCount }`)
		}
		aliases.WriteString(" }")
		if r, _ := h.postAs(admin, aliases.String(), nil); len(r.Errors) == 0 || r.Data != nil && string(r.Data) != "null" {
			t.Errorf("1,000 aliases: %v", r.codes())
		}
		if r, _ := h.postAs(admin, `{ __schema { types { name } } }`, nil); len(r.Errors) == 0 {
			t.Error("introspection is not off")
		}

		// CORS: a listed origin may, an unlisted one may not.
		for origin, allowed := range map[string]bool{"https://map.example.org": true, "https://evil.example": false} {
			req, _ := http.NewRequest(http.MethodOptions, h.url+"/graphql", nil)
			req.Header.Set("Origin", origin)
			req.Header.Set("Access-Control-Request-Method", "POST")
			req.Header.Set("Access-Control-Request-Headers", "authorization,content-type")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			got := resp.Header.Get("Access-Control-Allow-Origin")
			if allowed != (got == origin) || !allowed && resp.StatusCode < 400 {
				t.Errorf("preflight from %s: status %d, allow-origin %q", origin, resp.StatusCode, got)
			}
		}

		// Cypher-looking text is stored as text and executes nothing.
		evil := []string{
			`x' }) MATCH (n) DETACH DELETE n //`,
			`"}) WITH 1 AS x MATCH (n) SET n.name = 'pwned' //`,
			"`Node`) DETACH DELETE n; //",
			`$id} RETURN 1 UNION MATCH (n) RETURN n //`,
		}
		for i, s := range evil {
			var c struct {
				CreateOrganization struct{ ID, Name, Description string }
			}
			h.dataAs(admin, `mutation($n: String!, $d: String!, $w: String!) { createOrganization(input: { name: $n, description: $d, website: $w, subtype: $n, aliases: [$n], kind: ASSOCIATION }) { id name description } }`,
				map[string]any{"n": s, "d": s, "w": s}, &c)
			if c.CreateOrganization.Name != s || c.CreateOrganization.Description != s {
				t.Errorf("case %d stored as %q", i, c.CreateOrganization.Name)
			}
			var found struct{ Organizations struct{ TotalCount int } }
			h.dataAs(admin, `query($s: String!) { organizations(filter: { search: $s }) { totalCount } }`, map[string]any{"s": s}, &found)
			if found.Organizations.TotalCount < 1 {
				t.Errorf("case %d: searching the text finds nothing", i)
			}
		}
		var nets struct{ Networks struct{ TotalCount int } }
		h.dataAs(admin, `{ networks { totalCount } }`, nil, &nets)
		if nets.Networks.TotalCount != 6 {
			t.Errorf("after injection attempts: %d networks", nets.Networks.TotalCount)
		}
	})
}

// TestEveryMutationIsAudited runs every kind of mutation as a named caller
// and finds each in the history of the node it changed, with that caller.
func TestEveryMutationIsAudited(t *testing.T) {
	eachBackend(t, func(t *testing.T, args []string) {
		h := secure(t, args)
		admin := token(t, auth.Admin, "auditor-check", nil)
		run := func(q string) {
			t.Helper()
			h.dataAs(admin, q, nil, &struct{}{})
		}
		type want struct{ id, op string }
		var wants []want
		step := func(q, id, op string) {
			run(q)
			wants = append(wants, want{id, op})
		}
		step(`mutation { createNetwork(input: { id: "net-audit", name: "Audit" }) { id } }`, "net-audit", "CREATE")
		step(`mutation { updateNetwork(id: "net-audit", input: { acronym: "AUD" }) { id } }`, "net-audit", "UPDATE")
		step(`mutation { createOrganization(input: { id: "org-audit", name: "Audit org", kind: ASSOCIATION }) { id } }`, "org-audit", "CREATE")
		step(`mutation { updateOrganization(id: "org-audit", input: { website: "https://a.example" }) { id } }`, "org-audit", "UPDATE")
		step(`mutation { link(input: { type: PARTNER_IN, from: "org-audit", to: "net-audit", role: "LEAD" }) { id } }`, "net-audit", "LINK")
		step(`mutation { unlink(input: { type: PARTNER_IN, from: "org-audit", to: "net-audit" }) { id } }`, "org-audit", "UNLINK")
		step(`mutation { createService(input: { id: "svc-audit", name: "S", category: SOCIAL, networks: ["net-audit"] }) { id } }`, "svc-audit", "CREATE")
		step(`mutation { updateService(id: "svc-audit", input: { languages: ["ar"] }) { id } }`, "svc-audit", "UPDATE")
		step(`mutation { createMemorandum(input: { id: "mou-audit", name: "M", kind: PROTOCOL, signatories: ["org-audit"] }) { id } }`, "mou-audit", "CREATE")
		step(`mutation { updateMemorandum(id: "mou-audit", input: { signedOn: "2021-01-01" }) { id } }`, "mou-audit", "UPDATE")
		step(`mutation { createGovernanceBody(input: { id: "gov-audit", name: "G", kind: PANEL, level: LOCAL, coordinates: ["net-audit"] }) { id } }`, "gov-audit", "CREATE")
		step(`mutation { updateGovernanceBody(id: "gov-audit", input: { level: REGIONAL }) { id } }`, "gov-audit", "UPDATE")
		step(`mutation { createTerritory(input: { name: "Ambito sociale", code: "AS-AUDIT", level: SOCIAL_AREA, parent: "063" }) { id } }`, "terr-AS-AUDIT", "CREATE")
		step(`mutation { updateTerritory(id: "AS-AUDIT", input: { population: 1000 }) { id } }`, "terr-AS-AUDIT", "UPDATE")
		step(`mutation { createAction(input: { id: "act-audit", name: "A", kind: TASK, partOf: "net-audit" }) { id } }`, "act-audit", "CREATE")
		step(`mutation { updateAction(id: "act-audit", input: { status: IN_PROGRESS, progress: 30 }) { id } }`, "act-audit", "UPDATE")
		step(`mutation { createIndicator(input: { id: "ind-audit", name: "I", target: 10, actions: ["act-audit"] }) { id } }`, "ind-audit", "CREATE")
		step(`mutation { updateIndicator(id: "ind-audit", input: { baseline: 1 }) { id } }`, "ind-audit", "UPDATE")
		step(`mutation { recordMeasurement(input: { id: "msr-audit", indicator: "ind-audit", date: "2021-06-30", value: 4 }) { id } }`, "msr-audit", "CREATE")
		step(`mutation { updateMeasurement(id: "msr-audit", input: { value: 5 }) { id } }`, "msr-audit", "UPDATE")
		step(`mutation { createPerson(input: { id: "per-audit", name: "P" }) { id } }`, "per-audit", "CREATE")
		step(`mutation { updatePerson(id: "per-audit", input: { phone: "000" }) { id } }`, "per-audit", "UPDATE")
		step(`mutation { archive(id: "per-audit") { id } }`, "per-audit", "ARCHIVE")
		step(`mutation { restore(id: "per-audit") { id } }`, "per-audit", "RESTORE")
		step(`mutation { importKumu(elements: "ID,Label,Type\norg-audit-kumu,Audit Kumu,Association\n") { created } }`, "org-audit-kumu", "CREATE")
		step(`mutation { importGraph(data: "{\"format\":\"govhub-graph\",\"version\":1,\"nodes\":[{\"id\":\"org-audit-json\",\"label\":\"Organization\",\"props\":{\"name\":\"Audit JSON\",\"kind\":\"ASSOCIATION\"}}],\"edges\":[]}") { created } }`, "org-audit-json", "CREATE")
		for _, w := range wants {
			var hist struct {
				History []struct{ Actor, Operation string }
			}
			h.dataAs(admin, `query($id: ID!) { history(id: $id, first: 100) { actor operation } }`, map[string]any{"id": w.id}, &hist)
			found := false
			for _, c := range hist.History {
				found = found || c.Operation == w.op && c.Actor == "auditor-check"
			}
			if !found {
				t.Errorf("%s of %s not in its history with its actor: %+v", w.op, w.id, hist.History)
			}
		}
	})
}

// TestAnonymousPublic: with --anonymous public, requests without a token
// read non-personal data and write nothing.
func TestAnonymousPublic(t *testing.T) {
	eachBackend(t, func(t *testing.T, args []string) {
		h := secure(t, args, "--anonymous", "public")
		admin := token(t, auth.Admin, "root", nil)
		h.dataAs(admin, `mutation { createPerson(input: { id: "per-public", name: "Referente", email: "r@example.org" }) { id } }`, nil, &struct{}{})
		var nets struct{ Networks struct{ TotalCount int } }
		h.dataAs("", `{ networks { totalCount } }`, nil, &nets)
		if nets.Networks.TotalCount != 6 {
			t.Errorf("anonymous sees %d networks", nets.Networks.TotalCount)
		}
		if r, _ := h.postAs("", `mutation { archive(id: "org-shannara") { id } }`, nil); !slices.Equal(r.codes(), []string{"FORBIDDEN"}) {
			t.Errorf("anonymous write: %v", r.codes())
		}
		if r, _ := h.postAs("", `{ person(id: "per-public") { name email } }`, nil); !slices.Equal(r.codes(), []string{"FORBIDDEN"}) || !strings.Contains(string(r.Data), `"email":null`) {
			t.Errorf("anonymous reading an email: %s %v", r.Data, r.codes())
		}
		if r, status := h.postAs("forged.token.here", `{ networks { totalCount } }`, nil); status != http.StatusUnauthorized || r.Data != nil {
			t.Errorf("a bad token is not downgraded to anonymous: %d", status)
		}
	})
}
