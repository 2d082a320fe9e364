package storetest

import (
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"govhub/graph"
)

var concurrencyTests = []testCase{
	{"WritersShareOneNode", testConcurrentShared},
	{"UpdatesOfOneNodeAreNotLost", testConcurrentUpdates},
	{"CreateOfOneIDHasOneWinner", testConcurrentCreate},
	{"ReadersSeeWholeWrites", testConcurrentReaders},
}

// errs collects the errors of goroutines for the test goroutine to report.
type errs struct {
	mu   sync.Mutex
	list []error
}

func (s *errs) add(err error) {
	s.mu.Lock()
	s.list = append(s.list, err)
	s.mu.Unlock()
}

func (s *errs) check(e *env) {
	e.t.Helper()
	for i, err := range s.list {
		if i == 10 {
			e.t.Errorf("... and %d more", len(s.list)-10)
			break
		}
		e.t.Error(err)
	}
	if len(s.list) > 0 {
		e.t.FailNow()
	}
}

// testConcurrentShared: 8 writers each write 25 organizations, and every
// write also upserts the one shared network (not there at first) and links
// the organization to it.
func testConcurrentShared(e *env) {
	const workers, perWorker = 8, 25
	var (
		wg      sync.WaitGroup
		failed  errs
		created atomic.Int64
		linked  atomic.Int64
	)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				id := fmt.Sprintf("org-%d-%02d", w, i)
				r, err := e.s.Write(e.ctx, graph.Write{
					Actor: fmt.Sprintf("worker-%d", w),
					Nodes: []graph.NodeWrite{org(id, "Org "+id), network("net-shared", "Rete condivisa", "fund", "FAMI")},
					Link:  []graph.Edge{partner(id, "net-shared", "OPERATIONAL")},
				})
				if err != nil {
					failed.add(fmt.Errorf("write of %s: %w", id, err))
					continue
				}
				created.Add(int64(r.Created))
				linked.Add(int64(r.Linked))
			}
		})
	}
	wg.Wait()
	failed.check(e)
	const total = workers * perWorker
	if c, l := created.Load(), linked.Load(); c != total+1 || l != total {
		e.t.Errorf("sum of WriteResults: Created %d Linked %d, want %d and %d", c, l, total+1, total)
	}
	p := e.list(graph.ListQuery{Label: graph.Organization, First: graph.MaxPageSize})
	if p.TotalCount != total || len(p.Nodes) != total {
		e.t.Fatalf("organizations: TotalCount %d, %d listed, want %d", p.TotalCount, len(p.Nodes), total)
	}
	if p := e.list(graph.ListQuery{Label: graph.Network}); p.TotalCount != 1 {
		e.t.Fatalf("networks: TotalCount %d, want 1", p.TotalCount)
	}
	es := e.edges(graph.EdgeQuery{NodeIDs: []string{"net-shared"}, Dir: graph.In})
	var from []string
	for _, ed := range es {
		from = append(from, ed.From)
	}
	wantIDs(e.t, "partners of net-shared", from, sortedIDs(p.Nodes)...)
	ops := map[graph.ChangeOp]int{}
	seqs := map[int64]bool{}
	for _, c := range e.history("net-shared", 0) {
		ops[c.Op]++
		if seqs[c.Seq] {
			e.t.Fatalf("Seq %d used twice", c.Seq)
		}
		seqs[c.Seq] = true
	}
	if fmt.Sprint(ops) != fmt.Sprint(map[graph.ChangeOp]int{graph.OpCreate: 1, graph.OpLink: total}) {
		e.t.Errorf("history of net-shared: %v, want 1 CREATE and %d LINK", ops, total)
	}
	for _, id := range []string{"org-0-00", "org-7-24", "org-3-12"} {
		e.checkHistory(id, e.history(id, 0), []wantChange{
			{"worker-" + id[4:5], graph.OpLink, []string{"PARTNER_IN->net-shared"}},
			{"worker-" + id[4:5], graph.OpCreate, []string{"kind", "name"}},
		})
	}
}

// testConcurrentUpdates: five writers each update their own property of
// one node ten times; no update may be lost to another.
func testConcurrentUpdates(e *env) {
	e.write(nodes(org("org-1", "Start")))
	keys := []string{"name", "acronym", "subtype", "website", "description"}
	const rounds = 10
	var (
		wg     sync.WaitGroup
		failed errs
	)
	for _, k := range keys {
		wg.Go(func() {
			for i := range rounds {
				_, err := e.s.Write(e.ctx, graph.Write{Actor: "writer-" + k, Nodes: []graph.NodeWrite{
					update(graph.Organization, "org-1", k, fmt.Sprintf("%s-%d", k, i)),
				}})
				if err != nil {
					failed.add(fmt.Errorf("update %d of %s: %w", i, k, err))
				}
			}
		})
	}
	wg.Wait()
	failed.check(e)
	want := graph.Props{"kind": "THIRD_SECTOR"}
	for _, k := range keys {
		want[k] = fmt.Sprintf("%s-%d", k, rounds-1)
	}
	wantProps(e.t, "org-1 after concurrent updates", e.node("org-1").Props, want)
	perKey := map[string]int{}
	for _, c := range e.history("org-1", 0) {
		if c.Op == graph.OpUpdate {
			if len(c.Fields) != 1 || c.Actor != "writer-"+c.Fields[0] {
				e.t.Fatalf("an update recorded %s: another writer's change leaked into it", fmtChange(c))
			}
			perKey[c.Fields[0]]++
		}
	}
	for _, k := range keys {
		if perKey[k] != rounds {
			e.t.Errorf("%d UPDATE changes of %s, want %d", perKey[k], k, rounds)
		}
	}
}

// testConcurrentCreate: eight writers Create the same id at once; one wins,
// the others get CONFLICT.
func testConcurrentCreate(e *env) {
	const workers = 8
	var (
		wg      sync.WaitGroup
		failed  errs
		winners atomic.Int64
		winner  atomic.Value
	)
	for w := range workers {
		wg.Go(func() {
			name := fmt.Sprintf("by worker %d", w)
			_, err := e.s.Write(e.ctx, graph.Write{Actor: "tester", Nodes: []graph.NodeWrite{with(graph.Create, org("org-dup", name))}})
			switch graph.CodeOf(err) {
			case "":
				winners.Add(1)
				winner.Store(name)
			case graph.CodeConflict:
			default:
				failed.add(fmt.Errorf("worker %d: %w", w, err))
			}
		})
	}
	wg.Wait()
	failed.check(e)
	if n := winners.Load(); n != 1 {
		e.t.Fatalf("%d creates of one id succeeded, want 1", n)
	}
	if got := e.node("org-dup").Str("name"); got != winner.Load() {
		e.t.Errorf("org-dup name %q, want the winner's %q", got, winner.Load())
	}
	if h := e.history("org-dup", 0); len(h) != 1 || h[0].Op != graph.OpCreate {
		e.t.Errorf("history of org-dup: %v, want one CREATE", h)
	}
}

// testConcurrentReaders: readers list while writers add organizations each
// linked to a hub in the same write. Reads never fail, never see more than
// was written (no link without its organization, counts within bounds),
// counts never go back, and once the writes are done every read is whole.
// A read during a commit may see part of it: the contract promises
// read-committed isolation, which is what Neo4j Community gives (the
// embedded store reads a consistent snapshot, which is stronger).
func testConcurrentReaders(e *env) {
	e.write(nodes(network("net-hub", "Hub")))
	const writers, perWriter, readers = 4, 15, 3
	var (
		wg, rg sync.WaitGroup
		failed errs
		done   atomic.Bool
		reads  atomic.Int64
	)
	for w := range writers {
		wg.Go(func() {
			for i := range perWriter {
				id := fmt.Sprintf("org-%d-%02d", w, i)
				_, err := e.s.Write(e.ctx, graph.Write{
					Nodes: []graph.NodeWrite{org(id, "Org "+id)},
					Link:  []graph.Edge{partner(id, "net-hub", "ADHERENT")},
				})
				if err != nil {
					failed.add(fmt.Errorf("write of %s: %w", id, err))
				}
			}
		})
	}
	for r := range readers {
		rg.Go(func() {
			last := 0
			for first := true; first || !done.Load(); first = false {
				reads.Add(1)
				p, err := e.s.List(e.ctx, graph.ListQuery{Label: graph.Organization, First: graph.MaxPageSize})
				if err != nil {
					failed.add(fmt.Errorf("reader %d: List: %w", r, err))
					return
				}
				if p.TotalCount != len(p.Nodes) || p.TotalCount < last || p.TotalCount > writers*perWriter {
					failed.add(fmt.Errorf("reader %d: TotalCount %d with %d nodes after %d", r, p.TotalCount, len(p.Nodes), last))
					return
				}
				last = p.TotalCount
				ids := nodeIDs(p.Nodes)
				es, err := e.s.Edges(e.ctx, graph.EdgeQuery{NodeIDs: ids, Dir: graph.Out, Types: []graph.RelType{graph.PartnerIn}})
				if err != nil {
					failed.add(fmt.Errorf("reader %d: Edges: %w", r, err))
					return
				}
				if len(es) > len(ids) {
					failed.add(fmt.Errorf("reader %d: %d organizations listed but %d links from them", r, len(ids), len(es)))
					return
				}
				g, err := e.s.Subgraph(e.ctx, graph.SubgraphQuery{Roots: []string{"net-hub"}, Depth: 1})
				if err != nil {
					failed.add(fmt.Errorf("reader %d: Subgraph: %w", r, err))
					return
				}
				if len(g.Edges) > len(g.Nodes)-1 {
					failed.add(fmt.Errorf("reader %d: subgraph of %d nodes and %d edges", r, len(g.Nodes), len(g.Edges)))
					return
				}
				ns, err := e.s.Nodes(e.ctx, slices.Concat(ids, []string{"net-hub"}))
				if err != nil || len(ns) != len(ids)+1 {
					failed.add(fmt.Errorf("reader %d: Nodes: %d of %d, %v", r, len(ns), len(ids)+1, err))
					return
				}
			}
		})
	}
	wg.Wait()
	done.Store(true)
	rg.Wait()
	failed.check(e)
	if p := e.list(graph.ListQuery{Label: graph.Organization, First: 100}); p.TotalCount != writers*perWriter {
		e.t.Fatalf("TotalCount %d after the writes, want %d", p.TotalCount, writers*perWriter)
	}
	if n := len(e.edges(graph.EdgeQuery{NodeIDs: []string{"net-hub"}, Dir: graph.In})); n != writers*perWriter {
		e.t.Fatalf("%d links to the hub, want %d", n, writers*perWriter)
	}
	// Once the writes are done, every read is whole.
	g := e.subgraph(graph.SubgraphQuery{Roots: []string{"net-hub"}, Depth: 1})
	if len(g.Nodes) != writers*perWriter+1 || len(g.Edges) != writers*perWriter {
		e.t.Fatalf("subgraph after the writes: %d nodes and %d edges, want %d and %d", len(g.Nodes), len(g.Edges), writers*perWriter+1, writers*perWriter)
	}
	e.t.Logf("%d reads during the writes", reads.Load())
}
