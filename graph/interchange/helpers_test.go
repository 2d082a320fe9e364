package interchange

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"govhub/graph"
	"govhub/graph/embedded"
	"govhub/seed"
)

const impact = "net-impact-campania"

// Names that XML and CSV must carry unchanged (or, for the control
// character, without the character in XML).
const (
	trickyName = `A & B <"x"> l'ente`
	controlNet = "Rete \x01 ünïcode ☃ 𝄞\ttab"
)

func openEmbedded(t *testing.T) *embedded.Store {
	t.Helper()
	s, err := embedded.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close(context.Background()) })
	return s
}

// extras are API-like additions to the seed: an archived partner with an
// awkward name, edges with properties and strength, a person with contact
// data, an indicator with a measurement, a service with lists and a bool,
// a network whose name has a control character.
func extras() []graph.Write {
	return []graph.Write{{
		Actor: "test",
		Nodes: []graph.NodeWrite{
			{ID: "org-extra-archived", Label: graph.Organization, Props: graph.Props{
				"name": trickyName, "kind": "ASSOCIATION", "aliases": []string{"AB", "A&B"}, "level": "LOCAL", "website": "https://example.org/?a=1&b=2"}},
			{ID: "per-extra", Label: graph.Person, Props: graph.Props{"name": "Maria Rossi", "email": "maria.rossi@example.org", "phone": "+39 081 000000"}},
			{ID: "ind-extra", Label: graph.Indicator, Props: graph.Props{"name": "People reached", "unit": "people", "baseline": 0.0, "target": 100.5}},
			{ID: "msr-extra", Label: graph.Measurement, Props: graph.Props{"date": "2021-06-30", "value": 42.25, "note": "first half"}},
			{ID: "svc-extra", Label: graph.Service, Props: graph.Props{"name": "Sportello unico", "category": "ACCESS_POINT",
				"languages": []string{"it", "en", "ar"}, "targetGroups": []string{}, "singleAccessPoint": true}},
			{ID: "net-extra", Label: graph.Network, Props: graph.Props{"name": controlNet, "startDate": "2020-01-01", "endDate": "2022-12-31"}},
		},
		Link: []graph.Edge{
			{Type: graph.PartnerIn, From: "org-extra-archived", To: impact, Props: graph.Props{"role": "ADHERENT", "since": "2020-08-04", "strength": 0.5}},
			{Type: graph.BasedIn, From: "org-extra-archived", To: "terr-063049"},
			{Type: graph.HoldsRole, From: "per-extra", To: "org-regione-campania", Props: graph.Props{"title": "Contact <point>", "strength": 2.0}},
			{Type: graph.Tracks, From: "act-impact-campania-monitoraggio", To: "ind-extra", Props: graph.Props{"strength": 1.0}},
			{Type: graph.HasMeasurement, From: "ind-extra", To: "msr-extra"},
			{Type: graph.Provides, From: "org-regione-campania", To: "svc-extra"},
			{Type: graph.DeliveredIn, From: "svc-extra", To: "terr-15"},
			{Type: graph.OperatesIn, From: "net-extra", To: "terr-IT"},
		},
	}, {
		Actor:   "test",
		Archive: []string{"org-extra-archived"},
	}}
}

// seeded returns an embedded store with the seed and the extras.
func seeded(t *testing.T) *embedded.Store {
	t.Helper()
	s := openEmbedded(t)
	ctx := context.Background()
	if _, err := seed.Load(ctx, s, nil); err != nil {
		t.Fatal(err)
	}
	for _, w := range extras() {
		if _, err := s.Write(ctx, w); err != nil {
			t.Fatalf("extras: %v", err)
		}
	}
	return s
}

func collect(t *testing.T, s graph.Store, nets ...string) *graph.Dump {
	t.Helper()
	d, err := Collect(context.Background(), s, Scope{Networks: nets}, nil)
	if err != nil {
		t.Fatalf("Collect(%v): %v", nets, err)
	}
	return d
}

func export(t *testing.T, d *graph.Dump, f Format) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := Export(&b, d, f); err != nil {
		t.Fatalf("Export %s: %v", f, err)
	}
	return b.Bytes()
}

// firstDiff describes where two byte slices first differ.
func firstDiff(a, b []byte) string {
	la, lb := strings.Split(string(a), "\n"), strings.Split(string(b), "\n")
	for i := 0; i < len(la) && i < len(lb); i++ {
		if la[i] != lb[i] {
			return "line " + itoa(i+1) + ":\n  got  " + lb[i] + "\n  want " + la[i]
		}
	}
	return "lengths differ: " + itoa(len(la)) + " vs " + itoa(len(lb)) + " lines"
}

func itoa(i int) string { return strconv.Itoa(i) }
