package resolvers

import (
	"context"
	"net/http"
	"sync"

	"govhub/graph"
)

// Batching without N+1, level by level and without timers.
//
// Every list of nodes a request produces (a page of a connection, the ends of
// the edges of a list of nodes, the ids asked for) forms a cohort. The first
// time any member of a cohort needs its edges of some type and direction,
// the edges of the whole cohort are fetched in one store call; the nodes at
// their other ends form the next cohort, fetched in one call when the first
// of them is needed. So a query makes one edge call and one node call per
// level of nesting, whatever the lengths of its lists, and the count is the
// same on every run.

// edgeSel selects the edges of a node: of one type, in one direction.
type edgeSel struct {
	t   graph.RelType
	dir graph.Direction
}

// once is a result computed by the first caller and shared by all.
type once[T any] struct {
	o   sync.Once
	v   T
	err error
}

func (o *once[T]) get(f func() (T, error)) (T, error) {
	o.o.Do(func() { o.v, o.err = f() })
	return o.v, o.err
}

type cohort struct {
	ids   []string
	nodes once[map[string]*graph.Node]

	mu    sync.Mutex
	edges map[edgeSel]*once[map[string][]graph.Edge]
	next  map[edgeSel]*cohort
}

// loaders hold the cohorts of one request.
type loaders struct {
	store graph.Store
	mu    sync.Mutex
	of    map[string]*cohort // the latest cohort each id belongs to
}

func newLoaders(s graph.Store) *loaders {
	return &loaders{store: s, of: map[string]*cohort{}}
}

// group makes a cohort of the ids that have none yet. An id stays in the
// first cohort it was seen in (a network listed on a page and reached again
// through a partner's partnerships is fetched with the page), so each list
// costs at most one call per cohort it draws from.
func (l *loaders) group(ids []string) *cohort {
	c := &cohort{edges: map[edgeSel]*once[map[string][]graph.Edge]{}, next: map[edgeSel]*cohort{}}
	l.mu.Lock()
	for _, id := range ids {
		if _, ok := l.of[id]; !ok {
			l.of[id] = c
			c.ids = append(c.ids, id)
		}
	}
	l.mu.Unlock()
	return c
}

// cohortOf returns the cohort of id, or makes it one of its own.
func (l *loaders) cohortOf(id string) *cohort {
	l.mu.Lock()
	defer l.mu.Unlock()
	if c, ok := l.of[id]; ok {
		return c
	}
	c := &cohort{ids: []string{id}, edges: map[edgeSel]*once[map[string][]graph.Edge]{}, next: map[edgeSel]*cohort{}}
	l.of[id] = c
	return c
}

// node returns a node by id (nil when it does not exist), fetching its whole cohort.
func (l *loaders) node(ctx context.Context, id string) (*graph.Node, error) {
	c := l.cohortOf(id)
	m, err := c.nodes.get(func() (map[string]*graph.Node, error) {
		ns, err := l.store.Nodes(ctx, c.ids)
		if err != nil {
			return nil, err
		}
		m := make(map[string]*graph.Node, len(ns))
		for i := range ns {
			m[ns[i].ID] = &ns[i]
		}
		return m, nil
	})
	if err != nil {
		return nil, err
	}
	return m[id], nil
}

// known makes already loaded nodes a cohort, so that their children are
// fetched together and the nodes themselves are not fetched again.
func (l *loaders) known(ns []graph.Node) {
	ids := make([]string, len(ns))
	m := make(map[string]*graph.Node, len(ns))
	for i := range ns {
		ids[i] = ns[i].ID
		m[ids[i]] = &ns[i]
	}
	c := l.group(ids)
	c.nodes.get(func() (map[string]*graph.Node, error) { return m, nil })
}

// edges returns the edges of id selected by sel, fetching them for its whole
// cohort, and makes the nodes at their other ends the next cohort.
func (l *loaders) edges(ctx context.Context, id string, sel edgeSel) ([]graph.Edge, error) {
	c := l.cohortOf(id)
	c.mu.Lock()
	o, ok := c.edges[sel]
	if !ok {
		o = &once[map[string][]graph.Edge]{}
		c.edges[sel] = o
	}
	c.mu.Unlock()
	m, err := o.get(func() (map[string][]graph.Edge, error) {
		es, err := l.store.Edges(ctx, graph.EdgeQuery{NodeIDs: c.ids, Types: []graph.RelType{sel.t}, Dir: sel.dir})
		if err != nil {
			return nil, err
		}
		m := map[string][]graph.Edge{}
		seen := map[string]bool{}
		var others []string
		add := func(owner, other string, e graph.Edge) {
			m[owner] = append(m[owner], e)
			if !seen[other] {
				seen[other] = true
				others = append(others, other)
			}
		}
		for _, e := range es {
			if sel.dir != graph.In {
				add(e.From, e.To, e)
			}
			if sel.dir == graph.In || (sel.dir == graph.Both && e.To != e.From) {
				add(e.To, e.From, e)
			}
		}
		c.mu.Lock()
		c.next[sel] = l.group(others)
		c.mu.Unlock()
		return m, nil
	})
	if err != nil {
		return nil, err
	}
	return m[id], nil
}

type loadersKey struct{}

// Middleware gives every request its own loaders over the store.
func Middleware(s graph.Store, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := context.WithValue(r.Context(), loadersKey{}, newLoaders(s))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// loadersFor returns the request's loaders, or fresh ones when the context
// has none (for example in a direct call from a test).
func (r *Resolver) loadersFor(ctx context.Context) *loaders {
	if l, ok := ctx.Value(loadersKey{}).(*loaders); ok {
		return l
	}
	return newLoaders(r.Store)
}

// node loads one node by id; nil when it does not exist.
func (r *Resolver) node(ctx context.Context, id string) (*graph.Node, error) {
	return r.loadersFor(ctx).node(ctx, id)
}

// edgesOf loads the edges of a node of one type in one direction.
func (r *Resolver) edgesOf(ctx context.Context, id string, t graph.RelType, dir graph.Direction) ([]graph.Edge, error) {
	return r.loadersFor(ctx).edges(ctx, id, edgeSel{t, dir})
}

// other returns the end of e that is not id.
func other(e graph.Edge, id string) string {
	if e.From == id {
		return e.To
	}
	return e.From
}

// neighbours loads the nodes joined to id by edges of type t in direction
// dir, keeping those whose entity type is T, in list order.
func neighbours[T any](ctx context.Context, r *Resolver, id string, t graph.RelType, dir graph.Direction) ([]*T, error) {
	es, err := r.edgesOf(ctx, id, t, dir)
	if err != nil || len(es) == 0 {
		return []*T{}, err
	}
	found := make([]graph.Node, 0, len(es))
	for _, e := range es {
		n, err := r.node(ctx, other(e, id))
		if err != nil {
			return nil, err
		}
		if n != nil {
			found = append(found, *n)
		}
	}
	graph.SortNodes(found)
	return wrapAll[T](found), nil
}

// neighbour is neighbours for a relationship with at most one end of type T.
func neighbour[T any](ctx context.Context, r *Resolver, id string, t graph.RelType, dir graph.Direction) (*T, error) {
	ns, err := neighbours[T](ctx, r, id, t, dir)
	if err != nil || len(ns) == 0 {
		return nil, err
	}
	return ns[0], nil
}
