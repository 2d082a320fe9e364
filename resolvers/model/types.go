// Package model holds the Go types the GraphQL schema binds to. Entity types
// wrap a graph.Node and read its properties by name, so the domain schema in
// package graph stays the one description of what a node holds.
package model

import (
	"slices"
	"time"

	"govhub/graph"
)

// Base is what every entity type shares: the node and accessors for its
// properties. GraphQL fields bind to these methods by name.
type Base struct{ N graph.Node }

func (b Base) IsNode()              {}
func (b Base) GetID() string        { return b.N.ID }
func (b Base) ID() string           { return b.N.ID }
func (b Base) CreatedAt() time.Time { return b.N.CreatedAt }
func (b Base) UpdatedAt() time.Time { return b.N.UpdatedAt }
func (b Base) Archived() bool       { return b.N.Archived }

func (b Base) str(k string) *string {
	if s, ok := b.N.Props[k].(string); ok {
		return &s
	}
	return nil
}

func (b Base) reqStr(k string) string { s, _ := b.N.Props[k].(string); return s }

func (b Base) list(k string) []string {
	if l, ok := b.N.Props[k].([]string); ok {
		return l
	}
	return []string{}
}

func (b Base) int(k string) *int {
	if i, ok := b.N.Props[k].(int64); ok {
		v := int(i)
		return &v
	}
	return nil
}

func (b Base) float(k string) *float64 {
	if f, ok := b.N.Props[k].(float64); ok {
		return &f
	}
	return nil
}

// Properties, by name. A method serves every type that has the property.
func (b Base) Name() string            { return b.reqStr("name") }
func (b Base) Acronym() *string        { return b.str("acronym") }
func (b Base) Description() *string    { return b.str("description") }
func (b Base) Fund() *string           { return b.str("fund") }
func (b Base) Programme() *string      { return b.str("programme") }
func (b Base) StartDate() *string      { return b.str("startDate") }
func (b Base) EndDate() *string        { return b.str("endDate") }
func (b Base) Website() *string        { return b.str("website") }
func (b Base) Aliases() []string       { return b.list("aliases") }
func (b Base) Subtype() *string        { return b.str("subtype") }
func (b Base) Category() string        { return b.reqStr("category") }
func (b Base) Languages() []string     { return b.list("languages") }
func (b Base) TargetGroups() []string  { return b.list("targetGroups") }
func (b Base) SingleAccessPoint() bool { v, _ := b.N.Props["singleAccessPoint"].(bool); return v }
func (b Base) SignedOn() *string       { return b.str("signedOn") }
func (b Base) ValidFrom() *string      { return b.str("validFrom") }
func (b Base) ValidUntil() *string     { return b.str("validUntil") }
func (b Base) Population() *int        { return b.int("population") }
func (b Base) Abbreviation() *string   { return b.str("abbreviation") }
func (b Base) CadastralCode() *string  { return b.str("cadastralCode") }
func (b Base) MacroArea() *string      { return b.str("macroArea") }
func (b Base) Status() *string         { return b.str("status") }
func (b Base) PlannedStart() *string   { return b.str("plannedStart") }
func (b Base) PlannedEnd() *string     { return b.str("plannedEnd") }
func (b Base) ActualStart() *string    { return b.str("actualStart") }
func (b Base) ActualEnd() *string      { return b.str("actualEnd") }
func (b Base) Progress() *int          { return b.int("progress") }
func (b Base) Unit() *string           { return b.str("unit") }
func (b Base) Baseline() *float64      { return b.float("baseline") }
func (b Base) Target() *float64        { return b.float("target") }
func (b Base) Date() string            { return b.reqStr("date") }
func (b Base) Value() float64          { v, _ := b.N.Props["value"].(float64); return v }
func (b Base) Note() *string           { return b.str("note") }
func (b Base) Email() (*string, error) { return b.personal("email") }
func (b Base) Phone() (*string, error) { return b.personal("phone") }

// personal reads a property that is personal data: withheld from callers
// without the right, with a FORBIDDEN error in the response.
func (b Base) personal(k string) (*string, error) {
	if slices.Contains(b.N.Redacted, k) {
		return nil, graph.Errorf(graph.CodeForbidden, "%s is personal data you are not entitled to see", k)
	}
	return b.str(k), nil
}

// Kind is required on every type that has it; Level is optional on
// organisations and required on bodies and territories.
func (b Base) Kind() string   { return b.reqStr("kind") }
func (b Base) Level() *string { return b.str("level") }

// Code is required on territories and optional on actions.
func (b Base) Code() *string { return b.str("code") }

// The entity types. Each is a distinct Go type so the Node interface can tell them apart.
type (
	Network        struct{ Base }
	Organization   struct{ Base }
	Service        struct{ Base }
	Memorandum     struct{ Base }
	GovernanceBody struct{ Base }
	Territory      struct{ Base }
	Action         struct{ Base }
	Indicator      struct{ Base }
	Measurement    struct{ Base }
	Person         struct{ Base }
)

// Overdue reports whether an action's planned end has passed (UTC today)
// and it is neither completed nor cancelled.
func (a Action) Overdue() bool {
	end := a.reqStr("plannedEnd")
	st := a.reqStr("status")
	return end != "" && end < time.Now().UTC().Format(time.DateOnly) && st != "COMPLETED" && st != "CANCELLED"
}

// Wrap returns the entity type of a node's label.
func Wrap(n graph.Node) Node {
	b := Base{N: n}
	switch n.Label {
	case graph.Network:
		return &Network{b}
	case graph.Organization:
		return &Organization{b}
	case graph.Service:
		return &Service{b}
	case graph.Memorandum:
		return &Memorandum{b}
	case graph.GovernanceBody:
		return &GovernanceBody{b}
	case graph.Territory:
		return &Territory{b}
	case graph.Action:
		return &Action{b}
	case graph.Indicator:
		return &Indicator{b}
	case graph.Measurement:
		return &Measurement{b}
	case graph.Person:
		return &Person{b}
	}
	return nil
}

// Rel is a relationship with its properties. Partnership, Signature, Seat,
// RoleHolding and Relationship all bind to it; their end nodes are resolved.
type Rel struct{ E graph.Edge }

func (r Rel) ID() string   { return r.E.Key().ID() }
func (r Rel) Type() string { return string(r.E.Type) }

func (r Rel) str(k string) *string {
	if s, ok := r.E.Props[k].(string); ok {
		return &s
	}
	return nil
}

func (r Rel) Role() *string  { return r.str("role") }
func (r Rel) Since() *string { return r.str("since") }
func (r Rel) Until() *string { return r.str("until") }
func (r Rel) On() *string    { return r.str("on") }
func (r Rel) Title() *string { return r.str("title") }
func (r Rel) Note() *string  { return r.str("note") }

func (r Rel) Strength() *float64 {
	if f, ok := r.E.Props["strength"].(float64); ok {
		return &f
	}
	return nil
}

type (
	Partnership  = Rel
	Signature    = Rel
	Seat         = Rel
	RoleHolding  = Rel
	Relationship = Rel
)

// Change is an audit trail entry.
type Change struct{ C graph.Change }

func (c Change) At() time.Time     { return c.C.At }
func (c Change) Actor() string     { return c.C.Actor }
func (c Change) Operation() string { return string(c.C.Op) }
func (c Change) NodeID() string    { return c.C.NodeID }
func (c Change) Fields() []string {
	if c.C.Fields == nil {
		return []string{}
	}
	return c.C.Fields
}

// Node is any entity; the GraphQL Node interface binds to it.
type Node interface {
	IsNode()
	GetID() string
}
