package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"

	nd "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"govhub/graph"
)

// Nodes returns the nodes with the given ids that exist, archived or not, in
// the order asked.
func (s *Store) Nodes(ctx context.Context, ids []string) ([]graph.Node, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	found, err := readTx(ctx, s, "nodes", func(ctx context.Context, tx nd.ManagedTransaction) (map[string]graph.Node, error) {
		return readNodes(ctx, tx, ids)
	})
	if err != nil {
		return nil, err
	}
	out := make([]graph.Node, 0, len(ids))
	for _, id := range ids {
		if n, ok := found[id]; ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// readNodes reads the nodes with the given ids, in batches.
func readNodes(ctx context.Context, tx nd.ManagedTransaction, ids []string) (map[string]graph.Node, error) {
	found := make(map[string]graph.Node, len(ids))
	for _, c := range chunks(len(ids), batch) {
		recs, err := collect(ctx, tx, `UNWIND $ids AS id MATCH (n:Node {id: id}) RETURN n`,
			map[string]any{"ids": ids[c[0]:c[1]]})
		if err != nil {
			return nil, fmt.Errorf("reading nodes: %w", err)
		}
		for _, r := range recs {
			n, err := toNode(r.Values[0])
			if err != nil {
				return nil, err
			}
			found[n.ID] = n
		}
	}
	return found, nil
}

// List returns one page of the nodes of q.Label matching every filter of q,
// in list order (graph.Less), and how many match in all.
//
// The page and the count come from one scan of the matching nodes, collected
// in order and then counted and cut at the cursor. Two scans (a count and an
// index-ordered page), even in one statement, could disagree while writers
// commit: Neo4j reads at read-committed isolation, not from a snapshot.
func (s *Store) List(ctx context.Context, q graph.ListQuery) (graph.Page, error) {
	if err := s.open(); err != nil {
		return graph.Page{}, err
	}
	t := graph.TypeOf(q.Label)
	if t == nil {
		return graph.Page{}, graph.Invalid("label", "unknown label %q", q.Label)
	}
	size, err := graph.PageSize(q.First)
	if err != nil {
		return graph.Page{}, err
	}
	after := ""
	if q.After != "" {
		c, err := graph.DecodeCursor(q.After)
		if err != nil {
			return graph.Page{}, err
		}
		after = sortKey(c.Sort, c.ID)
	}
	match, params, err := listMatch(t, q)
	if err != nil {
		return graph.Page{}, err
	}
	params["after"] = after
	params["limit"] = size + 1
	cypher := match + `
		WITH n ORDER BY n.sortKey
		WITH collect(n) AS ns
		RETURN size(ns) AS total, [x IN ns WHERE x.sortKey > $after][0..$limit] AS page`
	return readTx(ctx, s, "list", func(ctx context.Context, tx nd.ManagedTransaction) (graph.Page, error) {
		rec, err := single(ctx, tx, cypher, params)
		if err != nil {
			return graph.Page{}, err
		}
		nodes, err := toNodes(rec.Values[1])
		if err != nil {
			return graph.Page{}, err
		}
		page := graph.Page{Nodes: []graph.Node{}, Cursors: []string{}, TotalCount: int(asInt(rec.Values[0]))}
		if len(nodes) > size {
			nodes = nodes[:size]
			page.HasNextPage = true
		}
		for _, n := range nodes {
			page.Nodes = append(page.Nodes, n)
			page.Cursors = append(page.Cursors, graph.CursorOf(n))
		}
		return page, nil
	})
}

// listMatch returns the statement part that binds n to every node a
// ListQuery selects, ending in a WHERE that more conditions may extend with
// AND, and its parameters; or the BAD_USER_INPUT error of an invalid query.
// Only labels and relationship types from the schema are formatted into the
// text; every value, property key included, is a parameter.
//
// The nodes come from one of three sources: the first relationship filter,
// expanded from its ids; else the territory filter, expanded down the
// PART_OF tree from the territory; else every node of the label. The
// expansions are variable-length patterns from a bound start that Neo4j runs
// as a pruning breadth-first search (VarLengthExpand(Pruning,BFS)), so a
// small territory or a single network costs only its own nodes, not a scan of
// the label with a search per node. Every other filter is a condition on n;
// Only is n.id IN $only, a list parameter, so the text of the statement (and
// its cached plan) does not depend on the ids.
func listMatch(t *graph.NodeType, q graph.ListQuery) (string, map[string]any, error) {
	params := map[string]any{}
	var conds []string
	if q.Only != nil {
		params["only"] = q.Only
		conds = append(conds, "n.id IN $only")
	}
	if !q.IncludeArchived {
		conds = append(conds, "NOT n.archived")
	}
	if q.Search != "" {
		text := strings.ToLower(q.Search)
		if strings.Contains(text, searchSep) {
			conds = append(conds, "false") // no value contains NUL
		} else {
			params["search"] = text
			conds = append(conds, "n.searchText CONTAINS $search")
		}
	}
	for i, f := range q.Where {
		c, err := whereCond(t, i, f, params)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, c)
	}
	source := ""
	for i, rf := range q.Related {
		if i == 0 {
			pattern, err := relatedPattern(i, rf, "(n:"+cypherLabel(t.Label)+")", params)
			if err != nil {
				return "", nil, err
			}
			source = fmt.Sprintf("MATCH (m0:Node) WHERE m0.id IN $rel0 MATCH %s %s", pattern, distinctN)
			continue
		}
		pattern, err := relatedPattern(i, rf, "(n)", params)
		if err != nil {
			return "", nil, err
		}
		conds = append(conds, fmt.Sprintf("EXISTS { MATCH %s WHERE m%d.id IN $rel%d }", pattern, i, i))
	}
	if q.Territory != "" {
		params["territory"] = q.Territory
		// The territory and the territories with a PART_OF chain to it.
		area := "(:Territory {id: $territory})<-[:PART_OF*0..]-"
		var pattern string
		if q.Label == graph.Territory {
			pattern = area + "(n:Territory)"
		} else {
			rels := graph.TerritoryRels[q.Label]
			if len(rels) == 0 {
				return "", nil, graph.Invalid("territory", "a %s is not located in territories", q.Label)
			}
			pattern = fmt.Sprintf("%s(:Territory)<-[:%s]-(n:%s)", area, relAlternatives(rels), cypherLabel(t.Label))
		}
		if source == "" {
			source = "MATCH " + pattern + " " + distinctN
		} else {
			conds = append(conds, "EXISTS { MATCH "+pattern+" }")
		}
	}
	if source == "" {
		source = fmt.Sprintf("MATCH (n:%s)", cypherLabel(t.Label))
	}
	if len(conds) == 0 {
		conds = append(conds, "true")
	}
	return source + " WHERE " + strings.Join(conds, " AND "), params, nil
}

// distinctN makes the nodes bound to n distinct after an expansion. It is
// not WITH DISTINCT n on purpose: Neo4j 5.26 plans that (and RETURN DISTINCT
// n, collect(DISTINCT n)) as a pruning breadth-first expansion and then drops
// the Distinct operator, although the pruning only makes the nodes distinct
// per start row; with several start nodes (two related ids, one below the
// other) nodes came out twice and counts were wrong. Grouping on n.id as well
// keeps the Distinct operator and still plans the pruning expansion.
const distinctN = "WITH DISTINCT n.id AS nid, n"

// relAlternatives formats relationship types as T1|T2 for a pattern.
func relAlternatives(types []graph.RelType) string {
	parts := make([]string, len(types))
	for i, t := range types {
		parts[i] = cypherRel(t)
	}
	return strings.Join(parts, "|")
}

// whereCond compiles one property filter. Property values in the store have
// the kind their schema gives them, so the kind decides what can match:
// the same rules as the embedded store (a node without the property passes
// only OpNotIn; values of another type never match).
func whereCond(t *graph.NodeType, i int, f graph.PropFilter, params map[string]any) (string, error) {
	p, ok := t.Prop(f.Key)
	if !ok {
		return "", graph.Invalid(fmt.Sprintf("where[%d].key", i), "%s has no property %q", t.Label, f.Key)
	}
	key, vals := fmt.Sprintf("wk%d", i), fmt.Sprintf("wv%d", i)
	params[key] = f.Key
	list := p.Kind == graph.StringList
	switch f.Op {
	case graph.OpIn:
		if list {
			return "false", nil
		}
		params[vals] = filterValues(f.Values)
		return fmt.Sprintf("n[$%s] IN $%s", key, vals), nil
	case graph.OpNotIn:
		if list {
			return "true", nil
		}
		params[vals] = filterValues(f.Values)
		return fmt.Sprintf("(n[$%s] IS NULL OR NOT n[$%s] IN $%s)", key, key, vals), nil
	case graph.OpContains:
		if !list {
			return "false", nil
		}
		params[vals] = filterValues(f.Values)
		return fmt.Sprintf("any(x IN n[$%s] WHERE x IN $%s)", key, vals), nil
	case graph.OpLt, graph.OpGt:
		if list || len(f.Values) == 0 {
			return "false", nil
		}
		v, ok := filterValue(f.Values[0])
		if !ok {
			return "false", nil
		}
		params[vals] = v
		op := "<"
		if f.Op == graph.OpGt {
			op = ">"
		}
		// Cypher's < and > are null, so false, across types (a string
		// against a number), as the embedded store's compare.
		return fmt.Sprintf("n[$%s] %s $%s", key, op, vals), nil
	}
	return "", graph.Invalid(fmt.Sprintf("where[%d].op", i), "unknown operator %d", f.Op)
}

// relatedPattern compiles relationship filter i: an edge of the type (a
// chain of at most graph.MaxTransitiveHops of them when transitive) from the node pattern n,
// in the direction asked, to a node mi; the caller checks that the id of mi
// is one of $reli.
func relatedPattern(i int, rf graph.RelFilter, n string, params map[string]any) (string, error) {
	if graph.SpecOf(rf.Type) == nil {
		return "", graph.Invalid(fmt.Sprintf("related[%d].type", i), "unknown relationship type %q", rf.Type)
	}
	if err := checkDir(fmt.Sprintf("related[%d].dir", i), rf.Dir); err != nil {
		return "", err
	}
	params[fmt.Sprintf("rel%d", i)] = nonNil(rf.IDs)
	hops := ""
	if rf.Transitive {
		hops = fmt.Sprintf("*1..%d", graph.MaxTransitiveHops)
	}
	rel := fmt.Sprintf("[:%s%s]", cypherRel(rf.Type), hops)
	m := fmt.Sprintf("(m%d:Node)", i)
	switch rf.Dir {
	case graph.Out:
		return n + "-" + rel + "->" + m, nil
	case graph.In:
		return n + "<-" + rel + "-" + m, nil
	}
	return n + "-" + rel + "-" + m, nil
}

func checkDir(field string, d graph.Direction) error {
	if d != graph.Out && d != graph.In && d != graph.Both {
		return graph.Invalid(field, "unknown direction %d", d)
	}
	return nil
}

func nonNil(ids []string) []string {
	if ids == nil {
		return []string{}
	}
	return ids
}

// Edges returns the edges of q.NodeIDs of q.Types in direction q.Dir, ordered
// by (From, Type, To), without those with an archived end unless
// q.IncludeArchived, and only those with both ends in q.Only when it is set.
func (s *Store) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	if err := checkDir("dir", q.Dir); err != nil {
		return nil, err
	}
	rel, err := relPattern("types", q.Types)
	if err != nil {
		return nil, err
	}
	// With Only, the ids outside it are dropped here (an edge of one of them
	// has an end outside Only), so that only the other end is left to check,
	// against the list parameter $only.
	ids := nonNil(q.NodeIDs)
	params := map[string]any{}
	if q.Only != nil {
		in := make(map[string]bool, len(q.Only))
		for _, id := range q.Only {
			in[id] = true
		}
		ids = slices.DeleteFunc(slices.Clone(ids), func(id string) bool { return !in[id] })
		if len(ids) == 0 {
			return []graph.Edge{}, nil
		}
		params["only"] = q.Only
	}
	params["ids"] = ids
	var parts []string
	if q.Dir == graph.Out || q.Dir == graph.Both {
		part := `MATCH (a:Node)-[r` + rel + `]->(b:Node) WHERE a.id IN $ids`
		if q.Only != nil {
			part += ` AND b.id IN $only`
		}
		parts = append(parts, part)
	}
	if q.Dir == graph.In || q.Dir == graph.Both {
		part := `MATCH (a:Node)-[r` + rel + `]->(b:Node) WHERE b.id IN $ids`
		if q.Only != nil {
			part += ` AND a.id IN $only`
		}
		parts = append(parts, part)
	}
	for i := range parts {
		if !q.IncludeArchived {
			parts[i] += ` AND NOT a.archived AND NOT b.archived`
		}
		parts[i] += ` RETURN a.id AS from, type(r) AS type, b.id AS to, properties(r) AS props`
	}
	cypher := strings.Join(parts, " UNION ")
	return readTx(ctx, s, "edges", func(ctx context.Context, tx nd.ManagedTransaction) ([]graph.Edge, error) {
		recs, err := collect(ctx, tx, cypher, params)
		if err != nil {
			return nil, err
		}
		return toEdges(recs), nil
	})
}

// relPattern returns the type part of a relationship pattern (":T1|T2", or
// "" for every type), checking that the types exist.
func relPattern(field string, types []graph.RelType) (string, error) {
	if len(types) == 0 {
		return "", nil
	}
	var uniq []graph.RelType
	for i, t := range types {
		if graph.SpecOf(t) == nil {
			return "", graph.Invalid(fmt.Sprintf("%s[%d]", field, i), "unknown relationship type %q", t)
		}
		if !slices.Contains(uniq, t) {
			uniq = append(uniq, t)
		}
	}
	return ":" + relAlternatives(uniq), nil
}

// toEdges converts (from, type, to, props) records into edges, without
// duplicates and ordered by (From, Type, To).
func toEdges(recs []*nd.Record) []graph.Edge {
	seen := make(map[graph.EdgeKey]bool, len(recs))
	edges := make([]graph.Edge, 0, len(recs))
	for _, r := range recs {
		t := graph.RelType(asString(r.Values[1]))
		if graph.SpecOf(t) == nil {
			continue
		}
		e := graph.Edge{Type: t, From: asString(r.Values[0]), To: asString(r.Values[2])}
		if seen[e.Key()] {
			continue
		}
		seen[e.Key()] = true
		e.Props = graph.CanonicalEdgeProps(t, asProps(r.Values[3]))
		edges = append(edges, e)
	}
	slices.SortFunc(edges, func(a, b graph.Edge) int {
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
			return c
		}
		return strings.Compare(a.To, b.To)
	})
	return edges
}

// History returns the recorded changes of node id, newest first, at most
// limit of them (all when limit is 0).
func (s *Store) History(ctx context.Context, id string, limit int) ([]graph.Change, error) {
	if err := s.open(); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, graph.Invalid("limit", "must not be negative")
	}
	cypher := `MATCH (c:Change {nodeId: $id}) RETURN c.seq, c.at, c.actor, c.op, c.fields ORDER BY c.seq DESC`
	params := map[string]any{"id": id}
	if limit > 0 {
		cypher += ` LIMIT $limit`
		params["limit"] = limit
	}
	return readTx(ctx, s, "history", func(ctx context.Context, tx nd.ManagedTransaction) ([]graph.Change, error) {
		recs, err := collect(ctx, tx, cypher, params)
		if err != nil {
			return nil, err
		}
		out := make([]graph.Change, 0, len(recs))
		for _, r := range recs {
			out = append(out, graph.Change{
				Seq:    asInt(r.Values[0]),
				At:     asTime(r.Values[1]),
				Actor:  asString(r.Values[2]),
				Op:     graph.ChangeOp(asString(r.Values[3])),
				NodeID: id,
				Fields: asStrings(r.Values[4]),
			})
		}
		return out, nil
	})
}
