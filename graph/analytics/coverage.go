package analytics

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"govhub/graph"
)

// Gap is the service coverage of one territory.
type Gap struct {
	Territory  graph.Node
	Population int64    // the territory's population property (0 when absent)
	Missing    []string // categories of the asked list with no service covering the territory
	Covered    []string // the other categories of the asked list
}

// Coverage reports, for the territory territoryID and the service categories,
// which categories have no service in each territory directly below it (its
// PART_OF children) or, when level is not "", in each territory of that level
// below it at any depth (for example every MUNICIPALITY of a region); the
// territory itself is never one of them.
//
// A territory is covered for a category when a service of that category is
// DELIVERED_IN it, in a territory below it, or in one of its ancestors up to
// and beyond territoryID (a regional service reaches all the region).
// Archived services and deliveries to archived territories do not count.
//
// categories must be values of graph.ServiceCategories (repeats are ignored;
// empty means all of them); Missing and Covered keep their order. level, when
// set, must be one of graph.TerritoryLevels. A Gap is returned for every
// territory asked about, fully covered or not, ordered by population
// descending, then name, then id.
//
// Errors: NOT_FOUND when territoryID is not a territory (or is archived),
// BAD_USER_INPUT for an unknown category or level.
//
// Store calls: at most 7, whatever the sizes: Nodes (the territory), List of
// its subtree, Edges (PART_OF within it), List of its ancestors, List of the
// services located in the subtree, List of those delivered in the ancestors,
// Edges (their DELIVERED_IN); each List asks for graph.MaxPageSize nodes, and
// only a list longer than that (a subtree of more than 10,000 territories, say)
// takes one more call per further page.
func Coverage(ctx context.Context, s graph.Store, territoryID string, categories []string, level string) ([]Gap, error) {
	cats, err := checkCategories(categories)
	if err != nil {
		return nil, err
	}
	if level != "" && !slices.Contains(graph.TerritoryLevels, level) {
		return nil, graph.Invalid("level", "unknown territory level %q; one of %v", level, graph.TerritoryLevels)
	}
	roots, err := s.Nodes(ctx, []string{territoryID})
	if err != nil {
		return nil, fmt.Errorf("coverage: %w", err)
	}
	if len(roots) == 0 || roots[0].Label != graph.Territory || roots[0].Archived {
		return nil, graph.Errorf(graph.CodeNotFound, "territory %q not found", territoryID)
	}

	// The subtree (root included) and its PART_OF links.
	subtree, err := listAll(ctx, s, graph.ListQuery{Label: graph.Territory, Territory: territoryID})
	if err != nil {
		return nil, fmt.Errorf("coverage: territories below %s: %w", territoryID, err)
	}
	inTree := make(map[string]graph.Node, len(subtree)+1)
	inTree[territoryID] = roots[0]
	ids := []string{territoryID}
	for _, t := range subtree {
		if _, ok := inTree[t.ID]; !ok {
			inTree[t.ID] = t
			ids = append(ids, t.ID)
		}
	}
	links, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: ids, Types: []graph.RelType{graph.PartOf}, Dir: graph.Out})
	if err != nil {
		return nil, fmt.Errorf("coverage: PART_OF below %s: %w", territoryID, err)
	}
	parent := map[string]string{} // within the subtree; the root has none
	children := map[string][]string{}
	for _, e := range links {
		if e.From == territoryID {
			continue
		}
		if _, ok := inTree[e.To]; !ok {
			continue
		}
		if _, ok := inTree[e.From]; !ok {
			continue
		}
		if _, dup := parent[e.From]; !dup {
			parent[e.From] = e.To
			children[e.To] = append(children[e.To], e.From)
		}
	}
	// chain returns t and its ancestors within the subtree, up to the root.
	chain := func(t string) []string {
		out := []string{t}
		seen := map[string]bool{t: true}
		for {
			p, ok := parent[t]
			if !ok || seen[p] {
				return out
			}
			seen[p] = true
			out = append(out, p)
			t = p
		}
	}

	// The territories asked about.
	var targets []graph.Node
	if level == "" {
		for _, id := range children[territoryID] {
			targets = append(targets, inTree[id])
		}
	} else {
		for _, id := range ids[1:] {
			if t := inTree[id]; t.Str("level") == level && !t.Archived {
				targets = append(targets, t)
			}
		}
	}

	ancestors, err := listAll(ctx, s, graph.ListQuery{Label: graph.Territory,
		Related: []graph.RelFilter{{Type: graph.PartOf, Dir: graph.In, IDs: []string{territoryID}, Transitive: true}}})
	if err != nil {
		return nil, fmt.Errorf("coverage: territories above %s: %w", territoryID, err)
	}
	catValues := make([]any, len(cats))
	for i, c := range cats {
		catValues[i] = c
	}
	byCategory := []graph.PropFilter{{Key: "category", Op: graph.OpIn, Values: catValues}}
	services, err := listAll(ctx, s, graph.ListQuery{Label: graph.Service, Territory: territoryID, Where: byCategory})
	if err != nil {
		return nil, fmt.Errorf("coverage: services below %s: %w", territoryID, err)
	}
	aboveRoot := map[string]bool{} // categories delivered in an ancestor of the root
	var ancestorIDs []string
	for _, a := range ancestors {
		if _, ok := inTree[a.ID]; !ok {
			ancestorIDs = append(ancestorIDs, a.ID)
		}
	}
	if len(ancestorIDs) > 0 {
		regional, err := listAll(ctx, s, graph.ListQuery{Label: graph.Service, Where: byCategory,
			Related: []graph.RelFilter{{Type: graph.DeliveredIn, Dir: graph.Out, IDs: ancestorIDs}}})
		if err != nil {
			return nil, fmt.Errorf("coverage: services above %s: %w", territoryID, err)
		}
		for _, svc := range regional {
			aboveRoot[svc.Str("category")] = true
		}
	}

	// delivered[t] holds the categories of services delivered in t itself;
	// below[t] those delivered in t or any territory below it.
	delivered := map[string]map[string]bool{}
	below := map[string]map[string]bool{}
	mark := func(m map[string]map[string]bool, t, c string) {
		if m[t] == nil {
			m[t] = map[string]bool{}
		}
		m[t][c] = true
	}
	if len(services) > 0 {
		category := make(map[string]string, len(services))
		svcIDs := make([]string, len(services))
		for i, svc := range services {
			category[svc.ID] = svc.Str("category")
			svcIDs[i] = svc.ID
		}
		deliveries, err := s.Edges(ctx, graph.EdgeQuery{NodeIDs: svcIDs, Types: []graph.RelType{graph.DeliveredIn}, Dir: graph.Out})
		if err != nil {
			return nil, fmt.Errorf("coverage: deliveries: %w", err)
		}
		for _, e := range deliveries {
			c, ok := category[e.From]
			if !ok {
				continue
			}
			if _, ok := inTree[e.To]; !ok {
				continue // delivered elsewhere too; an ancestor case is handled by aboveRoot
			}
			mark(delivered, e.To, c)
			for _, t := range chain(e.To) {
				mark(below, t, c)
			}
		}
	}

	gaps := make([]Gap, 0, len(targets))
	for _, t := range targets {
		covered := map[string]bool{}
		for c := range aboveRoot {
			covered[c] = true
		}
		for c := range below[t.ID] {
			covered[c] = true
		}
		for _, a := range chain(t.ID)[1:] {
			for c := range delivered[a] {
				covered[c] = true
			}
		}
		g := Gap{Territory: t, Population: population(t), Missing: []string{}, Covered: []string{}}
		for _, c := range cats {
			if covered[c] {
				g.Covered = append(g.Covered, c)
			} else {
				g.Missing = append(g.Missing, c)
			}
		}
		gaps = append(gaps, g)
	}
	slices.SortFunc(gaps, func(a, b Gap) int {
		return cmp.Or(
			cmp.Compare(b.Population, a.Population),
			cmp.Compare(a.Territory.Str("name"), b.Territory.Str("name")),
			cmp.Compare(a.Territory.ID, b.Territory.ID),
		)
	})
	return gaps, nil
}

// checkCategories validates and de-duplicates service categories; none means all.
func checkCategories(categories []string) ([]string, error) {
	if len(categories) == 0 {
		return slices.Clone(graph.ServiceCategories), nil
	}
	var out []string
	for i, c := range categories {
		if !slices.Contains(graph.ServiceCategories, c) {
			return nil, graph.Invalid(fmt.Sprintf("categories[%d]", i), "unknown service category %q; one of %v", c, graph.ServiceCategories)
		}
		if !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out, nil
}

// population returns a territory's population property, 0 when absent.
func population(t graph.Node) int64 {
	switch v := t.Props["population"].(type) {
	case int64:
		return v
	case int:
		return int64(v)
	case float64:
		return int64(v)
	case json.Number:
		n, _ := v.Int64()
		return n
	}
	return 0
}

// listAll returns every node of q, asking for pages of graph.MaxPageSize.
func listAll(ctx context.Context, s graph.Store, q graph.ListQuery) ([]graph.Node, error) {
	q.First = graph.MaxPageSize
	var out []graph.Node
	for {
		p, err := s.List(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, p.Nodes...)
		if !p.HasNextPage || len(p.Cursors) == 0 {
			return out, nil
		}
		q.After = p.Cursors[len(p.Cursors)-1]
	}
}
