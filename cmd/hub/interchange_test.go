package main

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"govhub/graph"
	"govhub/graph/embedded"
	"govhub/graph/interchange"
	"govhub/seed"
)

// seededDir returns the data directory of an embedded store holding the seed.
func seededDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Load(context.Background(), s, nil); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	return dir
}

type cmdResult struct {
	stdout, stderr string
	err            error
}

func runCmd(t *testing.T, cmd func(context.Context, []string, io.Writer, io.Writer) error, args ...string) cmdResult {
	t.Helper()
	var out, errb bytes.Buffer
	err := cmd(context.Background(), args, &out, &errb)
	return cmdResult{out.String(), errb.String(), err}
}

func TestExportImportCommands(t *testing.T) {
	src := seededDir(t)
	work := t.TempDir()
	jsonFile := filepath.Join(work, "impact.json")

	r := runCmd(t, exportCmd, "--store", "embedded", "--data", src, "--network", "net-impact-campania", "--out", jsonFile)
	if r.err != nil {
		t.Fatalf("export: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stderr, "exported networks net-impact-campania:") || !strings.Contains(r.stderr, jsonFile) {
		t.Errorf("export summary: %q", r.stderr)
	}
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	d, err := interchange.ReadJSON(bytes.NewReader(b))
	if err != nil {
		t.Fatalf("the exported file does not read back: %v", err)
	}

	// Import into an empty store, then again: nothing changes the second time.
	dst := t.TempDir()
	r = runCmd(t, importCmd, "--store", "embedded", "--data", dst, jsonFile)
	if r.err != nil {
		t.Fatalf("import: %v\n%s", r.err, r.stderr)
	}
	wantFirst := "imported " + jsonFile + ": " + itoa(len(d.Nodes)) + " nodes, " + itoa(len(d.Edges)) + " edges: " + itoa(len(d.Nodes)) + " created, 0 updated, " + itoa(len(d.Edges)) + " linked, 0 unchanged"
	if !strings.Contains(r.stdout, wantFirst) {
		t.Errorf("import summary %q, want %q", r.stdout, wantFirst)
	}
	if !strings.Contains(r.stderr, "(100%)\n") || !strings.Contains(r.stderr, "(0%)\n") {
		t.Errorf("progress lines on a non-terminal: %q", r.stderr)
	}
	r = runCmd(t, importCmd, "--store", "embedded", "--data", dst, "--batch", "10", jsonFile)
	if r.err != nil || !strings.Contains(r.stdout, "0 created, 0 updated, 0 linked, "+itoa(len(d.Nodes)+len(d.Edges))+" unchanged") {
		t.Errorf("second import: %v %q", r.err, r.stdout)
	}
	// The copy exports the same bytes.
	copyFile := filepath.Join(work, "copy.json")
	if r = runCmd(t, exportCmd, "--store", "embedded", "--data", dst, "--network", "net-impact-campania", "--out", copyFile); r.err != nil {
		t.Fatal(r.err)
	}
	if c, _ := os.ReadFile(copyFile); !bytes.Equal(c, b) {
		t.Error("export of the imported copy differs from the original export")
	}

	// GraphML and GEXF to stdout.
	for _, f := range []string{"graphml", "gexf"} {
		r = runCmd(t, exportCmd, "--store", "embedded", "--data", src, "--format", f, "--network", "net-impact-campania")
		if r.err != nil {
			t.Fatalf("export %s: %v", f, r.err)
		}
		if err := xml.Unmarshal([]byte(r.stdout), new(struct{})); err != nil || !strings.HasPrefix(r.stdout, "<?xml") {
			t.Errorf("export %s: not XML: %v", f, err)
		}
	}

	// Kumu: two files, read back by import.
	if r = runCmd(t, exportCmd, "--store", "embedded", "--data", src, "--format", "kumu"); r.err == nil || !strings.Contains(r.err.Error(), "--out") {
		t.Errorf("kumu export without --out: %v", r.err)
	}
	prefix := filepath.Join(work, "impact")
	if r = runCmd(t, exportCmd, "--store", "embedded", "--data", src, "--format", "kumu", "--network", "net-impact-campania", "--out", prefix+".csv"); r.err != nil {
		t.Fatalf("kumu export: %v", r.err)
	}
	elements, connections := prefix+"-elements.csv", prefix+"-connections.csv"
	kumuDst := t.TempDir()
	r = runCmd(t, importCmd, "--store", "embedded", "--data", kumuDst, elements, connections)
	if r.err != nil {
		t.Fatalf("kumu import: %v\n%s", r.err, r.stderr)
	}
	if !strings.Contains(r.stdout, itoa(len(d.Nodes))+" elements, "+itoa(len(d.Edges))+" connections") || !strings.Contains(r.stdout, "0 rows rejected") {
		t.Errorf("kumu import summary: %q", r.stdout)
	}
}

func TestImportCommandRejectedRows(t *testing.T) {
	dir := seededDir(t)
	work := t.TempDir()
	elements := filepath.Join(work, "elements.csv")
	connections := filepath.Join(work, "connections.csv")
	write := func(name, s string) {
		if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(elements, "Label,Type,kind\nCoop Uno,Organization,THIRD_SECTOR\nCoop Due,Organization,CHARITY\n")
	write(connections, "From,To,Type,Label\nCoop Uno,net-impact-campania,PARTNER_IN,Operational\nCoop Due,net-impact-campania,PARTNER_IN,Lead\n")
	r := runCmd(t, importCmd, "--store", "embedded", "--data", dir, "--actor", "alice", elements, connections)
	var ee *exitError
	if !errors.As(r.err, &ee) || ee.ExitCode() != 2 {
		t.Fatalf("import with rejected rows: %v, want exit status 2", r.err)
	}
	for _, want := range []string{
		elements + `:3: kind: must be one of`,
		connections + `:3: From "Coop Due" is the element on line 3, which was rejected`,
	} {
		if !strings.Contains(r.stderr, want) {
			t.Errorf("stderr %q lacks %q", r.stderr, want)
		}
	}
	if !strings.Contains(r.stdout, "1 elements, 1 connections: 1 created") || !strings.Contains(r.stdout, "2 rows rejected") {
		t.Errorf("summary %q", r.stdout)
	}
	s, err := embedded.Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	h, err := s.History(context.Background(), "org-coop-uno", 0)
	if err != nil || len(h) == 0 || h[len(h)-1].Actor != "alice" || h[len(h)-1].Op != graph.OpCreate {
		t.Errorf("history of the imported organisation: %+v %v", h, err)
	}
}

func TestImportCommandErrors(t *testing.T) {
	dir := t.TempDir()
	work := t.TempDir()
	bad := filepath.Join(work, "bad.json")
	if err := os.WriteFile(bad, []byte("{\"format\": \"govhub-graph\", \"version\": 1,\n\"nodes\": [{\"id\": \"org-a\", \"label\": \"Organization\", \"props\": {\"name\": \"A\"}}], \"edges\": []}"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := runCmd(t, importCmd, "--store", "embedded", "--data", dir, bad)
	if r.err == nil || !strings.Contains(r.err.Error(), bad+": line 2, column 11: nodes[0] (id \"org-a\"): kind: is required") {
		t.Errorf("bad JSON: %v", r.err)
	}
	if r = runCmd(t, importCmd, "--store", "embedded", "--data", dir); r.err == nil || !strings.Contains(r.stderr, "Usage: hub import [flags] FILE") {
		t.Errorf("no file: %v %q", r.err, r.stderr)
	}
	if r = runCmd(t, importCmd, "--format", "xml", "x"); r.err == nil {
		t.Error("unknown format accepted")
	}
	if r = runCmd(t, importCmd, "--store", "embedded", "--data", dir, filepath.Join(work, "missing.json")); !errors.Is(r.err, os.ErrNotExist) {
		t.Errorf("missing file: %v", r.err)
	}
	for _, cmd := range []func(context.Context, []string, io.Writer, io.Writer) error{importCmd, exportCmd} {
		r = runCmd(t, cmd, "--help")
		if !errors.Is(r.err, flag.ErrHelp) || !strings.Contains(r.stderr, "Examples:") {
			t.Errorf("--help: %v %q", r.err, r.stderr)
		}
	}
	if r = runCmd(t, exportCmd, "--store", "embedded", "--data", dir, "--network", "net-nope"); graph.CodeOf(r.err) != graph.CodeNotFound {
		t.Errorf("export of an unknown network: %v", r.err)
	}
}

func TestProgress(t *testing.T) {
	var b bytes.Buffer
	p := newProgress(&b, "importing x")
	for i := 0; i <= 1000; i += 7 {
		p.update(i, 1000)
	}
	p.update(1000, 1000)
	p.update(1000, 1000)
	p.done()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 11 || lines[0] != "importing x: 0/1000 (0%)" || lines[10] != "importing x: 1000/1000 (100%)" {
		t.Errorf("progress lines %q", lines)
	}
}

func itoa(i int) string { return strconv.Itoa(i) }
