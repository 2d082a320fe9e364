package server

import (
	"context"
	"net/http"

	"github.com/99designs/gqlgen/complexity"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
)

func init() {
	// Refused queries are protocol errors: 422 (400 for
	// application/graphql-response+json), like parse and validation errors.
	for _, c := range []string{CodeQueryTooDeep, CodeQueryTooComplex, CodeTooManyAliases,
		CodeTooManyOperations, CodeIntrospectionOff, CodeMethodNotAllowed} {
		errcode.RegisterErrorType(c, errcode.KindProtocol)
	}
}

func withMethod(ctx context.Context, method string) context.Context {
	return context.WithValue(ctx, methodKey{}, method)
}

// limits is the gqlgen extension that refuses queries over the limits before
// they run.
//
// The structural limits (operations, depth, aliases, duplicate fields, a
// lower bound of the complexity, introspection) are checked on the parsed
// document in MutateOperationParameters, that is before gqlparser validates
// it: validation is superlinear in some shapes, so a query too large to run
// must not be validated either. Fragments are followed with memoisation and
// an in-progress set, so cyclic fragments cannot loop (validation rejects
// them afterwards) and fragment "bombs" cost linear time. Documents that pass
// are remembered, so a repeated query is parsed here only once.
//
// The exact complexity needs the validated document (field definitions) and
// the variables; it is checked in MutateOperationContext, after validation
// and before execution, with gqlgen's complexity walker over costSchema.
type limits struct {
	maxDepth, maxComplexity, maxAliases, maxOps int
	introspection                               bool
	passed                                      graphql.Cache[struct{}]
	cost                                        graphql.ExecutableSchema
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
} = (*limits)(nil)

func newLimits(o Options) *limits {
	return &limits{
		maxDepth:      o.MaxDepth,
		maxComplexity: o.MaxComplexity,
		maxAliases:    o.MaxAliases,
		maxOps:        o.MaxOperations,
		introspection: o.Introspection,
		passed:        lru.New[struct{}](1000),
	}
}

func (l *limits) ExtensionName() string { return "GovhubLimits" }

func (l *limits) Validate(es graphql.ExecutableSchema) error {
	l.cost = costSchema{ExecutableSchema: es}
	return nil
}

func limitError(code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.Errorf(format, args...)
	errcode.Set(err, code)
	return err
}

// MutateOperationParameters checks the structure of the document before
// validation.
func (l *limits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	if _, ok := l.passed.Get(ctx, p.Query); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, MaxTokens)
	if err != nil {
		return nil // gqlgen parses again and reports the error
	}
	if gerr := l.checkDocument(doc); gerr != nil {
		return gerr
	}
	l.passed.Add(ctx, p.Query, struct{}{})
	return nil
}

func (l *limits) checkDocument(doc *ast.QueryDocument) *gqlerror.Error {
	if l.maxOps >= 0 && len(doc.Operations) > l.maxOps {
		return limitError(CodeTooManyOperations,
			"the document has %d operations, more than the limit of %d", len(doc.Operations), l.maxOps)
	}
	w := newDocWalker(doc)
	if w.validationWork(doc) > MaxValidationWork {
		return limitError(CodeQueryTooComplex,
			"the document would take more than %d steps to validate: use fewer or smaller fragments and arguments",
			MaxValidationWork)
	}
	for _, op := range doc.Operations {
		st := w.selectionSet(op.SelectionSet)
		if !l.introspection && st.introspection {
			return limitError(CodeIntrospectionOff, "introspection is disabled on this server")
		}
		if l.maxDepth >= 0 && st.depth > l.maxDepth {
			return limitError(CodeQueryTooDeep,
				"the operation is nested %d levels deep, more than the limit of %d", st.depth, l.maxDepth)
		}
		if l.maxAliases >= 0 && st.aliases > l.maxAliases {
			return limitError(CodeTooManyAliases,
				"the operation has %d aliased fields, more than the limit of %d", st.aliases, l.maxAliases)
		}
		if l.maxComplexity >= 0 && st.fields > l.maxComplexity {
			return limitError(CodeQueryTooComplex,
				"the operation selects at least %d fields, more than the complexity limit of %d", st.fields, l.maxComplexity)
		}
	}
	// Fragments are validated even when no operation spreads them (and
	// however often a name is defined): check them all.
	for _, f := range doc.Fragments {
		st := w.selectionSet(f.SelectionSet)
		if l.maxComplexity >= 0 && st.fields > l.maxComplexity {
			return limitError(CodeQueryTooComplex,
				"the fragment %s selects at least %d fields, more than the complexity limit of %d", f.Name, st.fields, l.maxComplexity)
		}
		if w.dupName != "" {
			break
		}
	}
	if w.dupName != "" {
		return limitError(CodeQueryTooComplex,
			"the field %q is selected %d times in one selection set, more than the limit of %d",
			w.dupName, w.dupCount, MaxDuplicateFields)
	}
	return nil
}

// MutateOperationContext checks the complexity of the validated operation,
// and that GET requests only run queries.
func (l *limits) MutateOperationContext(ctx context.Context, opCtx *graphql.OperationContext) *gqlerror.Error {
	op := opCtx.Operation
	if op == nil {
		return nil
	}
	if m, _ := ctx.Value(methodKey{}).(string); m == http.MethodGet && op.Operation != ast.Query {
		return limitError(CodeMethodNotAllowed, "GET requests only run queries: send %ss with POST", op.Operation)
	}
	if l.maxComplexity < 0 {
		return nil
	}
	c := complexity.Calculate(ctx, l.cost, op, opCtx.Variables)
	if c > l.maxComplexity {
		return limitError(CodeQueryTooComplex,
			"the operation has complexity %d, more than the limit of %d", c, l.maxComplexity)
	}
	return nil
}

// stats are what a selection set adds up to, fragments expanded.
type stats struct {
	depth         int  // levels of fields
	aliases       int  // aliased fields
	fields        int  // fields, a lower bound of the complexity
	introspection bool // selects __schema or __type
}

const saturated = 1 << 30

func satAdd(a, b int) int {
	if a+b > saturated {
		return saturated
	}
	return a + b
}

// docWalker computes stats over a parsed, not yet validated, document.
type docWalker struct {
	frags    map[string]*ast.FragmentDefinition
	memo     map[string]stats
	names    map[string]map[string]int // response names a fragment contributes to a selection set
	visiting map[string]bool
	dupName  string // a response name selected more than MaxDuplicateFields times
	dupCount int
}

func newDocWalker(doc *ast.QueryDocument) *docWalker {
	w := &docWalker{
		frags:    make(map[string]*ast.FragmentDefinition, len(doc.Fragments)),
		memo:     map[string]stats{},
		names:    map[string]map[string]int{},
		visiting: map[string]bool{},
	}
	for _, f := range doc.Fragments {
		if _, dup := w.frags[f.Name]; !dup {
			w.frags[f.Name] = f
		}
	}
	return w
}

func (w *docWalker) selectionSet(set ast.SelectionSet) stats {
	var st stats
	merge := func(c stats) {
		st.depth = max(st.depth, c.depth)
		st.aliases = satAdd(st.aliases, c.aliases)
		st.fields = satAdd(st.fields, c.fields)
		st.introspection = st.introspection || c.introspection
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			c := w.selectionSet(s.SelectionSet)
			if s.Name == "__schema" || s.Name == "__type" {
				// The introspection subtree is bounded by gqlparser's
				// MaxIntrospectionDepth rule and runs in memory: its depth
				// and fields do not count (gqlgen's complexity skips
				// __schema too); its aliases and duplicates do.
				c = stats{aliases: c.aliases, introspection: true}
			} else {
				c.depth++
				c.fields = satAdd(c.fields, 1)
			}
			if s.Alias != "" && s.Alias != s.Name {
				c.aliases = satAdd(c.aliases, 1)
			}
			merge(c)
		case *ast.InlineFragment:
			merge(w.selectionSet(s.SelectionSet))
		case *ast.FragmentSpread:
			merge(w.fragment(s.Name))
		}
	}
	if w.dupName == "" {
		counts := map[string]int{}
		w.responseNames(set, counts, map[string]bool{})
		for name, n := range counts {
			if n > MaxDuplicateFields {
				w.dupName, w.dupCount = name, n
				break
			}
		}
	}
	return st
}

// fragment returns the stats of a named fragment, once per fragment; a
// fragment that spreads itself, directly or not, counts as empty there.
func (w *docWalker) fragment(name string) stats {
	if st, ok := w.memo[name]; ok {
		return st
	}
	f, ok := w.frags[name]
	if !ok || w.visiting[name] {
		return stats{}
	}
	w.visiting[name] = true
	st := w.selectionSet(f.SelectionSet)
	delete(w.visiting, name)
	w.memo[name] = st
	return st
}

// responseNames adds to counts how many fields of each response name the
// selection set holds at its own level, through inline fragments and each
// distinct fragment spread once: the fields gqlparser compares pairwise.
func (w *docWalker) responseNames(set ast.SelectionSet, counts map[string]int, seen map[string]bool) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			name := s.Alias
			if name == "" {
				name = s.Name
			}
			counts[name]++
		case *ast.InlineFragment:
			w.responseNames(s.SelectionSet, counts, seen)
		case *ast.FragmentSpread:
			if seen[s.Name] {
				continue
			}
			seen[s.Name] = true
			for n, c := range w.fragmentNames(s.Name) {
				counts[n] = satAdd(counts[n], c)
			}
		}
	}
}

// fragmentNames returns the response names a fragment contributes, memoised.
func (w *docWalker) fragmentNames(name string) map[string]int {
	if m, ok := w.names[name]; ok {
		return m
	}
	f, ok := w.frags[name]
	if !ok {
		return nil
	}
	w.names[name] = nil // a cycle contributes nothing more
	m := map[string]int{}
	w.responseNames(f.SelectionSet, m, map[string]bool{name: true})
	w.names[name] = m
	return m
}

// validationWork estimates the steps gqlparser's validator takes over doc,
// stopping once over MaxValidationWork. The validator walks every operation
// and every fragment definition afresh, each time entering every fragment
// reachable from it once: a chain of n fragments spreading one another costs
// n²/2 (2,000 of them take over a second). Each walk costs the AST nodes of
// its root and of the fragments it reaches (selections, arguments and their
// values, directives) plus one per spread.
func (w *docWalker) validationWork(doc *ast.QueryDocument) int {
	own := map[string]ownNodes{}
	ownOf := func(name string) (ownNodes, bool) {
		if o, ok := own[name]; ok {
			return o, true
		}
		f, ok := w.frags[name]
		if !ok {
			return ownNodes{}, false
		}
		o := ownNodes{}
		o.selectionSet(f.SelectionSet)
		o.directives(f.Directives)
		own[name] = o
		return o, true
	}
	total := 0
	walk := func(root ownNodes) bool {
		total = satAdd(total, root.nodes)
		visited := map[string]bool{}
		stack := append([]string(nil), root.spreads...)
		for len(stack) > 0 && total <= MaxValidationWork {
			name := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			total++
			if visited[name] {
				continue
			}
			visited[name] = true
			if o, ok := ownOf(name); ok {
				total = satAdd(total, o.nodes)
				stack = append(stack, o.spreads...)
			}
		}
		return total <= MaxValidationWork
	}
	for _, op := range doc.Operations {
		o := ownNodes{nodes: len(op.VariableDefinitions)}
		for _, v := range op.VariableDefinitions {
			o.value(v.DefaultValue)
			o.directives(v.Directives)
		}
		o.directives(op.Directives)
		o.selectionSet(op.SelectionSet)
		if !walk(o) {
			return total
		}
	}
	for _, f := range doc.Fragments {
		o := ownNodes{}
		o.selectionSet(f.SelectionSet)
		o.directives(f.Directives)
		if !walk(o) {
			return total
		}
	}
	return total
}

// ownNodes counts the AST nodes of a selection set, not entering the
// fragments it spreads, and lists those.
type ownNodes struct {
	nodes   int
	spreads []string
}

func (o *ownNodes) selectionSet(set ast.SelectionSet) {
	for _, sel := range set {
		o.nodes++
		switch s := sel.(type) {
		case *ast.Field:
			for _, a := range s.Arguments {
				o.value(a.Value)
			}
			o.directives(s.Directives)
			o.selectionSet(s.SelectionSet)
		case *ast.InlineFragment:
			o.directives(s.Directives)
			o.selectionSet(s.SelectionSet)
		case *ast.FragmentSpread:
			o.directives(s.Directives)
			o.spreads = append(o.spreads, s.Name)
		}
	}
}

func (o *ownNodes) directives(ds ast.DirectiveList) {
	for _, d := range ds {
		o.nodes++
		for _, a := range d.Arguments {
			o.value(a.Value)
		}
	}
}

func (o *ownNodes) value(v *ast.Value) {
	if v == nil {
		return
	}
	o.nodes++
	for _, c := range v.Children {
		o.value(c.Value)
	}
}
