package graph

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// MaxIDLen bounds node ids.
const MaxIDLen = 200

// ValidID reports why id cannot be a node id, or nil.
func ValidID(field, id string) error {
	switch {
	case id == "":
		return Invalid(field, "must not be empty")
	case len(id) > MaxIDLen:
		return Invalid(field, "must be at most %d bytes", MaxIDLen)
	case !utf8.ValidString(id):
		return Invalid(field, "must be valid UTF-8")
	case strings.ContainsFunc(id, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) || r == '|' }):
		return Invalid(field, "must not contain spaces, control characters or '|'")
	}
	return nil
}

// Prepare validates a Write and brings its property values to their canonical
// Go types. It needs no store: every Store calls it before touching its data,
// so an invalid Write changes nothing. A nil property value in a NodeWrite or
// Link is turned into an Unset (for nodes) or dropped (for links). The
// caller's slices and maps are left as they were: w gets copies.
func Prepare(w *Write) error {
	w.Nodes = slices.Clone(w.Nodes)
	for i := range w.Nodes {
		w.Nodes[i].Unset = slices.Clip(w.Nodes[i].Unset)
	}
	w.Link = slices.Clone(w.Link)
	seen := make(map[string]bool, len(w.Nodes))
	for i := range w.Nodes {
		nw := &w.Nodes[i]
		f := fmt.Sprintf("nodes[%d]", i)
		if err := ValidID(f+".id", nw.ID); err != nil {
			return err
		}
		if seen[nw.ID] {
			return Invalid(f+".id", "node %q is written twice in one change", nw.ID)
		}
		seen[nw.ID] = true
		t := TypeOf(nw.Label)
		if t == nil {
			return Invalid(f+".label", "unknown label %q", nw.Label)
		}
		if nw.Mode != Upsert && nw.Mode != Create && nw.Mode != Update {
			return Invalid(f+".mode", "unknown mode %d", nw.Mode)
		}
		props, unset, err := canonicalProps(t.Props, nw.Props, string(nw.Label))
		if err != nil {
			return err
		}
		for _, k := range nw.Unset {
			p, ok := t.Prop(k)
			if !ok {
				return Invalid(k, "%s has no property %q", nw.Label, k)
			}
			if p.Required {
				return Invalid(k, "is required and cannot be removed")
			}
			if _, set := props[k]; set {
				return Invalid(k, "is both set and removed")
			}
		}
		nw.Unset = append(nw.Unset, unset...)
		nw.Props = props
		if nw.Mode != Update {
			for _, p := range t.Props {
				if _, ok := props[p.Name]; p.Required && !ok {
					return Invalid(p.Name, "is required for a %s", nw.Label)
				}
			}
		}
	}
	for i := range w.Link {
		e := &w.Link[i]
		f := fmt.Sprintf("link[%d]", i)
		spec := SpecOf(e.Type)
		if spec == nil {
			return Invalid(f+".type", "unknown relationship type %q", e.Type)
		}
		if err := ValidID(f+".from", e.From); err != nil {
			return err
		}
		if err := ValidID(f+".to", e.To); err != nil {
			return err
		}
		props, _, err := canonicalProps(spec.Props, e.Props, string(e.Type))
		if err != nil {
			return err
		}
		for _, p := range spec.Props {
			if _, ok := props[p.Name]; p.Required && !ok {
				return Invalid(p.Name, "is required for %s", e.Type)
			}
		}
		e.Props = props
	}
	for i, k := range w.Unlink {
		if SpecOf(k.Type) == nil {
			return Invalid(fmt.Sprintf("unlink[%d].type", i), "unknown relationship type %q", k.Type)
		}
	}
	for i, id := range w.Archive {
		if err := ValidID(fmt.Sprintf("archive[%d]", i), id); err != nil {
			return err
		}
	}
	for i, id := range w.Restore {
		if err := ValidID(fmt.Sprintf("restore[%d]", i), id); err != nil {
			return err
		}
	}
	return nil
}

// canonicalProps checks props against their descriptions and returns them in
// canonical types, with the names of nil-valued properties separately.
func canonicalProps(specs []Prop, in Props, owner string) (Props, []string, error) {
	out := make(Props, len(in))
	var unset []string
	for k, v := range in {
		var p *Prop
		for i := range specs {
			if specs[i].Name == k {
				p = &specs[i]
				break
			}
		}
		if p == nil {
			return nil, nil, Invalid(k, "%s has no property %q", owner, k)
		}
		if v == nil {
			if p.Required {
				return nil, nil, Invalid(k, "is required and cannot be removed")
			}
			unset = append(unset, k)
			continue
		}
		cv, err := Coerce(*p, v)
		if err != nil {
			return nil, nil, err
		}
		out[k] = cv
	}
	slices.Sort(unset)
	return out, unset, nil
}

// Coerce checks one value against its description and returns it in the
// canonical Go type of its kind.
func Coerce(p Prop, v any) (any, error) {
	maxLen := p.MaxLen
	if maxLen == 0 {
		maxLen = DefaultMaxLen
	}
	checkStr := func(s string) error {
		if !utf8.ValidString(s) {
			return Invalid(p.Name, "must be valid UTF-8")
		}
		if utf8.RuneCountInString(s) > maxLen {
			return Invalid(p.Name, "must be at most %d characters", maxLen)
		}
		if strings.ContainsRune(s, 0) {
			return Invalid(p.Name, "must not contain NUL characters")
		}
		return nil
	}
	switch p.Kind {
	case String, Date, Enum:
		s, ok := v.(string)
		if !ok {
			return nil, Invalid(p.Name, "must be a string")
		}
		if p.Required && strings.TrimSpace(s) == "" {
			return nil, Invalid(p.Name, "must not be empty")
		}
		if err := checkStr(s); err != nil {
			return nil, err
		}
		if p.Kind == Date {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				return nil, Invalid(p.Name, "must be a date as YYYY-MM-DD, got %q", s)
			}
		}
		if p.Kind == Enum && !slices.Contains(p.Values, s) {
			return nil, Invalid(p.Name, "must be one of %s, got %q", strings.Join(p.Values, ", "), s)
		}
		return s, nil
	case Int:
		var i int64
		switch n := v.(type) {
		case int:
			i = int64(n)
		case int32:
			i = int64(n)
		case int64:
			i = n
		case float64:
			if n != math.Trunc(n) || math.Abs(n) > 1<<53 {
				return nil, Invalid(p.Name, "must be a whole number")
			}
			i = int64(n)
		case json.Number:
			x, err := n.Int64()
			if err != nil {
				return nil, Invalid(p.Name, "must be a whole number")
			}
			i = x
		default:
			return nil, Invalid(p.Name, "must be a whole number")
		}
		if err := checkBounds(p, float64(i)); err != nil {
			return nil, err
		}
		return i, nil
	case Float:
		var f float64
		switch n := v.(type) {
		case int:
			f = float64(n)
		case int64:
			f = float64(n)
		case float64:
			f = n
		case json.Number:
			x, err := n.Float64()
			if err != nil {
				return nil, Invalid(p.Name, "must be a number")
			}
			f = x
		default:
			return nil, Invalid(p.Name, "must be a number")
		}
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, Invalid(p.Name, "must be a finite number")
		}
		if err := checkBounds(p, f); err != nil {
			return nil, err
		}
		return f, nil
	case Bool:
		b, ok := v.(bool)
		if !ok {
			return nil, Invalid(p.Name, "must be true or false")
		}
		return b, nil
	case StringList:
		var list []string
		switch l := v.(type) {
		case []string:
			list = slices.Clone(l)
		case []any:
			list = make([]string, len(l))
			for i, x := range l {
				s, ok := x.(string)
				if !ok {
					return nil, Invalid(p.Name, "must be a list of strings")
				}
				list[i] = s
			}
		default:
			return nil, Invalid(p.Name, "must be a list of strings")
		}
		if len(list) > 200 {
			return nil, Invalid(p.Name, "must have at most 200 items")
		}
		for _, s := range list {
			if err := checkStr(s); err != nil {
				return nil, err
			}
		}
		return list, nil
	}
	return nil, Invalid(p.Name, "has an unknown kind")
}

func checkBounds(p Prop, f float64) error {
	if p.Min != nil && f < *p.Min {
		return Invalid(p.Name, "must be at least %v", *p.Min)
	}
	if p.Max != nil && f > *p.Max {
		return Invalid(p.Name, "must be at most %v", *p.Max)
	}
	return nil
}

// CanonicalNodeProps brings property values read back from a store (for
// example numbers decoded from JSON, or lists as []any) to their canonical
// types. Unknown properties are dropped.
func CanonicalNodeProps(l Label, in Props) Props {
	t := TypeOf(l)
	if t == nil {
		return in
	}
	return canonicalRead(t.Props, in)
}

// CanonicalEdgeProps is CanonicalNodeProps for relationship properties.
func CanonicalEdgeProps(rt RelType, in Props) Props {
	s := SpecOf(rt)
	if s == nil {
		return in
	}
	return canonicalRead(s.Props, in)
}

func canonicalRead(specs []Prop, in Props) Props {
	out := make(Props, len(in))
	for _, p := range specs {
		v, ok := in[p.Name]
		if !ok || v == nil {
			continue
		}
		kind := p.Kind
		if kind == Enum {
			kind = String
		}
		if cv, err := Coerce(Prop{Name: p.Name, Kind: kind, MaxLen: math.MaxInt32}, v); err == nil {
			out[p.Name] = cv
		}
	}
	return out
}

// EqualValues reports whether two canonical property values are equal.
func EqualValues(a, b any) bool {
	if la, ok := a.([]string); ok {
		lb, ok := b.([]string)
		return ok && slices.Equal(la, lb)
	}
	return a == b
}
