package authz

import (
	"context"
	"slices"
	"strings"
	"time"

	"govhub/graph"
	"govhub/internal/auth"
)

// redact withholds the personal properties of n unless p may see them.
func (s *Store) redact(ctx context.Context, p auth.Principal, n *graph.Node) error {
	t := graph.TypeOf(n.Label)
	if t == nil {
		return nil
	}
	var personal []string
	for _, pr := range t.Props {
		if pr.Personal {
			personal = append(personal, pr.Name)
		}
	}
	if len(personal) == 0 {
		return nil
	}
	allowed := false
	switch p.Role {
	case auth.Admin:
		allowed = true
	case auth.Coordinator:
		sc, err := s.coordinatorScope(ctx, p)
		if err != nil {
			return err
		}
		allowed = sc.ids[n.ID]
	case auth.Governance:
		sc, err := s.regionScope(ctx, p)
		if err != nil {
			return err
		}
		allowed = sc.ids[n.ID]
	}
	if p.Anonymous {
		allowed = false
	}
	if allowed {
		return nil
	}
	props := make(graph.Props, len(n.Props))
	for k, v := range n.Props {
		if !slices.Contains(personal, k) {
			props[k] = v
		}
	}
	n.Props = props
	n.Redacted = personal
	return nil
}

// cached returns the scope under key, computing it when it is missing, older
// than the last write through this store, or older than scopeTTL.
func (s *Store) cached(key string, compute func() (map[string]bool, error)) (*scope, error) {
	s.mu.Lock()
	gen := s.gen
	sc, ok := s.cache[key]
	s.mu.Unlock()
	if ok && sc.gen == gen && time.Since(sc.at) < scopeTTL {
		return sc, nil
	}
	ids, err := compute()
	if err != nil {
		return nil, err
	}
	sc = &scope{gen: gen, at: time.Now(), ids: ids, list: make([]string, 0, len(ids))}
	for id := range ids {
		sc.list = append(sc.list, id)
	}
	slices.Sort(sc.list)
	s.mu.Lock()
	if len(s.cache) > 1000 {
		s.cache = map[string]*scope{}
	}
	s.cache[key] = sc
	s.mu.Unlock()
	return sc, nil
}

// all lists every node matching q, page after page, as a set of ids added to into.
func (s *Store) all(ctx context.Context, q graph.ListQuery, into map[string]bool) ([]string, error) {
	q.First = graph.MaxPageSize
	q.IncludeArchived = true
	var ids []string
	for {
		pg, err := s.inner.List(ctx, q)
		if err != nil {
			return nil, err
		}
		for _, n := range pg.Nodes {
			ids = append(ids, n.ID)
			into[n.ID] = true
		}
		if !pg.HasNextPage || len(pg.Cursors) == 0 {
			return ids, nil
		}
		q.After = pg.Cursors[len(pg.Cursors)-1]
	}
}

// coordinatorScope is what a coordinator may write: its networks, their
// actions at any depth with indicators and measurements, services,
// memoranda, partner organisations and the people holding roles in them.
func (s *Store) coordinatorScope(ctx context.Context, p auth.Principal) (*scope, error) {
	key := "coordinator\x00" + strings.Join(p.Networks, "\x00")
	return s.cached(key, func() (map[string]bool, error) {
		ids := map[string]bool{}
		nets, err := s.inner.Nodes(ctx, p.Networks)
		if err != nil {
			return nil, err
		}
		var netIDs []string
		for _, n := range nets {
			if n.Label == graph.Network {
				ids[n.ID] = true
				netIDs = append(netIDs, n.ID)
			}
		}
		if len(netIDs) == 0 {
			return ids, nil
		}
		rel := func(t graph.RelType, dir graph.Direction, to []string, transitive bool) []graph.RelFilter {
			return []graph.RelFilter{{Type: t, Dir: dir, IDs: to, Transitive: transitive}}
		}
		acts, err := s.all(ctx, graph.ListQuery{Label: graph.Action, Related: rel(graph.PartOf, graph.Out, netIDs, true)}, ids)
		if err != nil {
			return nil, err
		}
		var inds []string
		if len(acts) > 0 {
			if inds, err = s.all(ctx, graph.ListQuery{Label: graph.Indicator, Related: rel(graph.Tracks, graph.In, acts, false)}, ids); err != nil {
				return nil, err
			}
		}
		if len(inds) > 0 {
			if _, err = s.all(ctx, graph.ListQuery{Label: graph.Measurement, Related: rel(graph.HasMeasurement, graph.In, inds, false)}, ids); err != nil {
				return nil, err
			}
		}
		for _, q := range []graph.ListQuery{
			{Label: graph.Service, Related: rel(graph.PartOf, graph.Out, netIDs, false)},
			{Label: graph.Memorandum, Related: rel(graph.Covers, graph.Out, netIDs, false)},
		} {
			if _, err := s.all(ctx, q, ids); err != nil {
				return nil, err
			}
		}
		orgs, err := s.all(ctx, graph.ListQuery{Label: graph.Organization, Related: rel(graph.PartnerIn, graph.Out, netIDs, false)}, ids)
		if err != nil {
			return nil, err
		}
		if len(orgs) > 0 {
			if _, err := s.all(ctx, graph.ListQuery{Label: graph.Person, Related: rel(graph.HoldsRole, graph.Out, orgs, false)}, ids); err != nil {
				return nil, err
			}
		}
		return ids, nil
	})
}

// regionScope is what a governance table may read: everything located in
// its regions or below, the actions of the networks there with their
// indicators and measurements, and the people holding roles there.
func (s *Store) regionScope(ctx context.Context, p auth.Principal) (*scope, error) {
	key := "regions\x00" + strings.Join(p.Regions, "\x00")
	return s.cached(key, func() (map[string]bool, error) {
		ids := map[string]bool{}
		var located []string
		var nets []string
		for _, r := range p.Regions {
			for _, l := range []graph.Label{graph.Territory, graph.Organization, graph.Service, graph.GovernanceBody, graph.Memorandum, graph.Network} {
				got, err := s.all(ctx, graph.ListQuery{Label: l, Territory: r}, ids)
				if err != nil {
					return nil, err
				}
				switch l {
				case graph.Network:
					nets = append(nets, got...)
				case graph.Organization, graph.GovernanceBody:
					located = append(located, got...)
				}
			}
		}
		if len(nets) > 0 {
			acts, err := s.all(ctx, graph.ListQuery{Label: graph.Action, Related: []graph.RelFilter{{Type: graph.PartOf, Dir: graph.Out, IDs: nets, Transitive: true}}}, ids)
			if err != nil {
				return nil, err
			}
			if len(acts) > 0 {
				inds, err := s.all(ctx, graph.ListQuery{Label: graph.Indicator, Related: []graph.RelFilter{{Type: graph.Tracks, Dir: graph.In, IDs: acts}}}, ids)
				if err != nil {
					return nil, err
				}
				if len(inds) > 0 {
					if _, err := s.all(ctx, graph.ListQuery{Label: graph.Measurement, Related: []graph.RelFilter{{Type: graph.HasMeasurement, Dir: graph.In, IDs: inds}}}, ids); err != nil {
						return nil, err
					}
				}
			}
		}
		if len(located) > 0 {
			if _, err := s.all(ctx, graph.ListQuery{Label: graph.Person, Related: []graph.RelFilter{{Type: graph.HoldsRole, Dir: graph.Out, IDs: located}}}, ids); err != nil {
				return nil, err
			}
		}
		return ids, nil
	})
}
