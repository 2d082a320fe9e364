package server

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"

	"govhub/resolvers"
	"govhub/resolvers/generated"
)

// nest builds a query n fields deep: the root field, then the fields of
// cycle again and again, then leaf.
func nest(root string, cycle []string, n int, leaf string) string {
	var b strings.Builder
	b.WriteString("{ " + root + " { ")
	for i := range n - 2 {
		b.WriteString(cycle[i%len(cycle)] + " { ")
	}
	b.WriteString(leaf)
	b.WriteString(strings.Repeat(" }", n-1))
	b.WriteString(" }")
	return b.String()
}

// mustBeValid fails unless q is a valid query of the hub's schema, so that a
// refusal is about the limit and not about the query.
func mustBeValid(t *testing.T, q string) {
	t.Helper()
	es := generated.NewExecutableSchema(generated.Config{Resolvers: &resolvers.Resolver{}})
	if _, err := gqlparser.LoadQueryWithRules(es.Schema(), q, nil); err != nil {
		t.Fatalf("invalid query: %v\n%s", err, q)
	}
}

func refused(t *testing.T, h *testHub, r response, code string) {
	t.Helper()
	if !r.hasCode(code) {
		t.Fatalf("want an error with code %s, got %d %v: %.300s", code, r.Status, r.codes(), r.Raw)
	}
	if r.Status < 400 || r.Status >= 500 {
		t.Errorf("status %d, want 4xx", r.Status)
	}
	if len(r.Data) > 0 && string(r.Data) != "null" {
		t.Errorf("refused query has data: %s", r.Data)
	}
	if n := h.store.Calls.Load(); n != 0 {
		t.Errorf("refused query made %d store calls, want none", n)
	}
}

func TestDeepQueriesAreRefusedBeforeTheStore(t *testing.T) {
	h := newHub(t, Options{})
	cases := map[string]string{
		"territory": nest(`territory(code: "063049")`, []string{"parent", "children"}, 50, "id"),
		"partners":  nest(`organization(id: "x")`, []string{"partnerships", "network", "partners", "organization"}, 50, "id"),
	}
	for name, q := range cases {
		t.Run(name, func(t *testing.T) {
			mustBeValid(t, q)
			h.store.Calls.Store(0)
			r := h.post(q, nil)
			refused(t, h, r, CodeQueryTooDeep)
			if !strings.Contains(r.Errors[0].Message, "50 levels") {
				t.Errorf("message %q does not give the depth", r.Errors[0].Message)
			}
		})
	}
	// One level over the limit is refused, just within runs.
	h.store.Calls.Store(0)
	refused(t, h, h.post(nest(`territory(code: "063049")`, []string{"parent"}, DefaultMaxDepth+1, "name"), nil), CodeQueryTooDeep)
	r := h.post(nest(`territory(code: "063049")`, []string{"parent"}, DefaultMaxDepth, "name"), nil)
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("a query %d deep: %d %s", DefaultMaxDepth, r.Status, r.Raw)
	}
	if h.store.Calls.Load() == 0 {
		t.Error("the query within the limit did not reach the store")
	}
}

func TestDepthFollowsFragments(t *testing.T) {
	h := newHub(t, Options{MaxDepth: 5})
	// Depth 6 only once the fragments are expanded: territory > parent > ...T > parent > ...U > parent > parent > id.
	q := `{ territory(code: "063049") { parent { ...T } } }
	fragment T on Territory { parent { ...U } }
	fragment U on Territory { ... on Territory { parent { parent { id } } } }`
	refused(t, h, h.post(q, nil), CodeQueryTooDeep)
}

func TestThousandAliasesAreRefused(t *testing.T) {
	h := newHub(t, Options{})
	var b strings.Builder
	b.WriteString("{")
	for i := range 1000 {
		fmt.Fprintf(&b, " a%d: territory(code: \"063049\") { name }", i)
	}
	b.WriteString(" }")
	mustBeValid(t, b.String())
	r := h.post(b.String(), nil)
	refused(t, h, r, CodeTooManyAliases)

	// Aliases hidden in a fragment spread many times count once per spread.
	b.Reset()
	b.WriteString(`{ territory(code: "063049") {`)
	for i := range 8 {
		fmt.Fprintf(&b, " p%d: parent { ...F }", i)
	}
	b.WriteString(" } } fragment F on Territory { a: name b: code c: level d: id }")
	h.store.Calls.Store(0)
	refused(t, h, h.post(b.String(), nil), CodeTooManyAliases) // 8 + 8*4 = 40 > 30

	// Within the limit runs.
	h.store.Calls.Store(0)
	r = h.post(`{ a: territory(code: "063049") { n: name } b: territory(code: "063") { n: name } }`, nil)
	if len(r.Errors) > 0 {
		t.Fatalf("two aliases: %s", r.Raw)
	}
}

func TestCyclicFragmentsAreRefusedQuickly(t *testing.T) {
	h := newHub(t, Options{})
	for name, q := range map[string]string{
		"self": `{ networks { nodes { ...A } } } fragment A on Network { name ...A }`,
		"pair": `{ networks { nodes { ...A } } }
			fragment A on Network { partners { network { ...B } } }
			fragment B on Network { partners { network { ...A } } }`,
		"through inline fragments": `{ territory(code: "063049") { ...A } }
			fragment A on Territory { ... on Territory { parent { ...B } } }
			fragment B on Territory { children { ... on Territory { ...A } } }`,
	} {
		t.Run(name, func(t *testing.T) {
			h.store.Calls.Store(0)
			start := time.Now()
			r := h.post(q, nil)
			if took := time.Since(start); took > 2*time.Second {
				t.Errorf("took %v", took)
			}
			refused(t, h, r, "GRAPHQL_VALIDATION_FAILED")
		})
	}
}

func TestComplexShallowQueriesAreRefused(t *testing.T) {
	h := newHub(t, Options{})
	for name, c := range map[string]struct {
		q    string
		vars map[string]any
	}{
		"first literal":       {`{ territories(first: 10000) { nodes { name children { name } } } }`, nil},
		"first variable":      {`query($n: Int) { territories(first: $n) { nodes { name children { name } } } }`, map[string]any{"n": 10000}},
		"lists without first": {`{ networks { nodes { partners { organization { services { territories { children { name } } } } } } } }`, nil},
		"ids": {`query($ids: [ID!]!) { nodes(ids: $ids) { ... on Network { partners { organization { name basedIn { name } } } } } }`,
			map[string]any{"ids": make([]any, 500)}},
	} {
		t.Run(name, func(t *testing.T) {
			if ids, ok := c.vars["ids"].([]any); ok {
				for i := range ids {
					ids[i] = fmt.Sprintf("net-%d", i)
				}
			}
			mustBeValid(t, c.q)
			h.store.Calls.Store(0)
			r := h.post(c.q, c.vars)
			refused(t, h, r, CodeQueryTooComplex)
			if !strings.Contains(r.Errors[0].Message, "complexity") {
				t.Errorf("message %q", r.Errors[0].Message)
			}
		})
	}
	// A query whose fields alone are over the limit is refused before validation.
	var b strings.Builder
	b.WriteString("{")
	for i := range 600 {
		fmt.Fprintf(&b, " t%d: territory(code: \"x\") { id name code level population abbreviation cadastralCode macroArea archived }", i)
	}
	b.WriteString(" }")
	h.store.Calls.Store(0)
	refused(t, h, h.post(b.String(), nil), CodeTooManyAliases)
	h2 := newHub(t, Options{MaxAliases: -1})
	refused(t, h2, h2.post(b.String(), nil), CodeQueryTooComplex)
}

func TestDuplicateFieldsAreRefusedQuickly(t *testing.T) {
	h := newHub(t, Options{})
	start := time.Now()
	r := h.post("{ networks { nodes {"+strings.Repeat(" id", 4000)+" } } }", nil)
	refused(t, h, r, CodeQueryTooComplex)
	// Few fields in all, but one selected 25 times through fragments.
	var b strings.Builder
	b.WriteString("{ networks { nodes {")
	for i := range 25 {
		fmt.Fprintf(&b, " ...F%d", i)
	}
	b.WriteString(" } } }")
	for i := range 25 {
		fmt.Fprintf(&b, " fragment F%d on Network { name }", i)
	}
	r = h.post(b.String(), nil)
	refused(t, h, r, CodeQueryTooComplex)
	if !strings.Contains(r.Errors[0].Message, `"name" is selected 25 times`) {
		t.Errorf("message %q", r.Errors[0].Message)
	}
	// Also in a fragment no operation uses, and in a second definition of a name.
	for _, q := range []string{
		"{ __typename } fragment F on Network {" + strings.Repeat(" id", 4000) + " }",
		"{ networks { nodes { ...F } } } fragment F on Network { id } fragment F on Network {" + strings.Repeat(" id", 4000) + " }",
		"{ __typename } fragment F on Network {" + strings.Repeat(" id", 15) + strings.Repeat(" name", 15) + strings.Repeat(" ... on Network { id }", 10) + " }",
	} {
		r = h.post(q, nil)
		refused(t, h, r, CodeQueryTooComplex)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v", took)
	}
}

func TestTooManyOperationsAreRefused(t *testing.T) {
	h := newHub(t, Options{})
	var b strings.Builder
	for i := range 6 {
		fmt.Fprintf(&b, "query Q%d { networks { totalCount } }\n", i)
	}
	body := fmt.Sprintf(`{"query": %q, "operationName": "Q0"}`, b.String())
	refused(t, h, h.postRaw("application/json", []byte(body)), CodeTooManyOperations)

	// Five are fine; the one named runs.
	q := strings.Join(strings.Split(b.String(), "\n")[:5], "\n")
	body = fmt.Sprintf(`{"query": %q, "operationName": "Q3"}`, q)
	r := h.postRaw("application/json", []byte(body))
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "totalCount") {
		t.Fatalf("five operations: %s", r.Raw)
	}
}

func TestIntrospection(t *testing.T) {
	queries := []string{
		`{ __schema { queryType { name } } }`,
		`{ __type(name: "Network") { name fields { name } } }`,
		`query { networks { totalCount } ... on Query { __schema { types { name } } } }`,
	}
	t.Run("off", func(t *testing.T) {
		h := newHub(t, Options{})
		for _, q := range queries {
			h.store.Calls.Store(0)
			r := h.post(q, nil)
			refused(t, h, r, CodeIntrospectionOff)
		}
		// Refused before validation, even when duplicates would make that slow.
		h.store.Calls.Store(0)
		refused(t, h, h.post("{ __schema { types {"+strings.Repeat(" name", 5000)+" } } }", nil), CodeIntrospectionOff)
		// __typename is not introspection.
		r := h.post(`{ networks { __typename totalCount } }`, nil)
		if len(r.Errors) > 0 {
			t.Fatalf("__typename: %s", r.Raw)
		}
	})
	t.Run("on", func(t *testing.T) {
		h := newHub(t, Options{Introspection: true})
		for _, q := range queries[:2] {
			r := h.post(q, nil)
			if len(r.Errors) > 0 || r.Status != http.StatusOK {
				t.Fatalf("%s: %d %s", q, r.Status, r.Raw)
			}
		}
		// Duplicates and aliases count inside introspection too.
		refused(t, h, h.post("{ __schema { types {"+strings.Repeat(" name", 5000)+" } } }", nil), CodeQueryTooComplex)
		var b strings.Builder
		b.WriteString("{ __schema {")
		for i := range 40 {
			fmt.Fprintf(&b, " t%d: types { name }", i)
		}
		b.WriteString(" } }")
		refused(t, h, h.post(b.String(), nil), CodeTooManyAliases)
		// GraphiQL's introspection query (nested ofType) is within the limits.
		r := h.post(graphiqlIntrospection, nil)
		if len(r.Errors) > 0 || !strings.Contains(string(r.Data), `"Network"`) {
			t.Fatalf("GraphiQL introspection: %d %.500s", r.Status, r.Raw)
		}
	})
}

func TestGETOnlyRunsQueries(t *testing.T) {
	h := newHub(t, Options{})
	r := h.get(url.Values{"query": {`mutation { archive(id: "x") { id } }`}})
	refused(t, h, r, CodeMethodNotAllowed)
	r = h.get(url.Values{"query": {`{ networks { totalCount } }`}})
	if len(r.Errors) > 0 || r.Status != http.StatusOK {
		t.Fatalf("GET query: %d %s", r.Status, r.Raw)
	}
}

const graphiqlIntrospection = `query IntrospectionQuery {
  __schema {
    queryType { name } mutationType { name } subscriptionType { name }
    types { ...FullType }
    directives { name description locations args { ...InputValue } }
  }
}
fragment FullType on __Type {
  kind name description
  fields(includeDeprecated: true) { name description args { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
  inputFields { ...InputValue }
  interfaces { ...TypeRef }
  enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
  possibleTypes { ...TypeRef }
}
fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue }
fragment TypeRef on __Type {
  kind name
  ofType { kind name ofType { kind name ofType { kind name ofType { kind name ofType { kind name
    ofType { kind name ofType { kind name ofType { kind name ofType { kind name } } } } } } } } }
}`

func TestValidationWorkIsBounded(t *testing.T) {
	h := newHub(t, Options{})
	// A chain of fragments: the validator walks it from every fragment.
	var chain strings.Builder
	chain.WriteString("{ networks { nodes { ...F0 } } }")
	for i := range 2000 {
		fmt.Fprintf(&chain, " fragment F%d on Network { ...F%d }", i, i+1)
	}
	chain.WriteString(" fragment F2000 on Network { id }")
	// A fragment with a large argument, spread by many others.
	var arg strings.Builder
	arg.WriteString("{ ...G0 } fragment F on Query { nodes(ids: [")
	for i := range 1900 {
		fmt.Fprintf(&arg, `"n%d" `, i)
	}
	arg.WriteString("]) { id } }")
	for i := range 150 {
		fmt.Fprintf(&arg, " fragment G%d on Query { ...F }", i)
	}
	for name, q := range map[string]string{"chain": chain.String(), "argument": arg.String()} {
		t.Run(name, func(t *testing.T) {
			h.store.Calls.Store(0)
			start := time.Now()
			r := h.post(q, nil)
			refused(t, h, r, CodeQueryTooComplex)
			if !strings.Contains(r.Errors[0].Message, "to validate") {
				t.Errorf("message %q", r.Errors[0].Message)
			}
			if took := time.Since(start); took > time.Second {
				t.Errorf("took %v", took)
			}
		})
	}
	// GraphiQL's introspection query, with its fragments, is far within.
	doc := mustParse(t, graphiqlIntrospection)
	if n := newDocWalker(doc).validationWork(doc); n > MaxValidationWork/100 {
		t.Errorf("GraphiQL's introspection query: %d steps", n)
	}
}

func TestErrorsAreCapped(t *testing.T) {
	h := newHub(t, Options{})
	var q strings.Builder
	q.WriteString("query(")
	for i := range 500 {
		fmt.Fprintf(&q, "$v%d: Int ", i)
	}
	q.WriteString(") { __typename }")
	r := h.post(q.String(), nil)
	if len(r.Errors) != MaxErrors || r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("%d errors, status %d", len(r.Errors), r.Status)
	}
	if last := r.Errors[MaxErrors-1]; last.Message != "451 more errors left out" || last.Extensions["code"] != CodeBadRequest {
		t.Errorf("last error %+v", last)
	}
}

func mustParse(t *testing.T, q string) *ast.QueryDocument {
	t.Helper()
	doc, err := parser.ParseQuery(&ast.Source{Input: q})
	if err != nil {
		t.Fatal(err)
	}
	return doc
}
