// Command hub runs the governance hub: a GraphQL API over the graph of the
// networks that deliver integration services, on an embedded store or Neo4j.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"govhub/graph"
	"govhub/graph/embedded"
	"govhub/graph/neo4j"
	"govhub/internal/authz"
	"govhub/internal/server"
	"govhub/seed"
	webclient "govhub/web-client"
)

const usage = `hub - GraphQL stakeholder-network and governance hub

Usage:
  hub <command> [flags]

Commands:
  serve     run the GraphQL API, GraphiQL and the web client (seeds an empty store first)
  seed      load the seed networks and the Italian territories (idempotent)
  migrate   apply the Neo4j schema migrations (constraints and indexes)
  import    import a JSON export or Kumu spreadsheets into a store
  export    export the graph (or some networks) as JSON, GraphML, GEXF or Kumu CSV
  token     mint a development bearer token (JWT) for a role and its scopes

Run 'hub <command> --help' for the flags of a command. Every flag has an
environment variable fallback, shown in its help.
`

func main() {
	if err := run(context.Background(), os.Args[1:], os.Stdout, os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "hub:", err)
			var ec interface{ ExitCode() int }
			if errors.As(err, &ec) {
				os.Exit(ec.ExitCode())
			}
			os.Exit(1)
		}
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("missing command")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, stderr)
	case "seed":
		return seedCmd(ctx, rest, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, stdout, stderr)
	case "import":
		return importCmd(ctx, rest, stdout, stderr)
	case "export":
		return exportCmd(ctx, rest, stdout, stderr)
	case "token":
		return tokenCmd(ctx, rest, stdout, stderr)
	case "help", "-h", "--help", "-help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}

func env(key, def string) string {
	if v, ok := os.LookupEnv(key); ok && v != "" {
		return v
	}
	return def
}

// storeFlags are the flags that choose and reach the store.
type storeFlags struct {
	kind, data                    string
	uri, user, password, database string
}

func (f *storeFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.kind, "store", env("HUB_STORE", "embedded"), "store `kind`: embedded or neo4j (HUB_STORE)")
	fs.StringVar(&f.data, "data", env("HUB_DATA", "data"), "data `directory` of the embedded store (HUB_DATA)")
	fs.StringVar(&f.uri, "neo4j-uri", env("NEO4J_URI", "bolt://127.0.0.1:7687"), "Neo4j bolt `URI` (NEO4J_URI)")
	fs.StringVar(&f.user, "neo4j-user", env("NEO4J_USER", "neo4j"), "Neo4j `user` (NEO4J_USER)")
	fs.StringVar(&f.password, "neo4j-password", env("NEO4J_PASSWORD", ""), "Neo4j `password` (NEO4J_PASSWORD)")
	fs.StringVar(&f.database, "neo4j-database", env("NEO4J_DATABASE", ""), "Neo4j `database`, empty for the server default (NEO4J_DATABASE)")
}

func (f *storeFlags) open(ctx context.Context) (graph.Store, error) {
	switch f.kind {
	case "embedded":
		return embedded.Open(f.data)
	case "neo4j":
		ctx, cancel := context.WithTimeout(ctx, 60*time.Second)
		defer cancel()
		return neo4j.Open(ctx, neo4j.Config{URI: f.uri, User: f.user, Password: f.password, Database: f.database})
	}
	return nil, fmt.Errorf("unknown store %q: use embedded or neo4j", f.kind)
}

func newFlagSet(name, summary string, out io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(out)
	fs.Usage = func() {
		fmt.Fprintf(out, "Usage: hub %s [flags]\n\n%s\n\nFlags:\n", name, summary)
		fs.PrintDefaults()
	}
	return fs
}

// parseInterspersed parses flags wherever they stand among the positional
// arguments (hub import FILE --store neo4j), and returns the positional ones.
// "--" ends the flags.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// parseSize reads a size such as 4096, 512KiB or 4MiB.
func parseSize(s string) (int64, error) {
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || n <= 0 {
		return 0, fmt.Errorf("%q is not a size such as 4096, 512KiB or 4MiB", s)
	}
	return n * mult, nil
}

func newLogger(format, level string, w io.Writer) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: use debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: use text or json", format)
}

func serve(ctx context.Context, args []string, stderr io.Writer) error {
	fs := newFlagSet("serve", "Serves GraphQL at /graphql (GET and POST), GraphiQL at /, the web client at /app/,\n"+
		"and /healthz and /readyz. An empty store is seeded first unless --seed=never.", stderr)
	var sf storeFlags
	sf.register(fs)
	var sec securityFlags
	sec.register(fs)
	addr := fs.String("addr", env("HUB_ADDR", "127.0.0.1:8080"), "listen `address` (HUB_ADDR)")
	seedMode := fs.String("seed", env("HUB_SEED", "auto"), "`auto`: seed when the store is empty; never: do not (HUB_SEED)")
	logFormat := fs.String("log-format", env("HUB_LOG_FORMAT", "text"), "log `format`: text or json (HUB_LOG_FORMAT)")
	logLevel := fs.String("log-level", env("HUB_LOG_LEVEL", "info"), "log `level`: debug, info, warn, error (HUB_LOG_LEVEL)")
	maxBody := fs.String("max-body", env("HUB_MAX_BODY", "4MiB"), "largest request `size` accepted, e.g. 512KiB, 4MiB (HUB_MAX_BODY)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	maxBytes, err := parseSize(*maxBody)
	if err != nil {
		return fmt.Errorf("--max-body: %w", err)
	}
	log, err := newLogger(*logFormat, *logLevel, stderr)
	if err != nil {
		return err
	}
	if *seedMode != "auto" && *seedMode != "never" {
		return fmt.Errorf("--seed %q: use auto or never", *seedMode)
	}
	ctx, stop := signal.NotifyContext(ctx, syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer func() {
		cctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := store.Close(cctx); err != nil {
			log.Error("closing the store", "err", err)
		}
	}()
	log.Info("store open", "store", sf.kind, "data", sf.data)

	if *seedMode == "auto" {
		empty, err := seed.IsEmpty(ctx, store)
		if err != nil {
			return fmt.Errorf("checking whether the store is empty: %w", err)
		}
		if empty {
			log.Info("store is empty: seeding networks and territories")
			res, err := seed.Load(ctx, store, func(step string, done, total int) {
				log.Info("seeding", "step", step, "done", done, "total", total)
			})
			if err != nil {
				return fmt.Errorf("seeding: %w", err)
			}
			tot := res.Total()
			log.Info("seeded", "created", tot.Created, "linked", tot.Linked, "unchanged", tot.Unchanged)
		}
	}

	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	opts := server.Options{Store: authz.Wrap(store, sec.storeTimeout), Logger: log, WebClient: webclient.FS(), MaxBodyBytes: maxBytes, StoreTimeout: 2 * sec.storeTimeout}
	if err := sec.apply(ctx, &opts); err != nil {
		return err
	}
	if opts.Authenticate == nil {
		log.Warn("authentication is off (--auth none): every caller may read and change everything; use --auth jwt outside local development")
	}
	handler, err := server.Handler(opts)
	if err != nil {
		return err
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
	}
	url := "http://" + ln.Addr().String()
	log.Info("hub listening", "url", url, "graphql", url+"/graphql", "graphiql", url+"/", "app", url+"/app/")
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

func seedCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("seed", "Loads the six seed networks and all Italian territories (ISTAT). Running it\n"+
		"again changes nothing.", stderr)
	var sf storeFlags
	sf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := sf.open(ctx)
	if err != nil {
		return err
	}
	defer store.Close(context.Background())
	res, err := seed.Load(ctx, store, func(step string, done, total int) {
		fmt.Fprintf(stdout, "%-12s %d/%d\n", step, done, total)
	})
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "seed done: %+v\n", res)
	return nil
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := newFlagSet("migrate", "Applies the versioned Neo4j schema migrations that are missing (constraints and\n"+
		"indexes). The hub also applies them at start. The embedded store needs none.", stderr)
	var sf storeFlags
	sf.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if sf.kind != "neo4j" {
		fmt.Fprintln(stdout, "the embedded store has no schema migrations; use --store neo4j")
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	s, err := neo4j.Open(ctx, neo4j.Config{URI: sf.uri, User: sf.user, Password: sf.password, Database: sf.database, SkipMigrations: true})
	if err != nil {
		return err
	}
	defer s.Close(context.Background())
	applied, err := s.Migrate(ctx)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintln(stdout, "schema is up to date")
	}
	for _, m := range applied {
		fmt.Fprintln(stdout, "applied", m)
	}
	return nil
}
