package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type viewData struct {
	Nodes []struct {
		ID, Label, Type string
		Kind            *string
		Degree          int
		Community       *int
		Metrics         *struct {
			Betweenness, Closeness, PageRank float64
			Brokerage                        int
		}
	}
	Edges []struct{ ID, Source, Target, Type string }
}

func (v viewData) labels() []string {
	var out []string
	for _, n := range v.Nodes {
		out = append(out, n.Label)
	}
	return out
}

func TestNetworkMapping(t *testing.T) {
	eachBackend(t, func(t *testing.T, args []string) {
		h := start(t, args...)

		// The IMPACT Campania view: Regione Campania and its eleven partners, with PARTNER_IN edges.
		var nv struct{ NetworkGraph viewData }
		h.data(`{ networkGraph(networks: ["net-impact-campania"]) { nodes { id label type } edges { id source target type } } }`, nil, &nv)
		var orgs []string
		for _, n := range nv.NetworkGraph.Nodes {
			if n.Type == "Organization" {
				orgs = append(orgs, n.Label)
			}
		}
		slices.Sort(orgs)
		want := append(slices.Clone(impactPartners), "Regione Campania")
		slices.Sort(want)
		if !slices.Equal(orgs, want) {
			t.Errorf("IMPACT Campania view organisations = %v", orgs)
		}
		partnerEdges := 0
		for _, e := range nv.NetworkGraph.Edges {
			if e.Type == "PARTNER_IN" && e.Target == "net-impact-campania" {
				partnerEdges++
			}
		}
		if partnerEdges != 12 || len(nv.NetworkGraph.Edges) != 12 {
			t.Errorf("IMPACT Campania view: %d PARTNER_IN edges of %d, want 12 of 12", partnerEdges, len(nv.NetworkGraph.Edges))
		}

		// The ego network of Comune di Napoli at depth 2.
		var ego struct{ EgoNetwork viewData }
		h.data(`{ egoNetwork(id: "org-comune-di-napoli", depth: 2) { nodes { id label type } edges { source target type } } }`, nil, &ego)
		labels := ego.EgoNetwork.labels()
		for _, w := range []string{"Tavolo di lavoro interistituzionale IMPACT Campania - Comune di Napoli", "Less Impresa Sociale"} {
			if !slices.Contains(labels, w) {
				t.Errorf("ego network of Comune di Napoli lacks %q: %v", w, labels)
			}
		}

		// A path between Shannara and Regione Campania.
		var pr struct {
			Paths struct {
				Paths  [][]string
				Length *int
				View   viewData
			}
		}
		h.data(`{ paths(from: "org-shannara", to: "org-regione-campania") { paths length view { nodes { id label } edges { source target type } } } }`, nil, &pr)
		if len(pr.Paths.Paths) == 0 || pr.Paths.Length == nil {
			t.Fatalf("no path between Shannara and Regione Campania: %+v", pr)
		}
		for _, p := range pr.Paths.Paths {
			if p[0] != "org-shannara" || p[len(p)-1] != "org-regione-campania" || len(p)-1 != *pr.Paths.Length {
				t.Errorf("bad path %v (length %d)", p, *pr.Paths.Length)
			}
		}
		if len(pr.Paths.View.Edges) < *pr.Paths.Length {
			t.Errorf("path view has %d edges for a path of %d hops", len(pr.Paths.View.Edges), *pr.Paths.Length)
		}

		// Metrics and communities for every organisation of a network.
		var mv struct {
			NetworkGraph struct {
				viewData
				Communities []struct {
					ID    int
					Label string
					Size  int
				}
				Summary struct {
					Nodes, Components int
					Density           float64
				}
			}
		}
		h.data(`{ networkGraph(networks: ["net-impact-campania", "net-com-in"], include: [GOVERNANCE, SERVICES, TERRITORIES], metrics: {}) {
			nodes { id label type community metrics { betweenness closeness pageRank brokerage } }
			communities { id label size } summary { nodes components density } } }`, nil, &mv)
		g := mv.NetworkGraph
		if len(g.Communities) < 2 || g.Summary.Nodes != len(g.Nodes) || g.Summary.Density <= 0 {
			t.Errorf("communities %+v, summary %+v for %d nodes", g.Communities, g.Summary, len(g.Nodes))
		}
		maxBetween, regione := 0.0, 0.0
		for _, n := range g.Nodes {
			if n.Type != "Organization" {
				continue
			}
			if n.Metrics == nil || n.Community == nil {
				t.Errorf("organisation %s without metrics or community", n.Label)
				continue
			}
			maxBetween = max(maxBetween, n.Metrics.Betweenness)
			if n.ID == "org-regione-campania" {
				regione = n.Metrics.Betweenness
			}
		}
		// Regione Campania is partner in both networks: it bridges them.
		if regione <= 0 || regione != maxBetween {
			t.Errorf("Regione Campania betweenness %v, the highest is %v", regione, maxBetween)
		}

		// Coverage gaps in Campania, by province, with population.
		var cg struct {
			CoverageGaps []struct {
				Territory  struct{ Code, Level string }
				Population int
				Missing    []string
			}
		}
		h.data(`{ coverageGaps(territory: "15", categories: [ACCESS_POINT, HEALTH]) { territory { code level } population missing } }`, nil, &cg)
		if len(cg.CoverageGaps) != 5 {
			t.Fatalf("coverage gaps of Campania: %d provinces, want 5: %+v", len(cg.CoverageGaps), cg)
		}
		for _, gp := range cg.CoverageGaps {
			if gp.Territory.Level != "PROVINCE" || gp.Population <= 0 {
				t.Errorf("gap %+v", gp)
			}
			// The Porta Unica di Accesso of Giugliano covers the province of Naples.
			if slices.Contains(gp.Missing, "ACCESS_POINT") == (gp.Territory.Code == "063") {
				t.Errorf("province %s: missing %v", gp.Territory.Code, gp.Missing)
			}
		}

		// Referral pathways from the single access point.
		var rp struct {
			ReferralPathways []struct {
				Service     struct{ Name string }
				Steps       int
				Territories []struct{ Code string }
			}
		}
		h.data(`query { referralPathways(service: "svc-giugliano-porta-unica-di-accesso", steps: 2) { service { name } steps territories { code } } }`, nil, &rp)
		if len(rp.ReferralPathways) < 3 || rp.ReferralPathways[0].Steps != 1 {
			t.Errorf("referrals from the PUA: %+v", rp)
		}

		// A Kumu spreadsheet pair with malformed rows: the good rows land, the bad ones are reported.
		elements := "Label,Type,Description,Tags\n" +
			"Associazione Nuovi Cittadini,Association,Volunteers in Caserta,mediation|volunteers\n" +
			"Sportello Lavoro Caserta,Service,Job desk,\n" +
			",Organization,no label,\n" +
			"Fantasia,Spaceship,not a type,\n"
		connections := "From,To,Type,Label,Strength\n" +
			"Associazione Nuovi Cittadini,net-impact-campania,PARTNER_IN,ASSOCIATE,2\n" +
			"Associazione Nuovi Cittadini,Nobody,PARTNER_IN,ASSOCIATE,1\n"
		var kr struct {
			ImportKumu struct {
				Nodes, Edges, Created, Linked int
				Rejected                      []struct {
					File    string
					Row     int
					Message string
				}
			}
		}
		r := h.post(`mutation($e: String!, $c: String) { importKumu(elements: $e, connections: $c) { nodes edges created linked rejected { file row message } } }`,
			map[string]any{"e": elements, "c": connections})
		if len(r.Errors) > 0 {
			t.Fatalf("importKumu: %+v", r.Errors)
		}
		decodeInto(t, r.Data, &kr)
		var rows []int
		for _, rj := range kr.ImportKumu.Rejected {
			rows = append(rows, rj.Row)
			if rj.Message == "" {
				t.Errorf("rejected row without a reason: %+v", rj)
			}
		}
		t.Logf("Kumu import: %+v", kr.ImportKumu)
		if kr.ImportKumu.Created < 1 || kr.ImportKumu.Linked != 1 || len(rows) < 3 {
			t.Errorf("Kumu import = %+v", kr.ImportKumu)
		}
		var found struct {
			Organizations struct {
				Nodes []struct {
					Name         string
					Partnerships []struct{ Role string }
				}
			}
		}
		h.data(`{ organizations(filter: { search: "Nuovi Cittadini" }) { nodes { name partnerships { role } } } }`, nil, &found)
		if len(found.Organizations.Nodes) != 1 || len(found.Organizations.Nodes[0].Partnerships) != 1 {
			t.Errorf("imported organisation = %+v", found)
		}

		// Exports in every format.
		var ex struct {
			Export struct {
				Nodes int
				Files []struct{ Name, Content string }
			}
		}
		for _, f := range []string{"JSON", "GRAPHML", "GEXF", "KUMU"} {
			h.data(`query($f: ExportFormat!) { export(format: $f, networks: ["net-community-building-city"]) { nodes files { name content } } }`, map[string]any{"f": f}, &ex)
			if ex.Export.Nodes == 0 || len(ex.Export.Files) == 0 || !strings.Contains(ex.Export.Files[0].Content, "Shannara") {
				t.Errorf("export %s: %d nodes, files %d", f, ex.Export.Nodes, len(ex.Export.Files))
			}
		}
	})
}

// TestExportImportAcrossStores exports the seeded embedded store with the
// hub command, imports it into an empty Neo4j, exports that, and compares.
func TestExportImportAcrossStores(t *testing.T) {
	backs := backends(t)
	embeddedArgs, neo4jArgs := backs[0].args(t), backs[1].args(t)
	dir := t.TempDir()
	hubRun := func(args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		cmd := exec.Command(hubBin, args...)
		cmd.Stdout, cmd.Stderr = &out, &errb
		if err := cmd.Run(); err != nil {
			t.Fatalf("hub %s: %v\n%s%s", strings.Join(args, " "), err, out.String(), errb.String())
		}
		return errb.String()
	}
	hubRun(append([]string{"seed"}, embeddedArgs...)...)
	first, second := filepath.Join(dir, "embedded.json"), filepath.Join(dir, "neo4j.json")
	hubRun(append([]string{"export", "--format", "json", "--out", first}, embeddedArgs...)...)
	progress := hubRun(append([]string{"import", "--format", "json", first}, neo4jArgs...)...)
	if !strings.Contains(progress, "%") && !strings.Contains(progress, "/") {
		t.Errorf("import printed no progress: %q", progress)
	}
	hubRun(append([]string{"export", "--format", "json", "--out", second}, neo4jArgs...)...)
	a, _ := os.ReadFile(first)
	b, _ := os.ReadFile(second)
	if len(a) < 1_000_000 || !bytes.Equal(a, b) {
		t.Errorf("export of the embedded store (%d bytes) and of Neo4j after import (%d bytes) differ", len(a), len(b))
	}
}
