// Package resolvers implements the GraphQL schema in schema/*.graphqls over a
// graph.Store. Resolvers stay thin: they turn arguments into store queries and
// writes, and store results into the model types; validation lives in package
// graph and errors are typed there.
package resolvers

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"reflect"
	"slices"
	"strings"

	"govhub/graph"
	"govhub/resolvers/model"
)

// Resolver is the root of the resolver tree.
type Resolver struct {
	Store graph.Store
}

// apiActor is the author recorded for writes made through the API when no
// one is authenticated (--auth none); with authentication, the authorising
// store (internal/authz) records the token's subject instead.
const apiActor = "anonymous"

// wrap turns a node into the entity type T, or nil when it is of another label.
func wrap[T any](n *graph.Node) *T {
	if n == nil {
		return nil
	}
	t, _ := any(model.Wrap(*n)).(*T)
	return t
}

func wrapAll[T any](ns []graph.Node) []*T {
	out := make([]*T, 0, len(ns))
	for i := range ns {
		if t := wrap[T](&ns[i]); t != nil {
			out = append(out, t)
		}
	}
	return out
}

// byID loads one entity of type T; nil (and no error) when there is none.
func byID[T any](ctx context.Context, r *Resolver, id string) (*T, error) {
	n, err := r.node(ctx, id)
	if err != nil {
		return nil, err
	}
	return wrap[T](n), nil
}

// newID makes a fresh id with the label's prefix.
func newID(l graph.Label) string {
	b := make([]byte, 10)
	_, _ = rand.Read(b)
	return graph.TypeOf(l).IDScope + "-" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
}

// linkField declares an input field holding ids of nodes to link the written
// node to: with Out the node is the edge's From, with In its To.
type linkField struct {
	key string
	t   graph.RelType
	dir graph.Direction
}

// write builds and applies the write of one node from a GraphQL input map:
// link fields become edges, "id" the node id (Create only), and every other
// field a property, where an explicit null removes it. Validation is the
// store's (graph.Prepare), so the whole change is applied or none of it.
func write[T any](ctx context.Context, r *Resolver, mode graph.Mode, l graph.Label, id string, input map[string]any, links ...linkField) (*T, error) {
	input = plainMap(input)
	if mode == graph.Create {
		id, _ = input["id"].(string)
		if id == "" {
			id = newID(l)
		}
	}
	nw := graph.NodeWrite{Mode: mode, ID: id, Label: l, Props: graph.Props{}}
	w := graph.Write{Actor: apiActor}
	for k, v := range input {
		if k == "id" && mode == graph.Create {
			continue
		}
		i := slices.IndexFunc(links, func(f linkField) bool { return f.key == k })
		if i < 0 {
			nw.Props[k] = v
			continue
		}
		for _, to := range idList(v) {
			e := graph.Edge{Type: links[i].t, From: id, To: to}
			if links[i].dir == graph.In {
				e.From, e.To = to, id
			}
			w.Link = append(w.Link, e)
		}
	}
	w.Nodes = []graph.NodeWrite{nw}
	res, err := r.Store.Write(ctx, w)
	if err != nil {
		return nil, err
	}
	return wrap[T](&res.Nodes[0]), nil
}

// plainMap returns the input with gqlgen's typed optional values (*string,
// *int, typed nil pointers for an explicit null) turned into plain values and
// untyped nils.
func plainMap(in map[string]any) map[string]any {
	out := make(map[string]any, len(in))
	for k, v := range in {
		rv := reflect.ValueOf(v)
		switch {
		case v == nil:
			out[k] = nil
		case rv.Kind() == reflect.Pointer && rv.IsNil():
			out[k] = nil
		case rv.Kind() == reflect.Pointer:
			out[k] = rv.Elem().Interface()
		default:
			out[k] = v
		}
	}
	return out
}

func idList(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case []string:
		return x
	}
	return nil
}

func create[T any](ctx context.Context, r *Resolver, l graph.Label, input map[string]any, links ...linkField) (*T, error) {
	return write[T](ctx, r, graph.Create, l, "", input, links...)
}

func update[T any](ctx context.Context, r *Resolver, l graph.Label, id string, input map[string]any) (*T, error) {
	return write[T](ctx, r, graph.Update, l, id, input)
}

// territoryRef accepts a territory id or an ISTAT code and returns the id.
func territoryRef(s string) string {
	if strings.HasPrefix(s, "terr-") {
		return s
	}
	return graph.TerritoryID(s)
}

// query collects the parts of a ListQuery from optional filter fields.
type query struct{ graph.ListQuery }

func newQuery(l graph.Label, first *int, after *string) *query {
	q := &query{graph.ListQuery{Label: l}}
	if first != nil {
		q.First = *first
		if *first == 0 {
			q.First = -1 // an explicit 0 is not "the default"; PageSize rejects it below
		}
	}
	if after != nil {
		q.After = *after
	}
	return q
}

func (q *query) search(s *string) *query {
	if s != nil {
		q.Search = *s
	}
	return q
}

func (q *query) archived(b *bool) *query {
	q.IncludeArchived = b != nil && *b
	return q
}

func (q *query) in(key string, values []string) *query {
	if len(values) > 0 {
		q.Where = append(q.Where, graph.PropFilter{Key: key, Op: graph.OpIn, Values: anys(values)})
	}
	return q
}

func (q *query) contains(key string, values []string) *query {
	if len(values) > 0 {
		q.Where = append(q.Where, graph.PropFilter{Key: key, Op: graph.OpContains, Values: anys(values)})
	}
	return q
}

func (q *query) related(id *string, t graph.RelType, dir graph.Direction, transitive bool) *query {
	if id != nil {
		q.Related = append(q.Related, graph.RelFilter{Type: t, Dir: dir, IDs: []string{*id}, Transitive: transitive})
	}
	return q
}

func (q *query) territory(s *string) *query {
	if s != nil {
		q.Territory = territoryRef(*s)
	}
	return q
}

func anys(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// page runs the query. An explicit first of 0 or less is rejected like any
// other out-of-range page size.
func (r *Resolver) page(ctx context.Context, q *query) (graph.Page, error) {
	if q.First < 0 {
		return graph.Page{}, graph.Invalid("first", "must be between 1 and %d", graph.MaxPageSize)
	}
	p, err := r.Store.List(ctx, q.ListQuery)
	if err == nil {
		r.loadersFor(ctx).known(p.Nodes)
	}
	return p, err
}

// conn turns a page into the parts of a connection of entity type T.
func conn[T any, E any](p graph.Page, edge func(cursor string, n *T) E) (edges []E, nodes []*T, info *model.PageInfo) {
	nodes = wrapAll[T](p.Nodes)
	edges = make([]E, len(nodes))
	for i, n := range nodes {
		edges[i] = edge(p.Cursors[i], n)
	}
	info = &model.PageInfo{HasNextPage: p.HasNextPage, HasPreviousPage: false}
	if len(p.Cursors) > 0 {
		info.StartCursor = &p.Cursors[0]
		info.EndCursor = &p.Cursors[len(p.Cursors)-1]
	}
	return edges, nodes, info
}

// rels loads the relationships of a node as Rel values, ordered by less.
func (r *Resolver) rels(ctx context.Context, id string, t graph.RelType, dir graph.Direction) ([]*model.Rel, error) {
	es, err := r.edgesOf(ctx, id, t, dir)
	if err != nil {
		return nil, err
	}
	out := make([]*model.Rel, len(es))
	for i, e := range es {
		out[i] = &model.Rel{E: e}
	}
	if t == graph.PartnerIn {
		rank := func(x *model.Rel) int {
			if role := x.Role(); role != nil {
				return slices.Index(graph.PartnerRoles, *role)
			}
			return len(graph.PartnerRoles)
		}
		slices.SortStableFunc(out, func(a, b *model.Rel) int { return rank(a) - rank(b) })
	}
	return out, nil
}

// mustByID loads an end of a relationship; a missing end (archived ends are
// still returned) is an error rather than a null in a non-null field.
func mustByID[T any](ctx context.Context, r *Resolver, id string) (*T, error) {
	t, err := byID[T](ctx, r, id)
	if err == nil && t == nil {
		err = graph.Errorf(graph.CodeNotFound, "node %q not found", id)
	}
	return t, err
}

// nodeByID loads any node as the Node interface.
func nodeByID(ctx context.Context, r *Resolver, id string) (model.Node, error) {
	n, err := r.node(ctx, id)
	if err != nil || n == nil {
		return nil, err
	}
	return model.Wrap(*n), nil
}

// overdue keeps actions whose planned end is before today and that are
// neither completed nor cancelled.
func (q *query) overdue(today string) *query {
	q.Where = append(q.Where,
		graph.PropFilter{Key: "plannedEnd", Op: graph.OpLt, Values: []any{today}},
		graph.PropFilter{Key: "status", Op: graph.OpNotIn, Values: []any{"COMPLETED", "CANCELLED"}})
	return q
}

func (r *Resolver) setArchived(ctx context.Context, w graph.Write) (model.Node, error) {
	res, err := r.Store.Write(ctx, w)
	if err != nil {
		return nil, err
	}
	return model.Wrap(res.Nodes[0]), nil
}
