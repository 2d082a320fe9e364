// Package interchange moves graphs in and out of a store: the hub's own
// lossless JSON dump (graph.Dump), GraphML and GEXF for graph tools (export
// only), and Kumu spreadsheets (an elements CSV and a connections CSV, both
// ways).
//
// Collect reads what a Scope covers from a store as a dump in a deterministic
// order; Export writes a dump in a Format; ReadJSON parses and validates a
// JSON dump; Load writes a dump into a store idempotently; ImportKumu imports
// Kumu spreadsheets in one atomic Write and reports the rows it rejected.
// Collect, Export JSON, ReadJSON and Load round-trip byte for byte, on every
// store. The README beside this file documents the Kumu mapping.
package interchange

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"govhub/graph"
)

// Format names an interchange format.
type Format string

// The formats.
const (
	JSON            Format = "json"             // graph.Dump, lossless, both ways
	GraphML         Format = "graphml"          // GraphML 1.0 (graphml.graphdrawing.org), export only
	GEXF            Format = "gexf"             // GEXF 1.3 (gexf.net), export only
	KumuElements    Format = "kumu-elements"    // Kumu elements CSV
	KumuConnections Format = "kumu-connections" // Kumu connections CSV
)

// Formats lists every format, in a stable order.
var Formats = []Format{JSON, GraphML, GEXF, KumuElements, KumuConnections}

// Scope says what Collect reads.
type Scope struct {
	// Networks are network ids; empty means the whole graph.
	Networks []string
}

// Export writes a dump in a format. It writes the nodes and edges in the
// dump's order (Collect's order is deterministic), so the same dump always
// gives the same bytes.
func Export(w io.Writer, d *graph.Dump, f Format) error {
	switch f {
	case JSON:
		return writeJSON(w, d)
	case GraphML:
		return writeGraphML(w, d)
	case GEXF:
		return writeGEXF(w, d)
	case KumuElements:
		return writeKumuElements(w, d)
	case KumuConnections:
		return writeKumuConnections(w, d)
	}
	return graph.Invalid("format", "unknown format %q: use %s", f, formatList())
}

func formatList() string {
	s := make([]string, len(Formats))
	for i, f := range Formats {
		s[i] = string(f)
	}
	return strings.Join(s, ", ")
}

// RedactPersonal removes the personal properties (graph.Prop.Personal, such as
// a person's email and phone) from every node of the dump, for callers that
// may not read them.
func RedactPersonal(d *graph.Dump) {
	for i := range d.Nodes {
		n := &d.Nodes[i]
		t := graph.TypeOf(n.Label)
		if t == nil {
			continue
		}
		for _, p := range t.Props {
			if p.Personal {
				if _, ok := n.Props[p.Name]; ok {
					n.Props = cloneProps(n.Props)
					delete(n.Props, p.Name)
				}
			}
		}
	}
}

func cloneProps(p graph.Props) graph.Props {
	out := make(graph.Props, len(p))
	for k, v := range p {
		out[k] = v
	}
	return out
}

// labelRank orders labels as graph.Labels does; unknown labels come last.
func labelRank(l graph.Label) int {
	if i := slices.Index(graph.Labels, l); i >= 0 {
		return i
	}
	return len(graph.Labels)
}

// SortDump puts a dump in Collect's order: nodes by label (in graph.Labels
// order) then id, edges by from, type, to (byte order).
func SortDump(d *graph.Dump) {
	slices.SortStableFunc(d.Nodes, func(a, b graph.DumpNode) int {
		if ra, rb := labelRank(a.Label), labelRank(b.Label); ra != rb {
			return ra - rb
		}
		return strings.Compare(a.ID, b.ID)
	})
	slices.SortStableFunc(d.Edges, compareEdges)
}

func compareEdges(a, b graph.DumpEdge) int {
	if c := strings.Compare(a.From, b.From); c != 0 {
		return c
	}
	if c := strings.Compare(string(a.Type), string(b.Type)); c != 0 {
		return c
	}
	return strings.Compare(a.To, b.To)
}

// formatValue writes a canonical property value as text: lists joined with
// "|", numbers in their shortest exact form, booleans as true/false.
func formatValue(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []string:
		return strings.Join(x, "|")
	case []any:
		s := make([]string, len(x))
		for i, e := range x {
			s[i] = formatValue(e)
		}
		return strings.Join(s, "|")
	case float64:
		return formatFloat(x)
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// formatFloat writes a float as encoding/json does: the shortest decimal
// that reads back exactly, with an exponent only for very large or small values.
func formatFloat(f float64) string {
	abs := math.Abs(f)
	if abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		s := strconv.FormatFloat(f, 'e', -1, 64)
		// 1e-07 -> 1e-7, as JSON writes it
		if n := len(s); n >= 4 && s[n-4] == 'e' && s[n-3] == '-' && s[n-2] == '0' {
			s = s[:n-2] + s[n-1:]
		}
		return s
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

// article puts "a" or "an" before a name: "an Organization", "a Network".
func article[S ~string](name S) string {
	if name != "" && strings.ContainsRune("AEIOUaeiou", rune(name[0])) {
		return "an " + string(name)
	}
	return "a " + string(name)
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
