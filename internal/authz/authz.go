// Package authz enforces who may read and write what, in one place below the
// resolvers: a graph.Store decorator that reads the caller's principal from
// each call's context. Every resolver, graph view, analysis, import and
// export goes through it, so none of them repeats a check.
//
// The rules:
//   - ADMIN reads and writes everything, personal data included.
//   - COORDINATOR reads everything except personal data outside its scope,
//     and writes only within the scope of the networks in its claims: the
//     networks, their actions (at any depth), indicators and measurements,
//     services, memoranda, partner organisations and the people holding
//     roles in them; it may create new nodes and link them into that
//     scope, never to another network, and never writes governance bodies.
//   - GOVERNANCE reads only what is in the regions of its claims (and below):
//     territories, and the organisations, services, bodies, memoranda and
//     networks located there, the actions of those networks with their
//     indicators and measurements, and the people holding roles in those
//     organisations and bodies. It writes governance bodies responsible for
//     territories there, and their seats, roles and reporting lines.
//   - VIEWER, and anonymous callers where anonymous access is public, read
//     everything but personal data, and write nothing.
//
// Reads outside a GOVERNANCE caller's regions are removed inside the store
// (ListQuery.Only and friends), so lists, counts, lookups, views and exports
// agree. Personal properties (graph.Prop.Personal) are withheld from nodes
// the caller has no right to, and listed in Node.Redacted so the API can say
// so. A context without a principal is the system itself (the seed, the
// command line) and is not restricted.
package authz

import (
	"context"
	"slices"
	"sync"
	"time"

	"govhub/graph"
	"govhub/internal/auth"
)

// Store is the authorising decorator of a graph.Store.
type Store struct {
	inner   graph.Store
	timeout time.Duration

	mu    sync.Mutex
	gen   uint64 // bumped by every write through this store
	cache map[string]*scope
}

// DefaultTimeout bounds every store call that does not set its own.
const DefaultTimeout = 20 * time.Second

// Wrap returns the authorising store over s; each call is bounded by
// timeout (0: DefaultTimeout).
func Wrap(s graph.Store, timeout time.Duration) *Store {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Store{inner: s, timeout: timeout, cache: map[string]*scope{}}
}

var _ graph.Store = (*Store)(nil)

// scope is a set of node ids a principal may see or write, computed from the
// store and cached until the next write (or for scopeTTL, for writes made by
// other processes).
type scope struct {
	gen  uint64
	at   time.Time
	ids  map[string]bool
	list []string
}

const scopeTTL = 30 * time.Second

func (s *Store) bound(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, s.timeout)
}

func principal(ctx context.Context) (auth.Principal, bool) {
	return auth.FromContext(ctx)
}

func forbidden(format string, args ...any) error {
	return graph.Errorf(graph.CodeForbidden, format, args...)
}

// Write applies w if the caller may make every part of it.
func (s *Store) Write(ctx context.Context, w graph.Write) (graph.WriteResult, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	p, ok := principal(ctx)
	if ok {
		w.Actor = p.Subject
		if p.Anonymous || w.Actor == "" {
			w.Actor = "anonymous"
		}
		if err := s.authorizeWrite(ctx, p, w); err != nil {
			return graph.WriteResult{}, err
		}
	}
	res, err := s.inner.Write(ctx, w)
	if err == nil && (res.Created+res.Updated+res.Linked+res.Unlinked) > 0 {
		s.mu.Lock()
		s.gen++
		s.mu.Unlock()
	}
	if err == nil && ok {
		for i := range res.Nodes {
			if err := s.redact(ctx, p, &res.Nodes[i]); err != nil {
				return graph.WriteResult{}, err
			}
		}
	}
	return res, err
}

func (s *Store) authorizeWrite(ctx context.Context, p auth.Principal, w graph.Write) error {
	switch p.Role {
	case auth.Admin:
		return nil
	case auth.Coordinator:
		return s.coordinatorWrite(ctx, p, w)
	case auth.Governance:
		return s.governanceWrite(ctx, p, w)
	}
	return forbidden("your role may not change the graph")
}

// touched lists the existing nodes a write touches, and the ids it creates.
func touched(w graph.Write) (existing []string, created map[string]graph.Label) {
	created = map[string]graph.Label{}
	for _, n := range w.Nodes {
		if n.Mode == graph.Create {
			created[n.ID] = n.Label
		} else {
			existing = append(existing, n.ID)
		}
	}
	return append(append(existing, w.Archive...), w.Restore...), created
}

func (s *Store) coordinatorWrite(ctx context.Context, p auth.Principal, w graph.Write) error {
	sc, err := s.coordinatorScope(ctx, p)
	if err != nil {
		return err
	}
	existing, created := touched(w)
	labels, err := s.labels(ctx, w, created)
	if err != nil {
		return err
	}
	mine := func(id string) bool { _, isNew := created[id]; return isNew || sc.ids[id] }
	for _, n := range w.Nodes {
		if n.Label == graph.GovernanceBody {
			return forbidden("coordinators do not write governance bodies")
		}
		if n.Mode == graph.Upsert {
			if _, exists := labels[n.ID]; !exists {
				created[n.ID] = n.Label // an upsert of a new id creates it
			}
		}
	}
	for _, id := range existing {
		if !mine(id) {
			return forbidden("node %q is outside the networks you coordinate", id)
		}
	}
	check := func(t graph.RelType, from, to string) error {
		for _, id := range []string{from, to} {
			if labels[id] == graph.Network && !slices.Contains(p.Networks, id) {
				return forbidden("network %q is not one you coordinate", id)
			}
			if labels[id] == graph.GovernanceBody {
				return forbidden("coordinators do not write governance bodies")
			}
		}
		if !mine(from) && !mine(to) {
			return forbidden("%s from %q to %q is outside the networks you coordinate", t, from, to)
		}
		return nil
	}
	for _, e := range w.Link {
		if err := check(e.Type, e.From, e.To); err != nil {
			return err
		}
	}
	for _, k := range w.Unlink {
		if err := check(k.Type, k.From, k.To); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) governanceWrite(ctx context.Context, p auth.Principal, w graph.Write) error {
	vis, err := s.regionScope(ctx, p)
	if err != nil {
		return err
	}
	existing, created := touched(w)
	labels, err := s.labels(ctx, w, created)
	if err != nil {
		return err
	}
	for _, n := range w.Nodes {
		if n.Label != graph.GovernanceBody {
			return forbidden("governance tables write governance bodies only")
		}
		if _, exists := labels[n.ID]; !exists {
			created[n.ID] = n.Label
		}
	}
	for _, id := range existing {
		if labels[id] != graph.GovernanceBody || !vis.ids[id] {
			return forbidden("node %q is not a governance body of your regions", id)
		}
	}
	body := func(id string) bool { return labels[id] == graph.GovernanceBody && (vis.ids[id] || created[id] != "") }
	placed := map[string]bool{}
	check := func(t graph.RelType, from, to string) error {
		switch t {
		case graph.Coordinates, graph.ReportsTo, graph.ResponsibleFor, graph.SitsOn, graph.HoldsRole:
		default:
			return forbidden("governance tables do not write %s relationships", t)
		}
		if !body(from) && !body(to) {
			return forbidden("%s from %q to %q does not touch a governance body of your regions", t, from, to)
		}
		for _, id := range []string{from, to} {
			if _, isNew := created[id]; !isNew && !vis.ids[id] {
				return forbidden("node %q is outside your regions", id)
			}
		}
		if t == graph.ResponsibleFor && body(from) {
			placed[from] = true
		}
		return nil
	}
	for _, e := range w.Link {
		if err := check(e.Type, e.From, e.To); err != nil {
			return err
		}
	}
	for _, k := range w.Unlink {
		if err := check(k.Type, k.From, k.To); err != nil {
			return err
		}
	}
	for id := range created {
		if !placed[id] {
			return forbidden("a new governance body must be made responsible for a territory of your regions in the same change")
		}
	}
	return nil
}

// labels returns the labels of the existing nodes a write refers to.
func (s *Store) labels(ctx context.Context, w graph.Write, created map[string]graph.Label) (map[string]graph.Label, error) {
	ids, _ := w.Refs()
	ns, err := s.inner.Nodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	out := make(map[string]graph.Label, len(ns)+len(created))
	for _, n := range ns {
		out[n.ID] = n.Label
	}
	for id, l := range created {
		if _, ok := out[id]; !ok {
			out[id] = l
		}
	}
	return out, nil
}

// restricted returns the ids a caller may read, or nil when it may read everything.
func (s *Store) restricted(ctx context.Context) ([]string, map[string]bool, error) {
	p, ok := principal(ctx)
	if !ok || p.Role != auth.Governance {
		return nil, nil, nil
	}
	sc, err := s.regionScope(ctx, p)
	if err != nil {
		return nil, nil, err
	}
	return sc.list, sc.ids, nil
}

// only narrows an Only restriction to the visible ids.
func only(q []string, vis []string, visSet map[string]bool) []string {
	if vis == nil {
		return q
	}
	if q == nil {
		return vis
	}
	out := []string{}
	for _, id := range q {
		if visSet[id] {
			out = append(out, id)
		}
	}
	return out
}

// Nodes returns the nodes the caller may see.
func (s *Store) Nodes(ctx context.Context, ids []string) ([]graph.Node, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	ns, err := s.inner.Nodes(ctx, ids)
	if err != nil {
		return nil, err
	}
	return s.visible(ctx, ns)
}

// visible drops the nodes the caller may not see and redacts the rest.
func (s *Store) visible(ctx context.Context, ns []graph.Node) ([]graph.Node, error) {
	p, ok := principal(ctx)
	if !ok {
		return ns, nil
	}
	_, vis, err := s.restricted(ctx)
	if err != nil {
		return nil, err
	}
	out := ns[:0]
	for _, n := range ns {
		if vis != nil && !vis[n.ID] {
			continue
		}
		if err := s.redact(ctx, p, &n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// List returns the page of visible nodes; TotalCount counts only them.
func (s *Store) List(ctx context.Context, q graph.ListQuery) (graph.Page, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	vis, visSet, err := s.restricted(ctx)
	if err != nil {
		return graph.Page{}, err
	}
	q.Only = only(q.Only, vis, visSet)
	pg, err := s.inner.List(ctx, q)
	if err != nil {
		return pg, err
	}
	pg.Nodes, err = s.visible(ctx, pg.Nodes)
	return pg, err
}

// Edges returns the edges among visible nodes.
func (s *Store) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	vis, visSet, err := s.restricted(ctx)
	if err != nil {
		return nil, err
	}
	q.Only = only(q.Only, vis, visSet)
	return s.inner.Edges(ctx, q)
}

// Subgraph expands through visible nodes only.
func (s *Store) Subgraph(ctx context.Context, q graph.SubgraphQuery) (graph.Subgraph, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	vis, visSet, err := s.restricted(ctx)
	if err != nil {
		return graph.Subgraph{}, err
	}
	q.Only = only(q.Only, vis, visSet)
	sg, err := s.inner.Subgraph(ctx, q)
	if err != nil {
		return sg, err
	}
	sg.Nodes, err = s.visible(ctx, sg.Nodes)
	return sg, err
}

// History returns the audit trail of a node the caller may see.
func (s *Store) History(ctx context.Context, id string, limit int) ([]graph.Change, error) {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	if _, vis, err := s.restricted(ctx); err != nil {
		return nil, err
	} else if vis != nil && !vis[id] {
		return []graph.Change{}, nil
	}
	return s.inner.History(ctx, id, limit)
}

// Ping checks the store.
func (s *Store) Ping(ctx context.Context) error {
	ctx, cancel := s.bound(ctx)
	defer cancel()
	return s.inner.Ping(ctx)
}

// Close closes the store.
func (s *Store) Close(ctx context.Context) error { return s.inner.Close(ctx) }
