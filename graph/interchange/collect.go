package interchange

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"govhub/graph"
)

// idChunk bounds the node ids sent in one Nodes or Edges call.
const idChunk = 2000

// Collect reads what a scope covers from a store, as a dump.
//
// For the whole graph (no networks) that is every node, archived too, and
// every edge. For networks it is the networks and everything attached to
// them: their partner organisations; the memoranda covering them, with their
// signatories; the governance bodies coordinating them and the bodies those
// report to (transitively), with their member organisations; their actions at
// any depth (PART_OF chains), with the organisations responsible for or
// contributing to them, the indicators the actions track and the
// indicators' measurements; the services PART_OF the networks and the
// services the organisations included so far provide, with the providers of
// the networks' services; the people holding roles in the included
// organisations and bodies; the territories the included networks,
// organisations, services, memoranda and bodies are located in (BASED_IN,
// OPERATES_IN, DELIVERED_IN, COVERS, RESPONSIBLE_FOR) and those territories'
// ancestors (PART_OF), not whole territory trees. Archived nodes are
// included like the others. The edges are every edge among the included
// nodes. An unknown network id, or the id of a node that is not a network,
// is a NOT_FOUND error.
//
// The order is deterministic: nodes by label (graph.Labels order) then id,
// edges by from, type, to. progress, when not nil, is called with the steps
// done out of the total, before the first and after each.
func Collect(ctx context.Context, s graph.Store, sc Scope, progress func(done, total int)) (*graph.Dump, error) {
	if progress == nil {
		progress = func(int, int) {}
	}
	var (
		d   *graph.Dump
		err error
	)
	if len(sc.Networks) == 0 {
		d, err = collectAll(ctx, s, progress)
	} else {
		d, err = collectNetworks(ctx, s, sc.Networks, progress)
	}
	if err != nil {
		return nil, err
	}
	SortDump(d)
	return d, nil
}

func newDump(source string) *graph.Dump {
	return &graph.Dump{Format: graph.DumpFormat, Version: graph.DumpVersion, Source: source, Nodes: []graph.DumpNode{}, Edges: []graph.DumpEdge{}}
}

func dumpNode(n graph.Node) graph.DumpNode {
	props := n.Props
	if props == nil {
		props = graph.Props{}
	}
	return graph.DumpNode{ID: n.ID, Label: n.Label, Archived: n.Archived, Props: props}
}

func dumpEdge(e graph.Edge) graph.DumpEdge {
	var props graph.Props
	if len(e.Props) > 0 {
		props = e.Props
	}
	return graph.DumpEdge{Type: e.Type, From: e.From, To: e.To, Props: props}
}

func collectAll(ctx context.Context, s graph.Store, progress func(int, int)) (*graph.Dump, error) {
	d := newDump("govhub export of the whole graph")
	total := len(graph.Labels) + 1
	progress(0, total)
	var ids []string
	for i, l := range graph.Labels {
		after := ""
		for {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			p, err := s.List(ctx, graph.ListQuery{Label: l, IncludeArchived: true, First: graph.MaxPageSize, After: after})
			if err != nil {
				return nil, fmt.Errorf("interchange: list %s nodes: %w", l, err)
			}
			for _, n := range p.Nodes {
				d.Nodes = append(d.Nodes, dumpNode(n))
				ids = append(ids, n.ID)
			}
			if !p.HasNextPage || len(p.Cursors) == 0 {
				break
			}
			after = p.Cursors[len(p.Cursors)-1]
		}
		progress(i+1, total)
	}
	for c := range slices.Chunk(ids, idChunk) {
		es, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: c, Dir: graph.Out, IncludeArchived: true})
		if err != nil {
			return nil, fmt.Errorf("interchange: read edges: %w", err)
		}
		for _, e := range es {
			d.Edges = append(d.Edges, dumpEdge(e))
		}
	}
	progress(total, total)
	return d, nil
}

// collector gathers the nodes of a scope through Store calls.
type collector struct {
	ctx   context.Context
	s     graph.Store
	known map[string]graph.Node // nodes read so far, included or not
	in    map[string]bool       // included ids
}

// nodes returns the nodes of ids, reading those not known yet.
func (c *collector) nodes(ids []string) (map[string]graph.Node, error) {
	var missing []string
	for _, id := range ids {
		if _, ok := c.known[id]; !ok {
			missing = append(missing, id)
		}
	}
	slices.Sort(missing)
	missing = slices.Compact(missing)
	for ch := range slices.Chunk(missing, idChunk) {
		ns, err := c.s.Nodes(c.ctx, ch)
		if err != nil {
			return nil, fmt.Errorf("interchange: read nodes: %w", err)
		}
		for _, n := range ns {
			c.known[n.ID] = n
		}
	}
	out := make(map[string]graph.Node, len(ids))
	for _, id := range ids {
		if n, ok := c.known[id]; ok {
			out[id] = n
		}
	}
	return out, nil
}

// follow reads the edges of types in direction dir of the nodes from and
// includes their other ends whose label is one of labels. It returns the
// ends found (already included or not), sorted.
func (c *collector) follow(from []string, types []graph.RelType, dir graph.Direction, labels ...graph.Label) ([]string, error) {
	if len(from) == 0 {
		return nil, nil
	}
	var ends []string
	for ch := range slices.Chunk(from, idChunk) {
		es, err := c.s.Edges(c.ctx, graph.EdgeQuery{NodeIDs: ch, Types: types, Dir: dir, IncludeArchived: true})
		if err != nil {
			return nil, fmt.Errorf("interchange: read edges: %w", err)
		}
		set := make(map[string]bool, len(ch))
		for _, id := range ch {
			set[id] = true
		}
		for _, e := range es {
			if dir != graph.In && set[e.From] {
				ends = append(ends, e.To)
			}
			if dir != graph.Out && set[e.To] {
				ends = append(ends, e.From)
			}
		}
	}
	ns, err := c.nodes(ends)
	if err != nil {
		return nil, err
	}
	var out []string
	for id, n := range ns {
		if slices.Contains(labels, n.Label) {
			c.in[id] = true
			out = append(out, id)
		}
	}
	slices.Sort(out)
	return out, nil
}

// closure follows edges of type t in direction dir from ids, again and again
// from what it finds, and returns everything found, ids included.
func (c *collector) closure(ids []string, t graph.RelType, dir graph.Direction, label graph.Label) ([]string, error) {
	all := map[string]bool{}
	for _, id := range ids {
		all[id] = true
	}
	frontier := ids
	for len(frontier) > 0 {
		found, err := c.follow(frontier, []graph.RelType{t}, dir, label)
		if err != nil {
			return nil, err
		}
		frontier = nil
		for _, id := range found {
			if !all[id] {
				all[id] = true
				frontier = append(frontier, id)
			}
		}
	}
	return slices.Sorted(maps.Keys(all)), nil
}

func union(lists ...[]string) []string {
	var out []string
	for _, l := range lists {
		out = append(out, l...)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func collectNetworks(ctx context.Context, s graph.Store, networks []string, progress func(int, int)) (*graph.Dump, error) {
	nets := slices.Clone(networks)
	slices.Sort(nets)
	nets = slices.Compact(nets)
	d := newDump("govhub export of networks " + strings.Join(nets, ", "))
	c := &collector{ctx: ctx, s: s, known: map[string]graph.Node{}, in: map[string]bool{}}
	const total = 11
	step := 0
	next := func() error {
		step++
		progress(step, total)
		return ctx.Err()
	}
	progress(0, total)

	found, err := c.nodes(nets)
	if err != nil {
		return nil, err
	}
	for _, id := range nets {
		if n, ok := found[id]; !ok || n.Label != graph.Network {
			return nil, graph.Errorf(graph.CodeNotFound, "no network with id %q", id)
		}
		c.in[id] = true
	}
	// 1. partners
	partners, err := c.follow(nets, []graph.RelType{graph.PartnerIn}, graph.In, graph.Organization)
	if err != nil {
		return nil, err
	}
	if err := next(); err != nil {
		return nil, err
	}
	// 2. memoranda, bodies (with the bodies they report to) and actions at any depth
	memoranda, err := c.follow(nets, []graph.RelType{graph.Covers}, graph.In, graph.Memorandum)
	if err != nil {
		return nil, err
	}
	bodies, err := c.follow(nets, []graph.RelType{graph.Coordinates}, graph.In, graph.GovernanceBody)
	if err != nil {
		return nil, err
	}
	if bodies, err = c.closure(bodies, graph.ReportsTo, graph.Out, graph.GovernanceBody); err != nil {
		return nil, err
	}
	if err := next(); err != nil {
		return nil, err
	}
	actions, err := c.follow(nets, []graph.RelType{graph.PartOf}, graph.In, graph.Action)
	if err != nil {
		return nil, err
	}
	if actions, err = c.closure(actions, graph.PartOf, graph.In, graph.Action); err != nil {
		return nil, err
	}
	if err := next(); err != nil {
		return nil, err
	}
	// 3. indicators and measurements
	indicators, err := c.follow(actions, []graph.RelType{graph.Tracks}, graph.Out, graph.Indicator)
	if err != nil {
		return nil, err
	}
	if _, err := c.follow(indicators, []graph.RelType{graph.HasMeasurement}, graph.Out, graph.Measurement); err != nil {
		return nil, err
	}
	if err := next(); err != nil {
		return nil, err
	}
	// 4. organisations that sign, sit on, are responsible for or contribute to what is included
	members, err := c.follow(union(memoranda, bodies, actions),
		[]graph.RelType{graph.Signed, graph.SitsOn, graph.ResponsibleFor, graph.ContributesTo}, graph.In, graph.Organization)
	if err != nil {
		return nil, err
	}
	if err := next(); err != nil {
		return nil, err
	}
	// 5. services: part of the networks, or provided by included organisations; and their providers
	netServices, err := c.follow(nets, []graph.RelType{graph.PartOf}, graph.In, graph.Service)
	if err != nil {
		return nil, err
	}
	orgServices, err := c.follow(union(partners, members), []graph.RelType{graph.Provides}, graph.Out, graph.Service)
	if err != nil {
		return nil, err
	}
	if err := next(); err != nil {
		return nil, err
	}
	providers, err := c.follow(netServices, []graph.RelType{graph.Provides}, graph.In, graph.Organization)
	if err != nil {
		return nil, err
	}
	orgs := union(partners, members, providers)
	services := union(netServices, orgServices)
	if err := next(); err != nil {
		return nil, err
	}
	// 6. people with roles in included organisations and bodies
	if _, err := c.follow(union(orgs, bodies), []graph.RelType{graph.HoldsRole}, graph.In, graph.Person); err != nil {
		return nil, err
	}
	if err := next(); err != nil {
		return nil, err
	}
	// 7. territories where the included nodes are, and their ancestors
	located := union(nets, orgs, services, memoranda, bodies)
	terrs, err := c.follow(located, []graph.RelType{graph.BasedIn, graph.OperatesIn, graph.DeliveredIn, graph.Covers, graph.ResponsibleFor}, graph.Out, graph.Territory)
	if err != nil {
		return nil, err
	}
	if err := next(); err != nil {
		return nil, err
	}
	if _, err := c.closure(terrs, graph.PartOf, graph.Out, graph.Territory); err != nil {
		return nil, err
	}
	if err := next(); err != nil {
		return nil, err
	}
	// 8. every edge among the included nodes
	ids := slices.Sorted(maps.Keys(c.in))
	for ch := range slices.Chunk(ids, idChunk) {
		es, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: ch, Dir: graph.Out, IncludeArchived: true})
		if err != nil {
			return nil, fmt.Errorf("interchange: read edges: %w", err)
		}
		for _, e := range es {
			if c.in[e.To] {
				d.Edges = append(d.Edges, dumpEdge(e))
			}
		}
	}
	for _, id := range ids {
		d.Nodes = append(d.Nodes, dumpNode(c.known[id]))
	}
	if err := next(); err != nil {
		return nil, err
	}
	return d, nil
}
