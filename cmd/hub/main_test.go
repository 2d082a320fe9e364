package main

import (
	"flag"
	"io"
	"slices"
	"testing"
)

func TestParseInterspersed(t *testing.T) {
	for _, c := range []struct {
		args      []string
		pos       []string
		store, db string
	}{
		{[]string{"a.json"}, []string{"a.json"}, "embedded", ""},
		{[]string{"a.json", "--store", "neo4j"}, []string{"a.json"}, "neo4j", ""},
		{[]string{"--store", "neo4j", "e.csv", "c.csv", "--db", "x"}, []string{"e.csv", "c.csv"}, "neo4j", "x"},
		{[]string{"--db", "x", "--", "--store"}, []string{"--store"}, "embedded", "x"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		fs.SetOutput(io.Discard)
		store := fs.String("store", "embedded", "")
		db := fs.String("db", "", "")
		pos, err := parseInterspersed(fs, c.args)
		if err != nil || !slices.Equal(pos, c.pos) || *store != c.store || *db != c.db {
			t.Errorf("%q: %q store=%s db=%s err=%v", c.args, pos, *store, *db, err)
		}
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"4096": 4096, "512KiB": 512 << 10, "4MiB": 4 << 20, "1GiB": 1 << 30} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "-1", "4MB", "lots"} {
		if _, err := parseSize(bad); err == nil {
			t.Errorf("parseSize(%q) accepted", bad)
		}
	}
}
