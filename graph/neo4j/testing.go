package neo4j

import (
	"context"
	"os"
	"testing"
	"time"
)

// Environment variables that tests read.
const (
	EnvURI      = "NEO4J_URI"
	EnvUser     = "NEO4J_USER"
	EnvPassword = "NEO4J_PASSWORD"
	EnvDatabase = "NEO4J_DATABASE"
	// EnvRequire set to 1 (CI sets it) makes a missing NEO4J_URI a test
	// failure instead of a skip.
	EnvRequire = "HUB_REQUIRE_NEO4J"
)

// TestConfig returns the connection of the tests that need a real Neo4j,
// from NEO4J_URI, NEO4J_USER, NEO4J_PASSWORD and NEO4J_DATABASE. Without
// NEO4J_URI the test is skipped, with a message saying how to run it, unless
// HUB_REQUIRE_NEO4J=1, which makes it fail: CI must never pass by skipping.
// A URI that is set but unreachable is a failure too, when the test opens
// the store (see OpenTest).
func TestConfig(t testing.TB) Config {
	t.Helper()
	uri := os.Getenv(EnvURI)
	if uri == "" {
		const how = "start a server with `export $(tools/neo4j/start.sh)` (stop it with tools/neo4j/stop.sh)"
		if os.Getenv(EnvRequire) == "1" {
			t.Fatalf("%s is not set but %s=1 requires the Neo4j tests: %s", EnvURI, EnvRequire, how)
		}
		t.Skipf("Neo4j tests skipped: %s is not set; to run them, %s", EnvURI, how)
	}
	return Config{
		URI:      uri,
		User:     os.Getenv(EnvUser),
		Password: os.Getenv(EnvPassword),
		Database: os.Getenv(EnvDatabase),
	}
}

// OpenTest opens the store of TestConfig, failing the test when it cannot
// (an unreachable server fails, it never skips), and closes it when the test
// ends. The database is not wiped: call DeleteAll for an empty one.
func OpenTest(t testing.TB) *Store {
	t.Helper()
	cfg := TestConfig(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, cfg)
	if err != nil {
		t.Fatalf("opening Neo4j from %s=%s: %v", EnvURI, cfg.URI, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = s.Close(ctx)
	})
	return s
}
