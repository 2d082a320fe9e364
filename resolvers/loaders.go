package resolvers

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/vikstrous/dataloadgen"

	"govhub/graph"
)

// loaders batch the store reads of one request: every node looked up by id
// and every edge list of a (type, direction) asked for while resolving one
// level of a query goes to the store in one call, so a request makes a
// bounded number of round trips whatever the sizes of its lists.
type loaders struct {
	store graph.Store
	nodes *dataloadgen.Loader[string, *graph.Node]
	mu    sync.Mutex
	edges map[edgeSel]*dataloadgen.Loader[string, []graph.Edge]
}

// edgeSel selects the edges of a node: of one type, in one direction.
type edgeSel struct {
	t   graph.RelType
	dir graph.Direction
}

const batchWait = 2 * time.Millisecond

func newLoaders(s graph.Store) *loaders {
	l := &loaders{store: s, edges: map[edgeSel]*dataloadgen.Loader[string, []graph.Edge]{}}
	l.nodes = dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([]*graph.Node, []error) {
		ns, err := s.Nodes(ctx, ids)
		if err != nil {
			return nil, fill(len(ids), err)
		}
		byID := make(map[string]*graph.Node, len(ns))
		for i := range ns {
			byID[ns[i].ID] = &ns[i]
		}
		out := make([]*graph.Node, len(ids))
		for i, id := range ids {
			out[i] = byID[id]
		}
		return out, nil
	}, dataloadgen.WithWait(batchWait))
	return l
}

func fill(n int, err error) []error {
	errs := make([]error, n)
	for i := range errs {
		errs[i] = err
	}
	return errs
}

func (l *loaders) edgeLoader(sel edgeSel) *dataloadgen.Loader[string, []graph.Edge] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ld, ok := l.edges[sel]; ok {
		return ld
	}
	ld := dataloadgen.NewLoader(func(ctx context.Context, ids []string) ([][]graph.Edge, []error) {
		es, err := l.store.Edges(ctx, graph.EdgeQuery{NodeIDs: ids, Types: []graph.RelType{sel.t}, Dir: sel.dir})
		if err != nil {
			return nil, fill(len(ids), err)
		}
		byID := map[string][]graph.Edge{}
		for _, e := range es {
			if sel.dir == graph.Out || sel.dir == graph.Both {
				byID[e.From] = append(byID[e.From], e)
			}
			if sel.dir == graph.In || (sel.dir == graph.Both && e.To != e.From) {
				byID[e.To] = append(byID[e.To], e)
			}
		}
		out := make([][]graph.Edge, len(ids))
		for i, id := range ids {
			out[i] = byID[id]
		}
		return out, nil
	}, dataloadgen.WithWait(batchWait))
	l.edges[sel] = ld
	return ld
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
	return r.loadersFor(ctx).nodes.Load(ctx, id)
}

// edgesOf loads the edges of a node of one type in one direction.
func (r *Resolver) edgesOf(ctx context.Context, id string, t graph.RelType, dir graph.Direction) ([]graph.Edge, error) {
	return r.loadersFor(ctx).edgeLoader(edgeSel{t, dir}).Load(ctx, id)
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
	ids := make([]string, len(es))
	for i, e := range es {
		ids[i] = other(e, id)
	}
	ns, err := r.loadersFor(ctx).nodes.LoadAll(ctx, ids)
	if err != nil {
		return nil, err
	}
	found := make([]graph.Node, 0, len(ns))
	for _, n := range ns {
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
