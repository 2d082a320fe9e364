package interchange

import (
	"context"
	"fmt"
	"slices"

	"govhub/graph"
)

// DefaultBatch bounds the nodes plus edges of one Write of Load.
const DefaultBatch = 2000

// Load writes a dump into a store idempotently and returns the summed counts
// of its Writes. Loading the same dump again creates, updates and links
// nothing: every node write and link counts as Unchanged.
//
// Nodes are upserted by id (their properties merged into those a node
// already has: properties the dump lacks are kept), then edges are linked
// (their properties merged), each in Writes of at most batch nodes plus
// edges (0 means DefaultBatch). Each Write is atomic; a failed Load leaves
// the batches written before, and loading again completes it. The dump's
// archive flags win: a node archived in the store but not in the dump is
// restored with its batch of nodes, and the nodes archived in the dump are
// archived last, after their edges are linked. A new or changed edge whose
// end is already archived in the store is linked by restoring that end
// first and archiving it again at the end (both are recorded in its
// history). The dump should come from ReadJSON or Collect (canonical values);
// Load validates every Write again all the same.
//
// progress, when not nil, is called with the nodes plus edges written so
// far out of the dump's total, before the first Write and after each.
func Load(ctx context.Context, s graph.Store, d *graph.Dump, actor string, batch int, progress func(done, total int)) (graph.WriteResult, error) {
	var res graph.WriteResult
	if batch <= 0 {
		batch = DefaultBatch
	}
	if progress == nil {
		progress = func(int, int) {}
	}
	total := len(d.Nodes) + len(d.Edges)
	done := 0
	progress(done, total)
	write := func(w graph.Write, what string) error {
		if err := ctx.Err(); err != nil {
			return err
		}
		w.Actor = actor
		r, err := s.Write(ctx, w)
		if err != nil {
			return fmt.Errorf("interchange: load %s: %w", what, err)
		}
		res.Created += r.Created
		res.Updated += r.Updated
		res.Linked += r.Linked
		res.Unlinked += r.Unlinked
		res.Unchanged += r.Unchanged
		return nil
	}

	// The archive state of the dump's nodes in the store, before anything.
	ids := make([]string, len(d.Nodes))
	for i, n := range d.Nodes {
		ids[i] = n.ID
	}
	before, err := archivedIn(ctx, s, ids)
	if err != nil {
		return res, err
	}

	// 1. nodes, restoring those the dump has unarchived
	for i := 0; i < len(d.Nodes); i += batch {
		part := d.Nodes[i:min(i+batch, len(d.Nodes))]
		w := graph.Write{Nodes: make([]graph.NodeWrite, len(part))}
		for j, n := range part {
			w.Nodes[j] = graph.NodeWrite{Mode: graph.Upsert, ID: n.ID, Label: n.Label, Props: n.Props}
			if archived, ok := before[n.ID]; ok && archived && !n.Archived {
				w.Restore = append(w.Restore, n.ID)
			}
		}
		if err := write(w, fmt.Sprintf("nodes %d-%d of %d", i+1, i+len(part), len(d.Nodes))); err != nil {
			return res, err
		}
		done += len(part)
		progress(done, total)
	}

	// 2. ends of new or changed edges that are archived in the store now
	// must be restored for the link and archived again afterwards.
	toArchive := map[string]bool{}
	for _, n := range d.Nodes {
		if n.Archived && !before[n.ID] {
			toArchive[n.ID] = true
		}
	}
	var ends []string
	for _, e := range d.Edges {
		ends = append(ends, e.From, e.To)
	}
	slices.Sort(ends)
	ends = slices.Compact(ends)
	now, err := archivedIn(ctx, s, ends)
	if err != nil {
		return res, err
	}
	var archivedEnds []string
	for _, id := range ends {
		if now[id] {
			archivedEnds = append(archivedEnds, id)
		}
	}
	if len(archivedEnds) > 0 {
		existing := map[graph.EdgeKey]graph.Props{}
		for ch := range slices.Chunk(archivedEnds, idChunk) {
			es, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: ch, Dir: graph.Both, IncludeArchived: true})
			if err != nil {
				return res, fmt.Errorf("interchange: load: read edges: %w", err)
			}
			for _, e := range es {
				existing[e.Key()] = e.Props
			}
		}
		var restore []string
		for _, e := range d.Edges {
			if !now[e.From] && !now[e.To] {
				continue
			}
			old, ok := existing[graph.EdgeKey{Type: e.Type, From: e.From, To: e.To}]
			if ok && sameProps(old, graph.CanonicalEdgeProps(e.Type, e.Props)) {
				continue
			}
			for _, id := range []string{e.From, e.To} {
				if now[id] && !toArchive[id] {
					toArchive[id] = true
					restore = append(restore, id)
				}
			}
		}
		for ch := range slices.Chunk(restore, batch) {
			if err := write(graph.Write{Restore: ch}, "restores for linking"); err != nil {
				return res, err
			}
		}
	}

	// 3. edges
	for i := 0; i < len(d.Edges); i += batch {
		part := d.Edges[i:min(i+batch, len(d.Edges))]
		w := graph.Write{Link: make([]graph.Edge, len(part))}
		for j, e := range part {
			w.Link[j] = graph.Edge(e)
		}
		if err := write(w, fmt.Sprintf("edges %d-%d of %d", i+1, i+len(part), len(d.Edges))); err != nil {
			return res, err
		}
		done += len(part)
		progress(done, total)
	}

	// 4. archive, in the dump's order
	var archive []string
	for _, n := range d.Nodes {
		if toArchive[n.ID] {
			archive = append(archive, n.ID)
			delete(toArchive, n.ID)
		}
	}
	archive = append(archive, sortedKeys(toArchive)...) // restored ends outside the dump
	for ch := range slices.Chunk(archive, batch) {
		if err := write(graph.Write{Archive: ch}, "archives"); err != nil {
			return res, err
		}
	}
	progress(done, total)
	return res, nil
}

// archivedIn reads which of ids exist in the store and whether they are archived.
func archivedIn(ctx context.Context, s graph.Store, ids []string) (map[string]bool, error) {
	out := make(map[string]bool, len(ids))
	for ch := range slices.Chunk(ids, idChunk) {
		ns, err := s.Nodes(ctx, ch)
		if err != nil {
			return nil, fmt.Errorf("interchange: load: read nodes: %w", err)
		}
		for _, n := range ns {
			out[n.ID] = n.Archived
		}
	}
	return out, nil
}

// sameProps reports whether linking with props would leave old unchanged:
// every property in props is already in old with an equal value.
func sameProps(old, props graph.Props) bool {
	for k, v := range props {
		ov, ok := old[k]
		if !ok || !graph.EqualValues(ov, v) {
			return false
		}
	}
	return true
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
