package graph

import (
	"context"
	"slices"
)

// Views are subgraphs chosen for drawing: the nodes of a question and every
// edge among them of the relationship types the question is about. They are
// built from Store calls only, so they are the same on every store; each
// costs a number of calls bounded by the options, not by the sizes of the
// networks.

// NetworkViewOptions choose what a view of networks shows besides the
// networks and their partner organisations.
type NetworkViewOptions struct {
	Networks    []string
	Services    bool // services of the networks, their providers and referrals
	Governance  bool // governance bodies coordinating the networks and their members
	Memoranda   bool // memoranda covering the networks and their signatories
	Actions     bool // actions of the networks at any depth, with who is responsible or contributes
	People      bool // people holding roles in the shown organisations and bodies
	Territories bool // territories the shown nodes are located in, with PART_OF among them
}

// MaxViewDepth bounds the ego networks of views.
const MaxViewDepth = 4

type viewBuilder struct {
	ctx   context.Context
	s     Store
	nodes map[string]Node
	order []string
	types map[RelType]bool
}

func newViewBuilder(ctx context.Context, s Store) *viewBuilder {
	return &viewBuilder{ctx: ctx, s: s, nodes: map[string]Node{}, types: map[RelType]bool{}}
}

func (b *viewBuilder) add(ns []Node) {
	for _, n := range ns {
		if _, ok := b.nodes[n.ID]; !ok {
			b.nodes[n.ID] = n
			b.order = append(b.order, n.ID)
		}
	}
}

// expand follows edges of type t in direction dir from the given nodes and
// adds the ends whose label is one of labels. It returns those ends (new or not).
func (b *viewBuilder) expand(from []string, t RelType, dir Direction, labels ...Label) ([]string, error) {
	b.types[t] = true
	if len(from) == 0 {
		return nil, nil
	}
	es, err := b.s.Edges(b.ctx, EdgeQuery{NodeIDs: from, Types: []RelType{t}, Dir: dir})
	if err != nil {
		return nil, err
	}
	in := map[string]bool{}
	for _, id := range from {
		in[id] = true
	}
	var ends []string
	seen := map[string]bool{}
	for _, e := range es {
		for _, id := range []string{e.From, e.To} {
			if !in[id] && !seen[id] {
				seen[id] = true
				ends = append(ends, id)
			}
		}
	}
	ns, err := b.s.Nodes(b.ctx, ends)
	if err != nil {
		return nil, err
	}
	var out []string
	var keep []Node
	for _, n := range ns {
		if slices.Contains(labels, n.Label) && !n.Archived {
			out = append(out, n.ID)
			keep = append(keep, n)
		}
	}
	b.add(keep)
	return out, nil
}

// finish returns the nodes and every edge among them of the view's types.
func (b *viewBuilder) finish() (Subgraph, error) {
	ids := slices.Clone(b.order)
	types := make([]RelType, 0, len(b.types))
	for _, t := range RelTypes {
		if b.types[t] {
			types = append(types, t)
		}
	}
	es, err := b.s.Edges(b.ctx, EdgeQuery{NodeIDs: ids, Types: types, Dir: Out})
	if err != nil {
		return Subgraph{}, err
	}
	sg := Subgraph{Edges: []Edge{}}
	for _, e := range es {
		if _, ok := b.nodes[e.To]; ok {
			sg.Edges = append(sg.Edges, e)
		}
	}
	slices.Sort(ids)
	for _, id := range ids {
		sg.Nodes = append(sg.Nodes, b.nodes[id])
	}
	return sg, nil
}

// NetworkView returns the networks, their partners and what the options add.
func NetworkView(ctx context.Context, s Store, o NetworkViewOptions) (Subgraph, error) {
	if len(o.Networks) == 0 {
		return Subgraph{}, Invalid("networks", "name at least one network")
	}
	b := newViewBuilder(ctx, s)
	nets, err := s.Nodes(ctx, o.Networks)
	if err != nil {
		return Subgraph{}, err
	}
	for _, id := range o.Networks {
		if i := slices.IndexFunc(nets, func(n Node) bool { return n.ID == id }); i < 0 || nets[i].Label != Network {
			return Subgraph{}, &Error{Code: CodeNotFound, Field: "networks", Message: "no network with id " + quote(id)}
		}
	}
	b.add(nets)
	ids := o.Networks
	orgs, err := b.expand(ids, PartnerIn, In, Organization)
	if err != nil {
		return Subgraph{}, err
	}
	type step struct {
		on    bool
		from  *[]string
		t     RelType
		dir   Direction
		label Label
		into  *[]string
	}
	var svcs, bodies, memos, acts []string
	steps := []step{
		{o.Services, &ids, PartOf, In, Service, &svcs},
		{o.Services, &svcs, Provides, In, Organization, &orgs},
		{o.Services, &svcs, RefersTo, Out, Service, nil},
		{o.Governance, &ids, Coordinates, In, GovernanceBody, &bodies},
		{o.Governance, &bodies, SitsOn, In, Organization, &orgs},
		{o.Governance, &bodies, ReportsTo, Out, GovernanceBody, &bodies},
		{o.Memoranda, &ids, Covers, In, Memorandum, &memos},
		{o.Memoranda, &memos, Signed, In, Organization, &orgs},
		{o.Actions, &ids, PartOf, In, Action, &acts},
	}
	for _, st := range steps {
		if !st.on {
			continue
		}
		got, err := b.expand(*st.from, st.t, st.dir, st.label)
		if err != nil {
			return Subgraph{}, err
		}
		if st.into != nil {
			*st.into = appendNew(*st.into, got)
		}
	}
	if o.Actions {
		// tasks and deliverables below the work packages, a level per call
		for frontier := acts; len(frontier) > 0; {
			got, err := b.expand(frontier, PartOf, In, Action)
			if err != nil {
				return Subgraph{}, err
			}
			frontier = without(got, acts)
			acts = appendNew(acts, got)
		}
		b.types[ResponsibleFor], b.types[ContributesTo], b.types[DependsOn] = true, true, true
	}
	if o.People {
		if _, err := b.expand(append(slices.Clone(orgs), bodies...), HoldsRole, In, Person); err != nil {
			return Subgraph{}, err
		}
	}
	if o.Territories {
		located := []struct {
			from []string
			t    RelType
		}{
			{ids, OperatesIn}, {orgs, BasedIn}, {orgs, OperatesIn}, {svcs, DeliveredIn}, {bodies, ResponsibleFor}, {memos, Covers},
		}
		for _, l := range located {
			if _, err := b.expand(l.from, l.t, Out, Territory); err != nil {
				return Subgraph{}, err
			}
		}
		b.types[PartOf] = true
	}
	return b.finish()
}

// EgoView returns the nodes within depth hops (1..MaxViewDepth) of id over
// relationships of types (all when empty), keeping only nodes of labels
// (all when empty; the centre is always kept), and the edges among them.
func EgoView(ctx context.Context, s Store, id string, depth int, types []RelType, labels []Label) (Subgraph, error) {
	if depth < 1 || depth > MaxViewDepth {
		return Subgraph{}, Invalid("depth", "must be between 1 and %d", MaxViewDepth)
	}
	ns, err := s.Nodes(ctx, []string{id})
	if err != nil {
		return Subgraph{}, err
	}
	if len(ns) == 0 || ns[0].Archived {
		return Subgraph{}, &Error{Code: CodeNotFound, Field: "id", Message: "no node with id " + quote(id)}
	}
	sg, err := s.Subgraph(ctx, SubgraphQuery{Roots: []string{id}, Depth: depth, Types: types})
	if err != nil {
		return Subgraph{}, err
	}
	if len(labels) == 0 {
		return sg, nil
	}
	keep := map[string]bool{}
	out := Subgraph{Edges: []Edge{}}
	for _, n := range sg.Nodes {
		if n.ID == id || slices.Contains(labels, n.Label) {
			keep[n.ID] = true
			out.Nodes = append(out.Nodes, n)
		}
	}
	for _, e := range sg.Edges {
		if keep[e.From] && keep[e.To] {
			out.Edges = append(out.Edges, e)
		}
	}
	return out, nil
}

// SharedView returns two networks and the organisations partner in both,
// with their PARTNER_IN edges.
func SharedView(ctx context.Context, s Store, a, b string) (Subgraph, error) {
	view, err := NetworkView(ctx, s, NetworkViewOptions{Networks: []string{a, b}})
	if err != nil {
		return Subgraph{}, err
	}
	count := map[string]int{}
	for _, e := range view.Edges {
		count[e.From]++
	}
	out := Subgraph{Edges: []Edge{}}
	for _, n := range view.Nodes {
		if n.Label == Network || count[n.ID] >= 2 {
			out.Nodes = append(out.Nodes, n)
		}
	}
	for _, e := range view.Edges {
		if count[e.From] >= 2 {
			out.Edges = append(out.Edges, e)
		}
	}
	return out, nil
}

// PathSearch returns the subgraph holding every path of at most maxHops
// hops between from and to: the nodes within ceil(maxHops/2) hops of either
// end (every node of such a path is that close to one of them) and the
// edges among them. Shortest paths are then found in Go (package analytics).
func PathSearch(ctx context.Context, s Store, from, to string, maxHops int, types []RelType) (Subgraph, error) {
	if maxHops < 1 || maxHops > 2*MaxViewDepth {
		return Subgraph{}, Invalid("maxHops", "must be between 1 and %d", 2*MaxViewDepth)
	}
	ns, err := s.Nodes(ctx, []string{from, to})
	if err != nil {
		return Subgraph{}, err
	}
	for _, id := range []string{from, to} {
		if !slices.ContainsFunc(ns, func(n Node) bool { return n.ID == id && !n.Archived }) {
			return Subgraph{}, &Error{Code: CodeNotFound, Message: "no node with id " + quote(id)}
		}
	}
	return s.Subgraph(ctx, SubgraphQuery{Roots: []string{from, to}, Depth: (maxHops + 1) / 2, Types: types})
}

func appendNew(list, more []string) []string {
	for _, id := range more {
		if !slices.Contains(list, id) {
			list = append(list, id)
		}
	}
	return list
}

func without(list, drop []string) []string {
	var out []string
	for _, id := range list {
		if !slices.Contains(drop, id) {
			out = append(out, id)
		}
	}
	return out
}
