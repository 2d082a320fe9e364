package interchange

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"govhub/graph"
)

// The File of a RowError: which of the two spreadsheets the row is in.
const (
	ElementsFile    = "elements"
	ConnectionsFile = "connections"
)

// RowError is a row of a spreadsheet that could not be imported (or, in
// Report.Warnings, a row imported without some of its cells), and why.
type RowError struct {
	File    string // ElementsFile or ConnectionsFile
	Row     int    // 1-based line number in the CSV, the header being line 1
	Message string
}

func (e RowError) String() string { return fmt.Sprintf("%s:%d: %s", e.File, e.Row, e.Message) }

// Report tells what ImportKumu did.
type Report struct {
	Nodes, Edges int               // rows imported (written, changed or not)
	Result       graph.WriteResult // what the Write changed
	Rejected     []RowError        // rows that could not be imported, and why
	// Warnings are about rows that were imported without some of their
	// content: a tag or a cell that has no place on that kind of element or
	// connection, a column no label has (row 1). Nothing else is dropped.
	Warnings []RowError
}

// ImportKumu reads a Kumu elements CSV and an optional connections CSV (nil
// reader), imports every good row in one atomic Write, and reports every bad
// row. Either all the good rows land or, when the store rejects the Write
// (a concurrent change, an unreachable store), none, and the error is
// returned with the report of the rejected rows. Importing the same files
// again changes nothing. The mapping of columns, types and tags is in the
// README beside this file.
//
// Errors that concern a whole file (missing Label or Type column, a
// repeated column, unreadable input) are BAD_USER_INPUT errors; nothing is
// written then.
func ImportKumu(ctx context.Context, s graph.Store, elements, connections io.Reader, actor string) (Report, error) {
	var rep Report
	im := &kumuImport{ctx: ctx, s: s, rep: &rep, byID: map[string]*elemRow{}, byLabel: map[string][]*elemRow{}}
	if err := im.readElements(elements); err != nil {
		return rep, err
	}
	if connections != nil {
		if err := im.readConnections(connections); err != nil {
			return rep, err
		}
	}
	if err := im.checkStore(); err != nil {
		return rep, err
	}
	w := im.write(actor)
	slices.SortStableFunc(rep.Rejected, compareRowErrors)
	slices.SortStableFunc(rep.Warnings, compareRowErrors)
	if len(w.Nodes)+len(w.Link)+len(w.Archive)+len(w.Restore) == 0 {
		return rep, nil
	}
	res, err := s.Write(ctx, w)
	if err != nil {
		return rep, fmt.Errorf("interchange: kumu import: nothing was imported: %w", err)
	}
	rep.Nodes, rep.Edges = len(w.Nodes), len(w.Link)
	rep.Result = res
	rep.Result.Nodes = nil
	return rep, nil
}

func compareRowErrors(a, b RowError) int {
	if a.File != b.File {
		if a.File == ElementsFile {
			return -1
		}
		return 1
	}
	return a.Row - b.Row
}

type elemRow struct {
	line     int
	id       string
	label    graph.Label
	caption  string // the Label cell
	props    graph.Props
	archived *bool
	rejected bool
	mode     graph.Mode
}

type connRow struct {
	line     int
	edge     graph.Edge
	ends     [2]string // the From and To cells
	rejected bool
}

type kumuImport struct {
	ctx     context.Context
	s       graph.Store
	rep     *Report
	elems   []*elemRow
	byID    map[string]*elemRow   // first row with each id
	byLabel map[string][]*elemRow // rows by folded Label
	conns   []*connRow
	stored  map[string]graph.Node
}

func (im *kumuImport) reject(file string, line int, format string, args ...any) {
	im.rep.Rejected = append(im.rep.Rejected, RowError{File: file, Row: line, Message: fmt.Sprintf(format, args...)})
}

func (im *kumuImport) warn(file string, line int, format string, args ...any) {
	im.rep.Warnings = append(im.rep.Warnings, RowError{File: file, Row: line, Message: fmt.Sprintf(format, args...)})
}

// norm folds a name for matching: lower case, without spaces, '_', '-' and '.'.
func norm(s string) string {
	return strings.Map(func(r rune) rune {
		switch r {
		case ' ', '_', '-', '.', '\t':
			return -1
		}
		return unicode.ToLower(r)
	}, strings.TrimSpace(s))
}

// enumValue returns the allowed value that s names (case, spaces, '-' and
// '_' aside), or s itself so that validation reports it as written.
func enumValue(p graph.Prop, s string) (string, bool) {
	n := norm(s)
	for _, v := range p.Values {
		if norm(v) == n {
			return v, true
		}
	}
	return s, false
}

// csvTable is a parsed CSV: its header (folded names) and its records with
// their line numbers, minus the records that could not be parsed (reported).
type csvTable struct {
	header []string // folded column names
	raw    []string // column names as written
	rows   [][]string
	lines  []int
}

func (im *kumuImport) readCSV(r io.Reader, file string) (*csvTable, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("interchange: read %s CSV: %w", file, err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // the BOM spreadsheets write
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, graph.Errorf(graph.CodeInvalid, "the %s CSV is empty", file)
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	// Spreadsheets in Italian (and other) locales separate with ';'.
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if !bytes.ContainsRune(first, ',') && bytes.ContainsRune(first, ';') {
		cr.Comma = ';'
	}
	t := &csvTable{}
	for {
		rec, err := cr.Read()
		if err == io.EOF {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			if t.header == nil {
				return nil, graph.Errorf(graph.CodeInvalid, "%s CSV, line %d: %v", file, pe.StartLine, pe.Err)
			}
			im.reject(file, pe.StartLine, "not valid CSV: %v", pe.Err)
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("interchange: read %s CSV: %w", file, err)
		}
		line, _ := cr.FieldPos(0)
		if t.header == nil {
			seen := map[string]bool{}
			for _, h := range rec {
				n := norm(h)
				if n != "" && seen[n] {
					return nil, graph.Errorf(graph.CodeInvalid, "%s CSV: column %q appears twice", file, strings.TrimSpace(h))
				}
				seen[n] = true
				t.header = append(t.header, n)
				t.raw = append(t.raw, strings.TrimSpace(h))
			}
			continue
		}
		t.rows = append(t.rows, rec)
		t.lines = append(t.lines, line)
	}
	if t.header == nil {
		return nil, graph.Errorf(graph.CodeInvalid, "the %s CSV has no header", file)
	}
	return t, nil
}

// cells returns a record's trimmed cells by folded column name and, when its
// shape is wrong (fewer columns than the header, or more that are not
// empty) or a cell is not UTF-8, a reason to reject it.
func (t *csvTable) cells(rec []string) (map[string]string, string) {
	why := ""
	if len(rec) < len(t.header) {
		why = fmt.Sprintf("has %d columns, the header has %d", len(rec), len(t.header))
	}
	for _, extra := range rec[min(len(t.header), len(rec)):] {
		if strings.TrimSpace(extra) != "" {
			why = fmt.Sprintf("has %d columns, the header has %d", len(rec), len(t.header))
		}
	}
	out := make(map[string]string, len(t.header))
	for i, h := range t.header {
		if i >= len(rec) {
			break
		}
		v := unescapeFormula(strings.TrimSpace(rec[i]))
		if !utf8.ValidString(v) {
			if why == "" {
				why = fmt.Sprintf("column %s is not valid UTF-8", t.raw[i])
			}
			v = strings.ToValidUTF8(v, "\ufffd")
		}
		if h != "" {
			out[h] = v
		}
	}
	return out, why
}

func (t *csvTable) has(col string) bool { return slices.Contains(t.header, col) }

// propNames maps folded property names to the names of the properties of
// the given specs.
func propNames(lists ...[]graph.Prop) map[string]string {
	out := map[string]string{}
	for _, l := range lists {
		for _, p := range l {
			out[norm(p.Name)] = p.Name
		}
	}
	return out
}

var elementColumns = []string{"id", "label", "type", "description", "tags", "archived"}

// labelFor maps folded type names to labels.
var labelFor = func() map[string]graph.Label {
	m := map[string]graph.Label{"organisation": graph.Organization}
	for _, l := range graph.Labels {
		m[norm(string(l))] = l
	}
	return m
}()

// resolveType returns the label a Type cell names and the organisation kind it implies.
func resolveType(s string) (graph.Label, string, bool) {
	n := norm(s)
	if l, ok := labelFor[n]; ok {
		return l, "", true
	}
	for _, k := range graph.OrganizationKinds {
		if norm(k) == n {
			return graph.Organization, k, true
		}
	}
	return "", "", false
}

func (im *kumuImport) readElements(r io.Reader) error {
	if r == nil {
		return graph.Errorf(graph.CodeInvalid, "the elements CSV is missing")
	}
	t, err := im.readCSV(r, ElementsFile)
	if err != nil {
		return err
	}
	for _, col := range []string{"label", "type"} {
		if !t.has(col) {
			return graph.Errorf(graph.CodeInvalid, "the elements CSV has no %s column (columns: %s)", strings.ToUpper(col[:1])+col[1:], strings.Join(t.raw, ", "))
		}
	}
	var all [][]graph.Prop
	for _, l := range graph.Labels {
		all = append(all, graph.TypeOf(l).Props)
	}
	props := propNames(all...)
	for i, h := range t.header {
		if _, ok := props[h]; !ok && !slices.Contains(elementColumns, h) {
			im.warn(ElementsFile, 1, "column %q is not a property of any label; its cells are ignored", t.raw[i])
		}
	}
	for i, rec := range t.rows {
		row := im.parseElement(t, rec, t.lines[i], props)
		if row == nil {
			continue
		}
		im.elems = append(im.elems, row)
	}
	return nil
}

// parseElement parses one elements row; it returns nil for a row rejected
// before it has an id, and otherwise a row, maybe rejected.
func (im *kumuImport) parseElement(t *csvTable, rec []string, line int, props map[string]string) *elemRow {
	cells, why := t.cells(rec)
	caption := cells["label"]
	if caption == "" {
		if why == "" {
			why = "Label is empty"
		}
		im.reject(ElementsFile, line, "%s", why)
		return nil
	}
	// From here on the row has a Label (and maybe an ID) that connections
	// may name, even when it is rejected.
	row := &elemRow{line: line, caption: caption, props: graph.Props{}, mode: graph.Upsert}
	im.byLabel[strings.ToLower(caption)] = append(im.byLabel[strings.ToLower(caption)], row)
	typ := cells["type"]
	label, impliedKind, typeOK := resolveType(typ)
	id := cells["id"]
	if typeOK {
		nt := graph.TypeOf(label)
		switch {
		case id != "":
		case label == graph.Territory && cells["code"] != "":
			id = graph.TerritoryID(cells["code"])
		default:
			id = nt.IDScope + "-" + slug(caption)
		}
	}
	row.id, row.label = id, label
	if id != "" {
		if first, dup := im.byID[id]; dup {
			return im.rejectRow(row, "duplicate ID %q: line %d has it already", id, first.line)
		}
		im.byID[id] = row
	}
	switch {
	case why != "":
		return im.rejectRow(row, "%s", why)
	case typ == "":
		return im.rejectRow(row, "Type is empty: give a label (%s) or an organisation kind", labelList())
	case !typeOK:
		return im.rejectRow(row, "unknown Type %q: use a label (%s) or an organisation kind (%s)", typ, labelList(), strings.Join(graph.OrganizationKinds, ", "))
	}
	if err := graph.ValidID("ID", id); err != nil {
		return im.rejectRow(row, "%v", err)
	}
	nt := graph.TypeOf(label)

	if _, ok := nt.Prop("name"); ok {
		row.props["name"] = caption
	}
	if d := cells["description"]; d != "" {
		switch {
		case hasProp(nt, "description"):
			row.props["description"] = d
		case hasProp(nt, "note"):
			row.props["note"] = d
		default:
			return im.rejectRow(row, "%s has no description: leave the Description cell empty", capital(article(label)))
		}
	}
	if a := cells["archived"]; a != "" {
		b, ok := parseBool(a)
		if !ok {
			return im.rejectRow(row, "archived: must be true or false, got %q", a)
		}
		row.archived = &b
	}
	for i, h := range t.header {
		name, ok := props[h]
		v := cells[h]
		if !ok || v == "" || name == "name" || (name == "description" && cells["description"] != "") {
			continue
		}
		p, has := nt.Prop(name)
		if !has {
			im.warn(ElementsFile, line, "column %s does not apply to %s; %q is ignored", t.raw[i], article(label), v)
			continue
		}
		val, err := parseCell(p, v)
		if err != nil {
			return im.rejectRow(row, "%v", err)
		}
		row.props[name] = val
	}
	if impliedKind != "" {
		if k, ok := row.props["kind"]; ok && k != impliedKind {
			return im.rejectRow(row, "Type %q means kind %s but the kind column says %v", typ, impliedKind, k)
		}
		row.props["kind"] = impliedKind
	}
	// Tags: a service category or an organisation kind, when not given
	// otherwise; organisations keep the other tags as aliases.
	var aliases []string
	if a, ok := row.props["aliases"].([]string); ok {
		aliases = a
	}
	for _, tag := range splitList(cells["tags"]) {
		switch {
		case label == graph.Service && row.props["category"] == nil:
			if v, ok := enumValue(mustProp(nt, "category"), tag); ok {
				row.props["category"] = v
				continue
			}
		case label == graph.Organization && row.props["kind"] == nil:
			if v, ok := enumValue(mustProp(nt, "kind"), tag); ok {
				row.props["kind"] = v
				continue
			}
		}
		if label == graph.Organization {
			if !slices.Contains(aliases, tag) {
				aliases = append(aliases, tag)
			}
			continue
		}
		im.warn(ElementsFile, line, "tag %q has no place on %s; it is ignored", tag, article(label))
	}
	if len(aliases) > 0 {
		row.props["aliases"] = aliases
	}
	return row
}

func labelList() string {
	labels := make([]string, len(graph.Labels))
	for i, l := range graph.Labels {
		labels[i] = string(l)
	}
	return strings.Join(labels, ", ")
}

func (im *kumuImport) rejectRow(row *elemRow, format string, args ...any) *elemRow {
	row.rejected = true
	im.reject(ElementsFile, row.line, format, args...)
	return row
}

func hasProp(t *graph.NodeType, name string) bool { _, ok := t.Prop(name); return ok }

func mustProp(t *graph.NodeType, name string) graph.Prop { p, _ := t.Prop(name); return p }

func splitList(s string) []string {
	var out []string
	for _, x := range strings.Split(s, "|") {
		if x = strings.TrimSpace(x); x != "" {
			out = append(out, x)
		}
	}
	return out
}

func parseBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "true", "yes", "y", "1", "sì", "si", "vero":
		return true, true
	case "false", "no", "n", "0", "falso":
		return false, true
	}
	return false, false
}

// parseCell reads a cell as a value of its property's kind. Validation of
// the value itself (enum members, dates, bounds) is left to graph.Prepare.
func parseCell(p graph.Prop, s string) (any, error) {
	switch p.Kind {
	case graph.Enum:
		v, _ := enumValue(p, s)
		return v, nil
	case graph.Int:
		i, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, graph.Invalid(p.Name, "must be a whole number, got %q", s)
		}
		return i, nil
	case graph.Float:
		f, err := parseFloat(s)
		if err != nil {
			return nil, graph.Invalid(p.Name, "must be a number, got %q", s)
		}
		return f, nil
	case graph.Bool:
		b, ok := parseBool(s)
		if !ok {
			return nil, graph.Invalid(p.Name, "must be true or false, got %q", s)
		}
		return b, nil
	case graph.StringList:
		return splitList(s), nil
	}
	return s, nil
}

// parseFloat reads a number, with a decimal comma too (0,5) when it has no point.
func parseFloat(s string) (float64, error) {
	if !strings.Contains(s, ".") && strings.Count(s, ",") == 1 {
		s = strings.Replace(s, ",", ".", 1)
	}
	return strconv.ParseFloat(s, 64)
}

// slug makes the id part of a name: lower case, accents folded, runs of
// anything but letters and digits turned into one '-', at most 120 bytes.
// A name with no letter or digit gets a hash instead.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if f, ok := accentFold[r]; ok {
			r = f
		}
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			if b.Len()+utf8.RuneLen(r) > 120 {
				break
			}
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	if b.Len() == 0 {
		h := sha256.Sum256([]byte(s))
		return hex.EncodeToString(h[:6])
	}
	return b.String()
}

var accentFold = map[rune]rune{
	'à': 'a', 'á': 'a', 'â': 'a', 'ä': 'a', 'ã': 'a', 'å': 'a', 'ā': 'a',
	'è': 'e', 'é': 'e', 'ê': 'e', 'ë': 'e', 'ē': 'e', 'ę': 'e', 'ě': 'e',
	'ì': 'i', 'í': 'i', 'î': 'i', 'ï': 'i', 'ī': 'i',
	'ò': 'o', 'ó': 'o', 'ô': 'o', 'ö': 'o', 'õ': 'o', 'ø': 'o', 'ō': 'o',
	'ù': 'u', 'ú': 'u', 'û': 'u', 'ü': 'u', 'ū': 'u', 'ů': 'u',
	'ç': 'c', 'ć': 'c', 'č': 'c', 'ñ': 'n', 'ń': 'n', 'ß': 's', 'ś': 's', 'š': 's',
	'ý': 'y', 'ÿ': 'y', 'ž': 'z', 'ź': 'z', 'ż': 'z', 'ł': 'l', 'ř': 'r', 'ğ': 'g', 'ı': 'i', 'ș': 's', 'ț': 't',
}

var connectionColumns = []string{"from", "to", "type", "label", "strength", "direction", "tags"}

// labelProp names the property a connection's Label cell fills, per type.
var labelProp = map[graph.RelType]string{
	graph.PartnerIn: "role",
	graph.SitsOn:    "role",
	graph.HoldsRole: "title",
	graph.RefersTo:  "note",
	graph.Signed:    "on",
}

func resolveRelType(s string) (graph.RelType, bool) {
	n := norm(s)
	for _, t := range graph.RelTypes {
		if norm(string(t)) == n {
			return t, true
		}
	}
	return "", false
}

func (im *kumuImport) readConnections(r io.Reader) error {
	t, err := im.readCSV(r, ConnectionsFile)
	if err != nil {
		return err
	}
	for _, col := range []string{"from", "to", "type"} {
		if !t.has(col) {
			return graph.Errorf(graph.CodeInvalid, "the connections CSV has no %s column (columns: %s)", strings.ToUpper(col[:1])+col[1:], strings.Join(t.raw, ", "))
		}
	}
	var all [][]graph.Prop
	for _, rt := range graph.RelTypes {
		all = append(all, graph.SpecOf(rt).Props)
	}
	props := propNames(all...)
	for i, h := range t.header {
		if _, ok := props[h]; !ok && !slices.Contains(connectionColumns, h) {
			im.warn(ConnectionsFile, 1, "column %q is not a property of any relationship; its cells are ignored", t.raw[i])
		}
	}
	for i, rec := range t.rows {
		if c := im.parseConnection(t, rec, t.lines[i], props); c != nil {
			im.conns = append(im.conns, c)
		}
	}
	return nil
}

func (im *kumuImport) parseConnection(t *csvTable, rec []string, line int, props map[string]string) *connRow {
	cells, why := t.cells(rec)
	if why != "" {
		im.reject(ConnectionsFile, line, "%s", why)
		return nil
	}
	for _, col := range []string{"from", "to", "type"} {
		if cells[col] == "" {
			im.reject(ConnectionsFile, line, "%s is empty", strings.ToUpper(col[:1])+col[1:])
			return nil
		}
	}
	rt, ok := resolveRelType(cells["type"])
	if !ok {
		types := make([]string, len(graph.RelTypes))
		for i, t := range graph.RelTypes {
			types[i] = string(t)
		}
		im.reject(ConnectionsFile, line, "unknown connection Type %q: use one of %s", cells["type"], strings.Join(types, ", "))
		return nil
	}
	spec := graph.SpecOf(rt)
	c := &connRow{line: line, edge: graph.Edge{Type: rt, Props: graph.Props{}}, ends: [2]string{cells["from"], cells["to"]}}
	if v := cells["label"]; v != "" {
		if name, ok := labelProp[rt]; ok {
			val, err := parseCell(mustRelProp(spec, name), v)
			if err != nil {
				im.reject(ConnectionsFile, line, "Label: %v", err)
				return nil
			}
			c.edge.Props[name] = val
		} else {
			im.warn(ConnectionsFile, line, "%s connection has no label; %q is ignored", capital(article(rt)), v)
		}
	}
	if v := cells["strength"]; v != "" {
		f, err := parseFloat(v)
		if err != nil {
			im.reject(ConnectionsFile, line, "Strength must be a number, got %q", v)
			return nil
		}
		c.edge.Props[graph.Strength.Name] = f
	}
	for i, h := range t.header {
		name, ok := props[h]
		v := cells[h]
		if !ok || v == "" || name == graph.Strength.Name {
			continue
		}
		p, has := spec.Prop(name)
		if !has {
			im.warn(ConnectionsFile, line, "column %s does not apply to %s connection; %q is ignored", t.raw[i], article(rt), v)
			continue
		}
		val, err := parseCell(p, v)
		if err != nil {
			im.reject(ConnectionsFile, line, "%v", err)
			return nil
		}
		if old, set := c.edge.Props[name]; set && !graph.EqualValues(old, val) {
			im.reject(ConnectionsFile, line, "Label says %s %q but the %s column says %q", name, formatValue(old), t.raw[i], v)
			return nil
		}
		c.edge.Props[name] = val
	}
	return c
}

func mustRelProp(s *graph.RelSpec, name string) graph.Prop { p, _ := s.Prop(name); return p }

// checkStore reads the nodes the rows refer to and runs the checks that need
// them: labels of existing ids, connection ends, the validation of each row
// on its own, archived ends.
func (im *kumuImport) checkStore() error {
	var ids []string
	for _, e := range im.elems {
		ids = append(ids, e.id)
	}
	for _, c := range im.conns {
		for _, end := range c.ends {
			if _, ok := im.byID[end]; !ok {
				ids = append(ids, end)
			}
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	im.stored = map[string]graph.Node{}
	for ch := range slices.Chunk(ids, idChunk) {
		var valid []string
		for _, id := range ch {
			if graph.ValidID("id", id) == nil {
				valid = append(valid, id)
			}
		}
		ns, err := im.s.Nodes(im.ctx, valid)
		if err != nil {
			return fmt.Errorf("interchange: kumu import: read nodes: %w", err)
		}
		for _, n := range ns {
			im.stored[n.ID] = n
		}
	}

	for _, e := range im.elems {
		if e.rejected {
			continue
		}
		if old, ok := im.stored[e.id]; ok {
			if old.Label != e.label {
				im.rejectRow(e, "ID %q is %s in the store, not %s", e.id, article(old.Label), article(e.label))
				continue
			}
			e.mode = graph.Update // an existing node: cells left empty keep their values
		}
		if e.mode != graph.Update && e.label == graph.Service && e.props["category"] == nil {
			im.rejectRow(e, "a Service needs a category: a category column or a tag naming one of %s", strings.Join(graph.ServiceCategories, ", "))
			continue
		}
		w := graph.Write{Nodes: []graph.NodeWrite{{Mode: e.mode, ID: e.id, Label: e.label, Props: e.props}}}
		if err := graph.Prepare(&w); err != nil {
			im.rejectRow(e, "%v", unprefix(err, "nodes[0].id", "ID"))
			continue
		}
		e.props = w.Nodes[0].Props
	}

	// Connections, in file order; rows of rejected elements reject their connections.
	seen := map[graph.EdgeKey]int{}
	var archivedEnds []string
	for _, c := range im.conns {
		var labels [2]graph.Label
		ok := true
		for i, cell := range c.ends {
			id, l, why := im.resolveEnd(cell)
			if why != "" {
				im.reject(ConnectionsFile, c.line, "%s %s", []string{"From", "To"}[i], why)
				ok = false
				break
			}
			labels[i] = l
			if i == 0 {
				c.edge.From = id
			} else {
				c.edge.To = id
			}
		}
		if !ok {
			c.rejected = true
			continue
		}
		spec := graph.SpecOf(c.edge.Type)
		if !spec.Allows(labels[0], labels[1]) {
			hint := ""
			if spec.Allows(labels[1], labels[0]) {
				hint = " (From and To the other way round?)"
			}
			im.reject(ConnectionsFile, c.line, "%s cannot join %s to %s%s", c.edge.Type, article(labels[0]), article(labels[1]), hint)
			c.rejected = true
			continue
		}
		k := c.edge.Key()
		if first, dup := seen[k]; dup {
			im.reject(ConnectionsFile, c.line, "the same connection (%s from %q to %q) is on line %d", k.Type, k.From, k.To, first)
			c.rejected = true
			continue
		}
		seen[k] = c.line
		w := graph.Write{Link: []graph.Edge{c.edge}}
		if err := graph.Prepare(&w); err != nil {
			im.reject(ConnectionsFile, c.line, "%v", unprefix(err, "link[0].", ""))
			c.rejected = true
			continue
		}
		c.edge.Props = w.Link[0].Props
		for _, id := range []string{c.edge.From, c.edge.To} {
			if im.archivedAtLink(id) {
				archivedEnds = append(archivedEnds, id)
			}
		}
	}

	// A new or changed connection cannot reach a node that is archived when
	// the links are applied (a Write archives and restores after linking).
	if len(archivedEnds) == 0 {
		return nil
	}
	slices.Sort(archivedEnds)
	archivedEnds = slices.Compact(archivedEnds)
	existing := map[graph.EdgeKey]graph.Props{}
	for ch := range slices.Chunk(archivedEnds, idChunk) {
		es, err := im.s.Edges(im.ctx, graph.EdgeQuery{NodeIDs: ch, Dir: graph.Both, IncludeArchived: true})
		if err != nil {
			return fmt.Errorf("interchange: kumu import: read edges: %w", err)
		}
		for _, e := range es {
			existing[e.Key()] = e.Props
		}
	}
	for _, c := range im.conns {
		if c.rejected {
			continue
		}
		old, ok := existing[c.edge.Key()]
		if ok && sameProps(old, c.edge.Props) {
			continue
		}
		for _, id := range []string{c.edge.From, c.edge.To} {
			if im.archivedAtLink(id) {
				im.reject(ConnectionsFile, c.line, "%q is archived: restore it (archived=false, imported on its own first) before connecting it", id)
				c.rejected = true
				break
			}
		}
	}
	return nil
}

// archivedAtLink reports whether the node id is archived in the store (the
// links of a Write are applied before its archives and restores).
func (im *kumuImport) archivedAtLink(id string) bool {
	n, ok := im.stored[id]
	return ok && n.Archived
}

// resolveEnd finds the node a From or To cell names: an element of the file
// by ID, then by Label (case aside), then a node of the store by id.
func (im *kumuImport) resolveEnd(cell string) (string, graph.Label, string) {
	if e, ok := im.byID[cell]; ok {
		if e.rejected {
			return "", "", fmt.Sprintf("%q is the element on line %d, which was rejected", cell, e.line)
		}
		return e.id, e.label, ""
	}
	if rows := im.byLabel[strings.ToLower(cell)]; len(rows) > 0 {
		if len(rows) > 1 {
			lines := make([]string, len(rows))
			for i, r := range rows {
				lines[i] = strconv.Itoa(r.line)
			}
			return "", "", fmt.Sprintf("%q is the Label of several elements (lines %s): use an ID", cell, strings.Join(lines, ", "))
		}
		e := rows[0]
		if e.rejected {
			return "", "", fmt.Sprintf("%q is the element on line %d, which was rejected", cell, e.line)
		}
		return e.id, e.label, ""
	}
	if n, ok := im.stored[cell]; ok {
		return n.ID, n.Label, ""
	}
	return "", "", fmt.Sprintf("%q is neither an element of the elements CSV (ID or Label) nor a node id in the store", cell)
}

// write builds the one Write of the import from the rows that passed.
func (im *kumuImport) write(actor string) graph.Write {
	w := graph.Write{Actor: actor}
	for _, e := range im.elems {
		if e.rejected {
			continue
		}
		w.Nodes = append(w.Nodes, graph.NodeWrite{Mode: e.mode, ID: e.id, Label: e.label, Props: e.props})
		if e.archived != nil {
			old, exists := im.stored[e.id]
			switch {
			case *e.archived && !(exists && old.Archived):
				w.Archive = append(w.Archive, e.id)
			case !*e.archived && exists && old.Archived:
				w.Restore = append(w.Restore, e.id)
			}
		}
	}
	for _, c := range im.conns {
		if !c.rejected {
			w.Link = append(w.Link, c.edge)
		}
	}
	return w
}

// writeKumuElements writes the dump's nodes as a Kumu elements CSV: ID,
// Label (the name, or the caption of labels without one), Type (the label),
// Description (a measurement's note), Tags (an organisation's aliases), then
// one column per other property present, named as the property (lists
// joined with "|"), and archived when a node is archived. ImportKumu reads
// it back to the same nodes.
func writeKumuElements(w io.Writer, d *graph.Dump) error {
	cols := kumuElementColumns(d)
	cw := csv.NewWriter(w)
	header := append([]string{"ID", "Label", "Type", "Description", "Tags"}, cols...)
	anyArchived := slices.ContainsFunc(d.Nodes, func(n graph.DumpNode) bool { return n.Archived })
	if anyArchived {
		header = append(header, "archived")
	}
	if err := cw.Write(header); err != nil {
		return err
	}
	for _, n := range d.Nodes {
		desc := n.Props["description"]
		if n.Label == graph.Measurement {
			desc = n.Props["note"]
		}
		var tags any
		if n.Label == graph.Organization {
			tags = n.Props["aliases"]
		}
		rec := []string{n.ID, graph.Caption(graph.Node{ID: n.ID, Label: n.Label, Props: n.Props}), string(n.Label), formatValue(desc), formatValue(tags)}
		for _, c := range cols {
			v, ok := n.Props[c]
			if !ok || kumuFixedProp(n.Label, c) {
				rec = append(rec, "")
				continue
			}
			rec = append(rec, formatValue(v))
		}
		if anyArchived {
			a := ""
			if n.Archived {
				a = "true"
			}
			rec = append(rec, a)
		}
		if err := cw.Write(formulaSafe(rec)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// formulaTriggers are the first characters that make spreadsheet programs
// read a cell as a formula (CSV injection).
const formulaTriggers = "=+-@\t\r"

// formulaSafe returns the record with every cell that a spreadsheet would
// take for a formula prefixed with an apostrophe, which spreadsheets show as
// text; unescapeFormula removes it again on import, so exports round-trip.
func formulaSafe(rec []string) []string {
	out := make([]string, len(rec))
	for i, c := range rec {
		if c != "" && strings.ContainsRune(formulaTriggers, rune(c[0])) || unescapeFormula(c) != c {
			c = "'" + c // a value already starting with an escape keeps it
		}
		out[i] = c
	}
	return out
}

func unescapeFormula(c string) string {
	if len(c) > 1 && c[0] == '\'' && (strings.ContainsRune(formulaTriggers, rune(c[1])) || unescapeFormula(c[1:]) != c[1:]) {
		return c[1:]
	}
	return c
}

// kumuFixedProp reports whether a node property is written in one of the
// fixed columns (Label, Description, Tags) rather than a column of its own.
func kumuFixedProp(l graph.Label, name string) bool {
	switch name {
	case "name", "description":
		return true
	case "note":
		return l == graph.Measurement
	case "aliases":
		return l == graph.Organization
	}
	return false
}

// kumuElementColumns lists the property columns of an elements CSV: the
// properties present in the dump that have no fixed column, in the order of
// graph.Labels and of each label's properties.
func kumuElementColumns(d *graph.Dump) []string {
	present := map[string]bool{}
	for _, n := range d.Nodes {
		for k := range n.Props {
			if !kumuFixedProp(n.Label, k) {
				present[k] = true
			}
		}
	}
	var cols []string
	for _, l := range graph.Labels {
		for _, p := range graph.TypeOf(l).Props {
			if present[p.Name] && !slices.Contains(cols, p.Name) {
				cols = append(cols, p.Name)
			}
		}
	}
	return cols
}

// writeKumuConnections writes the dump's edges as a Kumu connections CSV:
// From and To (node ids), Type (the relationship type), Label (the role of
// PARTNER_IN and SITS_ON, the title of HOLDS_ROLE, the note of REFERS_TO,
// the date of SIGNED), Strength, then one column per other property present.
func writeKumuConnections(w io.Writer, d *graph.Dump) error {
	present := map[string]bool{}
	for _, e := range d.Edges {
		for k := range e.Props {
			if k != graph.Strength.Name && k != labelProp[e.Type] {
				present[k] = true
			}
		}
	}
	var cols []string
	for _, rt := range graph.RelTypes {
		for _, p := range graph.SpecOf(rt).Props {
			if present[p.Name] && !slices.Contains(cols, p.Name) {
				cols = append(cols, p.Name)
			}
		}
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(append([]string{"From", "To", "Type", "Label", "Strength"}, cols...)); err != nil {
		return err
	}
	for _, e := range d.Edges {
		lp := labelProp[e.Type]
		var label any
		if lp != "" {
			label = e.Props[lp]
		}
		rec := []string{e.From, e.To, string(e.Type), formatValue(label), formatValue(e.Props[graph.Strength.Name])}
		for _, c := range cols {
			v, ok := e.Props[c]
			if !ok || c == lp {
				rec = append(rec, "")
				continue
			}
			rec = append(rec, formatValue(v))
		}
		if err := cw.Write(formulaSafe(rec)); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
