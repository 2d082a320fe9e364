package analytics

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"govhub/graph"
)

// Reached is a service reached by following referrals.
type Reached struct {
	Service     graph.Node
	Steps       int          // REFERS_TO hops from the start (1..k)
	Via         string       // the service it was referred from on one shortest chain
	Territories []graph.Node // where it is delivered (DELIVERED_IN), sorted by name
}

// MaxReferralSteps bounds the steps of Referrals.
const MaxReferralSteps = 10

// Referrals returns the services reachable from serviceID by following
// REFERS_TO edges forward within steps hops (1..MaxReferralSteps, else
// BAD_USER_INPUT), excluding the start, ordered by Steps, then name, then id.
// Steps is the length of the shortest chain; Via is, among the services one
// step closer that refer to it, the first by name then id (the start itself
// for Steps 1). Archived services are neither returned nor followed, and
// archived territories are not listed. Unknown (or archived) service: NOT_FOUND.
//
// Store calls: one Nodes call for the start, one Edges call per step taken
// (the walk stops early when no new service is reached), then, when any
// service was reached, one Edges call for DELIVERED_IN and one Nodes call for
// the services and territories: at most steps+3.
func Referrals(ctx context.Context, s graph.Store, serviceID string, steps int) ([]Reached, error) {
	if steps < 1 || steps > MaxReferralSteps {
		return nil, graph.Invalid("steps", "must be between 1 and %d", MaxReferralSteps)
	}
	start, err := s.Nodes(ctx, []string{serviceID})
	if err != nil {
		return nil, fmt.Errorf("referrals: %w", err)
	}
	if len(start) == 0 || start[0].Label != graph.Service || start[0].Archived {
		return nil, graph.Errorf(graph.CodeNotFound, "service %q not found", serviceID)
	}

	step := map[string]int{serviceID: 0}
	preds := map[string][]string{} // the services one step closer referring to it
	var order []string             // reached ids, by step
	frontier := []string{serviceID}
	for k := 1; k <= steps && len(frontier) > 0; k++ {
		es, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: frontier, Types: []graph.RelType{graph.RefersTo}, Dir: graph.Out})
		if err != nil {
			return nil, fmt.Errorf("referrals: step %d: %w", k, err)
		}
		var next []string
		for _, e := range es {
			if step[e.From] != k-1 {
				continue // not from the frontier (cannot happen with Dir Out)
			}
			sk, seen := step[e.To]
			switch {
			case !seen:
				step[e.To] = k
				preds[e.To] = []string{e.From}
				next = append(next, e.To)
			case sk == k:
				preds[e.To] = append(preds[e.To], e.From)
			}
		}
		order = append(order, next...)
		frontier = next
	}
	if len(order) == 0 {
		return []Reached{}, nil
	}

	deliveries, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: order, Types: []graph.RelType{graph.DeliveredIn}, Dir: graph.Out})
	if err != nil {
		return nil, fmt.Errorf("referrals: deliveries: %w", err)
	}
	where := map[string][]string{}
	ids := slices.Clone(order)
	seenTerr := map[string]bool{}
	for _, e := range deliveries {
		where[e.From] = append(where[e.From], e.To)
		if !seenTerr[e.To] {
			seenTerr[e.To] = true
			ids = append(ids, e.To)
		}
	}
	nodes, err := s.Nodes(ctx, ids)
	if err != nil {
		return nil, fmt.Errorf("referrals: nodes: %w", err)
	}
	byID := map[string]graph.Node{serviceID: start[0]}
	for _, n := range nodes {
		byID[n.ID] = n
	}
	before := func(a, b graph.Node) int {
		return cmp.Or(cmp.Compare(a.Str("name"), b.Str("name")), cmp.Compare(a.ID, b.ID))
	}

	out := make([]Reached, 0, len(order))
	for _, id := range order {
		svc, ok := byID[id]
		if !ok || svc.Archived {
			continue
		}
		r := Reached{Service: svc, Steps: step[id], Territories: []graph.Node{}}
		var via *graph.Node
		for _, p := range preds[id] {
			if pn, ok := byID[p]; ok && (via == nil || before(pn, *via) < 0) {
				via = &pn
			}
		}
		if via != nil {
			r.Via = via.ID
		}
		for _, t := range where[id] {
			if tn, ok := byID[t]; ok && !tn.Archived {
				r.Territories = append(r.Territories, tn)
			}
		}
		slices.SortFunc(r.Territories, before)
		out = append(out, r)
	}
	slices.SortFunc(out, func(a, b Reached) int {
		return cmp.Or(cmp.Compare(a.Steps, b.Steps), before(a.Service, b.Service))
	})
	return out, nil
}
