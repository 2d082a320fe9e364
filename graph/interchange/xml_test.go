package interchange

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"govhub/graph"
)

// Environment of the schema validation tests.
const (
	// EnvXSDDir names a directory holding graphml.xsd, xlink.xsd, gexf.xsd
	// and viz.xsd (what testdata/fetch-xsd.sh prints). Unset, the tests run
	// fetch-xsd.sh themselves.
	envXSDDir = "HUB_XSD_DIR"
	// EnvRequireXSD set to 1 (CI) makes a missing schema or validator a
	// failure instead of a skip.
	envRequireXSD = "HUB_REQUIRE_XSD"
)

// xsdDir returns the directory of the schemas, fetching them if needed.
func xsdDir(t *testing.T) string {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv(envRequireXSD) == "1" {
			t.Fatalf("XML schema validation required (%s=1) but unavailable: "+format, append([]any{envRequireXSD}, args...)...)
		}
		t.Skipf("XML schema validation skipped (set %s=1 to require it): "+format, append([]any{envRequireXSD}, args...)...)
	}
	dir := os.Getenv(envXSDDir)
	if dir == "" {
		out, err := exec.Command("testdata/fetch-xsd.sh").Output()
		if err != nil {
			msg := err.Error()
			if ee, ok := err.(*exec.ExitError); ok {
				msg += ": " + strings.TrimSpace(string(ee.Stderr))
			}
			unavailable("testdata/fetch-xsd.sh failed: %s", msg)
		}
		dir = strings.TrimSpace(string(out))
	}
	for _, f := range []string{"graphml.xsd", "xlink.xsd", "gexf.xsd", "viz.xsd"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			unavailable("%s: %v", f, err)
		}
	}
	return dir
}

// validate checks XML documents against a schema with the JDK's validator
// (testdata/Validate.java, one run for all of them), or xmllint when there
// is no java. It returns, per document, whether it is valid, and the output.
func validate(t *testing.T, schema string, docs ...[]byte) ([]bool, string) {
	t.Helper()
	dir := t.TempDir()
	files := make([]string, len(docs))
	for i, doc := range docs {
		files[i] = filepath.Join(dir, fmt.Sprintf("doc%d.xml", i))
		if err := os.WriteFile(files[i], doc, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	valid := make([]bool, len(docs))
	if java, err := exec.LookPath("java"); err == nil {
		out, err := exec.Command(java, append([]string{"testdata/Validate.java", schema}, files...)...).CombinedOutput()
		var ee *exec.ExitError
		if err != nil && (!errors.As(err, &ee) || ee.ExitCode() != 1) {
			t.Fatalf("java Validate.java: %v\n%s", err, out)
		}
		for i, f := range files {
			valid[i] = strings.Contains(string(out), f+": valid\n")
		}
		return valid, string(out)
	}
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		if os.Getenv(envRequireXSD) == "1" {
			t.Fatalf("%s=1 but neither java nor xmllint is installed", envRequireXSD)
		}
		t.Skip("neither java nor xmllint is installed")
	}
	var all strings.Builder
	for i, f := range files {
		out, err := exec.Command(xmllint, "--noout", "--nonet", "--schema", schema, f).CombinedOutput()
		all.Write(out)
		valid[i] = err == nil
	}
	return valid, all.String()
}

// mustValidate fails the test unless every document is valid.
func mustValidate(t *testing.T, schema string, docs ...[]byte) {
	t.Helper()
	valid, out := validate(t, schema, docs...)
	for i, ok := range valid {
		if !ok {
			t.Errorf("document %d is not valid against %s:\n%s", i, filepath.Base(schema), limit(out, 3000))
		}
	}
}

func limit(s string, n int) string {
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

// xmlClean is what a string becomes in XML: without the characters XML 1.0 forbids.
func xmlClean(s string) string {
	return strings.Map(func(r rune) rune {
		if xmlChar(r) {
			return r
		}
		return -1
	}, s)
}

type xmlData struct {
	Key   string `xml:"key,attr"`
	Value string `xml:",chardata"`
}

type graphmlDoc struct {
	XMLName xml.Name `xml:"http://graphml.graphdrawing.org/xmlns graphml"`
	Keys    []struct {
		ID   string `xml:"id,attr"`
		For  string `xml:"for,attr"`
		Name string `xml:"attr.name,attr"`
		Type string `xml:"attr.type,attr"`
	} `xml:"key"`
	Graph struct {
		EdgeDefault string `xml:"edgedefault,attr"`
		Nodes       []struct {
			ID   string    `xml:"id,attr"`
			Data []xmlData `xml:"data"`
		} `xml:"node"`
		Edges []struct {
			ID     string    `xml:"id,attr"`
			Source string    `xml:"source,attr"`
			Target string    `xml:"target,attr"`
			Data   []xmlData `xml:"data"`
		} `xml:"edge"`
	} `xml:"graph"`
}

func dataMap(ds []xmlData) map[string]string {
	m := map[string]string{}
	for _, d := range ds {
		m[d.Key] = d.Value
	}
	return m
}

// checkGraphML parses GraphML and checks that it holds every node and edge
// of d with every property.
func checkGraphML(t *testing.T, b []byte, d *graph.Dump) {
	t.Helper()
	var doc graphmlDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("GraphML is not well-formed: %v", err)
	}
	if doc.Graph.EdgeDefault != "directed" {
		t.Errorf("edgedefault %q", doc.Graph.EdgeDefault)
	}
	types := map[string]string{}
	for _, k := range doc.Keys {
		types[k.ID] = k.Type
	}
	if types["n_population"] != "long" || types["n_singleAccessPoint"] != "boolean" || types["e_strength"] != "double" || types["n_name"] != "string" {
		t.Errorf("key types: population %s, singleAccessPoint %s, strength %s, name %s", types["n_population"], types["n_singleAccessPoint"], types["e_strength"], types["n_name"])
	}
	if len(doc.Graph.Nodes) != len(d.Nodes) || len(doc.Graph.Edges) != len(d.Edges) {
		t.Fatalf("GraphML has %d nodes and %d edges, the dump %d and %d", len(doc.Graph.Nodes), len(doc.Graph.Edges), len(d.Nodes), len(d.Edges))
	}
	for i, n := range d.Nodes {
		x := doc.Graph.Nodes[i]
		data := dataMap(x.Data)
		if x.ID != NMToken(n.ID) || data["n_hubId"] != n.ID || data["n_type"] != string(n.Label) {
			t.Fatalf("node %d: id %q data %v, want %s (%s)", i, x.ID, data, n.ID, n.Label)
		}
		if (data["n_archived"] == "true") != n.Archived {
			t.Errorf("node %s: archived %q, want %v", n.ID, data["n_archived"], n.Archived)
		}
		for k, v := range n.Props {
			if got, want := data["n_"+k], xmlClean(formatValue(v)); got != want {
				t.Errorf("node %s: %s = %q, want %q", n.ID, k, got, want)
			}
		}
	}
	for i, e := range d.Edges {
		x := doc.Graph.Edges[i]
		data := dataMap(x.Data)
		if x.Source != NMToken(e.From) || x.Target != NMToken(e.To) || data["e_type"] != string(e.Type) {
			t.Fatalf("edge %d: %s -%s-> %s, want %s -%s-> %s", i, x.Source, data["e_type"], x.Target, e.From, e.Type, e.To)
		}
		for k, v := range e.Props {
			if got, want := data["e_"+k], xmlClean(formatValue(v)); got != want {
				t.Errorf("edge %s: %s = %q, want %q", edgeID(e), k, got, want)
			}
		}
	}
}

type gexfDoc struct {
	XMLName xml.Name `xml:"http://gexf.net/1.3 gexf"`
	Version string   `xml:"version,attr"`
	Graph   struct {
		DefaultEdgeType string `xml:"defaultedgetype,attr"`
		Attributes      []struct {
			Class string `xml:"class,attr"`
			Attrs []struct {
				ID    string `xml:"id,attr"`
				Title string `xml:"title,attr"`
				Type  string `xml:"type,attr"`
			} `xml:"attribute"`
		} `xml:"attributes"`
		Nodes []struct {
			ID     string     `xml:"id,attr"`
			Label  string     `xml:"label,attr"`
			Values []gexfAttr `xml:"attvalues>attvalue"`
		} `xml:"nodes>node"`
		Edges []struct {
			ID     string     `xml:"id,attr"`
			Source string     `xml:"source,attr"`
			Target string     `xml:"target,attr"`
			Kind   string     `xml:"kind,attr"`
			Weight string     `xml:"weight,attr"`
			Values []gexfAttr `xml:"attvalues>attvalue"`
		} `xml:"edges>edge"`
	} `xml:"graph"`
}

type gexfAttr struct {
	For   string `xml:"for,attr"`
	Value string `xml:"value,attr"`
}

func attMap(vs []gexfAttr) map[string]string {
	m := map[string]string{}
	for _, v := range vs {
		m[v.For] = v.Value
	}
	return m
}

func checkGEXF(t *testing.T, b []byte, d *graph.Dump) {
	t.Helper()
	var doc gexfDoc
	if err := xml.Unmarshal(b, &doc); err != nil {
		t.Fatalf("GEXF is not well-formed: %v", err)
	}
	if doc.Version != "1.3" || doc.Graph.DefaultEdgeType != "directed" {
		t.Errorf("version %q, defaultedgetype %q", doc.Version, doc.Graph.DefaultEdgeType)
	}
	if len(doc.Graph.Nodes) != len(d.Nodes) || len(doc.Graph.Edges) != len(d.Edges) {
		t.Fatalf("GEXF has %d nodes and %d edges, the dump %d and %d", len(doc.Graph.Nodes), len(doc.Graph.Edges), len(d.Nodes), len(d.Edges))
	}
	for i, n := range d.Nodes {
		x := doc.Graph.Nodes[i]
		vals := attMap(x.Values)
		caption := graph.Caption(graph.Node{ID: n.ID, Label: n.Label, Props: n.Props})
		if x.ID != xmlClean(n.ID) || x.Label != xmlClean(caption) || vals["type"] != string(n.Label) {
			t.Fatalf("node %d: %q %q %v, want %s %q %s", i, x.ID, x.Label, vals, n.ID, caption, n.Label)
		}
		for k, v := range n.Props {
			if got, want := vals[k], xmlClean(formatValue(v)); got != want {
				t.Errorf("node %s: %s = %q, want %q", n.ID, k, got, want)
			}
		}
	}
	for i, e := range d.Edges {
		x := doc.Graph.Edges[i]
		if x.Source != e.From || x.Target != e.To || x.Kind != string(e.Type) {
			t.Fatalf("edge %d: %s -%s-> %s, want %s -%s-> %s", i, x.Source, x.Kind, x.Target, e.From, e.Type, e.To)
		}
		if s, ok := e.Props["strength"]; ok && x.Weight != formatValue(s) {
			t.Errorf("edge %s: weight %q, want %v", edgeID(e), x.Weight, s)
		}
	}
}

// asGEXF12 rewrites a GEXF 1.3 document as 1.2draft, for the 1.2draft
// schema: namespace, version, and the 1.3-only kind attribute of edges.
func asGEXF12(b []byte) []byte {
	s := string(b)
	s = strings.ReplaceAll(s, `"http://gexf.net/1.3"`, `"http://www.gexf.net/1.2draft"`)
	s = strings.ReplaceAll(s, `http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd`, `http://www.gexf.net/1.2draft http://www.gexf.net/1.2draft/gexf.xsd`)
	s = strings.Replace(s, `version="1.3"`, `version="1.2"`, 1)
	var out strings.Builder
	for {
		i := strings.Index(s, ` kind="`)
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i+7:], '"')
		out.WriteString(s[:i])
		s = s[i+7+j+1:]
	}
	out.WriteString(s)
	return []byte(out.String())
}

func TestExportXML(t *testing.T) {
	s := seeded(t)
	scope := collect(t, s, impact)
	all := collect(t, s)
	dir := ""
	t.Run("graphml", func(t *testing.T) {
		b := export(t, scope, GraphML)
		checkGraphML(t, b, scope)
		if !bytes.Contains(b, []byte(`A &amp; B &lt;&quot;x&quot;&gt; l&apos;ente`)) {
			t.Error("the awkward name is not escaped as expected")
		}
		checkGraphML(t, export(t, all, GraphML), all)
	})
	t.Run("gexf", func(t *testing.T) {
		b := export(t, scope, GEXF)
		checkGEXF(t, b, scope)
		checkGEXF(t, export(t, all, GEXF), all)
	})
	t.Run("graphml-xsd", func(t *testing.T) {
		if dir == "" {
			dir = xsdDir(t)
		}
		// The validator must reject what the schema forbids: a node id with a space.
		bad := bytes.Replace(export(t, scope, GraphML), []byte(`<node id="`+impact+`"`), []byte(`<node id="net impact"`), 1)
		valid, out := validate(t, filepath.Join(dir, "graphml.xsd"), export(t, scope, GraphML), export(t, all, GraphML), bad)
		if !valid[0] || !valid[1] {
			t.Errorf("GraphML export is not valid against graphml.xsd (scope %v, whole graph %v):\n%s", valid[0], valid[1], limit(out, 3000))
		}
		if valid[2] {
			t.Errorf("GraphML with a node id that is no NMTOKEN passed validation:\n%s", limit(out, 3000))
		}
	})
	t.Run("gexf-xsd", func(t *testing.T) {
		if dir == "" {
			dir = xsdDir(t)
		}
		mustValidate(t, filepath.Join(dir, "gexf.xsd"), asGEXF12(export(t, scope, GEXF)), asGEXF12(export(t, all, GEXF)))
	})
}

func TestXMLEscaping(t *testing.T) {
	names := []string{trickyName, controlNet, "quote\"apos'amp&lt<gt>", "line\nbreak\r\nand\ttab", "bad utf8 \xff end", "\uFFFE\uFFFF nonchars", "emoji 🇮🇹"}
	for i, name := range names {
		d := &graph.Dump{Format: graph.DumpFormat, Version: graph.DumpVersion, Source: name,
			Nodes: []graph.DumpNode{{ID: "net-x&<y>", Label: graph.Network, Props: graph.Props{"name": name, "description": name}}},
			Edges: []graph.DumpEdge{{Type: graph.OperatesIn, From: "net-x&<y>", To: "terr-é", Props: graph.Props{"strength": 1e-9}}},
		}
		d.Nodes = append(d.Nodes, graph.DumpNode{ID: "terr-é", Label: graph.Territory, Props: graph.Props{"name": "É", "code": "é", "level": "REGION"}})
		want := strings.ToValidUTF8(xmlClean(strings.ToValidUTF8(name, "")), "")
		// encoding/xml normalises \r\n in character data to \n; attributes keep
		// it through the character reference.
		t.Run(fmt.Sprintf("%d/graphml", i), func(t *testing.T) {
			var doc graphmlDoc
			if err := xml.Unmarshal(export(t, d, GraphML), &doc); err != nil {
				t.Fatalf("%q: %v", name, err)
			}
			got := dataMap(doc.Graph.Nodes[0].Data)["n_name"]
			if got != strings.ReplaceAll(want, "\r\n", "\n") && got != want {
				t.Errorf("GraphML name %q, want %q", got, want)
			}
			if doc.Graph.Nodes[0].ID != "net-x_x0026__x003C_y_x003E_" || dataMap(doc.Graph.Nodes[0].Data)["n_hubId"] != "net-x&<y>" {
				t.Errorf("node id %q, data id %q", doc.Graph.Nodes[0].ID, dataMap(doc.Graph.Nodes[0].Data)["n_hubId"])
			}
		})
		t.Run(fmt.Sprintf("%d/gexf", i), func(t *testing.T) {
			var doc gexfDoc
			if err := xml.Unmarshal(export(t, d, GEXF), &doc); err != nil {
				t.Fatalf("%q: %v", name, err)
			}
			if got := doc.Graph.Nodes[0].Label; got != want {
				t.Errorf("GEXF label %q, want %q", got, want)
			}
			if doc.Graph.Nodes[0].ID != "net-x&<y>" || doc.Graph.Edges[0].Weight != "1e-9" {
				t.Errorf("GEXF id %q, weight %q", doc.Graph.Nodes[0].ID, doc.Graph.Edges[0].Weight)
			}
		})
	}
}

func TestNMToken(t *testing.T) {
	seen := map[string]string{}
	for _, id := range []string{"org-comune-di-napoli", "terr-063049", "a_b", "a_xb", "a_x0041_", "a|b", "a:b", "a b", "é", "𝄞", "x.y-z", "_x"} {
		tok := NMToken(id)
		for _, r := range tok {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '.' || r == '_') {
				t.Errorf("NMToken(%q) = %q has %q", id, tok, r)
			}
		}
		if other, dup := seen[tok]; dup {
			t.Errorf("NMToken(%q) = NMToken(%q) = %q", id, other, tok)
		}
		seen[tok] = id
	}
	if NMToken("org-comune-di-napoli") != "org-comune-di-napoli" || NMToken("PARTNER_IN") != "PARTNER_IN" {
		t.Error("plain ids must stay as they are")
	}
}
