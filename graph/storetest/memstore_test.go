package storetest

import (
	"cmp"
	"context"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"govhub/graph"
)

// TestMemStore runs the suite against memStore, the simplest reading of the
// contract: one mutex, maps, and full scans.
func TestMemStore(t *testing.T) {
	Run(t, func(t *testing.T) graph.Store {
		return &memStore{nodes: map[string]graph.Node{}, edges: map[graph.EdgeKey]graph.Props{}}
	})
}

type memStore struct {
	mu      sync.RWMutex
	nodes   map[string]graph.Node
	edges   map[graph.EdgeKey]graph.Props
	changes []graph.Change
}

func cloneNode(n graph.Node) graph.Node { n.Props = maps.Clone(n.Props); return n }

func (m *memStore) Write(_ context.Context, w graph.Write) (graph.WriteResult, error) {
	if err := graph.Prepare(&w); err != nil {
		return graph.WriteResult{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ids, keys := w.Refs()
	st := graph.State{Nodes: map[string]graph.Node{}, Edges: map[graph.EdgeKey]graph.Props{}}
	for _, id := range ids {
		if n, ok := m.nodes[id]; ok {
			st.Nodes[id] = cloneNode(n)
		}
	}
	for _, k := range keys {
		if p, ok := m.edges[k]; ok {
			st.Edges[k] = maps.Clone(p)
		}
	}
	now := time.Now()
	p, err := graph.PlanWrite(w, st, now)
	if err != nil {
		return graph.WriteResult{}, err
	}
	for _, n := range slices.Concat(p.Create, p.Update) {
		m.nodes[n.ID] = n
	}
	for _, e := range p.Link {
		m.edges[e.Key()] = e.Props
	}
	for _, k := range p.Unlink {
		delete(m.edges, k)
	}
	for _, c := range p.Changes {
		c.Seq, c.At, c.Actor = int64(len(m.changes)+1), now, w.Actor
		m.changes = append(m.changes, c)
	}
	return p.Result, nil
}

func (m *memStore) Nodes(_ context.Context, ids []string) ([]graph.Node, error) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []graph.Node
	for _, id := range ids {
		if n, ok := m.nodes[id]; ok {
			out = append(out, cloneNode(n))
		}
	}
	return out, nil
}

// reach returns the nodes from which (Dir Out) or to which (Dir In) an edge
// of type t leads to one of ids; with transitive, a chain of such edges.
func (m *memStore) reach(t graph.RelType, d graph.Direction, ids []string, transitive bool) map[string]bool {
	found, frontier := map[string]bool{}, ids
	for len(frontier) > 0 {
		known := map[string]bool{}
		for _, id := range frontier {
			known[id] = true
		}
		frontier = nil
		for k := range m.edges {
			var hops [][2]string // from a known end to the end found
			if d != graph.In {
				hops = append(hops, [2]string{k.To, k.From})
			}
			if d != graph.Out {
				hops = append(hops, [2]string{k.From, k.To})
			}
			for _, h := range hops {
				if k.Type == t && known[h[0]] && !found[h[1]] {
					found[h[1]] = true
					frontier = append(frontier, h[1])
				}
			}
		}
		if !transitive {
			break
		}
	}
	return found
}

// compare compares a canonical property value with a filter value.
func compare(a, b any) (int, bool) {
	num := func(v any) (float64, bool) {
		switch n := v.(type) {
		case int64:
			return float64(n), true
		case float64:
			return n, true
		case int:
			return float64(n), true
		}
		return 0, false
	}
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return strings.Compare(x, y), ok
	case bool:
		y, ok := b.(bool)
		if x == y {
			return 0, ok
		}
		return 1, ok
	}
	x, okx := num(a)
	y, oky := num(b)
	return cmp.Compare(x, y), okx && oky
}

func matches(n graph.Node, f graph.PropFilter) bool {
	v, ok := n.Props[f.Key]
	if !ok {
		return f.Op == graph.OpNotIn
	}
	eq := func(b any) bool { c, ok := compare(v, b); return ok && c == 0 }
	switch f.Op {
	case graph.OpIn:
		return slices.ContainsFunc(f.Values, eq)
	case graph.OpNotIn:
		return !slices.ContainsFunc(f.Values, eq)
	case graph.OpContains:
		list, _ := v.([]string)
		return slices.ContainsFunc(f.Values, func(b any) bool { s, _ := b.(string); return slices.Contains(list, s) })
	case graph.OpLt, graph.OpGt:
		if len(f.Values) == 0 {
			return false
		}
		c, ok := compare(v, f.Values[0])
		return ok && (f.Op == graph.OpLt && c < 0 || f.Op == graph.OpGt && c > 0)
	}
	return false
}

// checkList rejects queries that name what does not exist.
func checkList(q graph.ListQuery) error {
	t := graph.TypeOf(q.Label)
	if t == nil {
		return graph.Invalid("label", "unknown label %q", q.Label)
	}
	for _, f := range q.Where {
		if _, ok := t.Prop(f.Key); !ok || f.Op < graph.OpIn || f.Op > graph.OpGt {
			return graph.Invalid("where", "bad filter %+v", f)
		}
	}
	for _, r := range q.Related {
		if graph.SpecOf(r.Type) == nil {
			return graph.Invalid("related", "unknown relationship type %q", r.Type)
		}
	}
	if q.Territory != "" && q.Label != graph.Territory && graph.TerritoryRels[q.Label] == nil {
		return graph.Invalid("territory", "a %s is not located in territories", q.Label)
	}
	return nil
}

func (m *memStore) List(_ context.Context, q graph.ListQuery) (graph.Page, error) {
	if err := checkList(q); err != nil {
		return graph.Page{}, err
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
	m.mu.RLock()
	defer m.mu.RUnlock()
	t := graph.TypeOf(q.Label)
	var related []map[string]bool
	for _, r := range q.Related {
		related = append(related, m.reach(r.Type, r.Dir, r.IDs, r.Transitive))
	}
	var located map[string]bool
	if q.Territory != "" {
		area := m.reach(graph.PartOf, graph.Out, []string{q.Territory}, true)
		area[q.Territory] = true
		located = area
		if q.Label != graph.Territory {
			located = map[string]bool{}
			for _, rt := range graph.TerritoryRels[q.Label] {
				maps.Copy(located, m.reach(rt, graph.Out, slices.Collect(maps.Keys(area)), false))
			}
		}
	}
	var all []graph.Node
	for _, n := range m.nodes {
		ok := n.Label == q.Label && (q.IncludeArchived || !n.Archived) && (located == nil || located[n.ID]) &&
			(q.Only == nil || slices.Contains(q.Only, n.ID))
		if ok && q.Search != "" {
			s := strings.ToLower(q.Search)
			ok = slices.ContainsFunc(t.Search, func(k string) bool {
				switch v := n.Props[k].(type) {
				case string:
					return strings.Contains(strings.ToLower(v), s)
				case []string:
					return slices.ContainsFunc(v, func(x string) bool { return strings.Contains(strings.ToLower(x), s) })
				}
				return false
			})
		}
		for _, f := range q.Where {
			ok = ok && matches(n, f)
		}
		for _, r := range related {
			ok = ok && r[n.ID]
		}
		if ok {
			all = append(all, cloneNode(n))
		}
	}
	graph.SortNodes(all)
	p := graph.Page{TotalCount: len(all)}
	for _, n := range all {
		if after != nil && !after.After(n) {
			continue
		}
		if len(p.Nodes) == size {
			p.HasNextPage = true
			break
		}
		p.Nodes = append(p.Nodes, n)
		p.Cursors = append(p.Cursors, graph.CursorOf(n))
	}
	return p, nil
}

func (m *memStore) Edges(_ context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	if q.Dir < graph.Out || q.Dir > graph.Both || slices.ContainsFunc(q.Types, func(t graph.RelType) bool { return graph.SpecOf(t) == nil }) {
		return nil, graph.Invalid("edges", "bad query %+v", q)
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []graph.Edge
	for k, p := range m.edges {
		if len(q.Types) > 0 && !slices.Contains(q.Types, k.Type) {
			continue
		}
		visible := (q.IncludeArchived || !m.nodes[k.From].Archived && !m.nodes[k.To].Archived) &&
			(q.Only == nil || slices.Contains(q.Only, k.From) && slices.Contains(q.Only, k.To))
		asFrom := q.Dir != graph.In && slices.Contains(q.NodeIDs, k.From)
		asTo := q.Dir != graph.Out && slices.Contains(q.NodeIDs, k.To)
		if visible && (asFrom || asTo) {
			out = append(out, graph.Edge{Type: k.Type, From: k.From, To: k.To, Props: maps.Clone(p)})
		}
	}
	return out, nil
}

func (m *memStore) Subgraph(_ context.Context, q graph.SubgraphQuery) (graph.Subgraph, error) {
	if q.Depth < 0 || q.Depth > 10 || q.MaxNodes < 0 {
		return graph.Subgraph{}, graph.Invalid("depth", "depth must be between 0 and 10, maxNodes not negative")
	}
	limit := q.MaxNodes
	if limit == 0 {
		limit = graph.DefaultMaxNodes
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	usable := func(id string) bool {
		n, ok := m.nodes[id]
		return ok && (q.IncludeArchived || !n.Archived) && (q.Only == nil || slices.Contains(q.Only, id))
	}
	typed := func(t graph.RelType) bool { return len(q.Types) == 0 || slices.Contains(q.Types, t) }
	seen := map[string]bool{}
	var frontier []string
	for _, id := range q.Roots {
		if usable(id) && !seen[id] {
			seen[id] = true
			frontier = append(frontier, id)
		}
	}
	for range q.Depth {
		var next []string
		for k := range m.edges {
			for _, step := range [][2]string{{k.From, k.To}, {k.To, k.From}} {
				if typed(k.Type) && slices.Contains(frontier, step[0]) && !seen[step[1]] && usable(step[1]) {
					seen[step[1]] = true
					next = append(next, step[1])
				}
			}
		}
		frontier = next
	}
	if len(seen) > limit {
		return graph.Subgraph{}, graph.Invalid("maxNodes", "the subgraph has more than %d nodes", limit)
	}
	var g graph.Subgraph
	for id := range seen {
		g.Nodes = append(g.Nodes, cloneNode(m.nodes[id]))
	}
	for k, p := range m.edges {
		if typed(k.Type) && seen[k.From] && seen[k.To] {
			g.Edges = append(g.Edges, graph.Edge{Type: k.Type, From: k.From, To: k.To, Props: maps.Clone(p)})
		}
	}
	return g, nil
}

func (m *memStore) History(_ context.Context, id string, limit int) ([]graph.Change, error) {
	if limit < 0 {
		return nil, graph.Invalid("limit", "must not be negative")
	}
	m.mu.RLock()
	defer m.mu.RUnlock()
	var out []graph.Change
	for i := len(m.changes) - 1; i >= 0 && (limit == 0 || len(out) < limit); i-- {
		if c := m.changes[i]; c.NodeID == id {
			c.Fields = slices.Clone(c.Fields)
			out = append(out, c)
		}
	}
	return out, nil
}

func (m *memStore) Ping(context.Context) error  { return nil }
func (m *memStore) Close(context.Context) error { return nil }
