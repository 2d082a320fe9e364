// Package embedded is the default graph.Store: pure Go, durable in one file
// (hub.db) in a data directory, kept by go.etcd.io/bbolt.
//
// The whole graph is held in memory and written through to bbolt. Reads never
// wait for the disk: they take a read lock on the memory. A Write is planned
// with graph.PlanWrite against the memory, committed (and fsynced) in one bbolt
// transaction together with its audit trail, and only then applied to the
// memory, so an acknowledged write is durable and a failed write changes
// neither the file nor the memory. Writes are serialised; readers are never
// blocked by a commit in progress, only by the brief moment its result is
// applied to the memory. Lists walk a per-label order kept until a write
// changes it, and the full result of recent list queries is kept until the
// next write, so counting or paging through a large list again is cheap.
//
// The file holds four buckets:
//
//	nodes    id -> JSON node (label, props, createdAt, updatedAt, archived)
//	edges    from \x00 type \x00 to -> JSON props
//	changes  nodeID \x00 big-endian seq -> JSON change (a node's history is a prefix scan)
//	meta     "format" -> format version, "seq" -> last change Seq (big-endian)
package embedded

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	bolt "go.etcd.io/bbolt"
	bolterrors "go.etcd.io/bbolt/errors"

	"govhub/graph"
)

// FileName is the name of the database file inside the data directory.
const FileName = "hub.db"

// FormatVersion is the version of the file layout this code reads and writes.
const FormatVersion = 1

// initialMmapSize is the address space mapped for the file when it opens.
const initialMmapSize = 16 << 20

// DefaultOpenTimeout is how long Open waits for another process to release the data directory.
const DefaultOpenTimeout = 2 * time.Second

var (
	bucketNodes   = []byte("nodes")
	bucketEdges   = []byte("edges")
	bucketChanges = []byte("changes")
	bucketMeta    = []byte("meta")
	keyFormat     = []byte("format")
	keySeq        = []byte("seq")
)

// ErrInUse is matched (with errors.Is) by the error Open returns when another
// process holds the data directory.
var ErrInUse = errors.New("data directory is in use by another hub process")

// InUseError is returned by Open when another process holds the data directory.
type InUseError struct{ Dir string }

func (e *InUseError) Error() string {
	return fmt.Sprintf("data directory %s is in use by another hub process", e.Dir)
}

// Is makes errors.Is(err, ErrInUse) true.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// errClosed is returned by every operation after Close.
var errClosed = graph.Errorf(graph.CodeUnavailable, "the embedded store is closed")

// Option configures Open.
type Option func(*options)

type options struct {
	timeout time.Duration
	now     func() time.Time
}

// WithOpenTimeout sets how long Open waits for the lock on the data directory
// (DefaultOpenTimeout when not set). It must be positive.
func WithOpenTimeout(d time.Duration) Option {
	return func(o *options) {
		if d > 0 {
			o.timeout = d
		}
	}
}

// WithClock sets the clock that stamps writes (time.Now when not set).
func WithClock(now func() time.Time) Option {
	return func(o *options) {
		if now != nil {
			o.now = now
		}
	}
}

// Store is the embedded graph.Store. It is safe for concurrent use.
type Store struct {
	dir string
	db  *bolt.DB
	now func() time.Time

	// writeMu serialises writers: a writer plans against the memory and commits
	// to bbolt while holding only writeMu, so readers go on meanwhile.
	writeMu sync.Mutex
	// mu guards the memory below: readers hold it shared, a writer holds it
	// exclusively only to apply a committed plan.
	mu     sync.RWMutex
	closed bool
	seq    int64 // the last change Seq committed
	nodes  map[string]*graph.Node
	out    adjacency // from -> type -> to -> props
	in     adjacency // to -> type -> from -> props (the same Props as out)
	labels map[graph.Label]*labelIndex
	gen    uint64    // counts the writes applied to the memory
	cache  listCache // results of recent lists, valid in generation gen
}

// adjacency maps a node id to its edges of each type, by the id at the other end.
type adjacency map[string]map[graph.RelType]map[string]graph.Props

func (a adjacency) put(x string, t graph.RelType, y string, p graph.Props) {
	byType := a[x]
	if byType == nil {
		byType = map[graph.RelType]map[string]graph.Props{}
		a[x] = byType
	}
	ends := byType[t]
	if ends == nil {
		ends = map[string]graph.Props{}
		byType[t] = ends
	}
	ends[y] = p
}

func (a adjacency) remove(x string, t graph.RelType, y string) {
	byType := a[x]
	ends := byType[t]
	delete(ends, y)
	if len(ends) == 0 {
		delete(byType, t)
	}
	if len(byType) == 0 {
		delete(a, x)
	}
}

// labelIndex holds the nodes of one label and, lazily, their list order.
// Node pointers are stable (updates replace the pointed-to value under the
// exclusive lock), so the order stays valid until a node is added or its
// sort value changes.
type labelIndex struct {
	nodes map[string]*graph.Node

	mu     sync.Mutex    // guards sorted: readers build it under the shared lock
	sorted []*graph.Node // nil when it must be rebuilt
}

// order returns the nodes of the label in list order. The caller holds s.mu
// (shared or exclusive); the returned slice is never modified afterwards.
func (li *labelIndex) order() []*graph.Node {
	li.mu.Lock()
	defer li.mu.Unlock()
	if li.sorted == nil {
		sorted := make([]*graph.Node, 0, len(li.nodes))
		for _, n := range li.nodes {
			sorted = append(sorted, n)
		}
		sortNodePtrs(sorted)
		li.sorted = sorted
	}
	return li.sorted
}

func (li *labelIndex) invalidate() {
	li.mu.Lock()
	li.sorted = nil
	li.mu.Unlock()
}

// sortNodePtrs orders nodes as lists do (graph.Less), computing each sort value once.
func sortNodePtrs(ns []*graph.Node) {
	type keyed struct {
		sort string
		n    *graph.Node
	}
	ks := make([]keyed, len(ns))
	for i, n := range ns {
		ks[i] = keyed{graph.SortValue(*n), n}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if c := strings.Compare(a.sort, b.sort); c != 0 {
			return c
		}
		return strings.Compare(a.n.ID, b.n.ID)
	})
	for i := range ks {
		ns[i] = ks[i].n
	}
}

// Open opens (creating it if needed) the store in dir, which is created if it
// does not exist. Only one process at a time may open a data directory: Open
// waits up to the open timeout and then fails with an *InUseError.
func Open(dir string, opts ...Option) (*Store, error) {
	o := options{timeout: DefaultOpenTimeout, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if dir == "" {
		return nil, errors.New("embedded store: no data directory given")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("embedded store: create data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	// The initial mapping spares large writes repeated remaps of a growing
	// file; it makes a new file 16 MiB, which the territories alone fill.
	bo := &bolt.Options{Timeout: o.timeout, FreelistType: bolt.FreelistMapType, InitialMmapSize: initialMmapSize}
	db, err := bolt.Open(path, 0o600, bo)
	if err != nil {
		if errors.Is(err, bolterrors.ErrTimeout) {
			return nil, &InUseError{Dir: dir}
		}
		return nil, fmt.Errorf("embedded store: open %s: %w", path, err)
	}
	s := &Store{
		dir:    dir,
		db:     db,
		now:    o.now,
		nodes:  map[string]*graph.Node{},
		out:    adjacency{},
		in:     adjacency{},
		labels: map[graph.Label]*labelIndex{},
	}
	if err := s.init(); err != nil {
		db.Close()
		return nil, fmt.Errorf("embedded store: %s: %w", path, err)
	}
	if err := s.load(); err != nil {
		db.Close()
		return nil, fmt.Errorf("embedded store: load %s: %w", path, err)
	}
	return s, nil
}

// Dir returns the data directory of the store.
func (s *Store) Dir() string { return s.dir }

// init creates the buckets of a new file and checks the format of an existing one.
func (s *Store) init() error {
	return s.db.Update(func(tx *bolt.Tx) error {
		meta := tx.Bucket(bucketMeta)
		if meta == nil {
			for _, name := range [][]byte{bucketNodes, bucketEdges, bucketChanges, bucketMeta} {
				if _, err := tx.CreateBucketIfNotExists(name); err != nil {
					return err
				}
			}
			meta = tx.Bucket(bucketMeta)
			if err := meta.Put(keyFormat, fmt.Appendf(nil, "%d", FormatVersion)); err != nil {
				return err
			}
			return meta.Put(keySeq, seqBytes(0))
		}
		if v := string(meta.Get(keyFormat)); v != fmt.Sprint(FormatVersion) {
			return fmt.Errorf("unsupported file format %q (this hub reads format %d)", v, FormatVersion)
		}
		for _, name := range [][]byte{bucketNodes, bucketEdges, bucketChanges} {
			if tx.Bucket(name) == nil {
				return fmt.Errorf("bucket %s is missing", name)
			}
		}
		return nil
	})
}

// storedNode is the JSON form of a node in the nodes bucket.
type storedNode struct {
	Label     graph.Label `json:"label"`
	Props     graph.Props `json:"props"`
	CreatedAt time.Time   `json:"createdAt"`
	UpdatedAt time.Time   `json:"updatedAt"`
	Archived  bool        `json:"archived,omitempty"`
}

// storedChange is the JSON form of a change in the changes bucket.
type storedChange struct {
	Seq    int64          `json:"seq"`
	At     time.Time      `json:"at"`
	Actor  string         `json:"actor,omitempty"`
	Op     graph.ChangeOp `json:"op"`
	Fields []string       `json:"fields,omitempty"`
}

func decodeJSON(b []byte, v any) error {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	return d.Decode(v)
}

// load reads the whole graph into memory.
func (s *Store) load() error {
	return s.db.View(func(tx *bolt.Tx) error {
		s.seq = seqOf(tx.Bucket(bucketMeta).Get(keySeq))
		err := tx.Bucket(bucketNodes).ForEach(func(k, v []byte) error {
			var sn storedNode
			if err := decodeJSON(v, &sn); err != nil {
				return fmt.Errorf("node %q: %w", k, err)
			}
			n := &graph.Node{
				ID:        string(k),
				Label:     sn.Label,
				Props:     graph.CanonicalNodeProps(sn.Label, sn.Props),
				CreatedAt: sn.CreatedAt,
				UpdatedAt: sn.UpdatedAt,
				Archived:  sn.Archived,
			}
			if n.Props == nil {
				n.Props = graph.Props{}
			}
			s.nodes[n.ID] = n
			s.index(n.Label).nodes[n.ID] = n
			return nil
		})
		if err != nil {
			return err
		}
		return tx.Bucket(bucketEdges).ForEach(func(k, v []byte) error {
			key, ok := parseEdgeKey(k)
			if !ok {
				return fmt.Errorf("malformed edge key %q", k)
			}
			var p graph.Props
			if err := decodeJSON(v, &p); err != nil {
				return fmt.Errorf("edge %q: %w", key.ID(), err)
			}
			p = graph.CanonicalEdgeProps(key.Type, p)
			if p == nil {
				p = graph.Props{}
			}
			s.out.put(key.From, key.Type, key.To, p)
			s.in.put(key.To, key.Type, key.From, p)
			return nil
		})
	})
}

func (s *Store) index(l graph.Label) *labelIndex {
	li := s.labels[l]
	if li == nil {
		li = &labelIndex{nodes: map[string]*graph.Node{}}
		s.labels[l] = li
	}
	return li
}

func edgeKey(k graph.EdgeKey) []byte {
	b := make([]byte, 0, len(k.From)+len(k.Type)+len(k.To)+2)
	b = append(b, k.From...)
	b = append(b, 0)
	b = append(b, k.Type...)
	b = append(b, 0)
	return append(b, k.To...)
}

func parseEdgeKey(b []byte) (graph.EdgeKey, bool) {
	parts := strings.Split(string(b), "\x00")
	if len(parts) != 3 {
		return graph.EdgeKey{}, false
	}
	return graph.EdgeKey{From: parts[0], Type: graph.RelType(parts[1]), To: parts[2]}, true
}

func changeKey(nodeID string, seq int64) []byte {
	b := make([]byte, 0, len(nodeID)+9)
	b = append(b, nodeID...)
	b = append(b, 0)
	return binary.BigEndian.AppendUint64(b, uint64(seq))
}

func seqBytes(seq int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(seq)) }

func seqOf(b []byte) int64 {
	if len(b) != 8 {
		return 0
	}
	return int64(binary.BigEndian.Uint64(b))
}

// Ping reports whether the store is open.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if s.closed {
		return errClosed
	}
	return nil
}

// Close closes the file. Operations after Close fail; closing twice is not an error.
func (s *Store) Close(ctx context.Context) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return nil
	}
	s.closed = true
	s.nodes, s.out, s.in, s.labels = nil, nil, nil, nil
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("embedded store: close: %w", err)
	}
	return nil
}

// cloneProps returns a deep copy of props (lists are copied), never nil.
func cloneProps(p graph.Props) graph.Props {
	out := make(graph.Props, len(p))
	for k, v := range p {
		if l, ok := v.([]string); ok {
			v = slices.Clone(l)
		}
		out[k] = v
	}
	return out
}

func cloneNode(n *graph.Node) graph.Node {
	c := *n
	c.Props = cloneProps(n.Props)
	return c
}

var _ graph.Store = (*Store)(nil)
