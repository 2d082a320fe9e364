package resolvers_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"govhub/graph"
	"govhub/graph/embedded"
	"govhub/internal/server"
	"govhub/seed"
)

// countingStore counts the calls that reach the store: each is one round trip.
type countingStore struct {
	graph.Store
	calls atomic.Int64
}

func (c *countingStore) Nodes(ctx context.Context, ids []string) ([]graph.Node, error) {
	c.calls.Add(1)
	return c.Store.Nodes(ctx, ids)
}

func (c *countingStore) List(ctx context.Context, q graph.ListQuery) (graph.Page, error) {
	c.calls.Add(1)
	return c.Store.List(ctx, q)
}

func (c *countingStore) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	c.calls.Add(1)
	return c.Store.Edges(ctx, q)
}

func (c *countingStore) Subgraph(ctx context.Context, q graph.SubgraphQuery) (graph.Subgraph, error) {
	c.calls.Add(1)
	return c.Store.Subgraph(ctx, q)
}

func (c *countingStore) History(ctx context.Context, id string, limit int) ([]graph.Change, error) {
	c.calls.Add(1)
	return c.Store.History(ctx, id, limit)
}

// TestRoundTripsDoNotGrowWithLists shows there is no N+1: a nested list
// query makes the same number of store round trips for 1, 3 and 6 networks
// and for 2 or 50 territories, although it touches many more nodes.
func TestRoundTripsDoNotGrowWithLists(t *testing.T) {
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(context.Background()) })
	if _, err := seed.Load(context.Background(), s, nil); err != nil {
		t.Fatal(err)
	}
	cs := &countingStore{Store: s}
	srv := httptest.NewServer(server.Handler(server.Options{Store: cs}))
	t.Cleanup(srv.Close)

	run := func(query string) (calls int64, size int) {
		t.Helper()
		cs.calls.Store(0)
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
		return cs.calls.Load(), len(out.Data)
	}

	nested := `{ networks(first: %d) { edges { node { name partners { role organization { name
		basedIn { name parent { name } } partnerships { network { name } } } } services { name territories { name } } } } } }`
	var base int64
	var lastSize int
	for i, n := range []int{1, 3, 6} {
		calls, size := run(fmt.Sprintf(nested, n))
		t.Logf("networks(first: %d): %d store round trips, %d bytes", n, calls, size)
		if i == 0 {
			base = calls
		} else if calls != base {
			t.Errorf("networks(first: %d): %d round trips, want %d as for first: 1", n, calls, base)
		}
		if size <= lastSize {
			t.Errorf("networks(first: %d): response not larger than for fewer networks (%d <= %d)", n, size, lastSize)
		}
		lastSize = size
	}
	// The round trips are bounded by the depth of the query: one list, then
	// per level one batch of edges and one batch of nodes.
	if base > 12 {
		t.Errorf("%d round trips for a query five levels deep", base)
	}

	few, _ := run(`{ territories(filter: { within: "063" }, first: 2) { edges { node { name parent { name parent { name } } children { name } } } } }`)
	many, _ := run(`{ territories(filter: { within: "063" }, first: 50) { edges { node { name parent { name parent { name } } children { name } } } } }`)
	if few != many {
		t.Errorf("territories: %d round trips for 2, %d for 50", few, many)
	}
}
