// Package e2e runs the hub binary as a user would and speaks HTTP to it,
// once over the embedded store and once over a real Neo4j.
package e2e

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"syscall"
	"testing"
	"time"

	"govhub/graph/neo4j"
)

var hubBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "hub-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	hubBin = filepath.Join(dir, "hub")
	build := exec.Command("go", "build", "-o", hubBin, "govhub/cmd/hub")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building hub:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// hub is a running `hub serve` process.
type hub struct {
	t    *testing.T
	cmd  *exec.Cmd
	url  string
	logs *bytes.Buffer
	done chan struct{}
}

var listening = regexp.MustCompile(`msg="hub listening" url=(http://\S+)`)

// start runs `hub serve` with the given store arguments on a free port and
// waits until it answers.
func start(t *testing.T, storeArgs ...string) *hub {
	t.Helper()
	return startEnv(t, nil, storeArgs...)
}

// startEnv is start with extra environment variables.
func startEnv(t *testing.T, env []string, storeArgs ...string) *hub {
	t.Helper()
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--rate-limit", "0"}, storeArgs...)
	cmd := exec.Command(hubBin, args...)
	cmd.Env = append(append(os.Environ(), "HUB_LOG_LEVEL=info"), env...)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &hub{t: t, cmd: cmd, logs: &bytes.Buffer{}, done: make(chan struct{})}
	found := make(chan string, 1)
	go func() {
		defer close(h.done)
		sc := bufio.NewScanner(stderr)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			line := sc.Text()
			h.logs.WriteString(line + "\n")
			if m := listening.FindStringSubmatch(line); m != nil {
				found <- m[1]
			}
		}
	}()
	select {
	case h.url = <-found:
	case <-h.done:
		cmd.Wait()
		t.Fatalf("hub exited before listening:\n%s", h.logs)
	case <-time.After(3 * time.Minute):
		cmd.Process.Kill()
		t.Fatalf("hub did not start listening in time:\n%s", h.logs)
	}
	t.Cleanup(func() { h.stop() })
	return h
}

// stop sends SIGTERM and waits for a clean exit.
func (h *hub) stop() {
	if h.cmd.ProcessState != nil {
		return
	}
	h.cmd.Process.Signal(syscall.SIGTERM)
	errc := make(chan error, 1)
	go func() { <-h.done; errc <- h.cmd.Wait() }()
	select {
	case err := <-errc:
		if err != nil {
			h.t.Errorf("hub exited with %v after SIGTERM:\n%s", err, h.logs)
		}
	case <-time.After(30 * time.Second):
		h.cmd.Process.Kill()
		h.t.Errorf("hub did not stop within 30 s of SIGTERM")
	}
}

// gqlResponse is a GraphQL response with its errors.
type gqlResponse struct {
	Data   json.RawMessage `json:"data"`
	Errors []struct {
		Message    string         `json:"message"`
		Path       []any          `json:"path"`
		Extensions map[string]any `json:"extensions"`
	} `json:"errors"`
}

func (r gqlResponse) codes() []string {
	var out []string
	for _, e := range r.Errors {
		c, _ := e.Extensions["code"].(string)
		out = append(out, c)
	}
	return out
}

// post sends a GraphQL request and decodes the response.
func (h *hub) post(query string, vars map[string]any) gqlResponse {
	h.t.Helper()
	r, _ := h.postAs("", query, vars)
	return r
}

// postAs sends a GraphQL request with a bearer token ("" for none) and
// returns the decoded response and the HTTP status.
func (h *hub) postAs(token, query string, vars map[string]any) (gqlResponse, int) {
	h.t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, h.url+"/graphql", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	return decode(h.t, resp), resp.StatusCode
}

// get sends a GraphQL query with GET.
func (h *hub) get(query string) gqlResponse {
	h.t.Helper()
	resp, err := http.Get(h.url + "/graphql?query=" + url.QueryEscape(query))
	if err != nil {
		h.t.Fatal(err)
	}
	defer resp.Body.Close()
	return decode(h.t, resp)
}

func decode(t *testing.T, resp *http.Response) gqlResponse {
	t.Helper()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var r gqlResponse
	if err := json.Unmarshal(raw, &r); err != nil {
		t.Fatalf("status %d, body not JSON: %s", resp.StatusCode, raw)
	}
	return r
}

// data sends a query that must succeed and unmarshals its data into out.
func (h *hub) data(query string, vars map[string]any, out any) {
	h.t.Helper()
	r := h.post(query, vars)
	if len(r.Errors) > 0 {
		h.t.Fatalf("query failed: %+v\nquery: %s", r.Errors, query)
	}
	if err := json.Unmarshal(r.Data, out); err != nil {
		h.t.Fatalf("decoding %s: %v", r.Data, err)
	}
}

// backend describes how to run the hub on one store, from an empty state.
type backend struct {
	name string
	// args returns the serve arguments for a fresh, empty store that stays
	// the same across restarts within one test.
	args func(t *testing.T) []string
}

func backends(t *testing.T) []backend {
	return []backend{
		{"embedded", func(t *testing.T) []string { return []string{"--store", "embedded", "--data", t.TempDir()} }},
		{"neo4j", func(t *testing.T) []string {
			cfg := neo4j.TestConfig(t)
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			s, err := neo4j.Open(ctx, cfg)
			if err != nil {
				t.Fatalf("opening Neo4j at %s: %v", cfg.URI, err)
			}
			if err := s.DeleteAll(ctx); err != nil {
				t.Fatalf("wiping Neo4j: %v", err)
			}
			s.Close(ctx)
			return []string{"--store", "neo4j", "--neo4j-uri", cfg.URI, "--neo4j-user", cfg.User, "--neo4j-password", cfg.Password}
		}},
	}
}

func eachBackend(t *testing.T, f func(t *testing.T, args []string)) {
	for _, b := range backends(t) {
		t.Run(b.name, func(t *testing.T) { f(t, b.args(t)) })
	}
}

func mustJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func decodeInto(t *testing.T, raw []byte, out any) {
	t.Helper()
	if err := json.Unmarshal(raw, out); err != nil {
		t.Fatalf("decoding %s: %v", raw, err)
	}
}
