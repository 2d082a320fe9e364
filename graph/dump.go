package graph

// Dump is the JSON interchange form of a graph: the seed data, and what
// export writes and import reads. Property values are plain JSON; they are
// brought to their kinds when the dump is written to a store.
type Dump struct {
	Format  string     `json:"format"`  // always DumpFormat
	Version int        `json:"version"` // DumpVersion
	Source  string     `json:"source,omitempty"`
	Nodes   []DumpNode `json:"nodes"`
	Edges   []DumpEdge `json:"edges"`
}

// The format name and version of dumps this code writes and reads.
const (
	DumpFormat  = "govhub-graph"
	DumpVersion = 1
)

// DumpNode is a node in a Dump.
type DumpNode struct {
	ID       string `json:"id"`
	Label    Label  `json:"label"`
	Archived bool   `json:"archived,omitempty"`
	Props    Props  `json:"props"`
}

// DumpEdge is an edge in a Dump.
type DumpEdge struct {
	Type  RelType `json:"type"`
	From  string  `json:"from"`
	To    string  `json:"to"`
	Props Props   `json:"props,omitempty"`
}

// Write returns the idempotent write that loads the dump into a store:
// nodes upserted, edges linked, archived nodes archived.
func (d *Dump) Write(actor string) Write {
	w := Write{Actor: actor, Nodes: make([]NodeWrite, 0, len(d.Nodes)), Link: make([]Edge, 0, len(d.Edges))}
	for _, n := range d.Nodes {
		w.Nodes = append(w.Nodes, NodeWrite{Mode: Upsert, ID: n.ID, Label: n.Label, Props: n.Props})
		if n.Archived {
			w.Archive = append(w.Archive, n.ID)
		}
	}
	for _, e := range d.Edges {
		w.Link = append(w.Link, Edge(e))
	}
	return w
}
