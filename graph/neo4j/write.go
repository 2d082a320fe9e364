package neo4j

import (
	"context"
	"errors"
	"fmt"
	"time"

	nd "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"govhub/graph"
)

// Write applies w in one write transaction: it locks the change sequence
// (which serialises writers), reads the state of the nodes and edges w refers
// to, plans the change with graph.PlanWrite and applies the plan in UNWIND
// batches, audit records included. Any error rolls the whole transaction back.
// A write that changes nothing is rolled back too, so an idempotent re-seed
// leaves the database untouched.
func (s *Store) Write(ctx context.Context, w graph.Write) (graph.WriteResult, error) {
	if err := s.open(); err != nil {
		return graph.WriteResult{}, err
	}
	if err := graph.Prepare(&w); err != nil {
		return graph.WriteResult{}, err
	}
	ids, keys := w.Refs()
	var result graph.WriteResult
	_, err := writeTx(ctx, s, "write", func(ctx context.Context, tx nd.ManagedTransaction) (struct{}, error) {
		// Lock first: every writer increments the same node, so writers
		// queue here and each reads a state nobody else is changing.
		rec, err := single(ctx, tx, `
			MATCH (s:Sequence {name: $name})
			SET s.value = s.value + 1
			RETURN s.value AS value`, map[string]any{"name": sequenceName})
		if err != nil {
			return struct{}{}, fmt.Errorf("locking the change sequence (is the database migrated?): %w", err)
		}
		next := asInt(rec.Values[0])

		state, err := readState(ctx, tx, ids, keys)
		if err != nil {
			return struct{}{}, err
		}
		now := time.Now().UTC()
		plan, err := graph.PlanWrite(w, state, now)
		if err != nil {
			return struct{}{}, err
		}
		result = plan.Result
		if plan.Empty() {
			return struct{}{}, errRollback
		}
		if err := applyPlan(ctx, tx, plan); err != nil {
			return struct{}{}, err
		}
		if err := recordChanges(ctx, tx, plan.Changes, next, now, w.Actor); err != nil {
			return struct{}{}, err
		}
		if n := int64(len(plan.Changes)); n > 1 {
			if _, err := collect(ctx, tx, `MATCH (s:Sequence {name: $name}) SET s.value = $value`,
				map[string]any{"name": sequenceName, "value": next + n - 1}); err != nil {
				return struct{}{}, fmt.Errorf("advancing the change sequence: %w", err)
			}
		}
		return struct{}{}, nil
	})
	if errors.Is(err, errRollback) {
		return result, nil
	}
	if err != nil {
		return graph.WriteResult{}, err
	}
	return result, nil
}

// readState reads the nodes with the given ids and the edges with the given
// keys, as they are in the transaction.
func readState(ctx context.Context, tx nd.ManagedTransaction, ids []string, keys []graph.EdgeKey) (graph.State, error) {
	st := graph.State{Nodes: make(map[string]graph.Node, len(ids)), Edges: map[graph.EdgeKey]graph.Props{}}
	for _, c := range chunks(len(ids), batch) {
		recs, err := collect(ctx, tx, `UNWIND $ids AS id MATCH (n:Node {id: id}) RETURN n`,
			map[string]any{"ids": ids[c[0]:c[1]]})
		if err != nil {
			return st, fmt.Errorf("reading nodes: %w", err)
		}
		for _, r := range recs {
			n, err := toNode(r.Values[0])
			if err != nil {
				return st, err
			}
			st.Nodes[n.ID] = n
		}
	}
	byType := map[graph.RelType][]any{}
	var types []graph.RelType
	for _, k := range keys {
		if _, ok := byType[k.Type]; !ok {
			types = append(types, k.Type)
		}
		byType[k.Type] = append(byType[k.Type], []any{k.From, k.To})
	}
	for _, t := range types {
		rows := byType[t]
		q := fmt.Sprintf(`
			UNWIND $keys AS k
			MATCH (a:Node {id: k[0]})-[r:%s]->(b:Node {id: k[1]})
			RETURN a.id AS from, b.id AS to, properties(r) AS props`, cypherRel(t))
		for _, c := range chunks(len(rows), batch) {
			recs, err := collect(ctx, tx, q, map[string]any{"keys": rows[c[0]:c[1]]})
			if err != nil {
				return st, fmt.Errorf("reading %s edges: %w", t, err)
			}
			for _, r := range recs {
				k := graph.EdgeKey{Type: t, From: asString(r.Values[0]), To: asString(r.Values[1])}
				st.Edges[k] = graph.CanonicalEdgeProps(t, asProps(r.Values[2]))
			}
		}
	}
	return st, nil
}

// applyPlan makes the changes of a plan: node creates grouped by label (a
// label must be literal in Cypher), node updates, edge removals and edge
// merges grouped by type.
func applyPlan(ctx context.Context, tx nd.ManagedTransaction, p graph.Plan) error {
	byLabel := map[graph.Label][]any{}
	var labels []graph.Label
	for _, n := range p.Create {
		if _, ok := byLabel[n.Label]; !ok {
			labels = append(labels, n.Label)
		}
		byLabel[n.Label] = append(byLabel[n.Label], nodeRow(n))
	}
	for _, l := range labels {
		q := fmt.Sprintf(`UNWIND $rows AS row CREATE (n:Node:%s) SET n = row`, cypherLabel(l))
		if err := runBatches(ctx, tx, q, byLabel[l], func(c nd.Counters, rows int) bool {
			return c.NodesCreated() == rows
		}); err != nil {
			return fmt.Errorf("creating %s nodes: %w", l, err)
		}
	}

	updates := make([]any, 0, len(p.Update))
	for _, n := range p.Update {
		updates = append(updates, nodeRow(n))
	}
	if err := runBatches(ctx, tx, `
		UNWIND $rows AS row
		MATCH (n:Node {id: row.id})
		SET n = row
		RETURN count(n) AS matched`, updates, nil); err != nil {
		return fmt.Errorf("updating nodes: %w", err)
	}

	unlinks := map[graph.RelType][]any{}
	var unlinkTypes []graph.RelType
	for _, k := range p.Unlink {
		if _, ok := unlinks[k.Type]; !ok {
			unlinkTypes = append(unlinkTypes, k.Type)
		}
		unlinks[k.Type] = append(unlinks[k.Type], map[string]any{"from": k.From, "to": k.To})
	}
	for _, t := range unlinkTypes {
		q := fmt.Sprintf(`
			UNWIND $rows AS row
			MATCH (:Node {id: row.from})-[r:%s]->(:Node {id: row.to})
			DELETE r`, cypherRel(t))
		if err := runBatches(ctx, tx, q, unlinks[t], func(c nd.Counters, rows int) bool {
			return c.RelationshipsDeleted() == rows
		}); err != nil {
			return fmt.Errorf("removing %s edges: %w", t, err)
		}
	}

	links := map[graph.RelType][]any{}
	var linkTypes []graph.RelType
	for _, e := range p.Link {
		if _, ok := links[e.Type]; !ok {
			linkTypes = append(linkTypes, e.Type)
		}
		links[e.Type] = append(links[e.Type], map[string]any{"from": e.From, "to": e.To, "props": plainProps(e.Props)})
	}
	for _, t := range linkTypes {
		q := fmt.Sprintf(`
			UNWIND $rows AS row
			MATCH (a:Node {id: row.from})
			MATCH (b:Node {id: row.to})
			MERGE (a)-[r:%s]->(b)
			SET r = row.props
			RETURN count(r) AS linked`, cypherRel(t))
		if err := runBatches(ctx, tx, q, links[t], nil); err != nil {
			return fmt.Errorf("linking %s edges: %w", t, err)
		}
	}
	return nil
}

// recordChanges appends the audit records of a write, numbered from first.
func recordChanges(ctx context.Context, tx nd.ManagedTransaction, changes []graph.Change, first int64, at time.Time, actor string) error {
	rows := make([]any, 0, len(changes))
	for i, c := range changes {
		row := map[string]any{
			"seq":    first + int64(i),
			"at":     at,
			"actor":  actor,
			"op":     string(c.Op),
			"nodeId": c.NodeID,
		}
		if len(c.Fields) > 0 {
			row["fields"] = c.Fields
		}
		rows = append(rows, row)
	}
	err := runBatches(ctx, tx, `UNWIND $rows AS row CREATE (c:Change) SET c = row`, rows, func(c nd.Counters, n int) bool {
		return c.NodesCreated() == n
	})
	if err != nil {
		return fmt.Errorf("recording changes: %w", err)
	}
	return nil
}

// runBatches runs an UNWIND $rows statement over rows in chunks. When the
// statement returns one count, it must equal the rows of the chunk; check,
// when set, verifies the update counters. A mismatch means the database did
// not hold what the plan was made from, and fails the transaction.
func runBatches(ctx context.Context, tx nd.ManagedTransaction, q string, rows []any, check func(nd.Counters, int) bool) error {
	for _, c := range chunks(len(rows), batch) {
		part := rows[c[0]:c[1]]
		res, err := tx.Run(ctx, q, map[string]any{"rows": part})
		if err != nil {
			return err
		}
		recs, err := res.Collect(ctx)
		if err != nil {
			return err
		}
		if len(recs) == 1 && len(recs[0].Values) == 1 {
			if got := asInt(recs[0].Values[0]); got != int64(len(part)) {
				return fmt.Errorf("matched %d of %d rows", got, len(part))
			}
		}
		if check != nil {
			sum, err := res.Consume(ctx)
			if err != nil {
				return err
			}
			if !check(sum.Counters(), len(part)) {
				return fmt.Errorf("the database changed %d rows unexpectedly", len(part))
			}
		}
	}
	return nil
}
