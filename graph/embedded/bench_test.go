package embedded

import (
	"fmt"
	"testing"

	"govhub/graph"
)

// italyMunicipalities is the number of municipalities of Italy.
const italyMunicipalities = 7904

func municipalities() graph.ListQuery {
	return graph.ListQuery{Label: graph.Territory, Where: []graph.PropFilter{{Key: "level", Op: graph.OpIn, Values: []any{"MUNICIPALITY"}}}}
}

// BenchmarkListMunicipalities is territories(filter:{level: MUNICIPALITY})
// over a territory tree the size of Italy's.
func BenchmarkListMunicipalities(b *testing.B) {
	s, _ := openTest(b)
	mustWrite(b, s, italy(italyMunicipalities))
	for _, c := range []struct {
		name string
		q    func() graph.ListQuery
	}{
		{"totalCount", municipalities},
		{"all", func() graph.ListQuery { q := municipalities(); q.First = graph.MaxPageSize; return q }},
		{"search", func() graph.ListQuery { q := municipalities(); q.Search = "comune 012"; return q }},
		{"province", func() graph.ListQuery { return graph.ListQuery{Label: graph.Territory, Territory: "p042"} }},
		{"region", func() graph.ListQuery { return graph.ListQuery{Label: graph.Territory, Territory: "r07", First: 1} }},
		{"country", func() graph.ListQuery { return graph.ListQuery{Label: graph.Territory, Territory: "it", First: 1} }},
	} {
		b.Run(c.name, func(b *testing.B) {
			q := c.q()
			for b.Loop() {
				p, err := s.List(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				if p.TotalCount == 0 {
					b.Fatal("nothing listed")
				}
			}
		})
	}
	b.Run("totalCountUncached", func(b *testing.B) {
		// the cost of filtering the label, as after any write
		q := municipalities()
		for b.Loop() {
			s.mu.Lock()
			s.gen++
			s.mu.Unlock()
			if p, err := s.List(ctx, q); err != nil || p.TotalCount != italyMunicipalities {
				b.Fatal(p.TotalCount, err)
			}
		}
	})
	b.Run("countryUncached", func(b *testing.B) {
		q := graph.ListQuery{Label: graph.Territory, Territory: "it", First: 1}
		for b.Loop() {
			s.mu.Lock()
			s.gen++
			s.mu.Unlock()
			if _, err := s.List(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("afterRename", func(b *testing.B) {
		// every list follows a write that changes the order
		q := municipalities()
		for i := 0; b.Loop(); i++ {
			mustWrite(b, s, graph.Write{Nodes: []graph.NodeWrite{{Mode: graph.Update, ID: "m00001", Label: graph.Territory, Props: graph.Props{"name": fmt.Sprint("R", i)}}}})
			if _, err := s.List(ctx, q); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkWriteBatch writes batches of 100 new organizations, each linked to
// a territory: one durable commit per batch.
func BenchmarkWriteBatch(b *testing.B) {
	s, _ := openTest(b)
	mustWrite(b, s, graph.Write{Nodes: []graph.NodeWrite{terr("t", "T", "REGION")}})
	const batch = 100
	i := 0
	for b.Loop() {
		w := graph.Write{Actor: "bench"}
		for range batch {
			id := fmt.Sprintf("o%08d", i)
			i++
			w.Nodes = append(w.Nodes, org(id, "Org "+id, nil))
			w.Link = append(w.Link, graph.Edge{Type: graph.BasedIn, From: id, To: "t"})
		}
		mustWrite(b, s, w)
	}
	b.ReportMetric(float64(i)/b.Elapsed().Seconds(), "nodes/s")
}

// BenchmarkWriteOne is one small durable write per operation.
func BenchmarkWriteOne(b *testing.B) {
	s, _ := openTest(b)
	i := 0
	for b.Loop() {
		id := fmt.Sprintf("o%08d", i)
		i++
		mustWrite(b, s, graph.Write{Actor: "bench", Nodes: []graph.NodeWrite{org(id, "Org "+id, nil)}})
	}
}

// BenchmarkSeedItaly loads the territories of Italy in one write, and
// re-seeds them unchanged (which must not touch the file).
func BenchmarkSeedItaly(b *testing.B) {
	w := italy(italyMunicipalities)
	nodes := float64(len(w.Nodes))
	b.Run("first", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			s, err := Open(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			b.StartTimer()
			mustWrite(b, s, w)
			b.StopTimer()
			s.Close(ctx)
			b.StartTimer()
		}
		b.ReportMetric(nodes*float64(b.N)/b.Elapsed().Seconds(), "nodes/s")
	})
	b.Run("unchanged", func(b *testing.B) {
		s, _ := openTest(b)
		mustWrite(b, s, w)
		for b.Loop() {
			if r := mustWrite(b, s, w); r.Unchanged != len(w.Nodes)+len(w.Link) {
				b.Fatalf("re-seed changed something: %+v", r.Unchanged)
			}
		}
	})
}

// BenchmarkOpen loads a store holding Italy's territories.
func BenchmarkOpen(b *testing.B) {
	s, dir := openTest(b)
	mustWrite(b, s, italy(italyMunicipalities))
	s.Close(ctx)
	for b.Loop() {
		s, err := Open(dir)
		if err != nil {
			b.Fatal(err)
		}
		s.Close(ctx)
	}
}
