package resolvers

import (
	"govhub/graph"
	"govhub/graph/analytics"
	"govhub/graph/interchange"
	"govhub/resolvers/model"
)

// kindProp names, per label, the property a drawing colours nodes by.
var kindProp = map[graph.Label]string{
	graph.Organization: "kind", graph.Service: "category", graph.Territory: "level",
	graph.GovernanceBody: "kind", graph.Action: "kind", graph.Memorandum: "kind",
}

func optStr(p graph.Props, k string) *string {
	if s, ok := p[k].(string); ok && s != "" {
		return &s
	}
	return nil
}

// MaxAnalyzedNodes bounds the views metrics are computed for: the
// centralities take time growing with nodes times edges (see
// docs/benchmarks.md), about a second for a view of this size.
const MaxAnalyzedNodes = 1500

// graphView turns a subgraph into the drawing payload; with metrics, it
// analyses the subgraph and attaches every node's metrics and community.
func graphView(sg graph.Subgraph, metrics *model.MetricsOptions) (*model.GraphView, error) {
	if metrics != nil && len(sg.Nodes) > MaxAnalyzedNodes {
		return nil, graph.Invalid("metrics", "the view has %d nodes; metrics are computed for views of at most %d: narrow it (fewer networks, includes or depth)", len(sg.Nodes), MaxAnalyzedNodes)
	}
	v := &model.GraphView{Nodes: make([]*model.GraphNode, 0, len(sg.Nodes)), Edges: make([]*model.GraphEdge, 0, len(sg.Edges))}
	degree := map[string]int{}
	for _, e := range sg.Edges {
		degree[e.From]++
		degree[e.To]++
		label := optStr(e.Props, "role")
		for _, k := range []string{"title", "note"} {
			if label == nil {
				label = optStr(e.Props, k)
			}
		}
		var strength *float64
		if f, ok := e.Props["strength"].(float64); ok {
			strength = &f
		}
		v.Edges = append(v.Edges, &model.GraphEdge{ID: e.Key().ID(), Source: e.From, Target: e.To, Type: string(e.Type), Label: label, Strength: strength})
	}
	var res analytics.Result
	if metrics != nil {
		opt := analytics.Options{}
		if metrics.Resolution != nil {
			opt.Resolution = *metrics.Resolution
		}
		res = analytics.Analyze(sg, opt)
		v.Summary = &model.GraphSummary{
			Nodes: res.Summary.Nodes, Edges: res.Summary.Edges, Density: res.Summary.Density, Components: res.Summary.Components,
			AveragePathLength: res.Summary.AveragePathLength, Diameter: res.Summary.Diameter, Modularity: res.Summary.Modularity,
		}
		v.Communities = make([]*model.Community, len(res.Communities))
		for i, c := range res.Communities {
			v.Communities[i] = &model.Community{ID: c.ID, Label: c.Label, LabelNode: c.LabelNodeID, Size: len(c.Members), Members: c.Members}
		}
	}
	for _, n := range sg.Nodes {
		gn := &model.GraphNode{
			ID: n.ID, Label: graph.Caption(n), Type: string(n.Label), Archived: n.Archived, Degree: degree[n.ID],
			Level: optStr(n.Props, "level"), Node: model.Wrap(n),
		}
		if k, ok := kindProp[n.Label]; ok {
			gn.Kind = optStr(n.Props, k)
		}
		if n.Label == graph.Territory {
			gn.Level = nil // a territory's level is its kind
		}
		if m, ok := res.Nodes[n.ID]; ok {
			c := m.Community
			gn.Community = &c
			gn.Metrics = &model.NodeMetrics{
				Degree: m.Degree, InDegree: m.InDegree, OutDegree: m.OutDegree, WeightedDegree: m.WeightedDegree,
				Betweenness: m.Betweenness, Closeness: m.Closeness, Eigenvector: m.Eigenvector, PageRank: m.PageRank,
				Brokerage: m.Brokerage, Constraint: m.Constraint, Bridges: m.Bridges,
			}
		}
		v.Nodes = append(v.Nodes, gn)
	}
	return v, nil
}

func relTypes(ts []string) []graph.RelType {
	out := make([]graph.RelType, len(ts))
	for i, t := range ts {
		out[i] = graph.RelType(t)
	}
	return out
}

func labelsOf(ls []string) []graph.Label {
	out := make([]graph.Label, len(ls))
	for i, l := range ls {
		out[i] = graph.Label(l)
	}
	return out
}

func intOr(p *int, def int) int {
	if p == nil {
		return def
	}
	return *p
}

func importReport(r interchange.Report) *model.ImportReport {
	out := &model.ImportReport{
		Nodes: r.Nodes, Edges: r.Edges, Created: r.Result.Created, Updated: r.Result.Updated,
		Linked: r.Result.Linked, Unchanged: r.Result.Unchanged, Rejected: make([]*model.RowError, len(r.Rejected)),
	}
	for i, e := range r.Rejected {
		out.Rejected[i] = &model.RowError{File: e.File, Row: e.Row, Message: e.Message}
	}
	return out
}
