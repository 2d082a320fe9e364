package server

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"govhub/graph"
)

func TestNormalQueriesRun(t *testing.T) {
	h := newHub(t, Options{})
	// The web client's query.
	r := h.post(`{ networks(first: 50) { totalCount edges { node { id name acronym
		partners { role organization { name kind } } } } } }`, nil)
	if r.Status != http.StatusOK || len(r.Errors) > 0 {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
	var out struct {
		Networks struct {
			TotalCount int
			Edges      []struct {
				Node struct {
					Name     string
					Partners []struct {
						Role         string
						Organization struct{ Name string }
					}
				}
			}
		}
	}
	if err := json.Unmarshal(r.Data, &out); err != nil {
		t.Fatal(err)
	}
	if out.Networks.TotalCount == 0 || len(out.Networks.Edges) == 0 || len(out.Networks.Edges[0].Node.Partners) == 0 {
		t.Fatalf("no networks with partners: %s", r.Data)
	}
	if h.store.Calls.Load() == 0 {
		t.Error("no store calls")
	}
	// A query with variables, over GET.
	r = h.get(url.Values{
		"query":     {`query($c: String!) { territory(code: $c) { name parent { name } } }`},
		"variables": {`{"c": "063049"}`},
	})
	if r.Status != http.StatusOK || len(r.Errors) > 0 || !strings.Contains(string(r.Data), "Napoli") {
		t.Fatalf("GET with variables: %d %s", r.Status, r.Raw)
	}
}

func TestSecurityHeaders(t *testing.T) {
	h := newHub(t, Options{WebClient: fstest.MapFS{"index.html": {Data: []byte("<p>hi</p>")}}})
	for _, path := range []string{"/", "/healthz", "/readyz", "/app/", "/graphql?query=%7B__typename%7D", "/nowhere"} {
		rec := httptest.NewRecorder()
		h.h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, path, nil))
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, got)
		}
		if got := rec.Header().Get("Referrer-Policy"); got != "no-referrer" {
			t.Errorf("%s: Referrer-Policy %q", path, got)
		}
		cc := rec.Header().Get("Cache-Control")
		if strings.HasPrefix(path, "/graphql") && cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", path, cc)
		}
		if path == "/graphql" && rec.Code != http.StatusOK {
			t.Errorf("%s: %d", path, rec.Code)
		}
	}
	// Also on refusals.
	r := h.postRaw("text/plain", []byte("{}"))
	if r.Header.Get("Cache-Control") != "no-store" || r.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("refusal headers: %v", r.Header)
	}
}

func apqBody(t *testing.T, query, hash string) []byte {
	t.Helper()
	m := map[string]any{"extensions": map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}}}
	if query != "" {
		m["query"] = query
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAutomaticPersistedQueries(t *testing.T) {
	h := newHub(t, Options{})
	const q = `{ networks { totalCount } }`
	sum := sha256.Sum256([]byte(q))
	hash := hex.EncodeToString(sum[:])

	r := h.postRaw("application/json", apqBody(t, "", hash))
	if !r.hasCode("PERSISTED_QUERY_NOT_FOUND") {
		t.Fatalf("hash only, first: %d %s", r.Status, r.Raw)
	}
	r = h.postRaw("application/json", apqBody(t, q, hash))
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "totalCount") {
		t.Fatalf("hash and query: %d %s", r.Status, r.Raw)
	}
	r = h.postRaw("application/json", apqBody(t, "", hash))
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "totalCount") {
		t.Fatalf("hash only, after: %d %s", r.Status, r.Raw)
	}
	// Over GET too.
	ext, _ := json.Marshal(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hash}})
	r = h.get(url.Values{"extensions": {string(ext)}})
	if len(r.Errors) > 0 || !strings.Contains(string(r.Data), "totalCount") {
		t.Fatalf("hash only over GET: %d %s", r.Status, r.Raw)
	}
	// A wrong hash is refused, with a code.
	r = h.postRaw("application/json", apqBody(t, q, strings.Repeat("0", 64)))
	if len(r.Errors) == 0 || r.codes()[0] == "" {
		t.Fatalf("wrong hash: %d %s", r.Status, r.Raw)
	}
	// A persisted query still passes the limits.
	deep := nest(`territory(code: "063049")`, []string{"parent"}, 50, "id")
	sum = sha256.Sum256([]byte(deep))
	h.store.Calls.Store(0)
	refused(t, h, h.postRaw("application/json", apqBody(t, deep, hex.EncodeToString(sum[:]))), CodeQueryTooDeep)
	refused(t, h, h.postRaw("application/json", apqBody(t, "", hex.EncodeToString(sum[:]))), CodeQueryTooDeep)
}

func preflight(h http.Handler, origin, method, headers string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodOptions, "/graphql", nil)
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	req.Header.Set("Access-Control-Request-Method", method)
	if headers != "" {
		req.Header.Set("Access-Control-Request-Headers", headers)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func TestCORS(t *testing.T) {
	const app = "https://app.example.org"
	h := newHub(t, Options{CORSOrigins: []string{app, "http://localhost:5173"}, CORSCredentials: true})

	rec := preflight(h.h, app, http.MethodPost, "authorization,content-type")
	if rec.Code != http.StatusNoContent {
		t.Fatalf("allowed preflight: %d", rec.Code)
	}
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin":      app,
		"Access-Control-Allow-Credentials": "true",
		"Access-Control-Allow-Methods":     "POST",
		"Access-Control-Allow-Headers":     "authorization,content-type",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("allowed preflight: %s %q, want %q", k, got, want)
		}
	}

	for name, c := range map[string][3]string{
		"unlisted origin":     {"https://evil.example.com", http.MethodPost, "content-type"},
		"origin prefix":       {"https://app.example.org.evil.com", http.MethodPost, ""},
		"null origin":         {"null", http.MethodPost, ""},
		"method not allowed":  {app, http.MethodDelete, ""},
		"header not allowed":  {app, http.MethodPost, "x-debug"},
		"no origin preflight": {"", http.MethodPost, ""},
	} {
		rec := preflight(h.h, c[0], c[1], c[2])
		if rec.Code != http.StatusForbidden {
			t.Errorf("%s: status %d, want 403", name, rec.Code)
		}
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" {
			t.Errorf("%s: Access-Control-Allow-Origin %q", name, got)
		}
		if rec.Header().Get("Access-Control-Allow-Credentials") != "" {
			t.Errorf("%s: allows credentials", name)
		}
		var body response
		if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || !body.hasCode(CodeOriginNotAllowed) {
			t.Errorf("%s: body %s", name, rec.Body)
		}
	}

	// Actual requests: the allowed origin may read the answer, another may not.
	for origin, want := range map[string]string{app: app, "https://evil.example.com": ""} {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", origin)
		r := h.do(req)
		if got := r.Header.Get("Access-Control-Allow-Origin"); got != want {
			t.Errorf("actual request from %s: Access-Control-Allow-Origin %q, want %q", origin, got, want)
		}
	}

	// No origins configured: nothing cross-origin is allowed (rs/cors alone would allow all).
	none := newHub(t, Options{})
	if rec := preflight(none.h, app, http.MethodPost, ""); rec.Code != http.StatusForbidden || rec.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no origins: %d %v", rec.Code, rec.Header())
	}

	// A wildcard without credentials.
	any := newHub(t, Options{CORSOrigins: []string{"*"}})
	rec = preflight(any.h, "https://anywhere.example", http.MethodGet, "")
	if rec.Code != http.StatusNoContent || rec.Header().Get("Access-Control-Allow-Origin") != "*" ||
		rec.Header().Get("Access-Control-Allow-Credentials") != "" {
		t.Errorf("wildcard: %d %v", rec.Code, rec.Header())
	}
}

func TestUnsafeOptionsAreRefused(t *testing.T) {
	for name, o := range map[string]Options{
		"wildcard with credentials": {CORSOrigins: []string{"*"}, CORSCredentials: true},
		"wildcard among origins":    {CORSOrigins: []string{"https://a.example", "*"}},
		"pattern":                   {CORSOrigins: []string{"https://*.example.org"}},
		"path":                      {CORSOrigins: []string{"https://a.example/app"}},
		"no scheme":                 {CORSOrigins: []string{"a.example"}},
		"negative rate":             {RateLimit: -1, RateBurst: 1},
		"no store":                  {},
	} {
		if name != "no store" {
			o.Store = seeded
		}
		if h, err := Handler(o); err == nil || h != nil {
			t.Errorf("%s: no error", name)
		}
	}
	defer func() {
		if recover() == nil {
			t.Error("MustHandler did not panic")
		}
	}()
	MustHandler(Options{Store: seeded, CORSOrigins: []string{"*"}, CORSCredentials: true})
}

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

func TestRateLimit(t *testing.T) {
	clk := &clock{t: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
	h := newHub(t, Options{RateLimit: 2, RateBurst: 3, now: clk.now})
	query := func(remote string) response {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ networks { totalCount } }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.RemoteAddr = remote
		return h.do(req)
	}
	for i := range 3 {
		if r := query("192.0.2.1:1000"); r.Status != http.StatusOK {
			t.Fatalf("request %d of the burst: %d %s", i+1, r.Status, r.Raw)
		}
	}
	r := query("192.0.2.1:1001") // same client, another port
	if r.Status != http.StatusTooManyRequests || !r.hasCode(CodeRateLimited) {
		t.Fatalf("after the burst: %d %s", r.Status, r.Raw)
	}
	if ra, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || ra < 1 {
		t.Errorf("Retry-After %q", r.Header.Get("Retry-After"))
	}
	if r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
	// Another client is not affected.
	if r := query("198.51.100.7:1000"); r.Status != http.StatusOK {
		t.Fatalf("another client: %d", r.Status)
	}
	// Half a second gives one token back at 2 per second.
	clk.add(500 * time.Millisecond)
	if r := query("192.0.2.1:1000"); r.Status != http.StatusOK {
		t.Fatalf("after waiting: %d %s", r.Status, r.Raw)
	}
	if r := query("192.0.2.1:1000"); r.Status != http.StatusTooManyRequests {
		t.Fatalf("second after waiting: %d", r.Status)
	}
	// Preflights are not counted; other paths are not limited.
	for range 5 {
		preflight(h.h, "https://x.example", http.MethodPost, "")
		rec := httptest.NewRecorder()
		req := httptest.NewRequest(http.MethodGet, "/healthz", nil)
		req.RemoteAddr = "192.0.2.1:1000"
		h.h.ServeHTTP(rec, req)
		if rec.Code != http.StatusOK {
			t.Fatalf("/healthz: %d", rec.Code)
		}
	}
}

func TestRateLimiterForgetsIdleClients(t *testing.T) {
	clk := &clock{t: time.Unix(0, 0)}
	l := newRateLimiter(1, 2, clk.now)
	for i := range 1000 {
		l.allow(strconv.Itoa(i))
	}
	if l.size() != 1000 {
		t.Fatalf("%d clients", l.size())
	}
	clk.add(sweepEvery)
	l.allow("new")
	if l.size() != 1 {
		t.Errorf("after a sweep: %d clients, want 1", l.size())
	}
	// A client still short of tokens is remembered.
	l.allow("busy")
	l.allow("busy")
	clk.add(sweepEvery)
	l.allow("x")
	if l.size() != 1 {
		t.Errorf("%d clients", l.size())
	}
}

func TestAuthenticateAndClientKey(t *testing.T) {
	type subjectKey struct{}
	var seen []string
	var mu sync.Mutex
	h := newHub(t, Options{
		RateLimit: 1, RateBurst: 1,
		Authenticate: func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				sub := r.Header.Get("X-Test-Subject")
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), subjectKey{}, sub)))
			})
		},
		ClientKey: func(r *http.Request) string {
			s, _ := r.Context().Value(subjectKey{}).(string)
			mu.Lock()
			seen = append(seen, s)
			mu.Unlock()
			return s
		},
	})
	send := func(sub string) int {
		req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{ __typename }"}`))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Test-Subject", sub)
		return h.do(req).Status
	}
	if send("alice") != 200 || send("bob") != 200 || send("alice") != 429 {
		t.Error("the rate limit is not per authenticated subject")
	}
	if strings.Join(seen, ",") != "alice,bob,alice" {
		t.Errorf("ClientKey saw %v", seen)
	}
}

func TestBadRequestsGetClientErrors(t *testing.T) {
	h := newHub(t, Options{MaxBodyBytes: 4096})
	big := `{"query":"{ networks { totalCount } }","variables":{"pad":"` + strings.Repeat("x", 5000) + `"}}`
	for name, c := range map[string]struct {
		contentType, body string
		status            int
		code              string
	}{
		"malformed JSON":    {"application/json", `{"query": "{ networks { totalCount } }"`, 400, CodeBadRequest},
		"not JSON":          {"application/json", `query { networks { totalCount } }`, 400, CodeBadRequest},
		"garbage":           {"application/json", "\x00\xff{", 400, CodeBadRequest},
		"empty body":        {"application/json", "", 400, CodeBadRequest},
		"null":              {"application/json", "null", 400, CodeBadRequest},
		"trailing data":     {"application/json", `{"query":"{ __typename }"} {"query":"{ __typename }"}`, 400, CodeBadRequest},
		"array batch":       {"application/json", `[{"query":"{ __typename }"},{"query":"{ __typename }"}]`, 400, CodeBatchNotSupported},
		"query not string":  {"application/json", `{"query": 42}`, 400, CodeBadRequest},
		"variables list":    {"application/json", `{"query":"{ __typename }","variables":[1,2]}`, 400, CodeBadRequest},
		"wrong type":        {"text/plain", `{"query":"{ __typename }"}`, 415, CodeUnsupportedMediaType},
		"form":              {"application/x-www-form-urlencoded", `query=%7B__typename%7D`, 415, CodeUnsupportedMediaType},
		"no content type":   {"", `{"query":"{ __typename }"}`, 415, CodeUnsupportedMediaType},
		"oversized":         {"application/json", big, 413, CodeRequestTooLarge},
		"no query":          {"application/json", `{}`, 422, "GRAPHQL_VALIDATION_FAILED"},
		"syntax":            {"application/json", `{"query":"{ networks { "}`, 422, "GRAPHQL_PARSE_FAILED"},
		"unknown field":     {"application/json", `{"query":"{ secrets }"}`, 422, "GRAPHQL_VALIDATION_FAILED"},
		"unknown operation": {"application/json", `{"query":"query A { __typename }","operationName":"B"}`, 422, "GRAPHQL_VALIDATION_FAILED"},
		"variable type": {"application/json",
			`{"query":"query($n: Int) { networks(first: $n) { totalCount } }","variables":{"n":"many"}}`, 422, "GRAPHQL_VALIDATION_FAILED"},
		"variable object": {"application/json",
			`{"query":"query($c: String!) { territory(code: $c) { name } }","variables":{"c":{"$gt":""}}}`, 422, "GRAPHQL_VALIDATION_FAILED"},
		"missing variable": {"application/json",
			`{"query":"query($c: String!) { territory(code: $c) { name } }"}`, 422, "GRAPHQL_VALIDATION_FAILED"},
		"input of wrong type": {"application/json",
			`{"query":"mutation($i: CreateOrganizationInput!) { createOrganization(input: $i) { id } }","variables":{"i":{"name":7,"kind":"NOPE"}}}`, 422, "GRAPHQL_VALIDATION_FAILED"},
		"huge int": {"application/json",
			`{"query":"query($n: Int) { networks(first: $n) { totalCount } }","variables":{"n":1e400}}`, 422, "GRAPHQL_VALIDATION_FAILED"},
	} {
		t.Run(name, func(t *testing.T) {
			h.store.Calls.Store(0)
			r := h.postRaw(c.contentType, []byte(c.body))
			t.Logf("%d %.300s", r.Status, r.Raw)
			if r.Status != c.status || !r.hasCode(c.code) {
				t.Errorf("got %d %v, want %d %s: %.300s", r.Status, r.codes(), c.status, c.code, r.Raw)
			}
			if h.store.Calls.Load() != 0 {
				t.Errorf("%d store calls", h.store.Calls.Load())
			}
			if bytes.Contains(r.Raw, []byte("xxxxxxxx")) {
				t.Error("the response echoes the body")
			}
		})
	}

	for name, c := range map[string]struct {
		method, target string
		status         int
		code           string
	}{
		"GET bad variables":  {http.MethodGet, "/graphql?query=%7B__typename%7D&variables=%7Bnope", 400, CodeBadRequest},
		"GET list variables": {http.MethodGet, "/graphql?query=%7B__typename%7D&variables=%5B1%5D", 400, CodeBadRequest},
		"GET bad extensions": {http.MethodGet, "/graphql?query=%7B__typename%7D&extensions=1", 400, CodeBadRequest},
		"GET bad escape":     {http.MethodGet, "/graphql?query=%zz", 400, CodeBadRequest},
		"GET no query":       {http.MethodGet, "/graphql", 422, "GRAPHQL_VALIDATION_FAILED"},
		"PUT":                {http.MethodPut, "/graphql", 405, CodeMethodNotAllowed},
		"DELETE":             {http.MethodDelete, "/graphql", 405, CodeMethodNotAllowed},
	} {
		t.Run(name, func(t *testing.T) {
			r := h.do(httptest.NewRequest(c.method, c.target, nil))
			if r.Status != c.status || !r.hasCode(c.code) {
				t.Errorf("got %d %v, want %d %s: %.300s", r.Status, r.codes(), c.status, c.code, r.Raw)
			}
		})
	}
}

func TestStoreErrorsDoNotLeak(t *testing.T) {
	h := newHub(t, Options{})
	h.store.Store = failingStore{seeded}
	r := h.post(`{ networks { totalCount } }`, nil)
	if !r.hasCode("INTERNAL_SERVER_ERROR") || strings.Contains(string(r.Raw), "bolt") {
		t.Fatalf("%d %s", r.Status, r.Raw)
	}
}

func TestTokenLimit(t *testing.T) {
	h := newHub(t, Options{})
	start := time.Now()
	q, _ := json.Marshal(map[string]string{"query": "{ networks {" + strings.Repeat(" totalCount", MaxTokens) + " } }"})
	r := h.postRaw("application/json", q)
	refused(t, h, r, "GRAPHQL_PARSE_FAILED")
	if took := time.Since(start); took > 2*time.Second {
		t.Errorf("took %v", took)
	}
}

// failingStore fails every List with the kind of error a driver gives.
type failingStore struct{ graph.Store }

func (failingStore) List(context.Context, graph.ListQuery) (graph.Page, error) {
	return graph.Page{}, errors.New("bolt: page 42 corrupted at /go/src/bbolt/page.go:17")
}
