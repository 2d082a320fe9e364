package embedded

import (
	"context"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"

	"govhub/graph"
)

// Write applies w atomically. The plan is decided by graph.PlanWrite against
// the memory, committed to the file in one bbolt transaction (with the audit
// trail), and applied to the memory only once the commit has succeeded. A
// write that changes nothing does not touch the file.
func (s *Store) Write(ctx context.Context, w graph.Write) (graph.WriteResult, error) {
	if err := ctx.Err(); err != nil {
		return graph.WriteResult{}, err
	}
	if err := graph.Prepare(&w); err != nil {
		return graph.WriteResult{}, err
	}

	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	// Only writers change the memory and they hold writeMu, so it can be read
	// here without s.mu while readers go on.
	if s.closed {
		return graph.WriteResult{}, errClosed
	}
	if err := ctx.Err(); err != nil {
		return graph.WriteResult{}, err
	}
	ids, keys := w.Refs()
	state := graph.State{Nodes: make(map[string]graph.Node, len(ids)), Edges: make(map[graph.EdgeKey]graph.Props, len(keys))}
	for _, id := range ids {
		if n, ok := s.nodes[id]; ok {
			state.Nodes[id] = *n // PlanWrite copies before it changes anything
		}
	}
	for _, k := range keys {
		if p, ok := s.out[k.From][k.Type][k.To]; ok {
			state.Edges[k] = p
		}
	}
	now := s.now().UTC()
	plan, err := graph.PlanWrite(w, state, now)
	if err != nil {
		return graph.WriteResult{}, err
	}
	if plan.Empty() {
		return ownResult(plan.Result), nil
	}

	seq := s.seq
	if err := s.db.Update(func(tx *bolt.Tx) error {
		nb, eb, cb, mb := tx.Bucket(bucketNodes), tx.Bucket(bucketEdges), tx.Bucket(bucketChanges), tx.Bucket(bucketMeta)
		for _, group := range [][]graph.Node{plan.Create, plan.Update} {
			for _, n := range group {
				v, err := json.Marshal(storedNode{Label: n.Label, Props: n.Props, CreatedAt: n.CreatedAt, UpdatedAt: n.UpdatedAt, Archived: n.Archived})
				if err != nil {
					return fmt.Errorf("encode node %q: %w", n.ID, err)
				}
				if err := nb.Put([]byte(n.ID), v); err != nil {
					return err
				}
			}
		}
		for _, e := range plan.Link {
			props := e.Props
			if props == nil {
				props = graph.Props{}
			}
			v, err := json.Marshal(props)
			if err != nil {
				return fmt.Errorf("encode edge %s: %w", e.Key().ID(), err)
			}
			if err := eb.Put(edgeKey(e.Key()), v); err != nil {
				return err
			}
		}
		for _, k := range plan.Unlink {
			if err := eb.Delete(edgeKey(k)); err != nil {
				return err
			}
		}
		for _, c := range plan.Changes {
			seq++
			v, err := json.Marshal(storedChange{Seq: seq, At: now, Actor: w.Actor, Op: c.Op, Fields: c.Fields})
			if err != nil {
				return fmt.Errorf("encode change: %w", err)
			}
			if err := cb.Put(changeKey(c.NodeID, seq), v); err != nil {
				return err
			}
		}
		return mb.Put(keySeq, seqBytes(seq))
	}); err != nil {
		return graph.WriteResult{}, fmt.Errorf("embedded store: commit write: %w", err)
	}

	s.apply(plan, seq)
	return ownResult(plan.Result), nil
}

// apply changes the memory as plan, already committed, says.
func (s *Store) apply(plan graph.Plan, seq int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq = seq
	s.gen++
	for _, n := range plan.Create {
		c := n
		c.Props = cloneProps(n.Props)
		s.nodes[c.ID] = &c
		li := s.index(c.Label)
		li.nodes[c.ID] = &c
		li.invalidate()
	}
	for _, n := range plan.Update {
		p := s.nodes[n.ID]
		if graph.SortValue(*p) != graph.SortValue(n) {
			s.index(n.Label).invalidate()
		}
		*p = n
		p.Props = cloneProps(n.Props)
	}
	for _, e := range plan.Link {
		p := cloneProps(e.Props)
		s.out.put(e.From, e.Type, e.To, p)
		s.in.put(e.To, e.Type, e.From, p)
	}
	for _, k := range plan.Unlink {
		s.out.remove(k.From, k.Type, k.To)
		s.in.remove(k.To, k.Type, k.From)
	}
}

// ownResult copies the nodes of a result, which may share maps with the memory.
func ownResult(r graph.WriteResult) graph.WriteResult {
	nodes := make([]graph.Node, len(r.Nodes))
	for i := range r.Nodes {
		nodes[i] = cloneNode(&r.Nodes[i])
	}
	r.Nodes = nodes
	return r
}
