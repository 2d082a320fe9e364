package server

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

var (
	fuzzOnce    sync.Once
	fuzzHandler http.Handler
)

// Modes of FuzzGraphQLRequest: how the input becomes a request.
const (
	fuzzPOSTBody  = iota // the input is the POST body
	fuzzPOSTQuery        // the input is the query of a JSON POST body
	fuzzGETRaw           // the input is the raw query string of a GET
	fuzzGETQuery         // the input is the query parameter of a GET
	fuzzModes
)

// FuzzGraphQLRequest sends arbitrary requests through the real handler over
// the seeded embedded store (mutations that succeed write to the test's
// temporary store) and checks that every answer is a client-side or
// successful JSON response without a stack trace.
//
//	go test -run='^$' -fuzz=FuzzGraphQLRequest -fuzztime=20s ./internal/server/
func FuzzGraphQLRequest(f *testing.F) {
	seeds := []string{
		`{"query":"{ networks(first: 5) { totalCount edges { node { id name partners { role organization { name } } } } } }"}`,
		`{"query":"query($c: String!) { territory(code: $c) { name parent { name } children { name } } }","variables":{"c":"063049"}}`,
		`{"query":"{ territories(filter: {search: \"napoli\"}, first: 3) { nodes { id name level } pageInfo { hasNextPage endCursor } } }"}`,
		`{"query":"{ organizations(first: 2) { nodes { name partnerships { role network { name } } } } }"}`,
		`{"query":"mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id name } }","variables":{"i":{"name":"x' OR 1=1 //","kind":"OTHER"}}}`,
		`{"query":"mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id name } }","variables":{"i":{"name":"MATCH (n) DETACH DELETE n","kind":"THIRD_SECTOR"}}}`,
		`{"query":"mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }","variables":{"i":{"name":"}) RETURN n //","kind":"NOPE","website":"javascript:alert(1)"}}}`,
		`{"query":"mutation { createOrganization(input: {name: \"\", kind: OTHER}) { id } }"}`,
		`{"query":"mutation { archive(id: \"terr-063049\\\") MATCH (n)\") { id } }"}`,
		`{"query":"mutation { link(input: {type: PARTNER_IN, from: \"x\", to: \"y\", role: \"LEAD\", strength: -1}) { id } }"}`,
		`{"query":"query($n: Int) { networks(first: $n) { totalCount } }","variables":{"n":"many"}}`,
		`{"query":"query($n: Int) { networks(first: $n) { totalCount } }","variables":{"n":-1}}`,
		`{"query":"{ networks { nodes { ...A } } } fragment A on Network { partners { network { ...A } } }"}`,
		`{"query":"{ __schema { types { name } } }"}`,
		`{"query":"{ a: __typename b: __typename }","operationName":null,"extensions":{"persistedQuery":{"version":1,"sha256Hash":"abc"}}}`,
		`{"extensions":{"persistedQuery":{"version":"1","sha256Hash":[]}}}`,
		`[{"query":"{ __typename }"}]`,
		`{"query": "{ networks { totalCount } }"`,
		`{"query": 1}`,
		`{"variables": {"a": {"b": [1, {"c": null}]}}}`,
		"\x00\xff",
		``,
	}
	for _, s := range seeds {
		f.Add(s, uint8(fuzzPOSTBody))
	}
	for _, q := range []string{
		`{ networks { totalCount } }`,
		`{ territory(code: "063049") { parent { children { parent { name } } } } }`,
		`query Q($x: [ID!]!) { nodes(ids: $x) { id } }`,
		`{ node(id: "\u0000") { id } }`,
		`mutation { createNetwork(input: {name: "n"}) { id } }`,
		`subscription { x }`,
		`{ history(id: "x", first: 2147483647) { at } }`,
		`{ networks(first: -5) { nodes { id } } }`,
		`{ ... on Query { ... on Query { networks { totalCount } } } }`,
		`query A { __typename } query A { __typename }`,
		`{ networks @skip(if: true) { totalCount } }`,
	} {
		f.Add(q, uint8(fuzzPOSTQuery))
		f.Add(q, uint8(fuzzGETQuery))
	}
	for _, raw := range []string{
		`query=%7B__typename%7D`,
		`query=%7Bnetworks%7BtotalCount%7D%7D&variables=%7B%7D`,
		`query=%7B__typename%7D&variables=%5B`,
		`query=%zz`,
		`query=mutation%7Barchive(id:%22x%22)%7Bid%7D%7D`,
		`extensions=%7B%22persistedQuery%22:%7B%22version%22:1,%22sha256Hash%22:%22x%22%7D%7D`,
	} {
		f.Add(raw, uint8(fuzzGETRaw))
	}

	f.Fuzz(func(t *testing.T, input string, mode uint8) {
		fuzzOnce.Do(func() {
			fuzzHandler = newHub(t, Options{Introspection: true, MaxBodyBytes: 64 << 10, StoreTimeout: 5 * time.Second}).h
		})
		var req *http.Request
		switch mode % fuzzModes {
		case fuzzPOSTBody:
			req = httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(input))
			req.Header.Set("Content-Type", "application/json")
		case fuzzPOSTQuery:
			body, _ := json.Marshal(map[string]string{"query": input})
			req = httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
		case fuzzGETRaw:
			req = httptest.NewRequest(http.MethodGet, "/graphql", nil)
			req.URL.RawQuery = input
		case fuzzGETQuery:
			req = httptest.NewRequest(http.MethodGet, "/graphql?"+url.Values{"query": {input}}.Encode(), nil)
		}
		rec := httptest.NewRecorder()
		fuzzHandler.ServeHTTP(rec, req)

		if rec.Code >= 500 {
			t.Fatalf("status %d for %q: %.500s", rec.Code, input, rec.Body)
		}
		body := rec.Body.Bytes()
		if !json.Valid(body) {
			t.Fatalf("status %d, response is not JSON for %q: %.500s", rec.Code, input, body)
		}
		var resp struct {
			Data   json.RawMessage
			Errors []gqlError
		}
		if err := json.Unmarshal(body, &resp); err != nil {
			t.Fatalf("response is not a GraphQL response: %v: %.500s", err, body)
		}
		if resp.Data == nil && len(resp.Errors) == 0 {
			t.Fatalf("response has neither data nor errors: %.500s", body)
		}
		if rec.Code >= 400 && len(resp.Errors) == 0 {
			t.Fatalf("status %d without errors: %.500s", rec.Code, body)
		}
		for _, e := range resp.Errors {
			if code, _ := e.Extensions["code"].(string); code == "" {
				t.Fatalf("error without a code for %q: %.500s", input, body)
			}
		}
		checkNoLeak(t, fuzzInputText(input), body)
	})
}

// fuzzInputText is the input as an error message might quote it: raw, URL-
// and JSON-decoded.
func fuzzInputText(input string) string {
	parts := []string{input}
	if u, err := url.QueryUnescape(input); err == nil {
		parts = append(parts, u)
	}
	var p struct {
		Query     string
		Variables map[string]any
	}
	if json.Unmarshal([]byte(input), &p) == nil {
		parts = append(parts, p.Query, fmt.Sprint(p.Variables))
	}
	return strings.Join(parts, "\n")
}
