// Package server wires the HTTP side of the hub: GraphQL over GET and POST,
// the GraphiQL page, health and readiness probes and the web client.
package server

import (
	"context"
	"errors"
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

// Options configure the handler.
type Options struct {
	Store  graph.Store
	Logger *slog.Logger
	// WebClient, when set, is served under /app/.
	WebClient fs.FS
	// MaxBodyBytes bounds request bodies; 0 means 1 MiB.
	MaxBodyBytes int64
	// StoreTimeout bounds each request's work; 0 means 30 s.
	StoreTimeout time.Duration
}

// Handler returns the hub's HTTP handler.
func Handler(o Options) http.Handler {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxBodyBytes == 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.StoreTimeout == 0 {
		o.StoreTimeout = 30 * time.Second
	}
	gql := handler.New(generated.NewExecutableSchema(generated.Config{Resolvers: &resolvers.Resolver{Store: o.Store}}))
	gql.AddTransport(transport.Options{})
	gql.AddTransport(transport.GET{})
	gql.AddTransport(transport.POST{})
	gql.SetQueryCache(lru.New[*ast.QueryDocument](1000))
	gql.Use(extension.Introspection{})
	gql.Use(extension.AutomaticPersistedQuery{Cache: lru.New[string](1000)})
	gql.SetErrorPresenter(presentError(o.Logger))
	gql.SetRecoverFunc(func(ctx context.Context, p any) error {
		o.Logger.ErrorContext(ctx, "panic in resolver", "panic", p)
		return &gqlerror.Error{Message: "internal server error", Extensions: map[string]any{"code": string(graph.CodeInternal)}}
	})

	mux := http.NewServeMux()
	api := resolvers.Middleware(o.Store, gql)
	mux.Handle("/graphql", limit(o.MaxBodyBytes, o.StoreTimeout, api))
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
	return logRequests(o.Logger, mux)
}

// limit bounds the body size and the time of every API request.
func limit(maxBody int64, timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// presentError gives clients typed errors: a graph.Error keeps its code,
// message and field; anything else is logged and shown as an internal error
// without detail, so no driver message or stack trace reaches a client.
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
			return graphql.DefaultErrorPresenter(ctx, err) // parse, validation and coercion errors
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
