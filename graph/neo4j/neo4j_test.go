package neo4j

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	nd "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"govhub/graph"
	"govhub/graph/storetest"
)

// The tests need a real Neo4j: see TestConfig. They share its one database,
// wiping it with DeleteAll, so they do not run in parallel.

// openEmpty opens the store and wipes the database.
func openEmpty(t *testing.T) *Store {
	t.Helper()
	s := OpenTest(t)
	if err := s.DeleteAll(t.Context()); err != nil {
		t.Fatalf("DeleteAll: %v", err)
	}
	return s
}

func TestConformance(t *testing.T) {
	TestConfig(t)
	storetest.Run(t, func(t *testing.T) graph.Store { return openEmpty(t) })
}

func TestOpenUnreachable(t *testing.T) {
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Second)
	defer cancel()
	_, err := Open(ctx, Config{URI: "bolt://127.0.0.1:1"})
	if err == nil {
		t.Fatal("Open of a closed port succeeded")
	}
	if !strings.Contains(err.Error(), "bolt://127.0.0.1:1") {
		t.Fatalf("error does not name the URI: %v", err)
	}
	if _, err := Open(ctx, Config{}); err == nil || !strings.Contains(err.Error(), "NEO4J_URI") {
		t.Fatalf("Open without URI: %v", err)
	}
}

// cypher runs a statement directly, for checks the Store API cannot make.
func cypher(t *testing.T, s *Store, q string, params map[string]any) []*nd.Record {
	t.Helper()
	res, err := nd.ExecuteQuery(t.Context(), s.driver, q, params, nd.EagerResultTransformer,
		nd.ExecuteQueryWithDatabase(s.db))
	if err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return res.Records
}

func TestMigrate(t *testing.T) {
	s := OpenTest(t) // Open has migrated
	ctx := t.Context()
	applied, err := s.Migrate(ctx)
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if len(applied) != 0 {
		t.Fatalf("second Migrate applied %v, want nothing", applied)
	}

	recs := cypher(t, s, `MATCH (m:Migration) RETURN m.version, m.name, m.appliedAt ORDER BY m.version`, nil)
	if len(recs) != len(migrations) {
		t.Fatalf("%d migrations recorded, want %d", len(recs), len(migrations))
	}
	for i, r := range recs {
		if v := asInt(r.Values[0]); v != migrations[i].version || asString(r.Values[1]) != migrations[i].name {
			t.Fatalf("migration record %d = %v, want %d %s", i, r.Values, migrations[i].version, migrations[i].name)
		}
		if _, ok := r.Values[2].(time.Time); !ok {
			t.Fatalf("migration %d: appliedAt is %T", i, r.Values[2])
		}
	}

	// Every label of the schema has its id constraint and its indexes:
	// a label added to graph/schema.go without a migration fails here.
	recs = cypher(t, s, `SHOW CONSTRAINTS YIELD type, labelsOrTypes, properties RETURN type, labelsOrTypes, properties`, nil)
	have := map[string]bool{}
	for _, r := range recs {
		labels, props := asStrings(r.Values[1]), asStrings(r.Values[2])
		if strings.Contains(asString(r.Values[0]), "UNIQUENESS") && len(labels) == 1 && len(props) == 1 {
			have[labels[0]+"."+props[0]] = true
		}
	}
	want := []string{"Node.id", "Sequence.name", "Migration.version"}
	for _, l := range graph.Labels {
		want = append(want, string(l)+".id")
	}
	for _, w := range want {
		if !have[w] {
			t.Errorf("no uniqueness constraint on %s", w)
		}
	}
	recs = cypher(t, s, `SHOW INDEXES YIELD type, labelsOrTypes, properties, state RETURN type, labelsOrTypes, properties, state`, nil)
	indexes := map[string]string{}
	for _, r := range recs {
		labels, props := asStrings(r.Values[1]), asStrings(r.Values[2])
		if len(labels) == 1 && len(props) == 1 {
			indexes[asString(r.Values[0])+" "+labels[0]+"."+props[0]] = asString(r.Values[3])
		}
	}
	want = []string{"RANGE Territory.code", "RANGE Organization.kind", "RANGE Service.category", "RANGE Action.status",
		"RANGE Action.plannedEnd", "RANGE GovernanceBody.level", "RANGE Territory.level", "RANGE Change.nodeId", "RANGE Change.seq"}
	for _, l := range graph.Labels {
		want = append(want, "RANGE "+string(l)+"."+graph.TypeOf(l).SortBy, "RANGE "+string(l)+"."+propSortKey,
			"TEXT "+string(l)+"."+propSearchText)
	}
	for _, w := range want {
		if indexes[w] != "ONLINE" {
			t.Errorf("index %s: state %q, want ONLINE", w, indexes[w])
		}
	}

	// Versioned: only what is missing is applied again, in order.
	cypher(t, s, `MATCH (m:Migration) WHERE m.version IN [2, 3] DELETE m`, nil)
	applied, err = s.Migrate(ctx)
	if err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	if want := []string{"2 lookup indexes", "3 change sequence"}; !slices.Equal(applied, want[:len(applied)]) || len(applied) != 2 {
		t.Fatalf("Migrate after removing records 2 and 3 applied %q, want %q", applied, want)
	}
	if n := len(cypher(t, s, `MATCH (s:Sequence) RETURN s`, nil)); n != 1 {
		t.Fatalf("%d Sequence nodes, want 1", n)
	}

	// Concurrent runs are safe.
	cypher(t, s, `MATCH (m:Migration) WHERE m.version >= 2 DELETE m`, nil)
	errs := make(chan error, 4)
	total := make(chan int, 4)
	for range 4 {
		go func() {
			a, err := s.Migrate(ctx)
			errs <- err
			total <- len(a)
		}()
	}
	sum := 0
	for range 4 {
		if err := <-errs; err != nil {
			t.Errorf("concurrent Migrate: %v", err)
		}
		sum += <-total
	}
	if sum != len(migrations)-1 {
		t.Errorf("concurrent Migrates applied %d migrations in all, want %d", sum, len(migrations)-1)
	}
	if n := len(cypher(t, s, `MATCH (m:Migration) RETURN m`, nil)); n != len(migrations) {
		t.Fatalf("%d migration records after concurrent runs, want %d", n, len(migrations))
	}
}

func write(t *testing.T, s graph.Store, w graph.Write) graph.WriteResult {
	t.Helper()
	if w.Actor == "" {
		w.Actor = "tester"
	}
	r, err := s.Write(t.Context(), w)
	if err != nil {
		t.Fatalf("Write: %v", err)
	}
	return r
}

func orgWrite(id, name string) graph.NodeWrite {
	return graph.NodeWrite{Mode: graph.Upsert, ID: id, Label: graph.Organization,
		Props: graph.Props{"name": name, "kind": "THIRD_SECTOR"}}
}

func countAll(t *testing.T, s *Store) int64 {
	t.Helper()
	return asInt(cypher(t, s, `MATCH (n) RETURN count(n)`, nil)[0].Values[0])
}

// Values that look like Cypher are data: they are stored and read back
// verbatim, and they run nothing.
func TestCypherInjection(t *testing.T) {
	s := openEmpty(t)
	evil := []string{
		`x' }) MATCH (n) DETACH DELETE n //`,
		`x" }) MATCH (n) DETACH DELETE n //`,
		"x` }) MATCH (n) DETACH DELETE n //",
		`\u0027 }) MATCH (n) DETACH DELETE n //`,
		`$name }) MATCH (n) DETACH DELETE n /*`,
	}
	w := graph.Write{}
	for i, name := range evil {
		w.Nodes = append(w.Nodes, orgWrite(fmt.Sprintf("org-evil-%d", i), name))
	}
	w.Nodes = append(w.Nodes, orgWrite("org-plain", "Plain"))
	write(t, s, w)
	before := countAll(t, s)

	for i, name := range evil {
		id := fmt.Sprintf("org-evil-%d", i)
		ns, err := s.Nodes(t.Context(), []string{id})
		if err != nil || len(ns) != 1 || ns[0].Str("name") != name {
			t.Fatalf("Nodes(%s) = %v, %v; want name %q", id, ns, err, name)
		}
		p, err := s.List(t.Context(), graph.ListQuery{Label: graph.Organization, Search: name})
		if err != nil || len(p.Nodes) != 1 || p.Nodes[0].ID != id {
			t.Fatalf("List(search %q) = %v, %v", name, p.Nodes, err)
		}
		p, err = s.List(t.Context(), graph.ListQuery{Label: graph.Organization,
			Where: []graph.PropFilter{{Key: "name", Op: graph.OpIn, Values: []any{name}}}})
		if err != nil || len(p.Nodes) != 1 || p.Nodes[0].ID != id {
			t.Fatalf("List(name IN %q) = %v, %v", name, p.Nodes, err)
		}
		// A Cypher-looking property key is refused, not run.
		_, err = s.List(t.Context(), graph.ListQuery{Label: graph.Organization,
			Where: []graph.PropFilter{{Key: name, Op: graph.OpIn, Values: []any{"x"}}}})
		if graph.CodeOf(err) != graph.CodeInvalid {
			t.Fatalf("List(where key %q): %v, want BAD_USER_INPUT", name, err)
		}
		if _, err := s.History(t.Context(), name, 0); err != nil {
			t.Fatalf("History(%q): %v", name, err)
		}
		if _, err := s.Subgraph(t.Context(), graph.SubgraphQuery{Roots: []string{name}, Depth: 2}); err != nil {
			t.Fatalf("Subgraph(%q): %v", name, err)
		}
		// Unknown labels and types never reach Cypher.
		if _, err := s.List(t.Context(), graph.ListQuery{Label: graph.Label(name)}); graph.CodeOf(err) != graph.CodeInvalid {
			t.Fatalf("List(label %q): %v", name, err)
		}
		if _, err := s.Edges(t.Context(), graph.EdgeQuery{NodeIDs: []string{id}, Types: []graph.RelType{graph.RelType(name)}}); graph.CodeOf(err) != graph.CodeInvalid {
			t.Fatalf("Edges(type %q): %v", name, err)
		}
	}
	if after := countAll(t, s); after != before {
		t.Fatalf("%d nodes in the database, want %d", after, before)
	}
}

// Lists order exactly as graph.Less, even where Neo4j's string order (UTF-16)
// differs from Go's (UTF-8 bytes), and search lower-cases as Go does.
func TestUnicodeOrderAndSearch(t *testing.T) {
	s := openEmpty(t)
	names := []string{"a", "B", "\uff01 fullwidth", "\U0001F600 emoji", "\ue000 private", "é", "e\u0301", "Z", "z",
		"\ufffd", "\U00010000", "ΟΔΟΣ", "İstanbul", "Ant", "ant", "ANT"}
	w := graph.Write{}
	for i, n := range names {
		w.Nodes = append(w.Nodes, orgWrite(fmt.Sprintf("org-%02d", i), n))
	}
	// Equal names order by id, which may itself hold such characters.
	w.Nodes = append(w.Nodes, orgWrite("org-\U0001F600", "same"), orgWrite("org-\uff01", "same"), orgWrite("org-\ue000", "same"))
	write(t, s, w)

	all, err := s.Nodes(t.Context(), func() []string {
		var ids []string
		for _, nw := range w.Nodes {
			ids = append(ids, nw.ID)
		}
		return ids
	}())
	if err != nil {
		t.Fatal(err)
	}
	graph.SortNodes(all)
	var want []string
	for _, n := range all {
		want = append(want, n.ID)
	}
	// One page, and pages of 2 following cursors.
	p, err := s.List(t.Context(), graph.ListQuery{Label: graph.Organization})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(p.Nodes); !slices.Equal(got, want) {
		t.Fatalf("order\n got  %q\n want %q", got, want)
	}
	var got []string
	after := ""
	for {
		p, err := s.List(t.Context(), graph.ListQuery{Label: graph.Organization, First: 2, After: after})
		if err != nil {
			t.Fatal(err)
		}
		if p.TotalCount != len(want) {
			t.Fatalf("TotalCount %d, want %d", p.TotalCount, len(want))
		}
		got = append(got, ids(p.Nodes)...)
		if !p.HasNextPage {
			break
		}
		after = p.Cursors[len(p.Cursors)-1]
	}
	if !slices.Equal(got, want) {
		t.Fatalf("paged order\n got  %q\n want %q", got, want)
	}

	for _, q := range []string{"οσ", "ΟΣ", "ant", "İ", "i", "\U0001F600", "E\u0301"} {
		var want []string
		for _, n := range all {
			if strings.Contains(strings.ToLower(n.Str("name")), strings.ToLower(q)) {
				want = append(want, n.ID)
			}
		}
		p, err := s.List(t.Context(), graph.ListQuery{Label: graph.Organization, Search: q})
		if err != nil {
			t.Fatal(err)
		}
		if got := ids(p.Nodes); !slices.Equal(got, want) {
			t.Errorf("search %q\n got  %q\n want %q", q, got, want)
		}
	}
}

func ids(ns []graph.Node) []string {
	out := []string{}
	for _, n := range ns {
		out = append(out, n.ID)
	}
	return out
}

// A write that changes nothing commits nothing: the sequence does not move.
func TestUnchangedWriteCommitsNothing(t *testing.T) {
	s := openEmpty(t)
	w := graph.Write{Nodes: []graph.NodeWrite{orgWrite("org-a", "A"), orgWrite("org-b", "B")},
		Link: []graph.Edge{}}
	write(t, s, w)
	seq := func() int64 {
		return asInt(cypher(t, s, `MATCH (s:Sequence {name: 'change'}) RETURN s.value`, nil)[0].Values[0])
	}
	before := seq()
	if before != 2 {
		t.Fatalf("sequence after 2 creates = %d, want 2", before)
	}
	r := write(t, s, w)
	if r.Unchanged != 2 || r.Created+r.Updated != 0 {
		t.Fatalf("re-write result %+v", r)
	}
	if after := seq(); after != before {
		t.Fatalf("sequence moved from %d to %d on an unchanged write", before, after)
	}
}

// Deadlines of the caller bound every call.
func TestContextDeadline(t *testing.T) {
	s := openEmpty(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := s.List(ctx, graph.ListQuery{Label: graph.Organization}); err == nil || !strings.Contains(err.Error(), "context canceled") {
		t.Fatalf("List with a cancelled context: %v", err)
	}
	ctx, cancel2 := context.WithTimeout(t.Context(), time.Nanosecond)
	defer cancel2()
	time.Sleep(time.Millisecond)
	if _, err := s.Write(ctx, graph.Write{Nodes: []graph.NodeWrite{orgWrite("org-a", "A")}}); err == nil {
		t.Fatal("Write with an expired context succeeded")
	}
}

// A constraint violation is a CONFLICT whose message says nothing of the driver.
func TestConstraintViolationIsConflict(t *testing.T) {
	s := openEmpty(t)
	write(t, s, graph.Write{Nodes: []graph.NodeWrite{orgWrite("org-a", "A")}})
	// Writes are serialised, so only a statement that bypasses Write can
	// break the constraint.
	_, err := writeTx(t.Context(), s, "test", func(ctx context.Context, tx nd.ManagedTransaction) (struct{}, error) {
		_, err := collect(ctx, tx, `CREATE (:Node:Organization {id: 'org-a'})`, nil)
		return struct{}{}, err
	})
	if graph.CodeOf(err) != graph.CodeConflict {
		t.Fatalf("duplicate id: %v (code %s), want CONFLICT", err, graph.CodeOf(err))
	}
	for _, leak := range []string{"Neo4jError", "Neo.ClientError", "already exists with label"} {
		if strings.Contains(err.Error(), leak) {
			t.Fatalf("error leaks driver text %q: %v", leak, err)
		}
	}
}

// Errors callers can act on keep their codes and carry no driver text.
func TestErrorCodes(t *testing.T) {
	s := openEmpty(t)
	write(t, s, graph.Write{Nodes: []graph.NodeWrite{orgWrite("org-a", "A")}})
	ctx := t.Context()
	_, err := s.Write(ctx, graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Create, ID: "org-a", Label: graph.Organization,
		Props: graph.Props{"name": "A", "kind": "OTHER"}}}})
	if graph.CodeOf(err) != graph.CodeConflict {
		t.Fatalf("Create of an existing id: %v", err)
	}
	_, err = s.Write(ctx, graph.Write{Link: []graph.Edge{{Type: graph.PartnerIn, From: "org-a", To: "net-missing",
		Props: graph.Props{"role": "LEAD"}}}})
	if graph.CodeOf(err) != graph.CodeNotFound {
		t.Fatalf("link to a missing node: %v", err)
	}
	if _, err := s.List(ctx, graph.ListQuery{Label: graph.Action, Territory: "terr-x"}); graph.CodeOf(err) != graph.CodeInvalid {
		t.Fatalf("territory filter on actions: %v", err)
	}
	if _, err := s.Subgraph(ctx, graph.SubgraphQuery{Roots: []string{"org-a"}, Depth: 11}); graph.CodeOf(err) != graph.CodeInvalid {
		t.Fatalf("depth 11: %v", err)
	}
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Nodes(ctx, []string{"org-a"}); graph.CodeOf(err) != graph.CodeUnavailable {
		t.Fatalf("Nodes after Close: %v", err)
	}
}

func terrWrite(id, parent string) (graph.NodeWrite, []graph.Edge) {
	nw := graph.NodeWrite{ID: id, Label: graph.Territory, Props: graph.Props{"name": id, "code": id, "level": "REGION"}}
	if parent == "" {
		return nw, nil
	}
	return nw, []graph.Edge{{Type: graph.PartOf, From: id, To: parent}}
}

// Expansions from several start nodes that reach the same nodes return each
// node once and count it once (see distinctN), and Neo4j plans them as a
// pruning breadth-first search.
func TestOverlappingExpansions(t *testing.T) {
	s := openEmpty(t)
	w := graph.Write{}
	for _, p := range [][2]string{{"t", ""}, {"t1", "t"}, {"t11", "t1"}, {"t12", "t1"}, {"t2", "t"}} {
		nw, es := terrWrite(p[0], p[1])
		w.Nodes = append(w.Nodes, nw)
		w.Link = append(w.Link, es...)
	}
	write(t, s, w)

	g, err := s.Subgraph(t.Context(), graph.SubgraphQuery{Roots: []string{"t", "t1", "t11"}, Depth: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(g.Nodes); !slices.Equal(got, []string{"t", "t1", "t11", "t12", "t2"}) {
		t.Fatalf("subgraph nodes %q", got)
	}
	if _, err := s.Subgraph(t.Context(), graph.SubgraphQuery{Roots: []string{"t", "t1", "t11"}, Depth: 2, MaxNodes: 5}); err != nil {
		t.Fatalf("subgraph of exactly MaxNodes nodes: %v", err)
	}
	p, err := s.List(t.Context(), graph.ListQuery{Label: graph.Territory,
		Related: []graph.RelFilter{{Type: graph.PartOf, Dir: graph.Out, IDs: []string{"t", "t1"}, Transitive: true}}})
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(p.Nodes); p.TotalCount != 4 || !slices.Equal(got, []string{"t1", "t11", "t12", "t2"}) {
		t.Fatalf("related to t or t1: total %d, %q", p.TotalCount, got)
	}

	plan := func(q string, params map[string]any) string {
		// PROFILE, not EXPLAIN: the driver's Plan.Children (v5.28.4, a
		// go 1.18 module) returns the last child for every child.
		res, err := nd.ExecuteQuery(t.Context(), s.driver, "PROFILE "+q, params, nd.EagerResultTransformer,
			nd.ExecuteQueryWithDatabase(s.db))
		if err != nil {
			t.Fatalf("PROFILE %s: %v", q, err)
		}
		var b strings.Builder
		var walk func(p nd.ProfiledPlan, depth int)
		walk = func(p nd.ProfiledPlan, depth int) {
			fmt.Fprintf(&b, "%*s%s %v\n", 2*depth, "", p.Operator(), p.Arguments()["Details"])
			for _, c := range p.Children() {
				walk(c, depth+1)
			}
		}
		walk(res.Summary.Profile(), 0)
		return b.String()
	}
	match, params, err := listMatch(graph.TypeOf(graph.Territory), graph.ListQuery{Label: graph.Territory, Territory: "t",
		Related: []graph.RelFilter{{Type: graph.PartOf, Dir: graph.Out, IDs: []string{"t", "t1"}, Transitive: true}}})
	if err != nil {
		t.Fatal(err)
	}
	onlyMatch, onlyParams, err := listMatch(graph.TypeOf(graph.Territory), graph.ListQuery{Label: graph.Territory, Territory: "t",
		Only: []string{"t", "t1", "t11", "t2"}})
	if err != nil {
		t.Fatal(err)
	}
	params["only"] = onlyParams["only"] // the territory is the same
	for what, q := range map[string]string{
		"subgraph":                    subgraphNodesQuery(":PART_OF", 4, false, false),
		"subgraph only":               subgraphNodesQuery(":PART_OF", 4, false, true),
		"subgraph only with archived": subgraphNodesQuery(":PART_OF", 4, true, true),
		"list":                        match + " RETURN n",
		"list only":                   onlyMatch + " RETURN n",
	} {
		params["roots"], params["limit"] = []string{"t", "t1"}, 10
		p := plan(q, params)
		if !strings.Contains(p, "VarLengthExpand(Pruning,BFS") || !strings.Contains(p, "Distinct") {
			t.Errorf("%s: plan without a pruning BFS or without Distinct:\n%s", what, p)
		}
	}
}
