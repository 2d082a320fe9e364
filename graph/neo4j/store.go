// Package neo4j is the production graph.Store, over a Neo4j 5 server and the
// official Go driver (neo4j-go-driver v5). All the Cypher of the hub lives here,
// together with the versioned schema migrations.
//
// Every statement runs in a managed transaction (ExecuteRead / ExecuteWrite), so
// the driver retries transient failures, and every value reaches the server as
// a parameter. Labels and relationship types are the only names formatted into
// queries, and only after they have been checked against the fixed sets of
// graph/schema.go (cypherLabel, cypherRel); property keys are parameters, read
// with n[$key]. Besides them only numbers the code checked (the depth of a
// subgraph) and, in migrations, index names and properties from fixed tables
// are formatted in.
//
// Nodes carry the label :Node and their own label (:Node:Organization), their
// properties as plain node properties, plus id, createdAt and updatedAt
// (datetime), archived (bool), and two properties derived in Go, sortKey and
// searchText, that make list order and free-text search exactly those of Go
// (see derived.go). Edge properties are plain relationship properties. The
// audit trail is a set of :Change {seq, at, actor, op, nodeId, fields} nodes.
// Writers are serialised by the :Sequence {name:'change'} node, which also
// hands out the sequence numbers of changes. Applied migrations are recorded as
// :Migration {version, name, appliedAt} nodes.
package neo4j

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	nd "github.com/neo4j/neo4j-go-driver/v5/neo4j"
	"github.com/neo4j/neo4j-go-driver/v5/neo4j/config"

	"govhub/graph"
)

// Config says how to reach Neo4j. User empty means no authentication;
// Database empty means the server's default database.
type Config struct {
	URI      string
	User     string
	Password string
	Database string
	// SkipMigrations leaves the schema as it is at Open (for `hub migrate`,
	// which applies them itself and reports what it applied).
	SkipMigrations bool
}

// Store is a graph.Store over Neo4j. It is safe for concurrent use.
type Store struct {
	driver nd.DriverWithContext
	db     string
	closed atomic.Bool
}

// errClosed is returned by every operation after Close.
var errClosed = graph.Errorf(graph.CodeUnavailable, "the neo4j store is closed")

// open returns errClosed after Close.
func (s *Store) open() error {
	if s.closed.Load() {
		return errClosed
	}
	return nil
}

var _ graph.Store = (*Store)(nil)

// batch is the number of rows sent to the server in one UNWIND statement.
const batch = 1000

// Open connects to Neo4j, checks that the server answers and applies the
// migrations that are missing.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if strings.TrimSpace(cfg.URI) == "" {
		return nil, errors.New("neo4j: no URI configured (set NEO4J_URI, e.g. bolt://127.0.0.1:7687)")
	}
	auth := nd.NoAuth()
	if cfg.User != "" {
		auth = nd.BasicAuth(cfg.User, cfg.Password, "")
	}
	driver, err := nd.NewDriverWithContext(cfg.URI, auth, func(c *config.Config) {
		c.MaxConnectionPoolSize = 50
		c.ConnectionAcquisitionTimeout = 30 * time.Second
		c.SocketConnectTimeout = 5 * time.Second
		c.MaxTransactionRetryTime = 15 * time.Second
		c.MaxConnectionLifetime = time.Hour
		c.ConnectionLivenessCheckTimeout = 5 * time.Minute
		c.TelemetryDisabled = true
	})
	if err != nil {
		return nil, fmt.Errorf("neo4j: invalid configuration for %s: %w", cfg.URI, err)
	}
	s := &Store{driver: driver, db: cfg.Database}
	vctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := driver.VerifyConnectivity(vctx); err != nil {
		_ = driver.Close(context.Background())
		return nil, fmt.Errorf("neo4j: cannot connect to %s: %w", cfg.URI, err)
	}
	if cfg.SkipMigrations {
		return s, nil
	}
	if _, err := s.Migrate(ctx); err != nil {
		_ = driver.Close(context.Background())
		return nil, fmt.Errorf("neo4j: migrating %s: %w", cfg.URI, err)
	}
	return s, nil
}

// Ping reports whether the server answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.open(); err != nil {
		return err
	}
	_, err := readTx(ctx, s, "ping", func(ctx context.Context, tx nd.ManagedTransaction) (struct{}, error) {
		_, err := collect(ctx, tx, "RETURN 1", nil)
		return struct{}{}, err
	})
	return err
}

// Close releases the driver and its connections.
func (s *Store) Close(ctx context.Context) error {
	if s.closed.Swap(true) {
		return nil
	}
	if err := s.driver.Close(ctx); err != nil {
		return fmt.Errorf("neo4j: close: %w", err)
	}
	return nil
}

// DeleteAll removes every node and relationship of the graph and the audit
// trail, in batches, and resets the change sequence. The schema (constraints,
// indexes, applied migrations) stays. It is meant for tests and for an
// explicit reset of a database.
func (s *Store) DeleteAll(ctx context.Context) error {
	if err := s.open(); err != nil {
		return err
	}
	for {
		n, err := writeTx(ctx, s, "delete all", func(ctx context.Context, tx nd.ManagedTransaction) (int64, error) {
			rec, err := single(ctx, tx, `
				MATCH (n) WHERE n:Node OR n:Change
				WITH n LIMIT $limit
				DETACH DELETE n
				RETURN count(*) AS deleted`, map[string]any{"limit": 10 * batch})
			if err != nil {
				return 0, err
			}
			return asInt(rec.Values[0]), nil
		})
		if err != nil {
			return err
		}
		if n == 0 {
			break
		}
	}
	_, err := writeTx(ctx, s, "delete all", func(ctx context.Context, tx nd.ManagedTransaction) (struct{}, error) {
		_, err := collect(ctx, tx, `MATCH (s:Sequence {name: $name}) SET s.value = 0`, map[string]any{"name": sequenceName})
		return struct{}{}, err
	})
	return err
}

// txFunc is the work of one managed transaction. It may run more than once
// when the driver retries a transient failure.
type txFunc[T any] func(ctx context.Context, tx nd.ManagedTransaction) (T, error)

func readTx[T any](ctx context.Context, s *Store, op string, fn txFunc[T]) (T, error) {
	return runTx(ctx, s, op, nd.AccessModeRead, fn)
}

func writeTx[T any](ctx context.Context, s *Store, op string, fn txFunc[T]) (T, error) {
	return runTx(ctx, s, op, nd.AccessModeWrite, fn)
}

// runTx runs fn in a managed transaction. A deadline of ctx becomes the
// server-side timeout of the transaction too, so that a query does not outlive
// its caller.
func runTx[T any](ctx context.Context, s *Store, op string, mode nd.AccessMode, fn txFunc[T]) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, fmt.Errorf("neo4j %s: %w", op, err)
	}
	var opts []func(*nd.TransactionConfig)
	if dl, ok := ctx.Deadline(); ok {
		left := time.Until(dl)
		if left < time.Millisecond {
			return zero, fmt.Errorf("neo4j %s: %w", op, context.DeadlineExceeded)
		}
		opts = append(opts, nd.WithTxTimeout(left))
	}
	sess := s.driver.NewSession(ctx, nd.SessionConfig{DatabaseName: s.db, AccessMode: mode})
	defer sess.Close(context.WithoutCancel(ctx))
	var out T
	work := func(tx nd.ManagedTransaction) (any, error) {
		v, err := fn(ctx, tx)
		if err != nil {
			return nil, err
		}
		out = v
		return nil, nil
	}
	var err error
	if mode == nd.AccessModeRead {
		_, err = sess.ExecuteRead(ctx, work, opts...)
	} else {
		_, err = sess.ExecuteWrite(ctx, work, opts...)
	}
	if err != nil {
		return zero, wrapErr(ctx, op, err)
	}
	return out, nil
}

// errRollback is returned from a transaction function to roll back a
// transaction that turned out to change nothing; it never reaches callers.
var errRollback = errors.New("neo4j: nothing to commit")

// wrapErr turns a driver error into the error callers see. graph errors pass
// unchanged; a constraint violation becomes a CONFLICT and an unreachable
// server UNAVAILABLE, as plain *graph.Error values with messages of their own
// (the driver's text is logged, never put in a graph.Error); a cancelled or
// expired context wraps the context's error; anything else is an internal
// error wrapped with context.
func wrapErr(ctx context.Context, op string, err error) error {
	var ge *graph.Error
	if errors.As(err, &ge) || errors.Is(err, errRollback) {
		return err
	}
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("neo4j %s: %w (%v)", op, cerr, err)
	}
	var ne *nd.Neo4jError
	if errors.As(err, &ne) {
		switch {
		case ne.Code == "Neo.ClientError.Schema.ConstraintValidationFailed":
			slog.WarnContext(ctx, "neo4j: constraint violation", "op", op, "err", err)
			return &graph.Error{Code: graph.CodeConflict, Message: "the change conflicts with data written at the same time; retry it"}
		case strings.HasPrefix(ne.Code, "Neo.ClientError.Transaction.TransactionTimedOut"):
			return fmt.Errorf("neo4j %s: %w (%w)", op, context.DeadlineExceeded, err)
		}
	}
	if nd.IsConnectivityError(err) || nd.IsTransactionExecutionLimit(err) {
		slog.WarnContext(ctx, "neo4j: server unavailable", "op", op, "err", err)
		return &graph.Error{Code: graph.CodeUnavailable, Message: "the graph database is unavailable"}
	}
	return fmt.Errorf("neo4j %s: %w", op, err)
}

// collect runs one statement and reads all its records.
func collect(ctx context.Context, tx nd.ManagedTransaction, cypher string, params map[string]any) ([]*nd.Record, error) {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Collect(ctx)
}

// single runs a statement that returns exactly one record.
func single(ctx context.Context, tx nd.ManagedTransaction, cypher string, params map[string]any) (*nd.Record, error) {
	res, err := tx.Run(ctx, cypher, params)
	if err != nil {
		return nil, err
	}
	return res.Single(ctx)
}

// chunks splits n items into [lo, hi) ranges of at most size.
func chunks(n, size int) [][2]int {
	var out [][2]int
	for lo := 0; lo < n; lo += size {
		out = append(out, [2]int{lo, min(lo+size, n)})
	}
	return out
}
