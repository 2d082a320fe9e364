package embedded

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"

	"govhub/graph"
)

// where is a compiled list of property filters, all of which must hold.
type where []graph.PropFilter

// compileWhere checks the filters against the label's properties.
func compileWhere(t *graph.NodeType, fs []graph.PropFilter) (where, error) {
	for i, f := range fs {
		if _, ok := t.Prop(f.Key); !ok {
			return nil, graph.Invalid(fmt.Sprintf("where[%d].key", i), "%s has no property %q", t.Label, f.Key)
		}
		switch f.Op {
		case graph.OpIn, graph.OpNotIn, graph.OpContains, graph.OpLt, graph.OpGt:
		default:
			return nil, graph.Invalid(fmt.Sprintf("where[%d].op", i), "unknown operator %d", f.Op)
		}
	}
	return where(fs), nil
}

func (w where) match(n *graph.Node) bool {
	for _, f := range w {
		if !matchFilter(n.Props, f) {
			return false
		}
	}
	return true
}

// matchFilter applies one filter. A node without the property passes only
// OpNotIn; values of another type than the property's never match.
func matchFilter(props graph.Props, f graph.PropFilter) bool {
	v, ok := props[f.Key]
	if !ok {
		return f.Op == graph.OpNotIn
	}
	switch f.Op {
	case graph.OpIn:
		return inValues(v, f.Values)
	case graph.OpNotIn:
		return !inValues(v, f.Values)
	case graph.OpContains:
		list, ok := v.([]string)
		if !ok {
			return false
		}
		return slices.ContainsFunc(list, func(item string) bool { return inValues(item, f.Values) })
	case graph.OpLt, graph.OpGt:
		if len(f.Values) == 0 {
			return false
		}
		c, ok := compare(v, f.Values[0])
		if !ok {
			return false
		}
		if f.Op == graph.OpLt {
			return c < 0
		}
		return c > 0
	}
	return false
}

func inValues(v any, values []any) bool {
	for _, x := range values {
		if c, ok := compare(v, x); ok && c == 0 {
			return true
		}
	}
	return false
}

// compare orders a property value against a filter value: strings with
// strings, numbers with numbers, booleans (for equality) with booleans. The
// second result is false when the two cannot be compared.
func compare(v, x any) (int, bool) {
	switch a := v.(type) {
	case string:
		b, ok := x.(string)
		if !ok {
			return 0, false
		}
		switch {
		case a < b:
			return -1, true
		case a > b:
			return 1, true
		}
		return 0, true
	case bool:
		b, ok := x.(bool)
		if !ok {
			return 0, false
		}
		if a == b {
			return 0, true
		}
		if !a {
			return -1, true
		}
		return 1, true
	case int64:
		if bi, ok := toInt(x); ok {
			switch {
			case a < bi:
				return -1, true
			case a > bi:
				return 1, true
			}
			return 0, true
		}
		if bf, ok := toFloat(x); ok {
			return compareFloat(float64(a), bf)
		}
	case float64:
		if bf, ok := toFloat(x); ok {
			return compareFloat(a, bf)
		}
	}
	return 0, false
}

func compareFloat(a, b float64) (int, bool) {
	switch {
	case math.IsNaN(a) || math.IsNaN(b):
		return 0, false
	case a < b:
		return -1, true
	case a > b:
		return 1, true
	}
	return 0, true
}

// toInt returns x as an int64 when it is a whole number of an integer type.
func toInt(x any) (int64, bool) {
	switch n := x.(type) {
	case int:
		return int64(n), true
	case int8:
		return int64(n), true
	case int16:
		return int64(n), true
	case int32:
		return int64(n), true
	case int64:
		return n, true
	case uint8:
		return int64(n), true
	case uint16:
		return int64(n), true
	case uint32:
		return int64(n), true
	case uint:
		if uint64(n) <= math.MaxInt64 {
			return int64(n), true
		}
	case uint64:
		if n <= math.MaxInt64 {
			return int64(n), true
		}
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, true
		}
	}
	return 0, false
}

// toFloat returns x as a float64 when it is a number.
func toFloat(x any) (float64, bool) {
	if i, ok := toInt(x); ok {
		return float64(i), true
	}
	switch n := x.(type) {
	case float64:
		return n, true
	case float32:
		return float64(n), true
	case uint:
		return float64(n), true
	case uint64:
		return float64(n), true
	case json.Number:
		if f, err := n.Float64(); err == nil {
			return f, true
		}
	}
	return 0, false
}
