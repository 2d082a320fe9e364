package graph

import (
	"maps"
	"slices"
	"time"
)

// Refs lists the node ids and edge keys a Write refers to. A store reads
// these, inside its write transaction, into a State for PlanWrite.
func (w *Write) Refs() (ids []string, keys []EdgeKey) {
	seen := map[string]bool{}
	add := func(id string) {
		if !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	for _, n := range w.Nodes {
		add(n.ID)
	}
	for _, e := range w.Link {
		add(e.From)
		add(e.To)
		keys = append(keys, e.Key())
	}
	for _, k := range w.Unlink {
		add(k.From)
		add(k.To)
		keys = append(keys, k)
	}
	for _, id := range w.Archive {
		add(id)
	}
	for _, id := range w.Restore {
		add(id)
	}
	return ids, keys
}

// State is what a store holds, when a write transaction starts, of the nodes
// and edges the Write refers to (see Refs). Missing entries do not exist.
type State struct {
	Nodes map[string]Node
	Edges map[EdgeKey]Props
}

// Plan is what a store must change to apply a Write: nodes to create, nodes
// to replace with their new state, edges to create or replace with their
// new properties, and edges to remove.
type Plan struct {
	Create []Node
	Update []Node
	Link   []Edge
	Unlink []EdgeKey
	// Changes to record in the audit trail; the store sets At, Actor and Seq.
	Changes []Change
	Result  WriteResult
}

// Empty reports whether the plan changes nothing.
func (p *Plan) Empty() bool {
	return len(p.Create)+len(p.Update)+len(p.Link)+len(p.Unlink) == 0
}

// PlanWrite decides, from a prepared Write and the current State, what the
// store must change, or returns the error that rejects the whole Write.
// Both stores use it, so the rules of writing are the same everywhere:
// Create conflicts with an existing id, Update needs a node of the same
// label, Upsert of a node with another label conflicts, links need both
// ends to exist, not be archived, and be labels the relationship joins,
// and nothing changes (not even updatedAt) when the values are the same.
func PlanWrite(w Write, s State, now time.Time) (Plan, error) {
	var p Plan
	cur := make(map[string]Node, len(s.Nodes))
	maps.Copy(cur, s.Nodes)
	created := map[string]bool{} // ids new in this write
	touched := map[string]bool{} // ids created or changed by this write
	var order []string
	touch := func(n Node) {
		if !touched[n.ID] {
			touched[n.ID] = true
			order = append(order, n.ID)
		}
		cur[n.ID] = n
	}
	var resultIDs []string

	for _, nw := range w.Nodes {
		old, exists := cur[nw.ID]
		switch {
		case exists && nw.Mode == Create:
			return Plan{}, &Error{Code: CodeConflict, Field: "id", Message: "a node with id " + quote(nw.ID) + " already exists"}
		case !exists && nw.Mode == Update:
			return Plan{}, &Error{Code: CodeNotFound, Field: "id", Message: "no " + string(nw.Label) + " with id " + quote(nw.ID)}
		case exists && old.Label != nw.Label:
			if nw.Mode == Update {
				return Plan{}, &Error{Code: CodeNotFound, Field: "id", Message: "no " + string(nw.Label) + " with id " + quote(nw.ID)}
			}
			return Plan{}, &Error{Code: CodeConflict, Field: "id", Message: "id " + quote(nw.ID) + " belongs to a " + string(old.Label)}
		}
		resultIDs = append(resultIDs, nw.ID)
		if !exists {
			p.Result.Created++
			created[nw.ID] = true
			touch(Node{ID: nw.ID, Label: nw.Label, Props: maps.Clone(nw.Props), CreatedAt: now, UpdatedAt: now})
			p.Changes = append(p.Changes, Change{NodeID: nw.ID, Op: OpCreate, Fields: slices.Sorted(maps.Keys(nw.Props))})
			continue
		}
		props := maps.Clone(old.Props)
		if props == nil {
			props = Props{}
		}
		var fields []string
		for k, v := range nw.Props {
			if ov, ok := props[k]; !ok || !EqualValues(ov, v) {
				props[k] = v
				fields = append(fields, k)
			}
		}
		for _, k := range nw.Unset {
			if _, ok := props[k]; ok {
				delete(props, k)
				fields = append(fields, k)
			}
		}
		if len(fields) == 0 {
			p.Result.Unchanged++
			continue
		}
		p.Result.Updated++
		n := old
		n.Props = props
		n.UpdatedAt = now
		touch(n)
		slices.Sort(fields)
		p.Changes = append(p.Changes, Change{NodeID: nw.ID, Op: OpUpdate, Fields: fields})
	}

	edges := make(map[EdgeKey]Props, len(s.Edges))
	maps.Copy(edges, s.Edges)
	linked := map[EdgeKey]bool{}
	var linkOrder []EdgeKey
	for _, e := range w.Link {
		from, okf := cur[e.From]
		to, okt := cur[e.To]
		if !okf {
			return Plan{}, &Error{Code: CodeNotFound, Field: "from", Message: "no node with id " + quote(e.From)}
		}
		if !okt {
			return Plan{}, &Error{Code: CodeNotFound, Field: "to", Message: "no node with id " + quote(e.To)}
		}
		if !SpecOf(e.Type).Allows(from.Label, to.Label) {
			return Plan{}, &Error{Code: CodeInvalid, Field: "type", Message: string(e.Type) + " cannot join a " + string(from.Label) + " to a " + string(to.Label)}
		}
		k := e.Key()
		old, exists := edges[k]
		props := maps.Clone(old)
		if props == nil {
			props = Props{}
		}
		changed := !exists
		for pk, v := range e.Props {
			if ov, ok := props[pk]; !ok || !EqualValues(ov, v) {
				props[pk] = v
				changed = true
			}
		}
		if !changed {
			p.Result.Unchanged++
			continue
		}
		for _, end := range []Node{from, to} {
			if end.Archived {
				return Plan{}, &Error{Code: CodeConflict, Message: "node " + quote(end.ID) + " is archived; restore it before linking"}
			}
		}
		if !linked[k] {
			linked[k] = true
			linkOrder = append(linkOrder, k)
			p.Result.Linked++
		}
		edges[k] = props
		p.Changes = append(p.Changes, linkChanges(OpLink, k)...)
	}
	for _, k := range w.Unlink {
		if _, ok := edges[k]; !ok {
			return Plan{}, &Error{Code: CodeNotFound, Message: "no " + string(k.Type) + " relationship from " + quote(k.From) + " to " + quote(k.To)}
		}
		delete(edges, k)
		if linked[k] {
			delete(linked, k)
			p.Result.Linked--
		}
		if _, existed := s.Edges[k]; existed {
			p.Unlink = append(p.Unlink, k)
			p.Result.Unlinked++
		}
		p.Changes = append(p.Changes, linkChanges(OpUnlink, k)...)
	}
	for _, k := range linkOrder {
		if linked[k] {
			p.Link = append(p.Link, Edge{Type: k.Type, From: k.From, To: k.To, Props: edges[k]})
		}
	}

	setArchived := func(ids []string, archived bool, op ChangeOp) error {
		for _, id := range ids {
			n, ok := cur[id]
			if !ok {
				return &Error{Code: CodeNotFound, Field: "id", Message: "no node with id " + quote(id)}
			}
			resultIDs = append(resultIDs, id)
			if n.Archived == archived {
				p.Result.Unchanged++
				continue
			}
			if !touched[id] {
				p.Result.Updated++
			}
			n.Archived = archived
			n.UpdatedAt = now
			touch(n)
			p.Changes = append(p.Changes, Change{NodeID: id, Op: op})
		}
		return nil
	}
	if err := setArchived(w.Archive, true, OpArchive); err != nil {
		return Plan{}, err
	}
	if err := setArchived(w.Restore, false, OpRestore); err != nil {
		return Plan{}, err
	}

	for _, id := range order {
		if created[id] {
			p.Create = append(p.Create, cur[id])
		} else {
			p.Update = append(p.Update, cur[id])
		}
	}
	for _, id := range resultIDs {
		p.Result.Nodes = append(p.Result.Nodes, cur[id])
	}
	return p, nil
}

func linkChanges(op ChangeOp, k EdgeKey) []Change {
	return []Change{
		{NodeID: k.From, Op: op, Fields: []string{string(k.Type) + "->" + k.To}},
		{NodeID: k.To, Op: op, Fields: []string{string(k.Type) + "<-" + k.From}},
	}
}

func quote(s string) string { return "\"" + s + "\"" }

// SortValue returns the value lists order a node by: its label's SortBy property as a string.
func SortValue(n Node) string {
	t := TypeOf(n.Label)
	if t == nil {
		return ""
	}
	s, _ := n.Props[t.SortBy].(string)
	return s
}

// Less orders nodes as lists do: by sort value, then id.
func Less(a, b Node) bool {
	sa, sb := SortValue(a), SortValue(b)
	if sa != sb {
		return sa < sb
	}
	return a.ID < b.ID
}

// SortNodes orders nodes as lists do.
func SortNodes(ns []Node) {
	slices.SortFunc(ns, func(a, b Node) int {
		if Less(a, b) {
			return -1
		}
		if Less(b, a) {
			return 1
		}
		return 0
	})
}
