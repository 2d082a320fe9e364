package interchange

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"govhub/graph"
)

// writeJSON writes a dump as the seed files are written: the header fields
// one per line, then one node or edge per line, keys in sorted order, no
// HTML escaping. The same dump always gives the same bytes.
func writeJSON(w io.Writer, d *graph.Dump) error {
	bw := bufio.NewWriter(w)
	var line bytes.Buffer
	enc := json.NewEncoder(&line)
	enc.SetEscapeHTML(false)
	encode := func(v any) ([]byte, error) {
		line.Reset()
		if err := enc.Encode(v); err != nil {
			return nil, err
		}
		return bytes.TrimSuffix(line.Bytes(), []byte("\n")), nil
	}
	str := func(s string) []byte { b, _ := encode(s); return append([]byte(nil), b...) }

	bw.WriteString("{\n\"format\": ")
	bw.Write(str(graph.DumpFormat))
	fmt.Fprintf(bw, ",\n\"version\": %d,\n", graph.DumpVersion)
	if d.Source != "" {
		bw.WriteString("\"source\": ")
		bw.Write(str(d.Source))
		bw.WriteString(",\n")
	}
	bw.WriteString("\"nodes\": [")
	for i, n := range d.Nodes {
		if n.Props == nil {
			n.Props = graph.Props{}
		}
		b, err := encode(n)
		if err != nil {
			return fmt.Errorf("interchange: node %q: %w", n.ID, err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		bw.Write(b)
	}
	bw.WriteString("\n],\n\"edges\": [")
	for i, e := range d.Edges {
		if len(e.Props) == 0 {
			e.Props = nil
		}
		b, err := encode(e)
		if err != nil {
			return fmt.Errorf("interchange: edge %s: %w", e.From+"|"+string(e.Type)+"|"+e.To, err)
		}
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteByte('\n')
		bw.Write(b)
	}
	bw.WriteString("\n]\n}\n")
	return bw.Flush()
}

// ReadJSON parses and validates a JSON dump: its format and version, every
// node as a Write would check it (id, label, properties and their values,
// through graph.Prepare), ids unique, every edge's type and properties, no
// edge twice, and the labels of edge ends that are in the dump. Edges may
// point at nodes that are not in the dump (they must exist in the store the
// dump is loaded into). Property values are brought to their canonical
// types, so a dump read back equals the dump written. Errors are
// BAD_USER_INPUT and name the line and column, and the node or edge.
func ReadJSON(r io.Reader) (*graph.Dump, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("interchange: read dump: %w", err)
	}
	p := &dumpParser{data: data, dec: json.NewDecoder(bytes.NewReader(data))}
	p.dec.UseNumber()
	p.dec.DisallowUnknownFields()
	d, err := p.parse()
	if err != nil {
		return nil, err
	}
	return d, nil
}

type dumpParser struct {
	data []byte
	dec  *json.Decoder
}

// position returns "line L, column C" of a byte offset.
func (p *dumpParser) position(off int64) string {
	if off > int64(len(p.data)) {
		off = int64(len(p.data))
	}
	line, col := 1, 1
	for _, b := range p.data[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return fmt.Sprintf("line %d, column %d", line, col)
}

// start returns the offset where the next value begins: after the decoder's
// position, past white space and a separating comma.
func (p *dumpParser) start() int64 {
	off := p.dec.InputOffset()
	for off < int64(len(p.data)) {
		switch p.data[off] {
		case ' ', '\t', '\r', '\n', ',', ':':
			off++
			continue
		}
		break
	}
	return off
}

func (p *dumpParser) fail(off int64, format string, args ...any) error {
	return graph.Errorf(graph.CodeInvalid, "%s: %s", p.position(off), fmt.Sprintf(format, args...))
}

// decodeErr turns a decoding error into one that names its position.
func (p *dumpParser) decodeErr(at int64, what string, err error) error {
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		return p.fail(syn.Offset, "%sinvalid JSON: %v", what, syn)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "value"
		}
		return p.fail(typ.Offset, "%s%s: must be a JSON %s, got %s", what, field, jsonKind(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return p.fail(int64(len(p.data)), "%sthe dump ends too early", what)
	}
	return p.fail(at, "%s%v", what, err)
}

func jsonKind(goKind string) string {
	switch goKind {
	case "string":
		return "string"
	case "bool":
		return "boolean"
	case "int", "int64", "float64":
		return "number"
	case "slice":
		return "array"
	case "map", "struct":
		return "object"
	}
	return goKind
}

func (p *dumpParser) delim(want json.Delim, what string) error {
	at := p.start()
	tok, err := p.dec.Token()
	if err != nil {
		return p.decodeErr(at, "", err)
	}
	if d, ok := tok.(json.Delim); !ok || d != want {
		return p.fail(at, "%s must be a JSON %s", what, map[json.Delim]string{'{': "object", '[': "array"}[want])
	}
	return nil
}

func (p *dumpParser) parse() (*graph.Dump, error) {
	if len(bytes.TrimSpace(p.data)) == 0 {
		return nil, graph.Errorf(graph.CodeInvalid, "the dump is empty")
	}
	if err := p.delim('{', "the dump"); err != nil {
		return nil, err
	}
	d := &graph.Dump{Nodes: []graph.DumpNode{}, Edges: []graph.DumpEdge{}}
	seen := map[string]bool{}
	var hasFormat, hasVersion bool
	var formatAt, versionAt int64
	labels := map[string]graph.Label{}
	nodeAt := map[string]int{}
	type pendingEdge struct {
		at int64
		i  int
	}
	var edgeAt []pendingEdge
	for p.dec.More() {
		at := p.start()
		tok, err := p.dec.Token()
		if err != nil {
			return nil, p.decodeErr(at, "", err)
		}
		key, _ := tok.(string)
		if seen[key] {
			return nil, p.fail(at, "%q appears twice", key)
		}
		seen[key] = true
		switch key {
		case "format":
			formatAt, hasFormat = p.start(), true
			if err := p.dec.Decode(&d.Format); err != nil {
				return nil, p.decodeErr(formatAt, "format: ", err)
			}
		case "version":
			versionAt, hasVersion = p.start(), true
			var v json.Number
			if err := p.dec.Decode(&v); err != nil {
				return nil, p.decodeErr(versionAt, "version: ", err)
			}
			n, err := v.Int64()
			if err != nil {
				return nil, p.fail(versionAt, "version: must be a whole number, got %s", v)
			}
			d.Version = int(n)
		case "source":
			at := p.start()
			if err := p.dec.Decode(&d.Source); err != nil {
				return nil, p.decodeErr(at, "source: ", err)
			}
		case "nodes":
			if err := p.delim('[', "nodes"); err != nil {
				return nil, err
			}
			for p.dec.More() {
				at := p.start()
				i := len(d.Nodes)
				var n graph.DumpNode
				if err := p.dec.Decode(&n); err != nil {
					return nil, p.decodeErr(at, fmt.Sprintf("nodes[%d]: ", i), err)
				}
				what := fmt.Sprintf("nodes[%d]", i)
				if n.ID != "" {
					what += fmt.Sprintf(" (id %q)", n.ID)
				}
				if err := checkNode(&n); err != nil {
					return nil, p.fail(at, "%s: %v", what, err)
				}
				if j, dup := nodeAt[n.ID]; dup {
					return nil, p.fail(at, "%s: the id is also used by nodes[%d]", what, j)
				}
				nodeAt[n.ID] = i
				labels[n.ID] = n.Label
				d.Nodes = append(d.Nodes, n)
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.decodeErr(p.start(), "nodes: ", err)
			}
		case "edges":
			if err := p.delim('[', "edges"); err != nil {
				return nil, err
			}
			for p.dec.More() {
				at := p.start()
				i := len(d.Edges)
				var e graph.DumpEdge
				if err := p.dec.Decode(&e); err != nil {
					return nil, p.decodeErr(at, fmt.Sprintf("edges[%d]: ", i), err)
				}
				if err := checkEdge(&e); err != nil {
					return nil, p.fail(at, "edges[%d] (%s from %q to %q): %v", i, e.Type, e.From, e.To, err)
				}
				d.Edges = append(d.Edges, e)
				edgeAt = append(edgeAt, pendingEdge{at, i})
			}
			if _, err := p.dec.Token(); err != nil {
				return nil, p.decodeErr(p.start(), "edges: ", err)
			}
		default:
			return nil, p.fail(at, "unknown field %q: a dump has format, version, source, nodes and edges", key)
		}
	}
	end := p.start()
	if _, err := p.dec.Token(); err != nil {
		return nil, p.decodeErr(end, "", err)
	}
	if at := p.start(); at < int64(len(p.data)) {
		return nil, p.fail(at, "unexpected data after the end of the dump")
	}
	switch {
	case !hasFormat:
		return nil, p.fail(0, "the dump has no format: is it a govhub export?")
	case d.Format != graph.DumpFormat:
		return nil, p.fail(formatAt, "format is %q, want %q", d.Format, graph.DumpFormat)
	case !hasVersion:
		return nil, p.fail(0, "the dump has no version")
	case d.Version > graph.DumpVersion:
		return nil, p.fail(versionAt, "version %d is newer than this hub reads (%d): upgrade the hub", d.Version, graph.DumpVersion)
	case d.Version != graph.DumpVersion:
		return nil, p.fail(versionAt, "version %d is not supported (want %d)", d.Version, graph.DumpVersion)
	}
	// Edge checks that need every node: duplicates and the labels of ends in the dump.
	keys := map[graph.EdgeKey]int{}
	for _, pe := range edgeAt {
		e := d.Edges[pe.i]
		k := graph.EdgeKey{Type: e.Type, From: e.From, To: e.To}
		what := fmt.Sprintf("edges[%d] (%s from %q to %q)", pe.i, e.Type, e.From, e.To)
		if j, dup := keys[k]; dup {
			return nil, p.fail(pe.at, "%s: the same edge is edges[%d]", what, j)
		}
		keys[k] = pe.i
		from, okf := labels[e.From]
		to, okt := labels[e.To]
		if okf && okt && !graph.SpecOf(e.Type).Allows(from, to) {
			return nil, p.fail(pe.at, "%s: %s cannot join %s to %s", what, e.Type, article(from), article(to))
		}
	}
	return d, nil
}

// checkNode validates a dump node as a Write would and brings its property
// values to their canonical types.
func checkNode(n *graph.DumpNode) error {
	for k, v := range n.Props {
		if v == nil {
			return graph.Invalid(k, "must not be null")
		}
	}
	w := graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Upsert, ID: n.ID, Label: n.Label, Props: n.Props}}}
	if err := graph.Prepare(&w); err != nil {
		return unprefix(err, "nodes[0].", "")
	}
	n.Props = w.Nodes[0].Props
	return nil
}

// checkEdge validates a dump edge as a Write would and brings its property
// values to their canonical types.
func checkEdge(e *graph.DumpEdge) error {
	for k, v := range e.Props {
		if v == nil {
			return graph.Invalid(k, "must not be null")
		}
	}
	w := graph.Write{Link: []graph.Edge{{Type: e.Type, From: e.From, To: e.To, Props: e.Props}}}
	if err := graph.Prepare(&w); err != nil {
		return unprefix(err, "link[0].", "")
	}
	e.Props = w.Link[0].Props
	if len(e.Props) == 0 {
		e.Props = nil
	}
	return nil
}

// unprefix rewrites the Field of a graph.Error from the position in a
// one-item Write ("nodes[0].id") to the name the caller knows ("id").
func unprefix(err error, prefix, repl string) error {
	var ge *graph.Error
	if errors.As(err, &ge) && len(ge.Field) >= len(prefix) && ge.Field[:len(prefix)] == prefix {
		c := *ge
		c.Field = repl + ge.Field[len(prefix):]
		return &c
	}
	return err
}
