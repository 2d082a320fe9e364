package interchange

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"govhub/graph"
)

// XML namespaces of the export formats.
const (
	GraphMLNamespace = "http://graphml.graphdrawing.org/xmlns"
	GEXFNamespace    = "http://gexf.net/1.3"
)

// xmlChar reports whether r may appear in an XML 1.0 document.
func xmlChar(r rune) bool {
	return r == 0x9 || r == 0xA || r == 0xD ||
		(r >= 0x20 && r <= 0xD7FF) || (r >= 0xE000 && r <= 0xFFFD) || (r >= 0x10000 && r <= 0x10FFFF)
}

// xmlText escapes s for character data (attr false) or a double-quoted
// attribute value (attr true). Characters XML 1.0 does not allow (most
// control characters, U+FFFE, U+FFFF) and invalid UTF-8 are dropped. In
// attributes, tab, newline and carriage return are written as character
// references so that attribute normalisation keeps them.
func xmlText(s string, attr bool) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		if (r == utf8.RuneError && size == 1) || !xmlChar(r) {
			continue
		}
		switch r {
		case '&':
			b.WriteString("&amp;")
		case '<':
			b.WriteString("&lt;")
		case '>':
			b.WriteString("&gt;")
		case '"':
			b.WriteString("&quot;")
		case '\'':
			b.WriteString("&apos;")
		case '\r':
			b.WriteString("&#13;")
		case '\t', '\n':
			if attr {
				fmt.Fprintf(&b, "&#%d;", r)
			} else {
				b.WriteRune(r)
			}
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// NMToken turns a string into an XML NMTOKEN, as GraphML requires of ids:
// ASCII letters, digits, '-' and '.' are kept, and so is '_' unless an 'x'
// follows it; every other character is written as _xHHHH_ (its code point
// in hex, at least four digits), so the mapping is one to one and readable
// for the usual ids ("org-comune-di-napoli" stays as it is).
func NMToken(s string) string {
	var b strings.Builder
	for i, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '.':
			b.WriteRune(r)
		case r == '_' && !(i+1 < len(s) && s[i+1] == 'x'):
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, "_x%04X_", r)
		}
	}
	if b.Len() == 0 {
		return "_x0000_" // NMTOKEN needs at least one character; ids are never empty
	}
	return b.String()
}

// attrKey is an attribute declared for nodes or edges.
type attrKey struct {
	name string // the property (or fixed attribute) name
	typ  string // GraphML attr.type: string, long, double, boolean
}

// propKeys returns the properties present in the dump, for nodes and for
// edges, sorted by name, with the XML type of each: long for Int, double
// for Float, boolean for Bool, string otherwise (and for a name whose kinds
// differ between labels).
func propKeys(d *graph.Dump) (nodeKeys, edgeKeys []attrKey) {
	kinds := map[string]graph.Kind{}
	mixed := map[string]bool{}
	note := func(name string, p graph.Prop, ok bool) {
		k := graph.String
		if ok {
			k = p.Kind
		}
		if old, seen := kinds[name]; seen && old != k {
			mixed[name] = true
		}
		kinds[name] = k
	}
	for _, n := range d.Nodes {
		t := graph.TypeOf(n.Label)
		for name := range n.Props {
			var p graph.Prop
			ok := false
			if t != nil {
				p, ok = t.Prop(name)
			}
			note(name, p, ok)
		}
	}
	nodeKeys = toKeys(kinds, mixed)
	kinds, mixed = map[string]graph.Kind{}, map[string]bool{}
	for _, e := range d.Edges {
		spec := graph.SpecOf(e.Type)
		for name := range e.Props {
			var p graph.Prop
			ok := false
			if spec != nil {
				p, ok = spec.Prop(name)
			}
			note(name, p, ok)
		}
	}
	edgeKeys = toKeys(kinds, mixed)
	return nodeKeys, edgeKeys
}

func toKeys(kinds map[string]graph.Kind, mixed map[string]bool) []attrKey {
	out := make([]attrKey, 0, len(kinds))
	for name, k := range kinds {
		typ := "string"
		if !mixed[name] {
			switch k {
			case graph.Int:
				typ = "long"
			case graph.Float:
				typ = "double"
			case graph.Bool:
				typ = "boolean"
			}
		}
		out = append(out, attrKey{name: name, typ: typ})
	}
	slices.SortFunc(out, func(a, b attrKey) int { return strings.Compare(a.name, b.name) })
	return out
}

func sortedProps(p graph.Props) []string {
	names := make([]string, 0, len(p))
	for k := range p {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

func edgeID(e graph.DumpEdge) string { return e.From + "|" + string(e.Type) + "|" + e.To }

// writeGraphML writes the dump as GraphML 1.0 (valid against the GraphML
// XML schema). Node and edge ids are NMToken of the graph ids (edges:
// "from|TYPE|to"); every node has data hubId (the graph id as it is: "id"
// would clash with Gephi's own column), label (graph.Caption, which Gephi
// and yEd show), type (the node label) and archived (default false), and
// one data per property; every edge has type and, when it has a strength,
// weight (the same value, for tools that look for "weight"), and one data
// per property. Lists are joined with "|".
func writeGraphML(w io.Writer, d *graph.Dump) error {
	bw := bufio.NewWriter(w)
	nodeKeys, edgeKeys := propKeys(d)
	hasWeight := slices.ContainsFunc(d.Edges, func(e graph.DumpEdge) bool { _, ok := e.Props[graph.Strength.Name]; return ok })

	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	bw.WriteString(`<graphml xmlns="` + GraphMLNamespace + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="` +
		GraphMLNamespace + ` http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">` + "\n")
	key := func(id, forWhat, name, typ, def string) {
		fmt.Fprintf(bw, `  <key id="%s" for="%s" attr.name="%s" attr.type="%s"`, id, forWhat, xmlText(name, true), typ)
		if def != "" {
			fmt.Fprintf(bw, "><default>%s</default></key>\n", def)
		} else {
			bw.WriteString("/>\n")
		}
	}
	key("n_hubId", "node", "hubId", "string", "")
	key("n_label", "node", "label", "string", "")
	key("n_type", "node", "type", "string", "")
	key("n_archived", "node", "archived", "boolean", "false")
	for _, k := range nodeKeys {
		key("n_"+NMToken(k.name), "node", k.name, k.typ, "")
	}
	key("e_type", "edge", "type", "string", "")
	if hasWeight {
		key("e_weight", "edge", "weight", "double", "")
	}
	for _, k := range edgeKeys {
		key("e_"+NMToken(k.name), "edge", k.name, k.typ, "")
	}
	bw.WriteString(`  <graph id="G" edgedefault="directed">` + "\n")
	if d.Source != "" {
		fmt.Fprintf(bw, "    <desc>%s</desc>\n", xmlText(d.Source, false))
	}
	data := func(key, value string) {
		fmt.Fprintf(bw, `<data key="%s">%s</data>`, key, xmlText(value, false))
	}
	for _, n := range d.Nodes {
		fmt.Fprintf(bw, `    <node id="%s">`, NMToken(n.ID))
		data("n_hubId", n.ID)
		data("n_label", graph.Caption(graph.Node{ID: n.ID, Label: n.Label, Props: n.Props}))
		data("n_type", string(n.Label))
		if n.Archived {
			data("n_archived", "true")
		}
		for _, name := range sortedProps(n.Props) {
			data("n_"+NMToken(name), formatValue(n.Props[name]))
		}
		bw.WriteString("</node>\n")
	}
	for _, e := range d.Edges {
		fmt.Fprintf(bw, `    <edge id="%s" source="%s" target="%s">`, NMToken(edgeID(e)), NMToken(e.From), NMToken(e.To))
		data("e_type", string(e.Type))
		if v, ok := e.Props[graph.Strength.Name]; ok {
			data("e_weight", formatValue(v))
		}
		for _, name := range sortedProps(e.Props) {
			data("e_"+NMToken(name), formatValue(e.Props[name]))
		}
		bw.WriteString("</edge>\n")
	}
	bw.WriteString("  </graph>\n</graphml>\n")
	return bw.Flush()
}

// writeGEXF writes the dump as GEXF 1.3, static and directed. Node ids are
// the graph ids, node labels their captions; attributes (declared with ids
// equal to their titles) are type (the node label or relationship type),
// archived (boolean, default false) and one per property; edges carry the
// relationship type as label and kind (so that Gephi keeps parallel edges of
// different types apart) and their strength as weight. Lists are joined
// with "|".
func writeGEXF(w io.Writer, d *graph.Dump) error {
	bw := bufio.NewWriter(w)
	nodeKeys, edgeKeys := propKeys(d)
	gexfType := func(t string) string {
		if t == "boolean" || t == "double" || t == "long" {
			return t
		}
		return "string"
	}
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	bw.WriteString(`<gexf xmlns="` + GEXFNamespace + `" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="` +
		GEXFNamespace + ` http://gexf.net/1.3/gexf.xsd" version="1.3">` + "\n")
	bw.WriteString("  <meta>\n    <creator>govhub</creator>\n")
	if d.Source != "" {
		fmt.Fprintf(bw, "    <description>%s</description>\n", xmlText(d.Source, false))
	}
	bw.WriteString("  </meta>\n")
	bw.WriteString(`  <graph defaultedgetype="directed" mode="static">` + "\n")
	attr := func(id, typ, def string) {
		fmt.Fprintf(bw, `      <attribute id="%s" title="%s" type="%s"`, xmlText(id, true), xmlText(id, true), gexfType(typ))
		if def != "" {
			fmt.Fprintf(bw, "><default>%s</default></attribute>\n", def)
		} else {
			bw.WriteString("/>\n")
		}
	}
	bw.WriteString(`    <attributes class="node">` + "\n")
	attr("type", "string", "")
	attr("archived", "boolean", "false")
	for _, k := range nodeKeys {
		attr(k.name, k.typ, "")
	}
	bw.WriteString("    </attributes>\n")
	bw.WriteString(`    <attributes class="edge">` + "\n")
	attr("type", "string", "")
	for _, k := range edgeKeys {
		attr(k.name, k.typ, "")
	}
	bw.WriteString("    </attributes>\n")
	attvalue := func(id, value string) {
		fmt.Fprintf(bw, `<attvalue for="%s" value="%s"/>`, xmlText(id, true), xmlText(value, true))
	}
	fmt.Fprintf(bw, "    <nodes count=\"%d\">\n", len(d.Nodes))
	for _, n := range d.Nodes {
		caption := graph.Caption(graph.Node{ID: n.ID, Label: n.Label, Props: n.Props})
		fmt.Fprintf(bw, `      <node id="%s" label="%s"><attvalues>`, xmlText(n.ID, true), xmlText(caption, true))
		attvalue("type", string(n.Label))
		if n.Archived {
			attvalue("archived", "true")
		}
		for _, name := range sortedProps(n.Props) {
			attvalue(name, formatValue(n.Props[name]))
		}
		bw.WriteString("</attvalues></node>\n")
	}
	bw.WriteString("    </nodes>\n")
	fmt.Fprintf(bw, "    <edges count=\"%d\">\n", len(d.Edges))
	for _, e := range d.Edges {
		fmt.Fprintf(bw, `      <edge id="%s" source="%s" target="%s" label="%s" kind="%s"`,
			xmlText(edgeID(e), true), xmlText(e.From, true), xmlText(e.To, true), xmlText(string(e.Type), true), xmlText(string(e.Type), true))
		if v, ok := e.Props[graph.Strength.Name]; ok {
			fmt.Fprintf(bw, ` weight="%s"`, formatValue(v))
		}
		bw.WriteString("><attvalues>")
		attvalue("type", string(e.Type))
		for _, name := range sortedProps(e.Props) {
			attvalue(name, formatValue(e.Props[name]))
		}
		bw.WriteString("</attvalues></edge>\n")
	}
	bw.WriteString("    </edges>\n  </graph>\n</gexf>\n")
	return bw.Flush()
}
