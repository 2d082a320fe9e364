package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"govhub/graph"
	"govhub/graph/interchange"
)

const exportSummary = `Exports the whole graph, or some networks and everything attached to them
(partners, services, memoranda, governance bodies, actions with indicators and
measurements, people with roles, the territories they are in and those
territories' ancestors), from the store.

Formats:
  json      the hub's own lossless format (govhub-graph); hub import reads it back
  graphml   GraphML 1.0, for Gephi, Cytoscape desktop, yEd
  gexf      GEXF 1.3, for Gephi
  kumu      two Kumu spreadsheets, FILE-elements.csv and FILE-connections.csv
            (--out is required); hub import --format kumu reads them back

The whole graph includes archived nodes and people's contact data; use
--redact to leave the contact data out.

Examples:
  hub export --out graph.json
  hub export --format graphml --network net-impact-campania --out impact.graphml
  hub export --format gexf --network net-impact-campania --network net-com-in > two.gexf
  hub export --format kumu --network net-co-efficienti --redact --out co-efficienti
      (writes co-efficienti-elements.csv and co-efficienti-connections.csv)`

const importSummary = `Imports into the store a JSON export (hub export --format json) or Kumu
spreadsheets: an elements CSV and, optionally, a connections CSV.

JSON imports are idempotent upserts by id, written in batches (nodes before
edges) with a progress display on stderr; importing the same file again
changes nothing. Kumu imports write every good row in one atomic change and
print each rejected row as FILE:LINE: reason; the exit status is 0 when every
row was imported, 2 when some were rejected, 1 when the import failed.

Kumu elements: columns Label and Type (a label such as Network, Organization,
Service, or an organisation kind such as "Third sector"), optional ID (else
derived from Type and Label), Description, Tags, and any property columns
(kind, website, category, languages, ...; lists separated with |).
Kumu connections: From and To (element IDs or Labels, or node ids in the
store), Type (PARTNER_IN, "partner in", ...), Label (role, title, note or
date, as the type has), Strength, and property columns (since, until, ...).
See graph/interchange/README.md for the whole mapping.

Examples:
  hub import graph.json
  hub import --store neo4j --batch 5000 graph.json
  hub import --format kumu elements.csv connections.csv
  hub export --network net-com-in | hub import --data /tmp/copy -`

// exitError is an error that asks main for an exit status other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// ExitCode is the exit status the command asks for.
func (e *exitError) ExitCode() int { return e.code }

// exportCmd is "hub export".
func exportCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("export", exportSummary, stderr)
	var sf storeFlags
	sf.register(fs)
	var networks listFlag
	format := fs.String("format", "json", "`format`: json, graphml, gexf or kumu")
	fs.Var(&networks, "network", "export this network `id` and what is attached to it; repeat or separate with commas (default: the whole graph)")
	out := fs.String("out", "-", "output `file`, - for stdout; for kumu the prefix of the two CSV files")
	redact := fs.Bool("redact", false, "leave out personal data (people's email and phone)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: hub export takes flags only (--out FILE)", fs.Args())
	}
	var files []outFile
	switch *format {
	case "json", "graphml", "gexf":
		files = append(files, outFile{*out, interchange.Format(*format)})
	case "kumu":
		if *out == "-" || *out == "" {
			return errors.New("--format kumu writes two files: give their prefix with --out, e.g. --out map for map-elements.csv and map-connections.csv")
		}
		prefix := strings.TrimSuffix(*out, ".csv")
		files = append(files, outFile{prefix + "-elements.csv", interchange.KumuElements},
			outFile{prefix + "-connections.csv", interchange.KumuConnections})
	default:
		return fmt.Errorf("--format %q: use json, graphml, gexf or kumu", *format)
	}

	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	start := time.Now()
	d, err := interchange.Collect(ctx, store, interchange.Scope{Networks: networks}, nil)
	if err != nil {
		return err
	}
	if *redact {
		interchange.RedactPersonal(d)
	}
	for _, f := range files {
		if err := writeOutput(f.path, stdout, func(w io.Writer) error { return interchange.Export(w, d, f.format) }); err != nil {
			return err
		}
	}
	what := "the whole graph"
	if len(networks) > 0 {
		what = "networks " + strings.Join(networks, ", ")
	}
	var dest []string
	for _, f := range files {
		if f.path == "-" {
			dest = append(dest, "stdout")
		} else {
			dest = append(dest, f.path)
		}
	}
	fmt.Fprintf(stderr, "exported %s: %d nodes, %d edges as %s to %s in %s\n", what, len(d.Nodes), len(d.Edges), *format,
		strings.Join(dest, " and "), time.Since(start).Round(time.Millisecond))
	return nil
}

// outFile is a file an export writes, in a format.
type outFile struct {
	path   string
	format interchange.Format
}

// writeOutput writes to stdout for "-", or else to a temporary file beside
// path renamed to path once complete, so that a failed export leaves no
// half-written file.
func writeOutput(path string, stdout io.Writer, write func(io.Writer) error) error {
	if path == "-" {
		return write(stdout)
	}
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if err := write(f); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// importCmd is "hub import".
func importCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("import", importSummary, stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage: hub import [flags] FILE [CONNECTIONS.csv]\n\n%s\n\nFlags:\n", importSummary)
		fs.PrintDefaults()
	}
	var sf storeFlags
	sf.register(fs)
	format := fs.String("format", "", "`format`: json or kumu (default: kumu for .csv files, else json)")
	batch := fs.Int("batch", interchange.DefaultBatch, "write a JSON import `n` nodes plus edges at a time")
	actor := fs.String("actor", env("HUB_ACTOR", "hub-import"), "`name` recorded as the author of the changes (HUB_ACTOR)")
	files, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if len(files) == 0 {
		fs.Usage()
		return errors.New("missing FILE to import")
	}
	f := *format
	if f == "" {
		f = "json"
		if strings.EqualFold(filepath.Ext(files[0]), ".csv") {
			f = "kumu"
		}
	}
	switch {
	case f != "json" && f != "kumu":
		return fmt.Errorf("--format %q: use json or kumu", f)
	case f == "json" && len(files) != 1:
		return fmt.Errorf("a JSON import reads one file, got %d", len(files))
	case f == "kumu" && len(files) > 2:
		return fmt.Errorf("a Kumu import reads an elements CSV and a connections CSV, got %d files", len(files))
	case *batch <= 0:
		return fmt.Errorf("--batch must be positive, got %d", *batch)
	}
	// Read and check the input before touching the store.
	inputs := make([][]byte, len(files))
	for i, name := range files {
		var err error
		if name == "-" {
			inputs[i], err = io.ReadAll(os.Stdin)
		} else {
			inputs[i], err = os.ReadFile(name)
		}
		if err != nil {
			return err
		}
	}
	var dump *graph.Dump
	if f == "json" {
		d, err := interchange.ReadJSON(bytes.NewReader(inputs[0]))
		if err != nil {
			return fmt.Errorf("%s: %w", files[0], err)
		}
		dump = d
	}

	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	start := time.Now()
	if f == "json" {
		p := newProgress(stderr, "importing "+files[0])
		res, err := interchange.Load(ctx, store, dump, *actor, *batch, p.update)
		p.done()
		if err != nil {
			return err
		}
		fmt.Fprintf(stdout, "imported %s: %d nodes, %d edges: %d created, %d updated, %d linked, %d unchanged in %s\n",
			files[0], len(dump.Nodes), len(dump.Edges), res.Created, res.Updated, res.Linked, res.Unchanged, time.Since(start).Round(time.Millisecond))
		return nil
	}

	var conns io.Reader
	if len(files) == 2 {
		conns = bytes.NewReader(inputs[1])
	}
	rep, err := interchange.ImportKumu(ctx, store, bytes.NewReader(inputs[0]), conns, *actor)
	name := func(file string) string {
		if file == interchange.ConnectionsFile && len(files) == 2 {
			return files[1]
		}
		return files[0]
	}
	for _, w := range rep.Warnings {
		fmt.Fprintf(stderr, "%s:%d: warning: %s\n", name(w.File), w.Row, w.Message)
	}
	for _, r := range rep.Rejected {
		fmt.Fprintf(stderr, "%s:%d: %s\n", name(r.File), r.Row, r.Message)
	}
	if err != nil {
		return err
	}
	r := rep.Result
	fmt.Fprintf(stdout, "imported %s: %d elements, %d connections: %d created, %d updated, %d linked, %d unchanged; %d rows rejected\n",
		strings.Join(files, " and "), rep.Nodes, rep.Edges, r.Created, r.Updated, r.Linked, r.Unchanged, len(rep.Rejected))
	if n := len(rep.Rejected); n > 0 {
		return &exitError{code: 2, err: fmt.Errorf("%d rows rejected (listed above); the others were imported", n)}
	}
	return nil
}

// progress shows how far a long import is: one line rewritten in place on a
// terminal, a line every 10% otherwise.
type progress struct {
	w        io.Writer
	what     string
	terminal bool
	last     int // last percentage shown
	shown    bool
	lastAt   time.Time
	lastDone int
}

func newProgress(w io.Writer, what string) *progress {
	p := &progress{w: w, what: what, last: -1}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.terminal = true
		}
	}
	return p
}

func (p *progress) update(done, total int) {
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	if p.terminal {
		now := time.Now()
		if p.shown && (done == p.lastDone || (done < total && now.Sub(p.lastAt) < 100*time.Millisecond)) {
			return
		}
		p.lastAt, p.lastDone = now, done
		fmt.Fprintf(p.w, "\r%s: %d/%d (%d%%)\x1b[K", p.what, done, total, pct)
		p.shown = true
		return
	}
	if pct/10 == p.last/10 && p.last >= 0 && done < total {
		return
	}
	if pct == p.last {
		return
	}
	p.last = pct
	fmt.Fprintf(p.w, "%s: %d/%d (%d%%)\n", p.what, done, total, pct)
}

func (p *progress) done() {
	if p.terminal && p.shown {
		fmt.Fprintln(p.w)
	}
}
