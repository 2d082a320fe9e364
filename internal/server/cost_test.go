package server

import (
	"context"
	"testing"

	"github.com/99designs/gqlgen/complexity"
	"github.com/vektah/gqlparser/v2"

	"govhub/resolvers"
	"govhub/resolvers/generated"
)

func TestComplexityPricing(t *testing.T) {
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &resolvers.Resolver{}})
	cost := costSchema{ExecutableSchema: es}
	for _, c := range []struct {
		query string
		vars  map[string]any
		want  int
	}{
		// A scalar field costs 1, an object 1 plus its fields.
		{`{ territory(code: "x") { name parent { name } } }`, nil, 1 + 1 + (1 + 1)},
		// A list without arguments multiplies its children by 10.
		{`{ territory(code: "x") { children { name code } } }`, nil, 1 + (1 + 10*2)},
		// `first` multiplies, 50 when absent; edges and nodes of a connection do not again.
		{`{ territories(first: 20) { totalCount nodes { name } } }`, nil, 1 + 20*(1+(1+1))},
		{`{ territories { nodes { name } } }`, nil, 1 + 50*(1+1)},
		{`query($n: Int) { territories(first: $n) { edges { node { name } } } }`, map[string]any{"n": 7}, 1 + 7*(1+(1+1))},
		{`{ history(id: "x") { at } }`, nil, 1 + 50*1},
		{`{ territories(first: 10000) { nodes { name children { name } } } }`, nil, 1 + 10000*(1+(1+(1+10*1)))},
		// A page the resolvers refuse costs as one item: they say why.
		{`{ organizations(first: 100000) { totalCount nodes { name } } }`, nil, 1 + 1*(1+(1+1))},
		{`{ organizations(first: -1) { nodes { name } } }`, nil, 1 + 1*(1+1)},
		// A list argument multiplies by its length.
		{`{ nodes(ids: ["a", "b", "c"]) { id } }`, nil, 1 + 3*1},
		// The web client's query.
		{`{ networks(first: 50) { totalCount edges { node { id name acronym
			partners { role organization { name kind } } } } } }`, nil,
			1 + 50*(1+(1+(1+(3+(1+10*(1+(1+2))))))),
		},
	} {
		doc, err := gqlparser.LoadQueryWithRules(es.Schema(), c.query, nil)
		if err != nil {
			t.Fatalf("%s: %v", c.query, err)
		}
		got := complexity.Calculate(context.Background(), cost, doc.Operations[0], c.vars)
		if got != c.want {
			t.Errorf("%s: complexity %d, want %d", c.query, got, c.want)
		}
	}
}
