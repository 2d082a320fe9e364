package neo4j

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	nd "github.com/neo4j/neo4j-go-driver/v5/neo4j"

	"govhub/graph"
)

// sequenceName names the :Sequence node that serialises writers and numbers changes.
const sequenceName = "change"

// A migration is one numbered step of the database schema. Schema statements
// run one per transaction (Neo4j does not mix schema and data changes in one
// transaction) and are idempotent (IF NOT EXISTS), so that a migration
// interrupted half-way, or run by two processes at once, can run again. Data
// statements run in the transaction that records the migration.
//
// Migrations are never edited once released: what they create is spelled out
// in them (labels and properties as they were), not derived from the current
// graph/schema.go. A new label, a new lookup path or a change of a label's
// SortBy or Search is a new migration with the next version; TestMigrate
// fails while a label of the schema lacks its constraint or indexes. A
// change of SortBy or Search also needs the derived properties (derived.go)
// of the existing nodes rewritten.
type migration struct {
	version int64
	name    string
	schema  []string
	data    []string
}

// migrations lists every migration in version order.
var migrations = []migration{
	{version: 1, name: "uniqueness constraints", schema: uniqueConstraints(v1Labels)},
	{version: 2, name: "lookup indexes", schema: slices.Concat(
		rangeIndexes(v1Lookups),
		rangeIndexes(sortKeyIndexes(v1Labels)),
		textIndexes(v1Labels, propSearchText),
	)},
	{version: 3, name: "change sequence", data: []string{
		`MERGE (s:Sequence {name: 'change'}) ON CREATE SET s.value = 0`,
	}},
}

// v1Labels are the labels of the first schema.
var v1Labels = []graph.Label{graph.Network, graph.Organization, graph.Service, graph.Memorandum, graph.GovernanceBody,
	graph.Territory, graph.Action, graph.Indicator, graph.Measurement, graph.Person}

// lookup is a (label, property) pair a range index serves.
type lookup struct{ label, prop string }

// v1Lookups are the lookup paths of the first schema: each label's SortBy
// property and the properties lists filter on most.
var v1Lookups = []lookup{
	{"Network", "name"}, {"Organization", "name"}, {"Service", "name"}, {"Memorandum", "name"},
	{"GovernanceBody", "name"}, {"Territory", "name"}, {"Action", "name"}, {"Indicator", "name"},
	{"Measurement", "date"}, {"Person", "name"},
	{"Territory", "code"}, {"Territory", "level"}, {"Organization", "kind"}, {"Service", "category"},
	{"Action", "status"}, {"Action", "plannedEnd"}, {"GovernanceBody", "level"},
	{"Change", "nodeId"}, {"Change", "seq"},
}

func uniqueConstraints(labels []graph.Label) []string {
	stmts := []string{
		`CREATE CONSTRAINT node_id IF NOT EXISTS FOR (n:Node) REQUIRE n.id IS UNIQUE`,
		`CREATE CONSTRAINT sequence_name IF NOT EXISTS FOR (s:Sequence) REQUIRE s.name IS UNIQUE`,
		`CREATE CONSTRAINT migration_version IF NOT EXISTS FOR (m:Migration) REQUIRE m.version IS UNIQUE`,
	}
	for _, l := range labels {
		stmts = append(stmts, fmt.Sprintf(`CREATE CONSTRAINT %s_id IF NOT EXISTS FOR (n:%s) REQUIRE n.id IS UNIQUE`,
			snake(string(l)), cypherLabel(l)))
	}
	return stmts
}

func sortKeyIndexes(labels []graph.Label) []lookup {
	out := make([]lookup, len(labels))
	for i, l := range labels {
		out[i] = lookup{cypherLabel(l), propSortKey}
	}
	return out
}

// rangeIndexes creates range indexes. Index statements cannot take
// parameters: the names come from the fixed tables above.
func rangeIndexes(list []lookup) []string {
	stmts := make([]string, 0, len(list))
	for _, x := range list {
		if x.label != "Change" {
			cypherLabel(graph.Label(x.label)) // panics on a label not in the schema
		}
		stmts = append(stmts, fmt.Sprintf("CREATE RANGE INDEX %s_%s IF NOT EXISTS FOR (n:%s) ON (n.%s)",
			snake(x.label), snake(x.prop), x.label, x.prop))
	}
	return stmts
}

// textIndexes creates text indexes, which serve CONTAINS.
func textIndexes(labels []graph.Label, prop string) []string {
	stmts := make([]string, 0, len(labels))
	for _, l := range labels {
		stmts = append(stmts, fmt.Sprintf("CREATE TEXT INDEX %s_%s IF NOT EXISTS FOR (n:%s) ON (n.%s)",
			snake(string(l)), snake(prop), cypherLabel(l), prop))
	}
	return stmts
}

// snake turns a label or property name into a part of a constraint or index name.
func snake(s string) string {
	var b strings.Builder
	for i, r := range s {
		if unicode.IsUpper(r) {
			if i > 0 {
				b.WriteByte('_')
			}
			r = unicode.ToLower(r)
		}
		b.WriteRune(r)
	}
	return b.String()
}

// cypherLabel formats a label into Cypher text; only labels of graph/schema.go
// (and the store's own fixed labels) may be formatted in.
func cypherLabel(l graph.Label) string {
	if graph.TypeOf(l) == nil {
		panic(fmt.Sprintf("neo4j: label %q is not in the schema", l))
	}
	return string(l)
}

// cypherRel formats a relationship type into Cypher text; only the types of
// graph/schema.go may be formatted in.
func cypherRel(t graph.RelType) string {
	if graph.SpecOf(t) == nil {
		panic(fmt.Sprintf("neo4j: relationship type %q is not in the schema", t))
	}
	return string(t)
}

// Migrate applies, in version order, the migrations the database has not
// recorded yet, and returns the names of those it applied ("3 change
// sequence"). Running it again applies nothing; two processes running it at
// once both end with the full schema.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	done, err := readTx(ctx, s, "migrate", func(ctx context.Context, tx nd.ManagedTransaction) (map[int64]bool, error) {
		recs, err := collect(ctx, tx, `MATCH (m:Migration) RETURN m.version AS version`, nil)
		if err != nil {
			return nil, err
		}
		done := map[int64]bool{}
		for _, r := range recs {
			done[asInt(r.Values[0])] = true
		}
		return done, nil
	})
	if err != nil {
		return nil, err
	}
	var applied []string
	indexes := false
	for _, m := range migrations {
		if done[m.version] {
			continue
		}
		for _, stmt := range m.schema {
			_, err := writeTx(ctx, s, "migrate", func(ctx context.Context, tx nd.ManagedTransaction) (struct{}, error) {
				_, err := collect(ctx, tx, stmt, nil)
				return struct{}{}, err
			})
			if err != nil && !schemaExists(err) {
				return applied, fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
			}
			indexes = true
		}
		at := time.Now().UTC()
		mine, err := writeTx(ctx, s, "migrate", func(ctx context.Context, tx nd.ManagedTransaction) (bool, error) {
			for _, stmt := range m.data {
				if _, err := collect(ctx, tx, stmt, nil); err != nil {
					return false, err
				}
			}
			rec, err := single(ctx, tx, `
				MERGE (m:Migration {version: $version})
				ON CREATE SET m.name = $name, m.appliedAt = $at
				RETURN m.appliedAt = $at AS mine`,
				map[string]any{"version": m.version, "name": m.name, "at": at})
			if err != nil {
				return false, err
			}
			mine, _ := rec.Values[0].(bool)
			return mine, nil
		})
		if err != nil {
			return applied, fmt.Errorf("migration %d (%s): %w", m.version, m.name, err)
		}
		if mine {
			applied = append(applied, fmt.Sprintf("%d %s", m.version, m.name))
		}
	}
	if indexes {
		// New indexes fill in the background; wait so that the first
		// queries after a migration already use them.
		_, err := readTx(ctx, s, "migrate", func(ctx context.Context, tx nd.ManagedTransaction) (struct{}, error) {
			_, err := collect(ctx, tx, `CALL db.awaitIndexes(300)`, nil)
			return struct{}{}, err
		})
		if err != nil {
			return applied, fmt.Errorf("waiting for indexes: %w", err)
		}
	}
	return applied, nil
}

// schemaExists reports whether err says that an equivalent constraint or
// index exists already, which happens when another process creates it at the
// same moment: the migration's goal is reached.
func schemaExists(err error) bool {
	var ne *nd.Neo4jError
	if !errors.As(err, &ne) {
		return false
	}
	return slices.Contains([]string{
		"Neo.ClientError.Schema.EquivalentSchemaRuleAlreadyExists",
		"Neo.ClientError.Schema.ConstraintAlreadyExists",
		"Neo.ClientError.Schema.IndexAlreadyExists",
	}, ne.Code)
}
