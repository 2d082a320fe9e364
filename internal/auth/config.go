package auth

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"
)

// Defaults and bounds of Config.
const (
	DefaultLeeway      = 30 * time.Second
	MaxLeeway          = 5 * time.Minute
	DefaultJWKSRefresh = 10 * time.Minute
	MinSecretBytes     = 32
	MaxTokenBytes      = 8 << 10

	// Anonymous access modes.
	AnonymousOff    = "off"
	AnonymousPublic = "public"
)

// algFamily is the key type an algorithm needs.
type algFamily int

const (
	familyHMAC algFamily = iota + 1
	familyRSA
	familyEC
)

// algorithms are the algorithms that may appear in an allow-list.
var algorithms = map[string]algFamily{
	"HS256": familyHMAC, "HS384": familyHMAC, "HS512": familyHMAC,
	"RS256": familyRSA, "RS384": familyRSA, "RS512": familyRSA,
	"ES256": familyEC, "ES384": familyEC, "ES512": familyEC,
}

// Config configures token verification.
type Config struct {
	// Algorithms is the allow-list, e.g. ["HS256"] or ["RS256","ES256"];
	// required. HS* cannot be mixed with RS*/ES*.
	Algorithms []string
	// Secret is the HS256 key: at least 32 bytes.
	Secret []byte
	// PublicKeyFile is a PEM file with one or more RSA/EC public keys
	// ("PUBLIC KEY", "RSA PUBLIC KEY" or "CERTIFICATE" blocks).
	PublicKeyFile string
	// JWKSURL is a JWKS endpoint (https, or http on a loopback address),
	// fetched at start, refreshed every JWKSRefresh and on an unknown kid
	// (at most once every 30 s).
	JWKSURL     string
	JWKSRefresh time.Duration // default 10 min
	Issuer      string        // required "iss"
	Audience    string        // required in "aud"
	Leeway      time.Duration // clock skew allowed on exp/nbf/iat; default 30 s, at most 5 min
	// Anonymous is "off" (requests without a token get 401; the default when
	// empty) or "public" (they proceed as AnonymousPrincipal).
	Anonymous string
	// Logger receives JWKS refresh failures and refused tokens (at debug
	// level, never the token itself); nil means slog.Default().
	Logger *slog.Logger

	// kidRefreshEvery rate-limits JWKS fetches triggered by unknown kids;
	// 0 means 30 s. Unexported: tests lower it.
	kidRefreshEvery time.Duration
	// now replaces time.Now in tests.
	now func() time.Time
}

// Validate reports configuration errors, all of them, in clear terms.
func (c Config) Validate() error {
	var errs []error
	add := func(format string, a ...any) { errs = append(errs, fmt.Errorf("auth: "+format, a...)) }

	var hmac, asym bool
	if len(c.Algorithms) == 0 {
		add("no algorithms allowed: set the allow-list, e.g. HS256 or RS256,ES256")
	}
	for _, a := range c.Algorithms {
		switch fam, ok := algorithms[a]; {
		case strings.EqualFold(strings.TrimSpace(a), "none"):
			add(`algorithm "none" is never allowed`)
		case !ok:
			add("unknown algorithm %q: use HS256, HS384, HS512, RS256, RS384, RS512, ES256, ES384 or ES512", a)
		case fam == familyHMAC:
			hmac = true
		default:
			asym = true
		}
	}
	hasPublic := c.PublicKeyFile != "" || c.JWKSURL != ""
	switch {
	case hmac && asym:
		add("HS algorithms cannot be allowed together with RS/ES algorithms (mixing symmetric and asymmetric keys enables key-confusion attacks)")
	case hmac && hasPublic:
		add("HS algorithms cannot be used with public keys (public key file or JWKS URL): they would enable key-confusion attacks")
	case hmac && len(c.Secret) == 0:
		add("HS algorithms need a secret")
	case hmac && len(c.Secret) < MinSecretBytes:
		add("the HS secret is %d bytes: at least %d are needed", len(c.Secret), MinSecretBytes)
	case asym && !hasPublic:
		add("RS/ES algorithms need public keys: a public key file or a JWKS URL")
	case asym && len(c.Secret) > 0:
		add("a secret is set but only RS/ES algorithms are allowed: remove the secret (symmetric and asymmetric keys are never mixed)")
	}
	if c.JWKSURL != "" {
		if err := checkJWKSURL(c.JWKSURL); err != nil {
			add("JWKS URL: %v", err)
		}
	}
	if c.JWKSRefresh < 0 {
		add("JWKS refresh interval %v is negative", c.JWKSRefresh)
	}
	if c.Issuer == "" {
		add("the issuer (iss) is required")
	}
	if c.Audience == "" {
		add("the audience (aud) is required")
	}
	if c.Leeway < 0 || c.Leeway > MaxLeeway {
		add("leeway %v: use a duration between 0 and %v (0 means %v)", c.Leeway, MaxLeeway, DefaultLeeway)
	}
	switch c.Anonymous {
	case "", AnonymousOff, AnonymousPublic:
	default:
		add("anonymous access %q: use off or public", c.Anonymous)
	}
	return errors.Join(errs...)
}

// withDefaults fills the zero values that have defaults.
func (c Config) withDefaults() Config {
	if c.Leeway == 0 {
		c.Leeway = DefaultLeeway
	}
	if c.JWKSRefresh == 0 {
		c.JWKSRefresh = DefaultJWKSRefresh
	}
	if c.kidRefreshEvery == 0 {
		c.kidRefreshEvery = 30 * time.Second
	}
	if c.Anonymous == "" {
		c.Anonymous = AnonymousOff
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c
}

// checkJWKSURL accepts https URLs, and http ones only on loopback addresses
// (keys fetched over plain http could be replaced by anyone on the path).
func checkJWKSURL(s string) error {
	u, err := url.Parse(s)
	if err != nil {
		return errors.New("not a URL")
	}
	if u.Host == "" {
		return errors.New("no host")
	}
	switch u.Scheme {
	case "https":
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
		return errors.New("use https (plain http is accepted only on loopback addresses)")
	}
	return fmt.Errorf("scheme %q: use https", u.Scheme)
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
