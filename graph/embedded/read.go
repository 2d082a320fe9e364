package embedded

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"

	bolt "go.etcd.io/bbolt"

	"govhub/graph"
)

// Nodes returns the nodes with the given ids that exist, archived or not, in
// the order asked.
func (s *Store) Nodes(ctx context.Context, ids []string) ([]graph.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed
	}
	out := make([]graph.Node, 0, len(ids))
	for _, id := range ids {
		if n, ok := s.nodes[id]; ok {
			out = append(out, cloneNode(n))
		}
	}
	return out, nil
}

// idSet is a set of node ids; a nil idSet in a List means "no restriction".
type idSet map[string]struct{}

func (a idSet) has(id string) bool { _, ok := a[id]; return ok }

// onlySet returns the ids of an Only restriction as a set: nil (no
// restriction) when only is nil, an empty set when it is empty.
func onlySet(only []string) idSet {
	if only == nil {
		return nil
	}
	set := make(idSet, len(only))
	for _, id := range only {
		set[id] = struct{}{}
	}
	return set
}

// intersect returns the ids in both sets, treating nil as "every id".
func intersect(a, b idSet) idSet {
	if a == nil {
		return b
	}
	if b == nil {
		return a
	}
	if len(b) < len(a) {
		a, b = b, a
	}
	out := make(idSet, len(a))
	for id := range a {
		if b.has(id) {
			out[id] = struct{}{}
		}
	}
	return out
}

// List returns one page of the nodes of q.Label matching every filter of q,
// in list order (graph.Less).
func (s *Store) List(ctx context.Context, q graph.ListQuery) (graph.Page, error) {
	if err := ctx.Err(); err != nil {
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
	var after *graph.Cursor
	if q.After != "" {
		c, err := graph.DecodeCursor(q.After)
		if err != nil {
			return graph.Page{}, err
		}
		after = &c
	}
	where, err := compileWhere(t, q.Where)
	if err != nil {
		return graph.Page{}, err
	}
	for i, rf := range q.Related {
		if graph.SpecOf(rf.Type) == nil {
			return graph.Page{}, graph.Invalid(fmt.Sprintf("related[%d].type", i), "unknown relationship type %q", rf.Type)
		}
		if err := checkDir(fmt.Sprintf("related[%d].dir", i), rf.Dir); err != nil {
			return graph.Page{}, err
		}
	}
	var territoryRels []graph.RelType
	if q.Territory != "" && q.Label != graph.Territory {
		territoryRels = graph.TerritoryRels[q.Label]
		if len(territoryRels) == 0 {
			return graph.Page{}, graph.Invalid("territory", "a %s is not located in territories", q.Label)
		}
	}
	search := strings.ToLower(q.Search)

	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return graph.Page{}, errClosed
	}
	page := graph.Page{Nodes: []graph.Node{}, Cursors: []string{}}

	key := listKey(q)
	matches, ok := s.cache.get(s.gen, key)
	if !ok {
		matches = s.matches(q, t, search, where, territoryRels)
		s.cache.put(s.gen, key, matches)
	}
	page.TotalCount = len(matches)
	start := 0
	if after != nil {
		start = sort.Search(len(matches), func(i int) bool { return after.After(*matches[i]) })
	}
	end := min(start+size, len(matches))
	page.HasNextPage = end < len(matches)
	for _, n := range matches[start:end] {
		page.Nodes = append(page.Nodes, cloneNode(n))
		page.Cursors = append(page.Cursors, cursorOf(n))
	}
	return page, nil
}

// matches returns every node matching q, in list order. The caller holds s.mu.
func (s *Store) matches(q graph.ListQuery, t *graph.NodeType, search string, where where, territoryRels []graph.RelType) []*graph.Node {
	// Only, relationship and territory filters narrow the candidates to a set
	// of ids.
	cand := onlySet(q.Only)
	if cand != nil && len(cand) == 0 {
		return nil
	}
	for _, rf := range q.Related {
		cand = intersect(cand, s.related(rf))
		if len(cand) == 0 {
			return nil
		}
	}
	if q.Territory != "" {
		cand = intersect(cand, s.inTerritory(q.Label, q.Territory, territoryRels))
		if len(cand) == 0 {
			return nil
		}
	}

	li := s.labels[q.Label]
	if li == nil {
		return nil
	}
	var ordered []*graph.Node
	if cand != nil && len(cand)*8 < len(li.nodes) {
		// Few candidates: order them rather than walk the whole label.
		for id := range cand {
			if n, ok := li.nodes[id]; ok {
				ordered = append(ordered, n)
			}
		}
		sortNodePtrs(ordered)
		cand = nil
	} else {
		ordered = li.order()
	}

	var out []*graph.Node
	for _, n := range ordered {
		if n.Archived && !q.IncludeArchived {
			continue
		}
		if cand != nil && !cand.has(n.ID) {
			continue
		}
		if search != "" && !matchSearch(t, n, search) {
			continue
		}
		if !where.match(n) {
			continue
		}
		out = append(out, n)
	}
	return out
}

func checkDir(field string, d graph.Direction) error {
	if d != graph.Out && d != graph.In && d != graph.Both {
		return graph.Invalid(field, "unknown direction %d", d)
	}
	return nil
}

// neighbours calls f with the ids joined to id by edges of type t: those it
// points to when out, those pointing to it when in.
func (s *Store) neighbours(id string, t graph.RelType, out, in bool, f func(string)) {
	if out {
		for other := range s.out[id][t] {
			f(other)
		}
	}
	if in {
		for other := range s.in[id][t] {
			f(other)
		}
	}
}

// related returns the ids of the nodes with an edge of rf.Type in direction
// rf.Dir to one of rf.IDs or, when transitive, a chain of such edges of at
// most graph.MaxTransitiveHops.
func (s *Store) related(rf graph.RelFilter) idSet {
	// A node n matches Out when n -> id, so the search walks from the ids
	// against the direction asked.
	walkOut := rf.Dir == graph.In || rf.Dir == graph.Both
	walkIn := rf.Dir == graph.Out || rf.Dir == graph.Both
	hops := 1
	if rf.Transitive {
		hops = graph.MaxTransitiveHops
	}
	found := idSet{}
	frontier := slices.Clone(rf.IDs)
	for h := 0; h < hops && len(frontier) > 0; h++ {
		var next []string
		for _, id := range frontier {
			s.neighbours(id, rf.Type, walkOut, walkIn, func(other string) {
				if !found.has(other) {
					found[other] = struct{}{}
					next = append(next, other)
				}
			})
		}
		frontier = next
	}
	if rf.Dir == graph.Both && rf.Transitive {
		// The walk above may come back to one of the ids over the edge it
		// left by, which is no chain: an id itself matches only when a
		// chain that repeats no edge joins it to one of the ids.
		targets := idSet{}
		for _, id := range rf.IDs {
			targets[id] = struct{}{}
		}
		for id := range targets {
			if found.has(id) && !s.chainFrom(id, rf.Type, targets) {
				delete(found, id)
			}
		}
	}
	return found
}

// chainFrom reports whether a chain of at most graph.MaxTransitiveHops edges of type t, in
// either direction and repeating no edge, leads from id to one of targets.
// It tries each edge of id in turn: the chain exists when the node at its
// other end reaches a target in fewer hops without that edge (a shortest
// such walk repeats no node, so no edge).
func (s *Store) chainFrom(id string, t graph.RelType, targets idSet) bool {
	type edge struct{ from, to string }
	var first []edge
	for to := range s.out[id][t] {
		first = append(first, edge{id, to})
	}
	for from := range s.in[id][t] {
		if from != id { // a loop is already in first
			first = append(first, edge{from, id})
		}
	}
	for _, e := range first {
		start := e.to
		if start == id {
			start = e.from
		}
		if targets.has(start) {
			return true
		}
		seen := idSet{start: {}}
		frontier := []string{start}
		for h := 1; h < graph.MaxTransitiveHops && len(frontier) > 0; h++ {
			var next []string
			for _, x := range frontier {
				step := func(y string, via edge) bool {
					if via == e || seen.has(y) {
						return false
					}
					if targets.has(y) {
						return true
					}
					seen[y] = struct{}{}
					next = append(next, y)
					return false
				}
				for y := range s.out[x][t] {
					if step(y, edge{x, y}) {
						return true
					}
				}
				for y := range s.in[x][t] {
					if step(y, edge{y, x}) {
						return true
					}
				}
			}
			frontier = next
		}
	}
	return false
}

// inTerritory returns the ids of the nodes of label located in territory id or
// any territory with a PART_OF chain to it: the territories themselves for
// label Territory, else the nodes with an edge of one of rels to them.
func (s *Store) inTerritory(label graph.Label, id string, rels []graph.RelType) idSet {
	root, ok := s.nodes[id]
	if !ok || root.Label != graph.Territory {
		return idSet{}
	}
	area := idSet{id: {}}
	frontier := []string{id}
	for len(frontier) > 0 {
		var next []string
		for _, t := range frontier {
			for sub := range s.in[t][graph.PartOf] {
				if n, ok := s.nodes[sub]; ok && n.Label == graph.Territory && !area.has(sub) {
					area[sub] = struct{}{}
					next = append(next, sub)
				}
			}
		}
		frontier = next
	}
	if label == graph.Territory {
		return area
	}
	located := idSet{}
	for t := range area {
		for _, rt := range rels {
			for from := range s.in[t][rt] {
				located[from] = struct{}{}
			}
		}
	}
	return located
}

// matchSearch reports whether one of the label's Search properties of n
// contains the lower-cased text, ignoring case.
func matchSearch(t *graph.NodeType, n *graph.Node, text string) bool {
	for _, key := range t.Search {
		switch v := n.Props[key].(type) {
		case string:
			if strings.Contains(strings.ToLower(v), text) {
				return true
			}
		case []string:
			for _, item := range v {
				if strings.Contains(strings.ToLower(item), text) {
					return true
				}
			}
		}
	}
	return false
}

// Edges returns the edges of q.NodeIDs of q.Types in direction q.Dir, ordered
// by (From, Type, To), without those with an archived end unless
// q.IncludeArchived, and only those with both ends in q.Only when it is set.
func (s *Store) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if err := checkDir("dir", q.Dir); err != nil {
		return nil, err
	}
	allowed, err := typeSet(q.Types)
	if err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed
	}
	only := onlySet(q.Only)
	seen := map[graph.EdgeKey]bool{}
	edges := []graph.Edge{}
	add := func(from string, t graph.RelType, to string, p graph.Props) {
		k := graph.EdgeKey{Type: t, From: from, To: to}
		if seen[k] {
			return
		}
		seen[k] = true
		if !q.IncludeArchived && (s.archived(from) || s.archived(to)) {
			return
		}
		if only != nil && (!only.has(from) || !only.has(to)) {
			return
		}
		edges = append(edges, graph.Edge{Type: t, From: from, To: to, Props: cloneProps(p)})
	}
	for _, id := range q.NodeIDs {
		if only != nil && !only.has(id) {
			continue // every edge of id has id as one end
		}
		if q.Dir == graph.Out || q.Dir == graph.Both {
			for t, ends := range s.out[id] {
				if allowed == nil || allowed[t] {
					for to, p := range ends {
						add(id, t, to, p)
					}
				}
			}
		}
		if q.Dir == graph.In || q.Dir == graph.Both {
			for t, ends := range s.in[id] {
				if allowed == nil || allowed[t] {
					for from, p := range ends {
						add(from, t, id, p)
					}
				}
			}
		}
	}
	sortEdges(edges)
	return edges, nil
}

func (s *Store) archived(id string) bool {
	n, ok := s.nodes[id]
	return ok && n.Archived
}

// typeSet returns the relationship types as a set, nil when empty (every type).
func typeSet(types []graph.RelType) (map[graph.RelType]bool, error) {
	if len(types) == 0 {
		return nil, nil
	}
	set := make(map[graph.RelType]bool, len(types))
	for i, t := range types {
		if graph.SpecOf(t) == nil {
			return nil, graph.Invalid(fmt.Sprintf("types[%d]", i), "unknown relationship type %q", t)
		}
		set[t] = true
	}
	return set, nil
}

func sortEdges(es []graph.Edge) {
	slices.SortFunc(es, func(a, b graph.Edge) int {
		if c := strings.Compare(a.From, b.From); c != 0 {
			return c
		}
		if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
			return c
		}
		return strings.Compare(a.To, b.To)
	})
}

// Subgraph returns the nodes within q.Depth hops of the roots over edges of
// q.Types in either direction, sorted by id, and the edges of those types
// among them, sorted by (From, Type, To). Archived nodes are neither returned
// nor traversed unless q.IncludeArchived, nor are nodes outside q.Only when it
// is set.
func (s *Store) Subgraph(ctx context.Context, q graph.SubgraphQuery) (graph.Subgraph, error) {
	if err := ctx.Err(); err != nil {
		return graph.Subgraph{}, err
	}
	limit, err := q.Limit()
	if err != nil {
		return graph.Subgraph{}, err
	}
	allowed, err := typeSet(q.Types)
	if err != nil {
		return graph.Subgraph{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return graph.Subgraph{}, errClosed
	}
	tooMany := graph.Invalid("maxNodes", "the subgraph has more than %d nodes; ask for less depth, fewer types or fewer roots", limit)
	only := onlySet(q.Only)
	visible := func(id string) bool {
		if only != nil && !only.has(id) {
			return false
		}
		n, ok := s.nodes[id]
		return ok && (q.IncludeArchived || !n.Archived)
	}
	in := idSet{}
	var frontier []string
	for _, id := range q.Roots {
		if !in.has(id) && visible(id) {
			in[id] = struct{}{}
			frontier = append(frontier, id)
		}
	}
	if len(in) > limit {
		return graph.Subgraph{}, tooMany
	}
	visit := func(other string, next *[]string) {
		if !in.has(other) && visible(other) {
			in[other] = struct{}{}
			*next = append(*next, other)
		}
	}
	for d := 0; d < q.Depth && len(frontier) > 0; d++ {
		var next []string
		for _, id := range frontier {
			for _, adj := range []adjacency{s.out, s.in} {
				for t, ends := range adj[id] {
					if allowed != nil && !allowed[t] {
						continue
					}
					for other := range ends {
						visit(other, &next)
					}
				}
			}
		}
		if len(in) > limit {
			return graph.Subgraph{}, tooMany
		}
		frontier = next
	}

	g := graph.Subgraph{Nodes: make([]graph.Node, 0, len(in)), Edges: []graph.Edge{}}
	for id := range in {
		g.Nodes = append(g.Nodes, cloneNode(s.nodes[id]))
		for t, ends := range s.out[id] {
			if allowed != nil && !allowed[t] {
				continue
			}
			for to, p := range ends {
				if in.has(to) {
					g.Edges = append(g.Edges, graph.Edge{Type: t, From: id, To: to, Props: cloneProps(p)})
				}
			}
		}
	}
	slices.SortFunc(g.Nodes, func(a, b graph.Node) int { return strings.Compare(a.ID, b.ID) })
	sortEdges(g.Edges)
	return g, nil
}

// History returns the recorded changes of node id, newest first, at most
// limit of them (all when limit is 0).
func (s *Store) History(ctx context.Context, id string, limit int) ([]graph.Change, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, graph.Invalid("limit", "must not be negative")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return nil, errClosed
	}
	changes := []graph.Change{}
	if strings.IndexByte(id, 0) >= 0 {
		return changes, nil
	}
	prefix := append([]byte(id), 0)
	end := append([]byte(id), 1)
	err := s.db.View(func(tx *bolt.Tx) error {
		c := tx.Bucket(bucketChanges).Cursor()
		var v []byte
		k, _ := c.Seek(end)
		if k == nil {
			k, v = c.Last()
		} else {
			k, v = c.Prev()
		}
		for ; k != nil && bytes.HasPrefix(k, prefix); k, v = c.Prev() {
			var sc storedChange
			if err := decodeJSON(v, &sc); err != nil {
				return fmt.Errorf("change %q: %w", k, err)
			}
			changes = append(changes, graph.Change{Seq: sc.Seq, At: sc.At, Actor: sc.Actor, Op: sc.Op, NodeID: id, Fields: sc.Fields})
			if limit > 0 && len(changes) == limit {
				break
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("embedded store: history of %q: %w", id, err)
	}
	return changes, nil
}
