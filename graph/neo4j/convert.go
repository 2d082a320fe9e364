package neo4j

import (
	"encoding/json"
	"fmt"
	"math"
	"time"

	"github.com/neo4j/neo4j-go-driver/v5/neo4j/dbtype"

	"govhub/graph"
)

// System properties every node carries besides its own.
const (
	propID        = "id"
	propCreatedAt = "createdAt"
	propUpdatedAt = "updatedAt"
	propArchived  = "archived"
)

// nodeLabel is the label every node of the graph carries.
const nodeLabel = "Node"

// toNode converts a node read from the server; system and derived
// properties are taken out of Props.
func toNode(v any) (graph.Node, error) {
	dn, ok := v.(dbtype.Node)
	if !ok {
		return graph.Node{}, fmt.Errorf("neo4j: expected a node, got %T", v)
	}
	var label graph.Label
	for _, l := range dn.Labels {
		if l != nodeLabel && graph.TypeOf(graph.Label(l)) != nil {
			label = graph.Label(l)
			break
		}
	}
	id, _ := dn.Props[propID].(string)
	if label == "" || id == "" {
		return graph.Node{}, fmt.Errorf("neo4j: node %s has no known label or no id (labels %v)", dn.ElementId, dn.Labels)
	}
	n := graph.Node{ID: id, Label: label, Props: graph.CanonicalNodeProps(label, graph.Props(dn.Props))}
	n.CreatedAt = asTime(dn.Props[propCreatedAt])
	n.UpdatedAt = asTime(dn.Props[propUpdatedAt])
	n.Archived, _ = dn.Props[propArchived].(bool)
	return n, nil
}

// toNodes converts a list of nodes read from the server.
func toNodes(v any) ([]graph.Node, error) {
	list, _ := v.([]any)
	out := make([]graph.Node, 0, len(list))
	for _, x := range list {
		n, err := toNode(x)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}

// nodeRow is the full property map of a node as it is stored: its own
// properties, the system properties and the derived ones.
func nodeRow(n graph.Node) map[string]any {
	row := make(map[string]any, len(n.Props)+4)
	for k, v := range n.Props {
		row[k] = v
	}
	row[propID] = n.ID
	row[propCreatedAt] = n.CreatedAt.UTC()
	row[propUpdatedAt] = n.UpdatedAt.UTC()
	row[propArchived] = n.Archived
	row[propSortKey] = sortKey(graph.SortValue(n), n.ID)
	row[propSearchText] = searchText(n)
	return row
}

// plainProps is a property map as the driver sends it.
func plainProps(p graph.Props) map[string]any {
	out := make(map[string]any, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

func asTime(v any) time.Time {
	switch t := v.(type) {
	case time.Time:
		return t.UTC()
	case dbtype.LocalDateTime:
		return time.Time(t).UTC()
	}
	return time.Time{}
}

func asInt(v any) int64 {
	switch n := v.(type) {
	case int64:
		return n
	case float64:
		return int64(n)
	}
	return 0
}

func asString(v any) string { s, _ := v.(string); return s }

func asStrings(v any) []string {
	list, _ := v.([]any)
	if len(list) == 0 {
		return nil
	}
	out := make([]string, 0, len(list))
	for _, x := range list {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

func asProps(v any) graph.Props {
	m, _ := v.(map[string]any)
	return graph.Props(m)
}

// filterValues brings the values of a property filter to types the driver
// sends and Cypher compares as the embedded store does, leaving out those
// that cannot equal any property value (nil, lists, maps, NaN).
func filterValues(xs []any) []any {
	out := make([]any, 0, len(xs))
	for _, x := range xs {
		if v, ok := filterValue(x); ok {
			out = append(out, v)
		}
	}
	return out
}

// filterValue returns x as a string, bool, int64 or float64. A json.Number
// is a number, never a string.
func filterValue(x any) (any, bool) {
	switch v := x.(type) {
	case string:
		return v, true
	case bool:
		return v, true
	case int:
		return int64(v), true
	case int8:
		return int64(v), true
	case int16:
		return int64(v), true
	case int32:
		return int64(v), true
	case int64:
		return v, true
	case uint8:
		return int64(v), true
	case uint16:
		return int64(v), true
	case uint32:
		return int64(v), true
	case uint:
		if uint64(v) <= math.MaxInt64 {
			return int64(v), true
		}
		return float64(v), true
	case uint64:
		if v <= math.MaxInt64 {
			return int64(v), true
		}
		return float64(v), true
	case float32:
		return finite(float64(v))
	case float64:
		return finite(v)
	case json.Number:
		if i, err := v.Int64(); err == nil {
			return i, true
		}
		if f, err := v.Float64(); err == nil {
			return finite(f)
		}
	}
	return nil, false
}

func finite(f float64) (any, bool) {
	if math.IsNaN(f) {
		return nil, false
	}
	return f, true
}
