package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"govhub/internal/auth"
	"govhub/internal/server"
)

// securityFlags are the flags of serve that configure authentication,
// cross-origin access and request limits.
type securityFlags struct {
	authMode, algorithms, secretFile, publicKeys, jwksURL string
	issuer, audience, anonymous                           string
	corsOrigins                                           string
	corsCredentials, introspection                        bool
	maxDepth, maxComplexity, maxAliases, rateBurst        int
	rateLimit                                             float64
	storeTimeout                                          time.Duration
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func envBool(key string, def bool) bool {
	if v, err := strconv.ParseBool(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func envFloat(key string, def float64) float64 {
	if v, err := strconv.ParseFloat(os.Getenv(key), 64); err == nil {
		return v
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func (f *securityFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.authMode, "auth", env("HUB_AUTH", "none"), "`mode`: none (every caller may do everything: local development only) or jwt (HUB_AUTH)")
	fs.StringVar(&f.algorithms, "jwt-algorithms", env("HUB_JWT_ALGORITHMS", "HS256"), "allowed JWT `algorithms`, comma-separated, e.g. HS256 or RS256,ES256 (HUB_JWT_ALGORITHMS)")
	fs.StringVar(&f.secretFile, "jwt-secret-file", env("HUB_JWT_SECRET_FILE", ""), "read the HS256 secret from `file`; or set HUB_JWT_SECRET (HUB_JWT_SECRET_FILE)")
	fs.StringVar(&f.publicKeys, "jwt-public-keys", env("HUB_JWT_PUBLIC_KEYS", ""), "PEM `file` of RSA/EC public keys for RS256/ES256 (HUB_JWT_PUBLIC_KEYS)")
	fs.StringVar(&f.jwksURL, "jwks-url", env("HUB_JWKS_URL", ""), "JWKS `URL` with the public keys, refreshed every 10 minutes (HUB_JWKS_URL)")
	fs.StringVar(&f.issuer, "jwt-issuer", env("HUB_JWT_ISSUER", "governance-hub"), "required token `issuer` (HUB_JWT_ISSUER)")
	fs.StringVar(&f.audience, "jwt-audience", env("HUB_JWT_AUDIENCE", "governance-hub"), "required token `audience` (HUB_JWT_AUDIENCE)")
	fs.StringVar(&f.anonymous, "anonymous", env("HUB_ANONYMOUS", "off"), "with --auth jwt, requests without a token: off (401) or public (read non-personal data) (HUB_ANONYMOUS)")
	fs.StringVar(&f.corsOrigins, "cors-origins", env("HUB_CORS_ORIGINS", ""), "browser `origins` allowed to call /graphql, comma-separated, e.g. https://map.example.org (HUB_CORS_ORIGINS)")
	fs.BoolVar(&f.corsCredentials, "cors-credentials", envBool("HUB_CORS_CREDENTIALS", false), "let browsers send credentials cross-origin; only with explicit origins (HUB_CORS_CREDENTIALS)")
	fs.BoolVar(&f.introspection, "introspection", envBool("HUB_INTROSPECTION", true), "allow schema introspection (GraphiQL needs it); turn off in production (HUB_INTROSPECTION)")
	fs.IntVar(&f.maxDepth, "max-depth", envInt("HUB_MAX_DEPTH", 0), "largest query `depth`; 0: 12 (HUB_MAX_DEPTH)")
	fs.IntVar(&f.maxComplexity, "max-complexity", envInt("HUB_MAX_COMPLEXITY", 20000), "largest query `cost` (see docs/security.md) (HUB_MAX_COMPLEXITY)")
	fs.IntVar(&f.maxAliases, "max-aliases", envInt("HUB_MAX_ALIASES", 0), "most aliases in a query; 0: 30 (HUB_MAX_ALIASES)")
	fs.Float64Var(&f.rateLimit, "rate-limit", envFloat("HUB_RATE_LIMIT", 20), "requests per second per client on /graphql; 0: no limit (HUB_RATE_LIMIT)")
	fs.IntVar(&f.rateBurst, "rate-burst", envInt("HUB_RATE_BURST", 40), "requests a client may make at once (HUB_RATE_BURST)")
	fs.DurationVar(&f.storeTimeout, "store-timeout", envDuration("HUB_STORE_TIMEOUT", 20*time.Second), "bound on every store call (HUB_STORE_TIMEOUT)")
}

func splitList(s string) []string {
	var out []string
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}

// apply fills the server options from the flags; with --auth jwt it builds
// the verifier, whose JWKS refresh lasts as long as ctx.
func (f *securityFlags) apply(ctx context.Context, o *server.Options) error {
	o.CORSOrigins = splitList(f.corsOrigins)
	o.CORSCredentials = f.corsCredentials
	o.Introspection = f.introspection
	o.MaxDepth, o.MaxComplexity, o.MaxAliases = f.maxDepth, f.maxComplexity, f.maxAliases
	o.RateLimit, o.RateBurst = f.rateLimit, f.rateBurst
	switch f.authMode {
	case "none":
		return nil
	case "jwt":
	default:
		return fmt.Errorf("--auth %q: use none or jwt", f.authMode)
	}
	cfg := auth.Config{
		Algorithms: splitList(f.algorithms), PublicKeyFile: f.publicKeys, JWKSURL: f.jwksURL,
		Issuer: f.issuer, Audience: f.audience, Anonymous: f.anonymous, Logger: o.Logger,
	}
	if secret := os.Getenv("HUB_JWT_SECRET"); secret != "" {
		cfg.Secret = []byte(secret)
	}
	if f.secretFile != "" {
		b, err := os.ReadFile(f.secretFile)
		if err != nil {
			return fmt.Errorf("--jwt-secret-file: %w", err)
		}
		cfg.Secret = []byte(strings.TrimRight(string(b), "\r\n"))
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("--auth jwt: %w", err)
	}
	v, err := auth.NewVerifier(ctx, cfg)
	if err != nil {
		return fmt.Errorf("--auth jwt: %w", err)
	}
	o.Authenticate = v.Middleware
	o.ClientKey = func(r *http.Request) string {
		if p, ok := auth.FromContext(r.Context()); ok && !p.Anonymous {
			return "sub:" + p.Subject
		}
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			return "ip:" + r.RemoteAddr
		}
		return "ip:" + host
	}
	return nil
}
