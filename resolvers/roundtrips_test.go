package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"govhub/graph"
	"govhub/graph/embedded"
	"govhub/graph/storetest"
	"govhub/internal/server"
)

// uniformGraph writes n networks of the same shape: three partners each,
// based in a municipality of one of two provinces, and two services each,
// delivered in the partner's municipality.
func uniformGraph(t *testing.T, s graph.Store, n int) {
	w := graph.Write{Actor: "test"}
	node := func(id string, l graph.Label, p graph.Props) {
		w.Nodes = append(w.Nodes, graph.NodeWrite{ID: id, Label: l, Props: p})
	}
	link := func(t graph.RelType, from, to string, p graph.Props) {
		w.Link = append(w.Link, graph.Edge{Type: t, From: from, To: to, Props: p})
	}
	node("terr-15", graph.Territory, graph.Props{"name": "Campania", "code": "15", "level": "REGION"})
	for _, p := range []string{"063", "065"} {
		node("terr-"+p, graph.Territory, graph.Props{"name": "P" + p, "code": p, "level": "PROVINCE"})
		link(graph.PartOf, "terr-"+p, "terr-15", nil)
	}
	for i := 0; i < n; i++ {
		net := fmt.Sprintf("net-%03d", i)
		node(net, graph.Network, graph.Props{"name": "Network " + net})
		for j := 0; j < 3; j++ {
			org, muni := fmt.Sprintf("org-%03d-%d", i, j), fmt.Sprintf("%03d%03d", 63+2*(j%2), i*3+j)
			node(org, graph.Organization, graph.Props{"name": "Org " + org, "kind": "THIRD_SECTOR"})
			node("terr-"+muni, graph.Territory, graph.Props{"name": "M" + muni, "code": muni, "level": "MUNICIPALITY"})
			link(graph.PartOf, "terr-"+muni, "terr-"+muni[:3], nil)
			link(graph.PartnerIn, org, net, graph.Props{"role": map[bool]string{true: "LEAD", false: "OPERATIONAL"}[j == 0]})
			link(graph.BasedIn, org, "terr-"+muni, nil)
			if j < 2 {
				svc := fmt.Sprintf("svc-%03d-%d", i, j)
				node(svc, graph.Service, graph.Props{"name": "Service " + svc, "category": "SOCIAL"})
				link(graph.PartOf, svc, net, nil)
				link(graph.DeliveredIn, svc, "terr-"+muni, nil)
			}
		}
	}
	if _, err := s.Write(context.Background(), w); err != nil {
		t.Fatal(err)
	}
}

// TestRoundTripsDoNotGrowWithLists shows there is no N+1: a query five
// levels deep, with eight relationship fields, makes a number of store round
// trips bounded by its shape for 1, 10, 40 and 80 networks of the same
// shape, although it returns 80 times as much (N+1 would need over 1,000).
//
// Batching is level by level (see loaders.go): one list call, then per
// relationship field one edge call and one node call per batch. A node
// reached through two fields at the same level (a municipality where a
// partner is based and a service delivered) may land in either field's
// batch depending on which resolves first, which can split one batch in
// two; so the bound allows one split per field rather than an exact count.
func TestRoundTripsDoNotGrowWithLists(t *testing.T) {
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	uniformGraph(t, s, 80)
	cs := &storetest.Counting{Store: s}
	srv := httptest.NewServer(server.MustHandler(server.Options{Store: cs, MaxComplexity: -1}))
	t.Cleanup(srv.Close)

	run := func(query string) (calls int64, size int) {
		t.Helper()
		cs.Calls.Store(0)
		body, _ := json.Marshal(map[string]string{"query": query})
		resp, err := http.Post(srv.URL+"/graphql", "application/json", strings.NewReader(string(body)))
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct {
			Data   json.RawMessage
			Errors []any
		}
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || len(out.Errors) > 0 {
			t.Fatalf("query failed: %v %v", err, out.Errors)
		}
		return cs.Calls.Load(), len(out.Data)
	}

	const fields = 8 // partners, basedIn, parent, parent, partnerships, services, territories, networks
	const nested = `{ networks(first: %d) { edges { node { name partners { role organization { name
		basedIn { name parent { name parent { name } } } partnerships { network { name } } } }
		services { name territories { name } networks { name } } } } } }`
	bound := int64(1 + 2*fields + 2*fields/2)
	lastSize := 0
	for _, n := range []int{1, 10, 40, 80} {
		var most int64
		size := 0
		for range 5 {
			calls, sz := run(fmt.Sprintf(nested, n))
			most, size = max(most, calls), sz
			if calls > bound {
				t.Errorf("networks(first: %d): %d store round trips, more than the %d the query's shape allows", n, calls, bound)
			}
		}
		if size <= lastSize {
			t.Errorf("networks(first: %d): response of %d bytes, not larger than for fewer networks", n, size)
		}
		lastSize = size
		t.Logf("networks(first: %d): at most %d store round trips in 5 runs, %d bytes", n, most, size)
	}
}
