package auth

import (
	"context"
	"testing"
)

func TestParseRole(t *testing.T) {
	for in, want := range map[string]Role{"ADMIN": Admin, "coordinator": Coordinator, " Governance ": Governance, "viewer": Viewer} {
		if got, err := ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ROOT", "ADMINS"} {
		if _, err := ParseRole(in); err == nil {
			t.Errorf("ParseRole(%q) accepted", in)
		}
	}
}

func TestNormalizeRegion(t *testing.T) {
	tests := []struct{ in, want string }{
		{"15", "terr-15"}, {"063", "terr-063"}, {"063049", "terr-063049"}, {"IT", "terr-IT"},
		{"terr-15", "terr-15"}, {"", ""}, {"terr-", ""}, {"15 ", ""}, {"../15", ""}, {"terr-terr-15", ""},
	}
	for _, tc := range tests {
		got, err := NormalizeRegion(tc.in)
		if tc.want == "" && err == nil {
			t.Errorf("NormalizeRegion(%q) = %q, want an error", tc.in, got)
		}
		if tc.want != "" && (err != nil || got != tc.want) {
			t.Errorf("NormalizeRegion(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

func TestPrincipalPermissions(t *testing.T) {
	admin := Principal{Subject: "a", Role: Admin}
	coord := Principal{Subject: "c", Role: Coordinator, Networks: []string{"net-1"}, Regions: []string{"terr-15"}}
	gov := Principal{Subject: "g", Role: Governance, Regions: []string{"terr-15"}, Networks: []string{"net-1"}}
	viewer := Principal{Subject: "v", Role: Viewer, Networks: []string{"net-1"}, Regions: []string{"terr-15"}}
	anon := AnonymousPrincipal()
	napoli := []string{"terr-063049", "terr-063", "terr-15", "terr-IT"}
	mazara := []string{"terr-081012", "terr-081", "terr-19", "terr-IT"}

	tests := []struct {
		name string
		got  bool
		want bool
	}{
		{"admin writes any network", admin.CanWriteNetwork("net-9"), true},
		{"coordinator writes its network", coord.CanWriteNetwork("net-1"), true},
		{"coordinator does not write another network", coord.CanWriteNetwork("net-2"), false},
		{"coordinator does not write the empty id", coord.CanWriteNetwork(""), false},
		{"governance does not write networks", gov.CanWriteNetwork("net-1"), false},
		{"viewer does not write networks", viewer.CanWriteNetwork("net-1"), false},
		{"anonymous does not write networks", anon.CanWriteNetwork("net-1"), false},
		{"governance covers a municipality of its region", gov.CoversTerritory(napoli...), true},
		{"governance covers its region", gov.CoversTerritory("terr-15", "terr-IT"), true},
		{"governance does not cover another region", gov.CoversTerritory(mazara...), false},
		{"governance does not cover the country above its region", gov.CoversTerritory("terr-IT"), false},
		{"admin covers everything", admin.CoversTerritory(mazara...), true},
		{"coordinator covers no territory", coord.CoversTerritory(napoli...), false},
		{"viewer covers no territory", viewer.CoversTerritory(napoli...), false},
		{"anonymous covers no territory", anon.CoversTerritory(napoli...), false},
		{"anonymous is a viewer", anon.Role == Viewer && anon.Anonymous, true},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %v", tc.name, tc.got)
		}
	}
}

func TestContext(t *testing.T) {
	if _, ok := FromContext(context.Background()); ok {
		t.Error("principal in an empty context")
	}
	p := Principal{Subject: "alice", Role: Admin}
	got, ok := FromContext(WithPrincipal(context.Background(), p))
	if !ok || got.Subject != "alice" || got.Role != Admin {
		t.Errorf("FromContext = %+v, %v", got, ok)
	}
}
