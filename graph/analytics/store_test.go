package analytics

import (
	"context"
	"reflect"
	"slices"
	"testing"

	"govhub/graph"
)

// counting counts the read calls made to a Store.
type counting struct {
	graph.Store
	calls int
}

func (c *counting) Nodes(ctx context.Context, ids []string) ([]graph.Node, error) {
	c.calls++
	return c.Store.Nodes(ctx, ids)
}

func (c *counting) List(ctx context.Context, q graph.ListQuery) (graph.Page, error) {
	c.calls++
	return c.Store.List(ctx, q)
}

func (c *counting) Edges(ctx context.Context, q graph.EdgeQuery) ([]graph.Edge, error) {
	c.calls++
	return c.Store.Edges(ctx, q)
}

func (c *counting) Subgraph(ctx context.Context, q graph.SubgraphQuery) (graph.Subgraph, error) {
	c.calls++
	return c.Store.Subgraph(ctx, q)
}

func service(id, name, category string) graph.NodeWrite {
	return graph.NodeWrite{ID: id, Label: graph.Service, Props: graph.Props{"name": name, "category": category}}
}

func deliveredIn(svc, terr string) graph.Edge {
	return graph.Edge{Type: graph.DeliveredIn, From: svc, To: terr}
}

func refersTo(from, to string) graph.Edge {
	return graph.Edge{Type: graph.RefersTo, From: from, To: to}
}

func write(t *testing.T, s graph.Store, w graph.Write) {
	t.Helper()
	w.Actor = "test"
	if _, err := s.Write(context.Background(), w); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

// gapRow is a Gap reduced to what the tests compare.
type gapRow struct {
	ID         string
	Population int64
	Missing    []string
	Covered    []string
}

func rows(gs []Gap) []gapRow {
	out := make([]gapRow, len(gs))
	for i, g := range gs {
		out[i] = gapRow{g.Territory.ID, g.Population, g.Missing, g.Covered}
	}
	return out
}

func wantCode(t *testing.T, what string, err error, code graph.Code) {
	t.Helper()
	if graph.CodeOf(err) != code {
		t.Errorf("%s: error %v (code %q), want %s", what, err, graph.CodeOf(err), code)
	}
}

// Populations of the seed (2011 census legal population, ISTAT).
const (
	popNapoliProvince    = 3054956
	popSalernoProvince   = 1092876
	popCasertaProvince   = 904921
	popAvellinoProvince  = 429157
	popBeneventoProvince = 284900
)

func TestCoverage(t *testing.T) {
	ctx := context.Background()
	base := seeded(t)
	s := &counting{Store: base}
	cats := []string{"HEALTH", "MEDIATION"}

	// The seed alone: the only MEDIATION service is Giugliano's (province of
	// Napoli); there is no HEALTH service in Campania.
	got, err := Coverage(ctx, s, "terr-15", cats, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []gapRow{
		{"terr-063", popNapoliProvince, []string{"HEALTH"}, []string{"MEDIATION"}},
		{"terr-065", popSalernoProvince, []string{"HEALTH", "MEDIATION"}, []string{}},
		{"terr-061", popCasertaProvince, []string{"HEALTH", "MEDIATION"}, []string{}},
		{"terr-064", popAvellinoProvince, []string{"HEALTH", "MEDIATION"}, []string{}},
		{"terr-062", popBeneventoProvince, []string{"HEALTH", "MEDIATION"}, []string{}},
	}
	if !reflect.DeepEqual(rows(got), want) {
		t.Errorf("seed only:\n got %+v\nwant %+v", rows(got), want)
	}
	if got[0].Territory.Str("name") != "Napoli" || got[0].Territory.Label != graph.Territory {
		t.Errorf("first territory %+v", got[0].Territory)
	}

	// A regional HEALTH service reaches every province; a MEDIATION service
	// in the city of Salerno covers its province; an archived one in the
	// province of Caserta does not count; a national LEGAL service reaches all.
	write(t, base, graph.Write{
		Nodes: []graph.NodeWrite{
			service("svc-t-health", "Rete sanitaria regionale", "HEALTH"),
			service("svc-t-mediation-sa", "Mediazione Salerno", "MEDIATION"),
			service("svc-t-mediation-ce", "Mediazione Caserta (chiusa)", "MEDIATION"),
			service("svc-t-legal", "Numero verde nazionale", "LEGAL"),
		},
		Link: []graph.Edge{
			deliveredIn("svc-t-health", "terr-15"),
			deliveredIn("svc-t-mediation-sa", "terr-065116"),
			deliveredIn("svc-t-mediation-ce", "terr-061"),
			deliveredIn("svc-t-legal", "terr-IT"),
		},
		Archive: []string{"svc-t-mediation-ce"},
	})
	s.calls = 0
	got, err = Coverage(ctx, s, "terr-15", []string{"HEALTH", "MEDIATION", "LEGAL", "HEALTH"}, "")
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"HEALTH", "MEDIATION", "LEGAL"}
	want = []gapRow{
		{"terr-063", popNapoliProvince, []string{}, all},
		{"terr-065", popSalernoProvince, []string{}, all},
		{"terr-061", popCasertaProvince, []string{"MEDIATION"}, []string{"HEALTH", "LEGAL"}},
		{"terr-064", popAvellinoProvince, []string{"MEDIATION"}, []string{"HEALTH", "LEGAL"}},
		{"terr-062", popBeneventoProvince, []string{"MEDIATION"}, []string{"HEALTH", "LEGAL"}},
	}
	if !reflect.DeepEqual(rows(got), want) {
		t.Errorf("with services:\n got %+v\nwant %+v", rows(got), want)
	}
	if s.calls > 7 {
		t.Errorf("Coverage made %d store calls, want at most 7", s.calls)
	}

	// By level: the 92 municipalities of the province of Napoli. Napoli has
	// its municipal SOCIAL service, Giugliano its MEDIATION and SOCIAL
	// services; the regional HEALTH service reaches all of them.
	s.calls = 0
	got, err = Coverage(ctx, s, "terr-063", []string{"SOCIAL", "MEDIATION", "HEALTH"}, "MUNICIPALITY")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 92 {
		t.Fatalf("%d municipalities, want 92", len(got))
	}
	if s.calls > 7 {
		t.Errorf("Coverage made %d store calls, want at most 7", s.calls)
	}
	want = []gapRow{
		{"terr-063049", 962003, []string{"MEDIATION"}, []string{"SOCIAL", "HEALTH"}},
		{"terr-063034", 108793, []string{}, []string{"SOCIAL", "MEDIATION", "HEALTH"}},
		{"terr-063084", 85922, []string{"SOCIAL", "MEDIATION"}, []string{"HEALTH"}},
	}
	if !reflect.DeepEqual(rows(got[:3]), want) {
		t.Errorf("municipalities:\n got %+v\nwant %+v", rows(got[:3]), want)
	}
	for i, g := range got {
		if g.Territory.Str("level") != "MUNICIPALITY" {
			t.Errorf("%s is a %s", g.Territory.ID, g.Territory.Str("level"))
		}
		if i > 0 && got[i-1].Population < g.Population {
			t.Errorf("not ordered by population at %d", i)
		}
		if i > 1 && !reflect.DeepEqual(g.Missing, []string{"SOCIAL", "MEDIATION"}) {
			t.Errorf("%s missing %v", g.Territory.ID, g.Missing)
		}
	}

	// The whole country by province, in a bounded number of calls: the LEGAL
	// service in Italia covers every province; the Emilia-Romagna services
	// (delivered in the region) cover its nine provinces.
	s.calls = 0
	got, err = Coverage(ctx, s, "terr-IT", []string{"LEGAL", "HOUSING"}, "PROVINCE")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 107 || s.calls > 7 {
		t.Errorf("%d provinces in %d calls", len(got), s.calls)
	}
	housing := 0
	for _, g := range got {
		if !slices.Contains(g.Covered, "LEGAL") {
			t.Errorf("%s: LEGAL not covered", g.Territory.ID)
		}
		if slices.Contains(g.Covered, "HOUSING") {
			housing++
		}
	}
	if housing != 9 {
		t.Errorf("%d provinces with HOUSING, want Emilia-Romagna's 9", housing)
	}

	// No categories: all of them.
	got, err = Coverage(ctx, s, "terr-063", nil, "")
	if err != nil || len(got) != 92 || len(got[0].Missing)+len(got[0].Covered) != len(graph.ServiceCategories) {
		t.Errorf("all categories: %d gaps, %v", len(got), err)
	}
	// A municipality has nothing below it.
	if got, err := Coverage(ctx, s, "terr-063049", cats, ""); err != nil || len(got) != 0 {
		t.Errorf("below a municipality: %v, %v", got, err)
	}

	_, err = Coverage(ctx, s, "terr-nope", cats, "")
	wantCode(t, "unknown territory", err, graph.CodeNotFound)
	_, err = Coverage(ctx, s, "svc-t-health", cats, "")
	wantCode(t, "a service id", err, graph.CodeNotFound)
	_, err = Coverage(ctx, s, "terr-15", []string{"HEALTH", "PLUMBING"}, "")
	wantCode(t, "unknown category", err, graph.CodeInvalid)
	_, err = Coverage(ctx, s, "terr-15", cats, "PLANET")
	wantCode(t, "unknown level", err, graph.CodeInvalid)
}

// reachedRow is a Reached reduced to what the tests compare.
type reachedRow struct {
	ID          string
	Steps       int
	Via         string
	Territories []string
}

func reachedRows(rs []Reached) []reachedRow {
	out := make([]reachedRow, len(rs))
	for i, r := range rs {
		var ts []string
		for _, t := range r.Territories {
			ts = append(ts, t.ID)
		}
		out[i] = reachedRow{r.Service.ID, r.Steps, r.Via, ts}
	}
	return out
}

func TestReferrals(t *testing.T) {
	ctx := context.Background()
	base := seeded(t)
	s := &counting{Store: base}
	const (
		pua       = "svc-giugliano-porta-unica-di-accesso"
		mediation = "svc-giugliano-mediazione-linguistico-culturale"
		tutoring  = "svc-giugliano-tutoring-domiciliare-educativo"
		social    = "svc-giugliano-servizi-sociali"
		giugliano = "terr-063034"
	)
	// The seed: the single access point refers to mediation, tutoring and
	// the social services, all in Giugliano; none of them refers further.
	seedOnly := []reachedRow{
		{mediation, 1, pua, []string{giugliano}}, // Mediazione linguistico-culturale
		{social, 1, pua, []string{giugliano}},    // Servizi sociali, istruzione, sport e cultura
		{tutoring, 1, pua, []string{giugliano}},  // Tutoring domiciliare educativo
	}
	for _, steps := range []int{1, 2} {
		got, err := Referrals(ctx, s, pua, steps)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(reachedRows(got), seedOnly) {
			t.Errorf("seed, %d steps:\n got %+v\nwant %+v", steps, reachedRows(got), seedOnly)
		}
		if got[0].Service.Str("name") != "Mediazione linguistico-culturale" || got[0].Territories[0].Str("name") != "Giugliano in Campania" {
			t.Errorf("nodes not filled: %+v", got[0])
		}
	}

	// Add a second step: mediation and tutoring both refer to a legal desk
	// (delivered in Napoli and Giugliano), which refers on to a housing
	// service; the social services refer back to the access point (a cycle);
	// mediation also refers to an archived service.
	write(t, base, graph.Write{
		Nodes: []graph.NodeWrite{
			service("svc-t-legal", "Sportello legale", "LEGAL"),
			service("svc-t-housing", "Agenzia casa", "HOUSING"),
			service("svc-t-closed", "Servizio chiuso", "OTHER"),
		},
		Link: []graph.Edge{
			refersTo(tutoring, "svc-t-legal"), refersTo(mediation, "svc-t-legal"),
			refersTo("svc-t-legal", "svc-t-housing"), refersTo(social, pua),
			refersTo(mediation, "svc-t-closed"),
			deliveredIn("svc-t-legal", "terr-063049"), deliveredIn("svc-t-legal", giugliano),
			deliveredIn("svc-t-closed", giugliano),
		},
		Archive: []string{"svc-t-closed"},
	})
	legal := reachedRow{"svc-t-legal", 2, mediation, []string{giugliano, "terr-063049"}} // Giugliano in Campania < Napoli
	housing := reachedRow{"svc-t-housing", 3, "svc-t-legal", nil}
	for _, c := range []struct {
		steps int
		want  []reachedRow
	}{
		{1, seedOnly},
		{2, append(slices.Clone(seedOnly), legal)},
		{3, append(slices.Clone(seedOnly), legal, housing)},
		{10, append(slices.Clone(seedOnly), legal, housing)},
	} {
		s.calls = 0
		got, err := Referrals(ctx, s, pua, c.steps)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(reachedRows(got), c.want) {
			t.Errorf("%d steps:\n got %+v\nwant %+v", c.steps, reachedRows(got), c.want)
		}
		if max := c.steps + 3; s.calls > max {
			t.Errorf("%d steps: %d store calls, want at most %d", c.steps, s.calls, max)
		}
		for _, r := range got {
			if r.Territories == nil {
				t.Errorf("%s: nil territories", r.Service.ID)
			}
		}
	}
	// From the legal desk: only the housing service.
	if got, err := Referrals(ctx, s, "svc-t-legal", 5); err != nil || !reflect.DeepEqual(reachedRows(got), []reachedRow{{"svc-t-housing", 1, "svc-t-legal", nil}}) {
		t.Errorf("from the legal desk: %+v, %v", reachedRows(got), err)
	}
	// A service that refers to nothing.
	if got, err := Referrals(ctx, s, "svc-t-housing", 3); err != nil || len(got) != 0 || got == nil {
		t.Errorf("from housing: %+v, %v", got, err)
	}

	for _, steps := range []int{0, -1, 11} {
		_, err := Referrals(ctx, s, pua, steps)
		wantCode(t, "steps out of range", err, graph.CodeInvalid)
	}
	_, err := Referrals(ctx, s, "svc-nope", 2)
	wantCode(t, "unknown service", err, graph.CodeNotFound)
	_, err = Referrals(ctx, s, giugliano, 2)
	wantCode(t, "a territory id", err, graph.CodeNotFound)
	_, err = Referrals(ctx, s, "svc-t-closed", 2)
	wantCode(t, "an archived service", err, graph.CodeNotFound)
}
