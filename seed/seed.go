// Package seed holds the seed data of the hub and its loader: the Italian
// territories (ISTAT list of regions, provinces and municipalities) and the
// six FAMI networks of the source documents, with their organisations,
// services, memoranda, governance bodies, people and actions.
//
// Both are embedded graph.Dump files. Load writes them with idempotent
// upserts, so seeding twice changes nothing the second time.
package seed

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"

	"govhub/graph"
)

//go:embed networks.json
var networksJSON []byte

//go:embed italy-territories.json
var territoriesJSON []byte

// Actor is the actor recorded in the audit trail for seed writes.
const Actor = "seed"

// Step names, in the order Load runs them.
const (
	StepTerritories = "territories"
	StepNetworks    = "networks"
)

// BatchSize bounds the nodes plus edges of one store Write during Load.
// A step larger than this is written in several Writes: nodes first, then
// edges, so every batch only links nodes that exist.
const BatchSize = 2000

// Networks returns the dump of the six networks. Its edges refer to
// territory ids of Territories (graph.TerritoryID of an ISTAT code).
func Networks() (*graph.Dump, error) {
	dec := json.NewDecoder(bytes.NewReader(networksJSON))
	dec.UseNumber()
	var d graph.Dump
	if err := dec.Decode(&d); err != nil {
		return nil, fmt.Errorf("seed: decode networks: %w", err)
	}
	if d.Format != graph.DumpFormat || d.Version != graph.DumpVersion {
		return nil, fmt.Errorf("seed: networks.json is %q version %d, want %q version %d", d.Format, d.Version, graph.DumpFormat, graph.DumpVersion)
	}
	return &d, nil
}

// Territories returns the dump of the Italian territories: the country
// (code "IT"), 20 regions, 107 provinces and 7,904 municipalities, each
// PART_OF its parent, with node ids graph.TerritoryID(code).
func Territories() (*graph.Dump, error) {
	return territoryDump(territoriesJSON)
}

// StepResult sums the graph.WriteResult counts of the Writes of one step.
type StepResult struct {
	Step      string
	Nodes     int // nodes in the step's dump
	Edges     int // edges in the step's dump
	Created   int
	Updated   int
	Linked    int
	Unlinked  int
	Unchanged int
}

// Changed reports whether the step created, updated or linked anything.
func (r StepResult) Changed() bool { return r.Created+r.Updated+r.Linked+r.Unlinked > 0 }

func (r *StepResult) add(w graph.WriteResult) {
	r.Created += w.Created
	r.Updated += w.Updated
	r.Linked += w.Linked
	r.Unlinked += w.Unlinked
	r.Unchanged += w.Unchanged
}

// Result tells what Load did, per step in the order run.
type Result struct {
	Steps []StepResult
}

// Total sums the steps; its Step is "total".
func (r Result) Total() StepResult {
	t := StepResult{Step: "total"}
	for _, s := range r.Steps {
		t.Nodes += s.Nodes
		t.Edges += s.Edges
		t.Created += s.Created
		t.Updated += s.Updated
		t.Linked += s.Linked
		t.Unlinked += s.Unlinked
		t.Unchanged += s.Unchanged
	}
	return t
}

// Changed reports whether Load changed the store at all.
func (r Result) Changed() bool { return r.Total().Changed() }

// Load writes the territories and then the networks into s, as upserts by
// id: a second Load creates, updates and links nothing. progress, when not
// nil, is called with the step name and the nodes plus edges written so far
// out of the step's total, before the first Write of a step and after each.
// A step is written in Writes of at most BatchSize nodes and edges, each
// atomic; a failed Load leaves the earlier batches, and loading again
// completes it.
func Load(ctx context.Context, s graph.Store, progress func(step string, done, total int)) (Result, error) {
	var res Result
	steps := []struct {
		name string
		dump func() (*graph.Dump, error)
	}{
		{StepTerritories, Territories},
		{StepNetworks, Networks},
	}
	for _, st := range steps {
		d, err := st.dump()
		if err != nil {
			return res, err
		}
		r, err := writeDump(ctx, s, st.name, d, progress)
		res.Steps = append(res.Steps, r)
		if err != nil {
			return res, err
		}
	}
	return res, nil
}

func writeDump(ctx context.Context, s graph.Store, step string, d *graph.Dump, progress func(string, int, int)) (StepResult, error) {
	r := StepResult{Step: step, Nodes: len(d.Nodes), Edges: len(d.Edges)}
	total := len(d.Nodes) + len(d.Edges)
	if progress != nil {
		progress(step, 0, total)
	}
	done := 0
	for _, b := range batches(d, BatchSize) {
		if err := ctx.Err(); err != nil {
			return r, err
		}
		w, err := s.Write(ctx, b.Write(Actor))
		if err != nil {
			return r, fmt.Errorf("seed: write %s (items %d-%d of %d): %w", step, done+1, done+len(b.Nodes)+len(b.Edges), total, err)
		}
		r.add(w)
		done += len(b.Nodes) + len(b.Edges)
		if progress != nil {
			progress(step, done, total)
		}
	}
	return r, nil
}

// batches splits a dump into dumps of at most size nodes plus edges: all the
// nodes first, then the edges. A dump that fits is returned whole.
func batches(d *graph.Dump, size int) []*graph.Dump {
	if len(d.Nodes)+len(d.Edges) <= size {
		return []*graph.Dump{d}
	}
	var out []*graph.Dump
	for i := 0; i < len(d.Nodes); i += size {
		out = append(out, &graph.Dump{Format: d.Format, Version: d.Version, Source: d.Source, Nodes: d.Nodes[i:min(i+size, len(d.Nodes))]})
	}
	for i := 0; i < len(d.Edges); i += size {
		out = append(out, &graph.Dump{Format: d.Format, Version: d.Version, Source: d.Source, Edges: d.Edges[i:min(i+size, len(d.Edges))]})
	}
	return out
}

// IsEmpty reports whether s holds no Network node, archived or not: the
// condition for seeding on first start. The networks are written last, in
// one atomic Write, so a store whose first seeding was interrupted (during
// the territories) still counts as empty, and seeding again completes it.
func IsEmpty(ctx context.Context, s graph.Store) (bool, error) {
	p, err := s.List(ctx, graph.ListQuery{Label: graph.Network, IncludeArchived: true, First: 1})
	if err != nil {
		return false, fmt.Errorf("seed: list networks: %w", err)
	}
	return p.TotalCount == 0, nil
}

// Validate checks dumps without a store, the way a store would on Write:
// every node passes graph.Prepare, ids are unique across the dumps, and
// every edge joins existing nodes of labels its type allows (edges may
// point into another of the dumps, as networks point at territories).
func Validate(dumps ...*graph.Dump) error {
	labels := map[string]graph.Label{}
	for _, d := range dumps {
		if d.Format != graph.DumpFormat || d.Version != graph.DumpVersion {
			return fmt.Errorf("seed: dump is %q version %d, want %q version %d", d.Format, d.Version, graph.DumpFormat, graph.DumpVersion)
		}
		w := d.Write(Actor)
		if err := graph.Prepare(&w); err != nil {
			return fmt.Errorf("seed: %w", err)
		}
		for _, n := range d.Nodes {
			if _, dup := labels[n.ID]; dup {
				return fmt.Errorf("seed: node %q is in more than one dump", n.ID)
			}
			labels[n.ID] = n.Label
		}
	}
	for _, d := range dumps {
		seen := map[graph.EdgeKey]bool{}
		for _, e := range d.Edges {
			from, okf := labels[e.From]
			to, okt := labels[e.To]
			switch {
			case !okf:
				return fmt.Errorf("seed: %s edge from missing node %q", e.Type, e.From)
			case !okt:
				return fmt.Errorf("seed: %s edge to missing node %q", e.Type, e.To)
			case !graph.SpecOf(e.Type).Allows(from, to):
				return fmt.Errorf("seed: %s cannot join %s %q to %s %q", e.Type, from, e.From, to, e.To)
			}
			k := graph.EdgeKey{Type: e.Type, From: e.From, To: e.To}
			if seen[k] {
				return fmt.Errorf("seed: edge %s is duplicated", k.ID())
			}
			seen[k] = true
		}
	}
	return nil
}
