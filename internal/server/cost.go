package server

import (
	"context"
	"encoding/json"
	"math"
	"strings"

	"github.com/99designs/gqlgen/graphql"

	"govhub/graph"
)

// Multipliers of the complexity of list fields.
const (
	// DefaultListFactor multiplies the children of a list field that has no
	// argument saying how long it is (partners, children, ...).
	DefaultListFactor = 10
	// DefaultPageFactor multiplies the children of a field with a `first`
	// argument the query leaves out: the store's default page size.
	DefaultPageFactor = graph.DefaultPageSize
)

// costSchema prices fields from the schema itself instead of 60 hand-written
// ComplexityRoot functions; the generated ones are kept when they exist.
// A field costs 1 plus the complexity of its children, multiplied for fields
// that return many: by `first` or `limit` (DefaultPageFactor when absent; 1
// when negative or over graph.MaxPageSize, since the resolvers refuse such a
// page before any child runs), or the length of a list argument
// (nodes(ids:)), or DefaultListFactor for other lists. The edges and nodes of a *Connection
// are not multiplied again: the connection's `first` already is.
type costSchema struct {
	graphql.ExecutableSchema
}

func (c costSchema) Complexity(ctx context.Context, typeName, field string, child int, args map[string]any) (int, bool) {
	if v, ok := c.ExecutableSchema.Complexity(ctx, typeName, field, child, args); ok {
		return v, ok
	}
	def := c.Schema().Types[typeName]
	if def == nil {
		return 0, false
	}
	fd := def.Fields.ForName(field)
	if fd == nil {
		return 0, false
	}
	factor := 0
	for _, a := range fd.Arguments {
		switch {
		case a.Name == "first" || a.Name == "limit":
			n, ok := intArg(args[a.Name])
			switch {
			case !ok || n == 0:
				n = DefaultPageFactor
			case n < 0 || n > graph.MaxPageSize:
				// The resolvers refuse such a page (BAD_USER_INPUT) before
				// any child runs: let them say so precisely.
				n = 1
			}
			factor = max(factor, n)
		case a.Type.Elem != nil && fd.Type.Elem != nil:
			if l, ok := args[a.Name].([]any); ok {
				factor = max(factor, len(l))
			}
		}
	}
	if factor == 0 && fd.Type.Elem != nil {
		factor = DefaultListFactor
		if strings.HasSuffix(typeName, "Connection") {
			factor = 1
		}
	}
	if factor == 0 {
		return 0, false // gqlgen's default: 1 + child
	}
	return satAdd(1, satMul(max(child, 1), factor)), true
}

func satMul(a, b int) int {
	if a <= 0 || b <= 0 {
		return 0
	}
	if a > saturated/b {
		return saturated
	}
	return a * b
}

// intArg reads an Int argument as the parser or the variables give it.
func intArg(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int32:
		return int(n), true
	case int64:
		return clampInt(n), true
	case float64:
		if math.IsNaN(n) {
			return 0, false
		}
		return clampInt(int64(max(min(n, math.MaxInt32), math.MinInt32))), true
	case json.Number:
		i, err := n.Int64()
		return clampInt(i), err == nil
	}
	return 0, false
}

func clampInt(n int64) int {
	return int(max(min(n, math.MaxInt32), math.MinInt32))
}
