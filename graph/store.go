// Package graph holds the domain of the hub: the labels, relationships and
// properties of the property graph, the Store contract every backend
// implements, and the validation every write passes through. It knows nothing
// of GraphQL or HTTP.
package graph

import (
	"context"
	"time"
)

// Props are the properties of a node or relationship. Values are held in the Go
// types of their Kind (string, int64, float64, bool, []string); absent
// properties are simply missing from the map.
type Props map[string]any

// Node is a node of the graph.
type Node struct {
	ID        string
	Label     Label
	Props     Props
	CreatedAt time.Time
	UpdatedAt time.Time
	Archived  bool
	// Redacted names the properties withheld from the caller (personal data
	// it has no right to); stores never set it, the authorising layer does.
	Redacted []string
}

// Str returns a string property, or "" when it is absent.
func (n Node) Str(key string) string { s, _ := n.Props[key].(string); return s }

// Edge is a relationship. There is at most one edge of a type between two
// nodes in a direction; (From, Type, To) is its key.
type Edge struct {
	Type  RelType
	From  string
	To    string
	Props Props
}

// Key returns the identity of the edge.
func (e Edge) Key() EdgeKey { return EdgeKey{Type: e.Type, From: e.From, To: e.To} }

// EdgeKey identifies an edge.
type EdgeKey struct {
	Type     RelType
	From, To string
}

// ID is the stable string id of the edge.
func (k EdgeKey) ID() string { return k.From + "|" + string(k.Type) + "|" + k.To }

// Mode says how a NodeWrite treats an existing node.
type Mode int

// Write modes.
const (
	Upsert Mode = iota // create the node, or merge Props into the existing one
	Create             // fail with CONFLICT if a node with the id exists
	Update             // fail with NOT_FOUND unless a node with the id and label exists
)

// NodeWrite creates or changes one node. Props are merged into the existing
// properties; Unset names properties to remove.
type NodeWrite struct {
	Mode  Mode
	ID    string
	Label Label
	Props Props
	Unset []string
}

// Write is one atomic change of the graph: either all of it is applied, or,
// when any part is invalid, none of it. Parts are applied in order: Nodes,
// Link, Unlink, Archive, Restore. Links may refer to nodes created in the same Write.
type Write struct {
	Actor   string // who makes the change, recorded with it
	Nodes   []NodeWrite
	Link    []Edge // created or, when the key exists, their Props merged
	Unlink  []EdgeKey
	Archive []string
	Restore []string
}

// WriteResult tells what a Write did.
type WriteResult struct {
	Nodes     []Node // the state after the write of Nodes, Archive and Restore, in that order
	Created   int    // nodes created
	Updated   int    // nodes whose properties or archive state changed
	Linked    int    // edges created or whose properties changed
	Unlinked  int    // edges removed
	Unchanged int    // node writes and links that changed nothing
}

// ChangeOp names the kind of a recorded change.
type ChangeOp string

// Change operations.
const (
	OpCreate  ChangeOp = "CREATE"
	OpUpdate  ChangeOp = "UPDATE"
	OpArchive ChangeOp = "ARCHIVE"
	OpRestore ChangeOp = "RESTORE"
	OpLink    ChangeOp = "LINK"
	OpUnlink  ChangeOp = "UNLINK"
)

// Change is one entry of the audit trail: who changed which node, when, how,
// and which fields. A link or unlink is recorded on both ends, with the
// relationship as "TYPE->to" (on From) or "TYPE<-from" (on To) in Fields.
// Stores append changes in the same transaction as the write; nothing edits them.
type Change struct {
	Seq    int64 // increasing within a store; orders changes made at the same instant
	At     time.Time
	Actor  string
	Op     ChangeOp
	NodeID string
	Fields []string
}

// Direction selects edges relative to a node.
type Direction int

// Directions.
const (
	Out  Direction = iota // the node is the edge's From
	In                    // the node is the edge's To
	Both                  // either
)

// Op is a comparison in a property filter.
type Op int

// Filter operators. OpIn and OpNotIn compare a scalar property with a list
// of values; OpContains matches a list property holding any of the values;
// OpLt and OpGt compare with the first value (strings, dates and numbers).
const (
	OpIn Op = iota
	OpNotIn
	OpContains
	OpLt
	OpGt
)

// PropFilter keeps nodes whose property Key satisfies Op against Values.
// A node without the property fails every operator except OpNotIn.
type PropFilter struct {
	Key    string
	Op     Op
	Values []any
}

// RelFilter keeps nodes that have an edge of Type in direction Dir to any of
// the nodes IDs. With Transitive, chains of edges of that type count too
// (for example an action PART_OF a task PART_OF a network).
type RelFilter struct {
	Type       RelType
	Dir        Direction
	IDs        []string
	Transitive bool
}

// ListQuery selects nodes of one label. Results are ordered by the label's
// SortBy property, then by id.
type ListQuery struct {
	Label           Label
	Search          string // case-insensitive substring of any of the label's Search properties
	Where           []PropFilter
	Related         []RelFilter
	Territory       string // a territory id: keeps nodes located in it or in any of its descendants
	IncludeArchived bool
	// Only, when not nil, restricts the list to the nodes whose id is in it
	// (an empty, non-nil Only matches nothing). It is one more filter, ANDed
	// with the others before paging and counting: TotalCount, HasNextPage and
	// the pages see only the nodes in Only. Ids of other labels or of no node
	// are ignored. Nil means unrestricted.
	Only  []string
	First int    // page size; 0 means DefaultPageSize
	After string // cursor of the last node of the previous page
}

// Page size limits of lists.
const (
	DefaultPageSize = 50
	MaxPageSize     = 10000
)

// Page is one page of a list.
type Page struct {
	Nodes       []Node
	Cursors     []string // the cursor of each node
	TotalCount  int      // all the nodes matching the query, across pages
	HasNextPage bool
}

// EdgeQuery selects the edges of a set of nodes.
type EdgeQuery struct {
	NodeIDs         []string
	Types           []RelType // empty means every type
	Dir             Direction
	IncludeArchived bool // also edges whose other end is archived
	// Only, when not nil, keeps only the edges whose both ends are in it (an
	// empty, non-nil Only keeps none). Nil means unrestricted.
	Only []string
}

// SubgraphQuery asks for the nodes within Depth hops of the roots, following
// edges of Types (every type when empty) in either direction, and the edges
// among them.
type SubgraphQuery struct {
	Roots           []string
	Depth           int
	Types           []RelType
	IncludeArchived bool
	MaxNodes        int // 0 means DefaultMaxNodes; more nodes is an error
	// Only, when not nil, restricts the traversal to the nodes whose id is in
	// it: a node outside Only is neither returned nor passed through (roots
	// outside Only are dropped), so the subgraph is what Depth hops reach
	// over paths of nodes in Only, and its edges are among those nodes only.
	// MaxNodes counts the nodes returned. An empty, non-nil Only returns an
	// empty subgraph. Nil means unrestricted.
	Only []string
}

// Bounds of traversals.
const (
	DefaultMaxNodes   = 20000 // nodes of a subgraph that does not set its own limit
	MaxSubgraphDepth  = 10    // SubgraphQuery.Depth
	MaxTransitiveHops = 20    // chains a transitive RelFilter follows
)

// Limit checks the depth and node limit of q and returns the node limit in
// force, so every store refuses the same queries the same way.
func (q SubgraphQuery) Limit() (int, error) {
	if q.Depth < 0 || q.Depth > MaxSubgraphDepth {
		return 0, Invalid("depth", "must be between 0 and %d", MaxSubgraphDepth)
	}
	switch {
	case q.MaxNodes == 0:
		return DefaultMaxNodes, nil
	case q.MaxNodes < 0:
		return 0, Invalid("maxNodes", "must not be negative")
	}
	return q.MaxNodes, nil
}

// Subgraph is a set of nodes and the edges among them.
type Subgraph struct {
	Nodes []Node
	Edges []Edge
}

// Store is the contract of a graph backend. Every behaviour is specified by
// the conformance suite in graph/storetest.
//
// Writes are atomic and serialised: a Write is applied whole or not at all,
// and concurrent writes never lose each other's changes. Reads see committed
// writes only, with read-committed isolation: a read that runs while a write
// commits may see part of it (Neo4j Community reads committed data without
// snapshots; the embedded store happens to read consistent snapshots), and
// a read that starts after a write returned sees all of it.
type Store interface {
	// Write applies a change atomically: all of it or, on any error, nothing.
	Write(ctx context.Context, w Write) (WriteResult, error)
	// Nodes returns the nodes with the given ids that exist, archived or not, in the order asked.
	Nodes(ctx context.Context, ids []string) ([]Node, error)
	// List returns one page of the nodes matching q.
	List(ctx context.Context, q ListQuery) (Page, error)
	// Edges returns the edges of the given nodes.
	Edges(ctx context.Context, q EdgeQuery) ([]Edge, error)
	// Subgraph expands from roots.
	Subgraph(ctx context.Context, q SubgraphQuery) (Subgraph, error)
	// History returns the recorded changes of a node, newest first, at most limit (0: all).
	History(ctx context.Context, id string, limit int) ([]Change, error)
	// Ping reports whether the store is ready to serve.
	Ping(ctx context.Context) error
	// Close releases the store.
	Close(ctx context.Context) error
}
