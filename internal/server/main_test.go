package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"govhub/graph"
	"govhub/graph/embedded"
	"govhub/graph/storetest"
	"govhub/seed"
)

// seeded is the embedded store every test of the package shares, seeded once
// by TestMain.
var seeded graph.Store

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "govhub-server-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	s, err := embedded.Open(dir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer s.Close(context.Background())
	if _, err := seed.Load(context.Background(), s, nil); err != nil {
		fmt.Fprintln(os.Stderr, "seeding:", err)
		return 1
	}
	seeded = s
	return m.Run()
}

// testHub is a handler over a counting view of the seeded store.
type testHub struct {
	t     testing.TB
	h     http.Handler
	store *storetest.Counting
}

func newHub(t testing.TB, o Options) *testHub {
	t.Helper()
	cs := &storetest.Counting{Store: seeded}
	o.Store = cs
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	h, err := Handler(o)
	if err != nil {
		t.Fatalf("Handler: %v", err)
	}
	return &testHub{t: t, h: h, store: cs}
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

type response struct {
	Status int
	Header http.Header
	Raw    []byte
	Data   json.RawMessage `json:"data"`
	Errors []gqlError      `json:"errors"`
}

func (r response) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

func (r response) hasCode(code string) bool {
	for _, c := range r.codes() {
		if c == code {
			return true
		}
	}
	return false
}

func (h *testHub) do(req *http.Request) response {
	h.t.Helper()
	rec := httptest.NewRecorder()
	h.h.ServeHTTP(rec, req)
	res := response{Status: rec.Code, Header: rec.Header(), Raw: rec.Body.Bytes()}
	if len(res.Raw) > 0 && strings.HasPrefix(rec.Header().Get("Content-Type"), "application/") {
		if err := json.Unmarshal(res.Raw, &res); err != nil {
			h.t.Fatalf("response is not JSON (%v): %.300s", err, res.Raw)
		}
	}
	checkNoLeak(h.t, "", res.Raw)
	return res
}

// post sends a GraphQL request as JSON.
func (h *testHub) post(query string, vars map[string]any) response {
	h.t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		h.t.Fatal(err)
	}
	return h.postRaw("application/json", body)
}

func (h *testHub) postRaw(contentType string, body []byte) response {
	h.t.Helper()
	req := httptest.NewRequest(http.MethodPost, "/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	return h.do(req)
}

func (h *testHub) get(params url.Values) response {
	h.t.Helper()
	return h.do(httptest.NewRequest(http.MethodGet, "/graphql?"+params.Encode(), nil))
}

// stackTrace matches what a Go stack trace or a source location looks like.
var stackTrace = regexp.MustCompile(`goroutine \d+ \[|\.go:\d+|runtime/debug|panic\(`)

// checkNoLeak fails when a response shows a stack trace or a source location
// that the request did not itself contain (error messages may quote it).
func checkNoLeak(t testing.TB, input string, body []byte) {
	t.Helper()
	for _, m := range stackTrace.FindAll(body, -1) {
		if !strings.Contains(input, string(m)) {
			t.Fatalf("response leaks %q: %.500s", m, body)
		}
	}
}
