package server

import (
	"bytes"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"govhub/internal/authz"
)

// BenchmarkQueries measures whole GraphQL requests over HTTP against the
// seeded embedded store, through the authorising store as `hub serve` runs
// it: the documents of the foundation issue and the mapping queries. Results
// are recorded in docs/benchmarks.md.
func BenchmarkQueries(b *testing.B) {
	h := MustHandler(Options{Store: authz.Wrap(seeded, 0), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), MaxComplexity: -1})
	srv := httptest.NewServer(h)
	defer srv.Close()
	queries := []struct{ name, query string }{
		{"networks-with-partners", `{ networks(first: 50) { totalCount edges { node { id name acronym partners { role organization { id name kind } } } } } }`},
		{"territory-chain", `{ territory(code: "063049") { name level parent { code name level parent { code name level } } } }`},
		{"count-municipalities", `{ territories(filter: { level: MUNICIPALITY }) { totalCount } }`},
		{"search-organizations", `{ organizations(filter: { search: "Shannara" }, first: 5) { edges { node { name kind } } } }`},
		{"campania-organizations", `{ organizations(filter: { territory: "15" }) { totalCount nodes { name basedIn { name } } } }`},
		{"network-view-metrics", `{ networkGraph(networks: ["net-impact-campania", "net-com-in"], include: [SERVICES, GOVERNANCE, TERRITORIES], metrics: {}) { nodes { id metrics { betweenness } community } } }`},
		{"ego-depth-2", `{ egoNetwork(id: "org-comune-di-napoli", depth: 2) { nodes { id } edges { id } } }`},
		{"path", `{ paths(from: "org-shannara", to: "org-regione-campania") { paths } }`},
		{"coverage-campania", `{ coverageGaps(territory: "15", categories: [HEALTH, MEDIATION, ACCESS_POINT]) { territory { name } population missing } }`},
	}
	for _, q := range queries {
		body, _ := json.Marshal(map[string]string{"query": q.query})
		b.Run(q.name, func(b *testing.B) {
			b.ReportAllocs()
			for range b.N {
				resp, err := http.Post(srv.URL+"/graphql", "application/json", bytes.NewReader(body))
				if err != nil {
					b.Fatal(err)
				}
				out, _ := io.ReadAll(resp.Body)
				resp.Body.Close()
				if resp.StatusCode != http.StatusOK || bytes.Contains(out, []byte(`"errors"`)) {
					b.Fatalf("%s: %d %s", q.name, resp.StatusCode, out)
				}
			}
		})
	}
}
