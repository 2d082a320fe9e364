package embedded

import (
	"testing"

	"govhub/graph"
)

func TestCursorOfMatchesGraph(t *testing.T) {
	values := []string{"", "Torino", "Forlì-Cesena", "L'Aquila", "a\"b", `a\b`, "<tag>", "a&b", "tab\there", "nl\n", "\x01",
		"line\u2028sep", "para\u2029", "bad\xffutf8", "\xc3", "emoji 🌍", "Reggio nell'Emilia", "Bolzano/Bozen", "中文", "\u007f", "é\u0301"}
	for _, sv := range values {
		for _, id := range []string{"terr-001", "x<y", "é"} {
			n := graph.Node{ID: id, Label: graph.Territory, Props: graph.Props{"name": sv}}
			if got, want := cursorOf(&n), graph.CursorOf(n); got != want {
				t.Errorf("cursorOf(%q, %q) = %q, want %q", sv, id, got, want)
			}
		}
	}
	f := func(sv, id string) bool {
		n := graph.Node{ID: id, Label: graph.Measurement, Props: graph.Props{"date": sv}}
		return cursorOf(&n) == graph.CursorOf(n)
	}
	for i := range 2000 {
		b := []byte{byte(i), byte(i >> 3), byte(i * 7), 'a', byte(i >> 5)}
		if !f(string(b), string(b[1:])) {
			t.Fatalf("cursorOf differs for %q", b)
		}
	}
}

func FuzzCursorOf(f *testing.F) {
	f.Add("Torino", "terr-001")
	f.Add("a<b\u2028", "\xff")
	f.Fuzz(func(t *testing.T, sv, id string) {
		n := graph.Node{ID: id, Label: graph.Network, Props: graph.Props{"name": sv}}
		if got, want := cursorOf(&n), graph.CursorOf(n); got != want {
			t.Fatalf("cursorOf(%q, %q) = %q, want %q", sv, id, got, want)
		}
	})
}

// The list cache keys a restricted list by its set of ids: nil (no
// restriction), empty and every other set are distinct keys, the same set in
// another order or with repeats is the same key.
func TestListKeyOnly(t *testing.T) {
	key := func(only []string) string { return listKey(graph.ListQuery{Label: graph.Organization, Only: only}) }
	distinct := map[string][]string{}
	for _, only := range [][]string{nil, {}, {"a"}, {"b"}, {"a", "b"}, {"ab"}, {"a", "b", "c"}, {""}, {"", "a"}} {
		k := key(only)
		if prev, ok := distinct[k]; ok {
			t.Fatalf("Only %q and %q share the key %q", prev, only, k)
		}
		distinct[k] = only
	}
	if key([]string{"b", "a", "b"}) != key([]string{"a", "b"}) {
		t.Fatal("the same set of ids in another order has another key")
	}
	if key(nil) != listKey(graph.ListQuery{Label: graph.Organization}) {
		t.Fatal("a nil Only changes the key")
	}
}
