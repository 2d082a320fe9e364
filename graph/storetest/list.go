package storetest

import (
	"slices"

	"govhub/graph"
)

var listTests = []testCase{
	{"OrderBySortPropertyThenID", testListOrder},
	{"Search", testSearch},
	{"Where", testWhere},
	{"Related", testRelated},
	{"Territory", testTerritory},
	{"CombinedFilters", testCombined},
}

// listCase is a query and the ids of the one page it must return, in order.
type listCase struct {
	name string
	q    graph.ListQuery
	want []string
}

func (e *env) runListCases(cases []listCase) {
	e.t.Helper()
	for _, c := range cases {
		e.run(c.name, func(e *env) {
			p := e.list(c.q)
			wantIDs(e.t, "List", nodeIDs(p.Nodes), c.want...)
			if p.TotalCount != len(c.want) || p.HasNextPage {
				e.t.Fatalf("TotalCount %d HasNextPage %v, want %d false", p.TotalCount, p.HasNextPage, len(c.want))
			}
		})
	}
}

func testListOrder(e *env) {
	e.write(nodes(
		org("o-1", "beta"), org("o-2", "Beta"), org("o-3", "Alpha"), org("o-0", "Beta"), org("o-4", "Ábaco"), org("o-5", "Zeta"),
		org("o-10", "Beta"),
		node(graph.Measurement, "msr-a", "date", "2021-03-01", "value", 1),
		node(graph.Measurement, "msr-b", "date", "2020-12-31", "value", 2),
		node(graph.Measurement, "msr-c", "date", "2021-03-01", "value", 0),
	))
	// Byte order of the sort value (upper case before lower case, accented
	// letters after ASCII), then id.
	want := []string{"o-3", "o-0", "o-10", "o-2", "o-5", "o-1", "o-4"}
	p := e.list(graph.ListQuery{Label: graph.Organization})
	wantIDs(e.t, "Organizations", nodeIDs(p.Nodes), want...)
	ns := slices.Clone(p.Nodes)
	graph.SortNodes(ns)
	wantIDs(e.t, "graph.SortNodes of the page", nodeIDs(ns), want...)
	// Measurements sort by date.
	wantIDs(e.t, "Measurements", e.listIDs(graph.ListQuery{Label: graph.Measurement}), "msr-b", "msr-a", "msr-c")
	// Other labels are not mixed in.
	if ids := e.listIDs(graph.ListQuery{Label: graph.Network}); len(ids) != 0 {
		e.t.Errorf("Networks = %q, want none", ids)
	}
}

func listFixture(e *env) {
	e.write(nodes(
		org("org-comune", "Comune di Mazara del Vallo", "kind", "PUBLIC_INSTITUTION", "level", "LOCAL", "acronym", "CMV"),
		org("org-coop", "Cooperativa Sociale Badia", "aliases", []string{"Caritas Diocesana", "Badia Onlus"}),
		org("org-regione", "Regione Siciliana", "kind", "PUBLIC_INSTITUTION", "level", "REGIONAL"),
		org("org-uni", "Università di Palermo", "kind", "UNIVERSITY", "level", "REGIONAL", "acronym", "UNIPA"),
		org("org-spa", "Servizi S.p.A. (Roma)", "kind", "PRIVATE_COMPANY"),
		org("org-area", "ÀREA SOCIALE Nord", "kind", "ASSOCIATION", "level", "LOCAL"),

		service("svc-1", "Sportello Unico", "category", "ACCESS_POINT", "languages", []string{"it", "ar", "fr"}, "singleAccessPoint", true),
		service("svc-2", "Mediazione culturale", "category", "MEDIATION", "languages", []string{"ar", "ti"}),
		service("svc-3", "Orientamento lavoro", "category", "LABOUR", "languages", []string{"it"}, "singleAccessPoint", false),
		service("svc-4", "Casa", "category", "HOUSING"),

		action("act-1", "Analisi", "code", "A.1", "plannedEnd", "2020-06-30", "status", "COMPLETED", "progress", 100),
		action("act-2", "Formazione", "code", "B.1", "plannedEnd", "2021-01-01", "status", "DELAYED", "progress", 40),
		action("act-3", "Monitoraggio", "code", "B.2", "plannedEnd", "2022-03-31", "status", "IN_PROGRESS", "progress", 40),
		action("act-4", "Comunicazione", "status", "PLANNED"),

		node(graph.Indicator, "ind-1", "name", "Beneficiari", "target", 120.5),
		node(graph.Indicator, "ind-2", "name", "Corsi", "target", 10),
		node(graph.Indicator, "ind-3", "name", "Eventi"),
	))
}

func testSearch(e *env) {
	listFixture(e)
	q := func(l graph.Label, s string) graph.ListQuery { return graph.ListQuery{Label: l, Search: s} }
	o := graph.Organization
	e.runListCases([]listCase{
		{"Empty", q(o, ""), []string{"org-comune", "org-coop", "org-regione", "org-spa", "org-uni", "org-area"}},
		{"LowerCaseOfName", q(o, "mazara"), []string{"org-comune"}},
		{"UpperCaseOfAlias", q(o, "CARITAS"), []string{"org-coop"}},
		{"SecondAlias", q(o, "onlus"), []string{"org-coop"}},
		{"Acronym", q(o, "unipa"), []string{"org-uni"}},
		{"Substring", q(o, "co"), []string{"org-comune", "org-coop"}},
		{"MiddleOfWord", q(o, "ICILIA"), []string{"org-regione"}},
		{"Parentheses", q(o, "(roma)"), []string{"org-spa"}},
		{"Dots", q(o, "s.p.a."), []string{"org-spa"}},
		{"RegexIsLiteral", q(o, ".*"), nil},
		{"PercentIsLiteral", q(o, "%"), nil},
		{"NonASCIICase", q(o, "àrea"), []string{"org-area"}},
		{"NoMatch", q(o, "zzz"), nil},
		{"OtherLabel", q(graph.Service, "SPORTELLO"), []string{"svc-1"}},
		{"ActionCode", q(graph.Action, "b."), []string{"act-2", "act-3"}},
		{"NotOtherProperties", q(o, "PUBLIC"), nil},
	})
}

func testWhere(e *env) {
	listFixture(e)
	f := func(key string, op graph.Op, vals ...any) graph.PropFilter {
		return graph.PropFilter{Key: key, Op: op, Values: vals}
	}
	q := func(l graph.Label, fs ...graph.PropFilter) graph.ListQuery {
		return graph.ListQuery{Label: l, Where: fs}
	}
	o, s, a, i := graph.Organization, graph.Service, graph.Action, graph.Indicator
	e.runListCases([]listCase{
		{"InEnum", q(o, f("kind", graph.OpIn, "PUBLIC_INSTITUTION", "UNIVERSITY")), []string{"org-comune", "org-regione", "org-uni"}},
		{"InOneValue", q(o, f("level", graph.OpIn, "LOCAL")), []string{"org-comune", "org-area"}},
		{"InMissingPropertyFails", q(o, f("acronym", graph.OpIn, "CMV", "XYZ")), []string{"org-comune"}},
		{"NotInMissingPropertyPasses", q(o, f("level", graph.OpNotIn, "REGIONAL")), []string{"org-comune", "org-coop", "org-spa", "org-area"}},
		{"NotInSeveral", q(o, f("kind", graph.OpNotIn, "PUBLIC_INSTITUTION", "THIRD_SECTOR", "UNIVERSITY")), []string{"org-spa", "org-area"}},
		{"ContainsList", q(o, f("aliases", graph.OpContains, "Badia Onlus", "nope")), []string{"org-coop"}},
		{"ContainsAnyOf", q(s, f("languages", graph.OpContains, "fr", "ti")), []string{"svc-2", "svc-1"}},
		{"ContainsOne", q(s, f("languages", graph.OpContains, "ar")), []string{"svc-2", "svc-1"}},
		{"ContainsIsExact", q(s, f("languages", graph.OpContains, "a")), nil},
		{"InBool", q(s, f("singleAccessPoint", graph.OpIn, true)), []string{"svc-1"}},
		{"NotInBool", q(s, f("singleAccessPoint", graph.OpNotIn, true)), []string{"svc-4", "svc-2", "svc-3"}},
		{"NotInCategory", q(s, f("category", graph.OpNotIn, "HOUSING", "LABOUR")), []string{"svc-2", "svc-1"}},
		{"DateBefore", q(a, f("plannedEnd", graph.OpLt, "2021-01-01")), []string{"act-1"}},
		{"DateAfter", q(a, f("plannedEnd", graph.OpGt, "2021-01-01")), []string{"act-3"}},
		{"DateBeforeIncludesDayBefore", q(a, f("plannedEnd", graph.OpLt, "2021-01-02")), []string{"act-1", "act-2"}},
		{"IntLess", q(a, f("progress", graph.OpLt, int64(50))), []string{"act-2", "act-3"}},
		{"IntGreaterIsStrict", q(a, f("progress", graph.OpGt, int64(40))), []string{"act-1"}},
		{"IntIn", q(a, f("progress", graph.OpIn, int64(40), int64(41))), []string{"act-2", "act-3"}},
		{"FloatGreater", q(i, f("target", graph.OpGt, float64(50))), []string{"ind-1"}},
		{"FloatLess", q(i, f("target", graph.OpLt, float64(50))), []string{"ind-2"}},
		{"FloatGreaterIsStrict", q(i, f("target", graph.OpGt, float64(10))), []string{"ind-1"}},
		{"NotInStatus", q(a, f("status", graph.OpNotIn, "COMPLETED", "CANCELLED")), []string{"act-4", "act-2", "act-3"}},
		{"FiltersAnd", q(a, f("status", graph.OpIn, "DELAYED", "IN_PROGRESS"), f("plannedEnd", graph.OpLt, "2021-06-01")), []string{"act-2"}},
		{"FiltersAndOnSameKey", q(a, f("plannedEnd", graph.OpGt, "2020-01-01"), f("plannedEnd", graph.OpLt, "2021-12-31")), []string{"act-1", "act-2"}},
		{"WhereAndSearch", graph.ListQuery{Label: o, Search: "di", Where: []graph.PropFilter{f("kind", graph.OpIn, "PUBLIC_INSTITUTION")}}, []string{"org-comune"}},
	})
}

func relatedFixture(e *env) {
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{
			network("net-1", "Rete Uno"), network("net-2", "Rete Due"),
			action("act-wp", "WP1", "kind", "WORK_PACKAGE"), action("act-task", "Task 1.1", "kind", "TASK"),
			action("act-act", "Attività 1.1.1"), action("act-other", "WP2", "kind", "WORK_PACKAGE"),
			action("act-x", "X"), action("act-y", "Y"), action("act-z", "Z"),
			org("org-a", "A"), org("org-b", "B"), org("org-c", "C", "kind", "UNIVERSITY"),
		},
		Link: []graph.Edge{
			link(graph.PartOf, "act-wp", "net-1"), link(graph.PartOf, "act-task", "act-wp"), link(graph.PartOf, "act-act", "act-task"),
			link(graph.PartOf, "act-other", "net-2"),
			link(graph.DependsOn, "act-x", "act-y"), link(graph.DependsOn, "act-y", "act-x"), link(graph.DependsOn, "act-y", "act-z"),
			partner("org-a", "net-1", "LEAD"), partner("org-b", "net-2", "LEAD"),
			partner("org-c", "net-1", "TECHNICAL"), partner("org-c", "net-2", "TECHNICAL"),
		},
	})
}

func testRelated(e *env) {
	relatedFixture(e)
	rel := func(t graph.RelType, d graph.Direction, transitive bool, ids ...string) graph.RelFilter {
		return graph.RelFilter{Type: t, Dir: d, IDs: ids, Transitive: transitive}
	}
	q := func(l graph.Label, rs ...graph.RelFilter) graph.ListQuery {
		return graph.ListQuery{Label: l, Related: rs}
	}
	a, n, o := graph.Action, graph.Network, graph.Organization
	e.runListCases([]listCase{
		{"OutDirect", q(a, rel(graph.PartOf, graph.Out, false, "net-1")), []string{"act-wp"}},
		{"OutTransitive", q(a, rel(graph.PartOf, graph.Out, true, "net-1")), []string{"act-act", "act-task", "act-wp"}},
		{"OutAnyOfIDs", q(a, rel(graph.PartOf, graph.Out, false, "net-1", "net-2")), []string{"act-wp", "act-other"}},
		{"OutToAction", q(a, rel(graph.PartOf, graph.Out, false, "act-wp")), []string{"act-task"}},
		{"OutToActionTransitive", q(a, rel(graph.PartOf, graph.Out, true, "act-wp")), []string{"act-act", "act-task"}},
		{"InDirect", q(n, rel(graph.PartOf, graph.In, false, "act-wp")), []string{"net-1"}},
		{"InNotDirect", q(n, rel(graph.PartOf, graph.In, false, "act-act")), nil},
		{"InTransitive", q(n, rel(graph.PartOf, graph.In, true, "act-act")), []string{"net-1"}},
		{"PartnersOfNetwork", q(o, rel(graph.PartnerIn, graph.Out, false, "net-1")), []string{"org-a", "org-c"}},
		{"SeveralRelatedAnd", q(o, rel(graph.PartnerIn, graph.Out, false, "net-1"), rel(graph.PartnerIn, graph.Out, false, "net-2")), []string{"org-c"}},
		{"WrongDirection", q(o, rel(graph.PartnerIn, graph.In, false, "net-1")), nil},
		{"BothDirections", q(o, rel(graph.PartnerIn, graph.Both, false, "net-2")), []string{"org-b", "org-c"}},
		{"OtherType", q(a, rel(graph.DependsOn, graph.Out, false, "net-1")), nil},
		{"TransitiveThroughCycle", q(a, rel(graph.DependsOn, graph.Out, true, "act-z")), []string{"act-x", "act-y"}},
		{"InFromCycle", q(a, rel(graph.DependsOn, graph.In, false, "act-x")), []string{"act-y"}},
		{"UnknownID", q(a, rel(graph.PartOf, graph.Out, true, "missing")), nil},
		{"RelatedAndSearch", graph.ListQuery{Label: a, Search: "task", Related: []graph.RelFilter{rel(graph.PartOf, graph.Out, true, "net-1")}}, []string{"act-task"}},
		{"RelatedAndWhere", graph.ListQuery{Label: o, Related: []graph.RelFilter{rel(graph.PartnerIn, graph.Out, false, "net-1")},
			Where: []graph.PropFilter{{Key: "kind", Op: graph.OpIn, Values: []any{"THIRD_SECTOR"}}}}, []string{"org-a"}},
	})
}

// territoryFixture builds IT <- 15 <- 063 <- {063049, 063064} and
// IT <- 19 <- 081 <- 081012 (Territory PART_OF Territory) and places nodes of
// every located label in it.
func territoryFixture(e *env) {
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{
			territory("IT", "Italia", "COUNTRY", "population", 58850717),
			territory("15", "Campania", "REGION", "population", 5590681),
			territory("19", "Sicilia", "REGION", "population", 4814016),
			territory("063", "Napoli", "PROVINCE"),
			territory("081", "Trapani", "PROVINCE"),
			territory("063049", "Napoli", "MUNICIPALITY", "population", 909048),
			territory("063064", "Pozzuoli", "MUNICIPALITY", "population", 76000),
			territory("081012", "Mazara del Vallo", "MUNICIPALITY", "population", 50000),
			org("org-napoli", "Comune di Napoli", "kind", "PUBLIC_INSTITUTION"),
			org("org-pozzuoli", "Comune di Pozzuoli", "kind", "PUBLIC_INSTITUTION"),
			org("org-mazara", "Comune di Mazara del Vallo", "kind", "PUBLIC_INSTITUTION"),
			org("org-campania", "Regione Campania", "kind", "PUBLIC_INSTITUTION"),
			org("org-none", "Associazione senza sede", "kind", "ASSOCIATION"),
			service("svc-1", "Sportello Napoli"), service("svc-2", "Sportello Mazara"),
			network("net-1", "Rete campana"), memorandum("mou-1", "Protocollo provinciale"), body("gov-1", "Tavolo nazionale", "level", "NATIONAL"),
		},
		Link: []graph.Edge{
			link(graph.PartOf, "terr-15", "terr-IT"), link(graph.PartOf, "terr-19", "terr-IT"),
			link(graph.PartOf, "terr-063", "terr-15"), link(graph.PartOf, "terr-081", "terr-19"),
			link(graph.PartOf, "terr-063049", "terr-063"), link(graph.PartOf, "terr-063064", "terr-063"),
			link(graph.PartOf, "terr-081012", "terr-081"),
			link(graph.BasedIn, "org-napoli", "terr-063049"), link(graph.OperatesIn, "org-napoli", "terr-063"),
			link(graph.OperatesIn, "org-pozzuoli", "terr-063064"), link(graph.BasedIn, "org-mazara", "terr-081012"),
			link(graph.BasedIn, "org-campania", "terr-15"),
			link(graph.DeliveredIn, "svc-1", "terr-063049"), link(graph.DeliveredIn, "svc-2", "terr-081012"),
			link(graph.OperatesIn, "net-1", "terr-15"), link(graph.Covers, "mou-1", "terr-063"),
			link(graph.ResponsibleFor, "gov-1", "terr-IT"),
		},
	})
}

func testTerritory(e *env) {
	territoryFixture(e)
	q := func(l graph.Label, code string) graph.ListQuery {
		return graph.ListQuery{Label: l, Territory: graph.TerritoryID(code)}
	}
	o, t := graph.Organization, graph.Territory
	e.runListCases([]listCase{
		{"OrganizationsInRegion", q(o, "15"), []string{"org-napoli", "org-pozzuoli", "org-campania"}},
		{"OrganizationsInCountry", q(o, "IT"), []string{"org-mazara", "org-napoli", "org-pozzuoli", "org-campania"}},
		{"OrganizationsInProvince", q(o, "063"), []string{"org-napoli", "org-pozzuoli"}},
		{"OrganizationsInMunicipality", q(o, "063049"), []string{"org-napoli"}},
		{"OrganizationsInOtherRegion", q(o, "19"), []string{"org-mazara"}},
		{"TerritoriesInRegion", q(t, "15"), []string{"terr-15", "terr-063", "terr-063049", "terr-063064"}},
		{"TerritoriesInCountry", q(t, "IT"), []string{"terr-15", "terr-IT", "terr-081012", "terr-063", "terr-063049", "terr-063064", "terr-19", "terr-081"}},
		{"TerritoryLeaf", q(t, "063049"), []string{"terr-063049"}},
		{"ServicesInRegion", q(graph.Service, "15"), []string{"svc-1"}},
		{"ServicesInOtherRegion", q(graph.Service, "19"), []string{"svc-2"}},
		{"ServicesNone", q(graph.Service, "063064"), nil},
		{"NetworkInRegion", q(graph.Network, "15"), []string{"net-1"}},
		{"NetworkNotInDescendant", q(graph.Network, "063"), nil},
		{"NetworkInCountry", q(graph.Network, "IT"), []string{"net-1"}},
		{"MemorandumInRegion", q(graph.Memorandum, "15"), []string{"mou-1"}},
		{"MemorandumNotInMunicipality", q(graph.Memorandum, "063049"), nil},
		{"BodyInCountry", q(graph.GovernanceBody, "IT"), []string{"gov-1"}},
		{"BodyNotInRegion", q(graph.GovernanceBody, "15"), nil},
		{"UnknownTerritoryOrganizations", q(o, "999"), nil},
		{"UnknownTerritoryTerritories", q(t, "999"), nil},
		{"TerritoryAndSearch", graph.ListQuery{Label: o, Territory: "terr-15", Search: "comune"}, []string{"org-napoli", "org-pozzuoli"}},
		{"TerritoryAndWhere", graph.ListQuery{Label: t, Territory: "terr-15",
			Where: []graph.PropFilter{{Key: "level", Op: graph.OpIn, Values: []any{"MUNICIPALITY"}}}}, []string{"terr-063049", "terr-063064"}},
		{"TerritoryAndPopulation", graph.ListQuery{Label: t, Territory: "terr-IT",
			Where: []graph.PropFilter{{Key: "population", Op: graph.OpGt, Values: []any{int64(100000)}}}}, []string{"terr-15", "terr-IT", "terr-063049", "terr-19"}},
	})
}

// testCombined checks that every kind of filter ANDs with the others, and
// that archived nodes stay out of filtered lists.
func testCombined(e *env) {
	territoryFixture(e)
	e.write(graph.Write{
		Nodes: []graph.NodeWrite{network("net-2", "Rete sociale"), org("org-coop", "Cooperativa di Napoli"), org("org-old", "Cooperativa chiusa")},
		Link: []graph.Edge{
			partner("org-napoli", "net-2", "LEAD"), partner("org-coop", "net-2", "OPERATIONAL"), partner("org-mazara", "net-2", "ADHERENT"),
			partner("org-old", "net-2", "ADHERENT"),
			link(graph.BasedIn, "org-coop", "terr-063049"), link(graph.BasedIn, "org-old", "terr-063049"),
		},
		Archive: []string{"org-old"},
	})
	all := graph.ListQuery{
		Label:     graph.Organization,
		Search:    "napoli",
		Where:     []graph.PropFilter{{Key: "kind", Op: graph.OpIn, Values: []any{"THIRD_SECTOR"}}},
		Related:   []graph.RelFilter{{Type: graph.PartnerIn, Dir: graph.Out, IDs: []string{"net-2"}}},
		Territory: "terr-15",
	}
	withArchived := all
	withArchived.IncludeArchived = true
	withArchived.Search = "cooperativa"
	noWhere := all
	noWhere.Where = nil
	noSearch := all
	noSearch.Search = ""
	otherTerritory := all
	otherTerritory.Territory = "terr-19"
	e.runListCases([]listCase{
		{"AllFilters", all, []string{"org-coop"}},
		{"WithoutWhere", noWhere, []string{"org-napoli", "org-coop"}},
		{"WithoutSearch", noSearch, []string{"org-coop"}},
		{"OtherTerritory", otherTerritory, nil},
		{"IncludeArchived", withArchived, []string{"org-old", "org-coop"}},
	})
}
