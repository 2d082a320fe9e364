// Package server wires the HTTP side of the hub: GraphQL over GET and POST,
// the GraphiQL page, health and readiness probes and the web client, behind
// the limits that keep a public GraphQL endpoint safe: CORS with an explicit
// allow-list, a request size limit, query depth, alias, operation and
// complexity limits, switchable introspection, per-client rate limiting and
// an error presenter that never shows internal errors.
package server

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/99designs/gqlgen/graphql/playground"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"

	"govhub/graph"
	"govhub/resolvers"
	"govhub/resolvers/generated"
)

// Defaults of the limits in Options.
const (
	DefaultMaxBodyBytes  = 1 << 20
	DefaultStoreTimeout  = 30 * time.Second
	DefaultMaxDepth      = 12
	DefaultMaxComplexity = 5000
	DefaultMaxAliases    = 30
	DefaultMaxOperations = 5
	// MaxTokens bounds the lexical tokens of a query document. It is not an
	// option: it only keeps the parser's and the validator's work bounded, well
	// above what any query within the other limits needs.
	MaxTokens = 20000
	// MaxValidationWork bounds the steps gqlparser's validator may take over a
	// document (see validationWork): about a tenth of a second.
	MaxValidationWork = 200000
	// MaxErrors bounds the errors of one response; the rest are summarised.
	MaxErrors = 50
	// MaxDuplicateFields bounds how often one response name may be selected in
	// one selection set (fragments included). gqlparser's
	// OverlappingFieldsCanBeMerged rule is quadratic in it: 4,000 copies of
	// `id` take over a second to validate.
	MaxDuplicateFields = 20
)

// Options configure the handler. The zero value of every field is safe:
// limits take their defaults, introspection and cross-origin access are off.
type Options struct {
	Store  graph.Store
	Logger *slog.Logger
	// WebClient, when set, is served under /app/.
	WebClient fs.FS
	// MaxBodyBytes bounds request bodies; 0 means DefaultMaxBodyBytes (1 MiB).
	// Larger bodies get 413 with code REQUEST_TOO_LARGE.
	MaxBodyBytes int64
	// StoreTimeout bounds each request's work, and so every store call made
	// for it; 0 means DefaultStoreTimeout (30 s).
	StoreTimeout time.Duration

	// CORSOrigins are the origins (scheme://host[:port], exact) allowed to call
	// /graphql from a browser. Empty means none: every cross-origin preflight
	// is refused. "*" allows any origin and only without CORSCredentials.
	CORSOrigins []string
	// CORSCredentials lets browsers send credentials (cookies, HTTP auth) with
	// cross-origin requests. Only with explicit CORSOrigins.
	CORSCredentials bool

	// MaxDepth bounds the nesting of fields in an operation, fragments
	// followed; 0 means DefaultMaxDepth (12), negative means no limit.
	MaxDepth int
	// MaxComplexity bounds the cost of an operation: 1 per field, a list
	// field's children multiplied by its `first` (50 when absent), `limit`,
	// the length of its list argument, or 10; 0 means DefaultMaxComplexity
	// (5000), negative means no limit.
	MaxComplexity int
	// MaxAliases bounds the aliased fields of an operation, counted once per
	// fragment spread; 0 means DefaultMaxAliases (30), negative means no limit.
	MaxAliases int
	// MaxOperations bounds the operations in one query document; 0 means
	// DefaultMaxOperations (5), negative means no limit. JSON array batches
	// are not supported at all.
	MaxOperations int
	// Introspection allows __schema and __type queries (GraphiQL needs them).
	// Off in the zero value: production leaves it off, development turns it on.
	Introspection bool

	// RateLimit is the sustained rate, in requests per second, allowed to each
	// client on /graphql; RateBurst is how many requests a client may make at
	// once. Either 0 turns rate limiting off. Refused requests get 429 with
	// Retry-After and code RATE_LIMITED.
	RateLimit float64
	RateBurst int
	// ClientKey names the client a request counts against. nil means the
	// remote IP address (proxy headers are not trusted).
	ClientKey func(*http.Request) string
	// Authenticate, when set, wraps the /graphql handler after CORS and before
	// rate limiting, typically to put the principal in the request context.
	Authenticate func(http.Handler) http.Handler

	// now is the clock of the rate limiter; nil means time.Now (tests set it).
	now func() time.Time
}

// withDefaults validates o and fills in its defaults.
func (o Options) withDefaults() (Options, error) {
	if o.Store == nil {
		return o, errors.New("server: no store")
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if o.StoreTimeout <= 0 {
		o.StoreTimeout = DefaultStoreTimeout
	}
	def := func(v *int, d int) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.MaxDepth, DefaultMaxDepth)
	def(&o.MaxComplexity, DefaultMaxComplexity)
	def(&o.MaxAliases, DefaultMaxAliases)
	def(&o.MaxOperations, DefaultMaxOperations)
	if o.RateLimit < 0 || o.RateBurst < 0 {
		return o, fmt.Errorf("server: negative rate limit (%v/s, burst %d)", o.RateLimit, o.RateBurst)
	}
	if o.ClientKey == nil {
		o.ClientKey = remoteIP
	}
	if o.now == nil {
		o.now = time.Now
	}
	if err := checkCORS(o.CORSOrigins, o.CORSCredentials); err != nil {
		return o, err
	}
	return o, nil
}

// Handler returns the hub's HTTP handler, or an error when the options are
// unsafe or inconsistent (for example CORS credentials with the "*" origin).
func Handler(o Options) (http.Handler, error) {
	o, err := o.withDefaults()
	if err != nil {
		return nil, err
	}
	cors, err := newCORS(o.CORSOrigins, o.CORSCredentials)
	if err != nil {
		return nil, err
	}

	es := generated.NewExecutableSchema(generated.Config{Resolvers: &resolvers.Resolver{Store: o.Store}})
	gql := handler.New(es)
	gql.AddTransport(transport.Options{})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	gql.SetParserTokenLimit(MaxTokens)
	if o.Introspection {
		gql.Use(extension.Introspection{})
	}
	// APQ first: it turns a hash into the query the limits then check.
	gql.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	gql.Use(newLimits(o))
	gql.AroundResponses(capErrors)
	gql.SetErrorPresenter(presentError(o.Logger))
	gql.SetRecoverFunc(func(ctx context.Context, p any) error {
		o.Logger.ErrorContext(ctx, "panic in resolver", "panic", p)
		return &gqlerror.Error{Message: "internal server error", Extensions: map[string]any{"code": string(graph.CodeInternal)}}
	})

	var api http.Handler = resolvers.Middleware(o.Store, gql)
	api = withTimeout(o.StoreTimeout, api)
	api = guardRequest(o.MaxBodyBytes, api)
	if o.RateLimit > 0 && o.RateBurst > 0 {
		api = newRateLimiter(o.RateLimit, o.RateBurst, o.now).middleware(o.ClientKey, api)
	}
	if o.Authenticate != nil {
		api = o.Authenticate(api)
	}
	api = cors.handler(api)
	api = noStore(api)

	mux := http.NewServeMux()
	mux.Handle("/graphql", api)
	mux.Handle("GET /{$}", playground.Handler("Governance hub", "/graphql"))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := o.Store.Ping(ctx); err != nil {
			o.Logger.WarnContext(ctx, "not ready", "err", err)
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("store unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ready\n"))
	})
	if o.WebClient != nil {
		mux.Handle("GET /app/", http.StripPrefix("/app/", http.FileServerFS(o.WebClient)))
	}
	return securityHeaders(logRequests(o.Logger, mux)), nil
}

// capErrors keeps at most MaxErrors errors in a response, so that a small
// invalid document (thousands of unused variables) cannot make a large answer.
func capErrors(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp != nil && len(resp.Errors) > MaxErrors {
		more := len(resp.Errors) - MaxErrors + 1
		resp.Errors = append(resp.Errors[:MaxErrors-1:MaxErrors-1], &gqlerror.Error{
			Message:    fmt.Sprintf("%d more errors left out", more),
			Extensions: map[string]any{"code": CodeBadRequest},
		})
	}
	return resp
}

// MustHandler is Handler for tests and fixed configurations: it panics on an
// error.
func MustHandler(o Options) http.Handler {
	h, err := Handler(o)
	if err != nil {
		panic(err)
	}
	return h
}

// withTimeout bounds the time of every API request, and so of every store
// call made for it.
func withTimeout(timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// securityHeaders sets the headers every response carries.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		next.ServeHTTP(w, r)
	})
}

// noStore keeps API responses out of caches.
func noStore(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r)
	})
}

// presentError gives clients typed errors: a graph.Error keeps its code,
// message and field; anything else is logged and shown as an internal error
// without detail, so no driver message or stack trace reaches a client.
// GraphQL errors of the request itself (parse, validation, coercion, limits)
// keep their message and get the code BAD_REQUEST when they have none.
func presentError(log *slog.Logger) graphql.ErrorPresenterFunc {
	return func(ctx context.Context, err error) *gqlerror.Error {
		var ge *graph.Error
		if errors.As(err, &ge) {
			e := graphql.DefaultErrorPresenter(ctx, err)
			e.Message = ge.Error()
			e.Extensions = map[string]any{"code": string(ge.Code)}
			if ge.Field != "" {
				e.Extensions["field"] = ge.Field
			}
			return e
		}
		var gqlErr *gqlerror.Error
		if errors.As(err, &gqlErr) && gqlErr.Err == nil {
			// Parse, validation, coercion and limit errors, and gqlgen's own
			// execution errors ("must not be null"), none of which carries
			// internal detail. The latter have a path and are the server's fault.
			e := graphql.DefaultErrorPresenter(ctx, err)
			if _, ok := e.Extensions["code"]; !ok {
				if e.Extensions == nil {
					e.Extensions = map[string]any{}
				}
				e.Extensions["code"] = CodeBadRequest
				if len(e.Path) > 0 {
					e.Extensions["code"] = string(graph.CodeInternal)
				}
			}
			return e
		}
		if errors.Is(err, context.DeadlineExceeded) {
			e := graphql.DefaultErrorPresenter(ctx, err)
			e.Message = "the request took too long"
			e.Extensions = map[string]any{"code": string(graph.CodeUnavailable)}
			return e
		}
		log.ErrorContext(ctx, "request failed", "err", err)
		e := graphql.DefaultErrorPresenter(ctx, err)
		e.Message = "internal server error"
		e.Extensions = map[string]any{"code": string(graph.CodeInternal)}
		return e
	}
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func logRequests(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.LogAttrs(r.Context(), slog.LevelInfo, "http",
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Duration("took", time.Since(start)))
	})
}
