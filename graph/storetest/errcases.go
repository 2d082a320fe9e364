package storetest

import (
	"math"
	"strings"

	"govhub/graph"
)

// errorFixture is the store every error and atomicity case starts from.
func errorFixture() graph.Write {
	return graph.Write{
		Actor: "setup",
		Nodes: []graph.NodeWrite{
			org("org-a", "A", "acronym", "AA"), network("net-a", "Net A"), network("net-b", "Net B"),
			org("org-x", "X archived"), network("net-x", "Net X archived"),
			territory("1", "Uno", "REGION"), action("act-a", "Act A"),
		},
		Link: []graph.Edge{
			partner("org-a", "net-a", "LEAD"), link(graph.BasedIn, "org-a", "terr-1"),
			partner("org-a", "net-x", "OPERATIONAL"), // net-x is archived after it is linked
		},
		Archive: []string{"org-x", "net-x"},
	}
}

// fixtureIDs are the ids the error cases look at: the fixture's and the new ones they write.
var fixtureIDs = []string{"org-a", "net-a", "net-b", "org-x", "net-x", "terr-1", "act-a", "new-1", "new-2", "new-3", "missing"}

type errorCase struct {
	name string
	w    graph.Write
	code graph.Code
}

// runErrorCases makes one subtest per case: the fixture is written, the case
// fails with its code, and the store is observably unchanged.
func runErrorCases(cases []errorCase) []testCase {
	tests := make([]testCase, len(cases))
	for i, c := range cases {
		tests[i] = testCase{c.name, func(e *env) {
			e.write(errorFixture())
			before := e.snapshot(fixtureIDs...)
			e.writeErr(c.w, c.code)
			e.sameSnapshot(before, fixtureIDs...)
		}}
	}
	return tests
}

func unset(nw graph.NodeWrite, keys ...string) graph.NodeWrite { nw.Unset = keys; return nw }

func errorTests() []testCase {
	const (
		invalid  = graph.CodeInvalid
		notFound = graph.CodeNotFound
		conflict = graph.CodeConflict
	)
	return runErrorCases([]errorCase{
		// Node identity and modes.
		{"CreateExistingID", nodes(with(graph.Create, org("org-a", "A again"))), conflict},
		{"CreateExistingIDOfOtherLabel", nodes(with(graph.Create, network("org-a", "Net"))), conflict},
		{"CreateExistingArchivedID", nodes(with(graph.Create, org("org-x", "X again"))), conflict},
		{"UpdateMissingID", nodes(update(graph.Organization, "new-1", "name", "N")), notFound},
		{"UpdateIDOfOtherLabel", nodes(update(graph.Network, "org-a", "name", "N")), notFound},
		{"UpsertOntoOtherLabel", nodes(network("org-a", "Net")), conflict},
		{"UnknownLabel", nodes(node("Spaceship", "new-1", "name", "N")), invalid},
		{"UnknownMode", nodes(with(graph.Mode(7), org("new-1", "N"))), invalid},
		{"EmptyID", nodes(org("", "N")), invalid},
		{"IDWithSpace", nodes(org("new 1", "N")), invalid},
		{"IDWithPipe", nodes(org("new|1", "N")), invalid},
		{"IDTooLong", nodes(org(strings.Repeat("x", graph.MaxIDLen+1), "N")), invalid},
		{"SameIDTwiceInOneWrite", nodes(org("new-1", "N"), org("new-1", "N")), invalid},

		// Properties.
		{"UnknownProperty", nodes(org("new-1", "N", "colour", "red")), invalid},
		{"UnknownPropertyOnUpdate", nodes(update(graph.Organization, "org-a", "colour", "red")), invalid},
		{"IntForString", nodes(org("new-1", "N", "acronym", 42)), invalid},
		{"StringForInt", nodes(territory("2", "Due", "REGION", "population", "many")), invalid},
		{"FractionForInt", nodes(territory("2", "Due", "REGION", "population", 1.5)), invalid},
		{"StringForFloat", nodes(node(graph.Indicator, "new-1", "name", "I", "target", "10")), invalid},
		{"NaNForFloat", nodes(node(graph.Indicator, "new-1", "name", "I", "target", math.NaN())), invalid},
		{"StringForBool", nodes(service("new-1", "S", "singleAccessPoint", "yes")), invalid},
		{"StringForList", nodes(service("new-1", "S", "languages", "it")), invalid},
		{"NumberInList", nodes(service("new-1", "S", "languages", []any{"it", 3})), invalid},
		{"BadEnum", nodes(org("new-1", "N", "kind", "SPACESHIP")), invalid},
		{"EnumInLowerCase", nodes(org("new-1", "N", "kind", "third_sector")), invalid},
		{"BadDate", nodes(network("new-1", "N", "startDate", "2020-13-01")), invalid},
		{"DateInOtherFormat", nodes(network("new-1", "N", "startDate", "01/02/2020")), invalid},
		{"DateWithTime", nodes(network("new-1", "N", "startDate", "2020-01-02T10:00:00Z")), invalid},
		{"BelowMinimum", nodes(territory("2", "Due", "REGION", "population", -1)), invalid},
		{"AboveMaximum", nodes(action("new-1", "A", "progress", 101)), invalid},
		{"StringTooLong", nodes(org("new-1", strings.Repeat("n", 301))), invalid},
		{"MissingRequiredOnCreate", nodes(with(graph.Create, node(graph.Organization, "new-1", "name", "N"))), invalid},
		{"MissingRequiredOnUpsertOfExisting", nodes(node(graph.Organization, "org-a", "name", "A")), invalid},
		{"BlankRequired", nodes(org("new-1", "   ")), invalid},
		{"NilRequired", nodes(update(graph.Organization, "org-a", "name", nil)), invalid},
		{"UnsetRequired", nodes(unset(update(graph.Organization, "org-a"), "name")), invalid},
		{"UnsetUnknown", nodes(unset(update(graph.Organization, "org-a"), "colour")), invalid},
		{"SetAndUnsetSameProperty", nodes(unset(update(graph.Organization, "org-a", "website", "https://a.example"), "website")), invalid},

		// Links.
		{"LinkMissingFrom", graph.Write{Link: []graph.Edge{partner("missing", "net-a", "LEAD")}}, notFound},
		{"LinkMissingTo", graph.Write{Link: []graph.Edge{partner("org-a", "missing", "LEAD")}}, notFound},
		{"LinkWrongEnds", graph.Write{Link: []graph.Edge{link(graph.PartnerIn, "net-a", "org-a", "role", "LEAD")}}, invalid},
		{"LinkWrongLabels", graph.Write{Link: []graph.Edge{link(graph.PartOf, "org-a", "net-a")}}, invalid},
		{"LinkUnknownType", graph.Write{Link: []graph.Edge{link("LIKES", "org-a", "net-b")}}, invalid},
		{"LinkEmptyEnd", graph.Write{Link: []graph.Edge{partner("", "net-b", "LEAD")}}, invalid},
		{"LinkMissingRequiredProp", graph.Write{Link: []graph.Edge{link(graph.PartnerIn, "org-a", "net-b")}}, invalid},
		{"LinkBadPropEnum", graph.Write{Link: []graph.Edge{partner("org-a", "net-b", "BOSS")}}, invalid},
		{"LinkBadPropDate", graph.Write{Link: []graph.Edge{link(graph.PartnerIn, "org-a", "net-b", "role", "LEAD", "since", "yesterday")}}, invalid},
		{"LinkUnknownProp", graph.Write{Link: []graph.Edge{link(graph.PartnerIn, "org-a", "net-b", "role", "LEAD", "colour", "red")}}, invalid},
		{"LinkToArchived", graph.Write{Link: []graph.Edge{partner("org-a", "net-x", "LEAD")}}, conflict},
		{"LinkFromArchived", graph.Write{Link: []graph.Edge{partner("org-x", "net-a", "LEAD")}}, conflict},
		{"RelinkArchivedWithNewProps", graph.Write{Link: []graph.Edge{partner("org-a", "net-x", "LEAD")}}, conflict},
		{"UnlinkMissingEdge", graph.Write{Unlink: []graph.EdgeKey{{Type: graph.PartnerIn, From: "org-a", To: "net-b"}}}, notFound},
		{"UnlinkReversedEdge", graph.Write{Unlink: []graph.EdgeKey{{Type: graph.PartnerIn, From: "net-a", To: "org-a"}}}, notFound},
		{"UnlinkOtherType", graph.Write{Unlink: []graph.EdgeKey{{Type: graph.OperatesIn, From: "org-a", To: "terr-1"}}}, notFound},
		{"UnlinkMissingNodes", graph.Write{Unlink: []graph.EdgeKey{{Type: graph.PartnerIn, From: "missing", To: "new-1"}}}, notFound},
		{"UnlinkUnknownType", graph.Write{Unlink: []graph.EdgeKey{{Type: "LIKES", From: "org-a", To: "net-a"}}}, invalid},

		// Archive and restore.
		{"ArchiveMissing", graph.Write{Archive: []string{"missing"}}, notFound},
		{"RestoreMissing", graph.Write{Restore: []string{"missing"}}, notFound},
		{"ArchiveEmptyID", graph.Write{Archive: []string{""}}, invalid},
	})
}

// atomicityTests are writes whose early parts are valid and whose last part
// is not: nothing of them may remain.
func atomicityTests() []testCase {
	return runErrorCases([]errorCase{
		{"LinkToMissingNodeLast", graph.Write{
			Nodes: []graph.NodeWrite{org("new-1", "N1"), org("new-2", "N2"), network("new-3", "N3")},
			Link: []graph.Edge{
				partner("new-1", "new-3", "LEAD"), partner("new-2", "new-3", "OPERATIONAL"),
				partner("org-a", "new-3", "ADHERENT"), partner("org-a", "net-a", "FUNDER"),
				partner("new-1", "missing", "LEAD"),
			},
		}, graph.CodeNotFound},
		{"BadPropertyOnThirdNode", nodes(
			org("new-1", "N1"), update(graph.Organization, "org-a", "name", "A renamed"),
			org("new-3", "N3", "kind", "SPACESHIP"),
		), graph.CodeInvalid},
		{"CreateConflictAfterUpserts", graph.Write{
			Nodes: []graph.NodeWrite{
				org("new-1", "N1"), org("org-a", "A renamed", "acronym", nil), network("new-2", "N2"),
				with(graph.Create, network("net-a", "Net A again")),
			},
			Link: []graph.Edge{partner("new-1", "new-2", "LEAD")},
		}, graph.CodeConflict},
		{"ArchiveMissingAfterChanges", graph.Write{
			Nodes:   []graph.NodeWrite{org("new-1", "N1"), update(graph.Network, "net-a", "acronym", "NA")},
			Link:    []graph.Edge{partner("new-1", "net-a", "LEAD"), partner("org-a", "net-b", "LEAD")},
			Unlink:  []graph.EdgeKey{{Type: graph.PartnerIn, From: "org-a", To: "net-a"}},
			Archive: []string{"org-a", "missing"},
		}, graph.CodeNotFound},
		{"UnlinkMissingAfterLinksAndUnlinks", graph.Write{
			Link:   []graph.Edge{partner("org-a", "net-b", "LEAD")},
			Unlink: []graph.EdgeKey{{Type: graph.BasedIn, From: "org-a", To: "terr-1"}, {Type: graph.PartnerIn, From: "org-a", To: "new-1"}},
		}, graph.CodeNotFound},
		{"LinkArchivedAfterUpdates", graph.Write{
			Nodes: []graph.NodeWrite{update(graph.Organization, "org-a", "name", "A renamed"), org("new-1", "N1")},
			Link:  []graph.Edge{partner("new-1", "net-a", "LEAD"), partner("new-1", "net-x", "LEAD")},
		}, graph.CodeConflict},
		{"WrongEndsAfterUpdates", graph.Write{
			Nodes: []graph.NodeWrite{update(graph.Network, "net-a", "name", "Net A renamed"), org("new-1", "N1")},
			Link:  []graph.Edge{partner("new-1", "net-a", "LEAD"), link(graph.PartnerIn, "net-a", "new-1", "role", "LEAD")},
		}, graph.CodeInvalid},
		{"RestoreMissingAfterRestore", graph.Write{
			Archive: []string{"act-a"},
			Restore: []string{"org-x", "net-x", "missing"},
		}, graph.CodeNotFound},
		{"UpdateMissingAfterCreates", nodes(
			org("new-1", "N1"), org("new-2", "N2"), update(graph.Organization, "new-3", "name", "N3"),
		), graph.CodeNotFound},
	})
}
