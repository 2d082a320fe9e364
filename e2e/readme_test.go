package e2e

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// TestREADMEExamples runs every GraphQL example of the README against a
// freshly seeded hub: queries first, then mutations, each must answer
// without errors, so the documentation stays true.
func TestREADMEExamples(t *testing.T) {
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var queries, mutations []string
	for _, block := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(readme), -1) {
		var cur strings.Builder
		flush := func() {
			if q := strings.TrimSpace(cur.String()); q != "" {
				if strings.HasPrefix(q, "mutation") {
					mutations = append(mutations, q)
				} else {
					queries = append(queries, q)
				}
			}
			cur.Reset()
		}
		for _, line := range strings.Split(block[1], "\n") {
			if strings.HasPrefix(line, "{") || strings.HasPrefix(line, "mutation") {
				flush()
			}
			cur.WriteString(line + "\n")
		}
		flush()
	}
	if len(queries) < 10 || len(mutations) < 4 {
		t.Fatalf("found %d queries and %d mutations in the README", len(queries), len(mutations))
	}
	h := start(t, "--data", t.TempDir())
	t.Logf("%d queries and %d mutations", len(queries), len(mutations))
	for _, q := range append(queries, mutations...) {
		q = strings.ReplaceAll(q, `\\n`, `\n`)
		if r := h.post(q, nil); len(r.Errors) > 0 {
			t.Errorf("README example fails: %s\n%+v", q, r.Errors)
		}
	}
}
