package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"

	nd "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"govhub/graph"
)

// Subgraph returns the nodes within q.Depth hops of the roots over edges of
// q.Types in either direction, sorted by id, and the edges of those types
// among them, sorted by (From, Type, To). Archived nodes are neither returned
// nor traversed unless q.IncludeArchived, nor are nodes outside q.Only when it
// is set.
//
// One read transaction, two statements: the expansion is one variable-length
// pattern that Neo4j runs as a breadth-first search visiting every node once
// (see subgraphNodesQuery), and the edges among the nodes found are read in
// a second statement.
func (s *Store) Subgraph(ctx context.Context, q graph.SubgraphQuery) (graph.Subgraph, error) {
	if err := s.open(); err != nil {
		return graph.Subgraph{}, err
	}
	limit, err := q.Limit()
	if err != nil {
		return graph.Subgraph{}, err
	}
	rel, err := relPattern("types", q.Types)
	if err != nil {
		return graph.Subgraph{}, err
	}
	nodesQuery := subgraphNodesQuery(rel, q.Depth, q.IncludeArchived, q.Only != nil)
	edgesQuery := `
		UNWIND $ids AS id
		MATCH (a:Node {id: id})-[r` + rel + `]->(b:Node)
		WHERE b.id IN $ids
		RETURN a.id AS from, type(r) AS type, b.id AS to, properties(r) AS props`
	g, err := readTx(ctx, s, "subgraph", func(ctx context.Context, tx nd.ManagedTransaction) (graph.Subgraph, error) {
		params := map[string]any{"roots": nonNil(q.Roots), "limit": limit + 1}
		if q.Only != nil {
			params["only"] = q.Only
		}
		recs, err := collect(ctx, tx, nodesQuery, params)
		if err != nil {
			return graph.Subgraph{}, err
		}
		if len(recs) > limit {
			return graph.Subgraph{}, graph.Invalid("maxNodes",
				"the subgraph has more than %d nodes; ask for less depth, fewer types or fewer roots", limit)
		}
		g := graph.Subgraph{Nodes: make([]graph.Node, 0, len(recs)), Edges: []graph.Edge{}}
		ids := make([]string, 0, len(recs))
		for _, r := range recs {
			n, err := toNode(r.Values[0])
			if err != nil {
				return graph.Subgraph{}, err
			}
			g.Nodes = append(g.Nodes, n)
			ids = append(ids, n.ID)
		}
		if len(ids) == 0 {
			return g, nil
		}
		recs, err = collect(ctx, tx, edgesQuery, map[string]any{"ids": ids})
		if err != nil {
			return graph.Subgraph{}, err
		}
		g.Edges = toEdges(recs)
		return g, nil
	})
	if err != nil {
		return graph.Subgraph{}, err
	}
	slices.SortFunc(g.Nodes, func(a, b graph.Node) int { return strings.Compare(a.ID, b.ID) })
	return g, nil
}

// subgraphNodesQuery returns the statement that expands from $roots: at most
// $limit distinct nodes. The depth is a number checked to be within 0..10,
// formatted as such (a variable-length bound cannot be a parameter).
// Without archived nodes, every node of the path must be live: Neo4j checks
// the predicate on nodes(p) during the expansion, so archived nodes are not
// traversed through. The plan is one VarLengthExpand(Pruning,BFS) per root:
// each node is visited once, at its shortest distance, as the embedded
// store's breadth-first search does. DISTINCT on m.id, m rather than m: see
// distinctN.
//
// With only, the statement reads the list parameter $only, and every node of
// the path must also be in it: the same predicate on nodes(p), so nodes
// outside it are pruned during the expansion as archived ones are, and a
// root outside it starts nothing.
func subgraphNodesQuery(rel string, depth int, includeArchived, only bool) string {
	if depth < 0 || depth > graph.MaxSubgraphDepth {
		panic("neo4j: subgraph depth out of range")
	}
	var rootConds, nodeConds []string
	if only {
		rootConds = append(rootConds, "r.id IN $only")
		nodeConds = append(nodeConds, "x.id IN $only")
	}
	if !includeArchived {
		rootConds = append(rootConds, "NOT r.archived")
		nodeConds = append(nodeConds, "NOT x.archived")
	}
	live, pathLive := "", ""
	if len(rootConds) > 0 {
		live = " AND " + strings.Join(rootConds, " AND ")
		pathLive = " WHERE all(x IN nodes(p) WHERE " + strings.Join(nodeConds, " AND ") + ")"
	}
	return fmt.Sprintf(`
		MATCH (r:Node) WHERE r.id IN $roots%s
		MATCH p = (r)-[%s*0..%d]-(m:Node)%s
		WITH DISTINCT m.id AS id, m
		RETURN m
		LIMIT $limit`, live, rel, depth, pathLive)
}
