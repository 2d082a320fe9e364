package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/golang-jwt/jwt/v5"
)

// Verifier verifies bearer tokens. It is safe for concurrent use.
type Verifier struct {
	c      Config
	parser *jwt.Parser
	family algFamily

	fileKeys []publicKey
	jwks     *jwksSource // nil without a JWKS URL
}

// claims are the claims of a hub token.
type claims struct {
	jwt.RegisteredClaims
	Role     Role     `json:"role"`
	Networks []string `json:"networks,omitempty"`
	Regions  []string `json:"regions,omitempty"`
}

// NewVerifier validates c, loads the public keys and fetches the JWKS once
// (failing if it cannot); the JWKS is then refreshed until ctx is done.
func NewVerifier(ctx context.Context, c Config) (*Verifier, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	c = c.withDefaults()
	c.Secret = slices.Clone(c.Secret)
	c.Algorithms = slices.Clone(c.Algorithms)
	v := &Verifier{c: c, family: algorithms[c.Algorithms[0]]}
	v.parser = jwt.NewParser(
		jwt.WithValidMethods(c.Algorithms),
		jwt.WithExpirationRequired(),
		jwt.WithIssuer(c.Issuer),
		jwt.WithAudience(c.Audience),
		jwt.WithLeeway(c.Leeway),
		jwt.WithIssuedAt(),
		jwt.WithStrictDecoding(),
		jwt.WithTimeFunc(c.now),
	)
	if c.PublicKeyFile != "" {
		data, err := os.ReadFile(c.PublicKeyFile)
		if err != nil {
			return nil, fmt.Errorf("auth: public key file: %w", err)
		}
		keys, err := parsePublicKeysPEM(data)
		if err != nil {
			return nil, fmt.Errorf("auth: public key file %s: %w", c.PublicKeyFile, err)
		}
		v.fileKeys = keys
	}
	if c.JWKSURL != "" {
		v.jwks = newJWKSSource(ctx, c)
		if err := v.jwks.fetch(); err != nil {
			return nil, fmt.Errorf("auth: first JWKS fetch: %w", err)
		}
		go v.jwks.refreshLoop()
	}
	if v.family != familyHMAC && !v.hasKeyFor(c.Algorithms) {
		return nil, fmt.Errorf("auth: none of the public keys can verify %s", strings.Join(c.Algorithms, ", "))
	}
	return v, nil
}

// hasKeyFor reports whether some loaded key fits some allowed algorithm.
func (v *Verifier) hasKeyFor(algs []string) bool {
	keys := v.fileKeys
	if v.jwks != nil {
		keys = append(slices.Clip(keys), v.jwks.keys()...)
	}
	for _, k := range keys {
		for _, a := range algs {
			if k.fits(a) {
				return true
			}
		}
	}
	return false
}

// header is the part of the JOSE header checked before parsing.
type header struct {
	Alg  string          `json:"alg"`
	Kid  *string         `json:"kid"`
	Crit json.RawMessage `json:"crit"`
}

// Verify checks a compact JWT and returns its principal. Every failure is an
// *Error with a Reason.
func (v *Verifier) Verify(token string) (Principal, error) {
	if len(token) > MaxTokenBytes {
		return Principal{}, fail(ReasonTooLarge, nil)
	}
	if token == "" {
		return Principal{}, fail(ReasonMissing, nil)
	}
	// Check the algorithm before anything else, so that "none", HS* against
	// public keys and unknown algorithms are refused up front and reported
	// as such (jwt.WithValidMethods checks it again).
	h, err := peekHeader(token)
	if err != nil {
		return Principal{}, fail(ReasonMalformed, err)
	}
	if !slices.Contains(v.c.Algorithms, h.Alg) {
		return Principal{}, fail(ReasonAlgorithm, fmt.Errorf("alg %q not in the allow-list", h.Alg))
	}
	if len(h.Crit) > 0 {
		return Principal{}, fail(ReasonMalformed, errors.New(`"crit" header extensions are not supported`))
	}
	if h.Kid != nil && (len(*h.Kid) == 0 || len(*h.Kid) > 256) {
		return Principal{}, fail(ReasonMalformed, errors.New("kid empty or too long"))
	}

	var cl claims
	if _, err := v.parser.ParseWithClaims(token, &cl, v.keyfunc); err != nil {
		return Principal{}, classify(err)
	}

	if cl.Subject == "" {
		return Principal{}, fail(ReasonMissingClaim, errors.New("sub missing"))
	}
	if cl.Role == "" {
		return Principal{}, fail(ReasonMissingClaim, errors.New("role missing"))
	}
	if !cl.Role.Valid() {
		return Principal{}, fail(ReasonRole, fmt.Errorf("role %q unknown", cl.Role))
	}
	networks, err := checkNetworks(cl.Networks)
	if err != nil {
		return Principal{}, fail(ReasonInvalidClaims, err)
	}
	regions, err := normalizeRegions(cl.Regions)
	if err != nil {
		return Principal{}, fail(ReasonInvalidClaims, err)
	}
	return Principal{Subject: cl.Subject, Role: cl.Role, Networks: networks, Regions: regions}, nil
}

// peekHeader decodes the JOSE header of a compact JWT without verifying it.
func peekHeader(token string) (header, error) {
	if strings.Count(token, ".") != 2 {
		return header{}, errors.New("not three segments")
	}
	seg, _, _ := strings.Cut(token, ".")
	raw, err := base64.RawURLEncoding.Strict().DecodeString(seg)
	if err != nil {
		return header{}, errors.New("header is not base64url")
	}
	var h header
	if err := json.Unmarshal(raw, &h); err != nil {
		return header{}, errors.New("header is not a JSON object")
	}
	return h, nil
}

// keyfunc returns the verification keys for a token: the secret for HS*,
// *rsa.PublicKey for RS*, *ecdsa.PublicKey (of the algorithm's curve) for
// ES*, never a key of another type. With a kid, JWKS keys are chosen by kid;
// an unknown kid triggers a (rate-limited) JWKS refresh.
func (v *Verifier) keyfunc(t *jwt.Token) (any, error) {
	alg := t.Method.Alg()
	if !slices.Contains(v.c.Algorithms, alg) {
		return nil, fail(ReasonAlgorithm, nil)
	}
	switch t.Method.(type) {
	case *jwt.SigningMethodHMAC:
		if v.family != familyHMAC || len(v.c.Secret) == 0 {
			return nil, fail(ReasonAlgorithm, nil)
		}
		return v.c.Secret, nil
	case *jwt.SigningMethodRSA, *jwt.SigningMethodECDSA:
		if v.family == familyHMAC {
			return nil, fail(ReasonAlgorithm, nil)
		}
	default:
		return nil, fail(ReasonAlgorithm, nil)
	}
	kid, _ := t.Header["kid"].(string)
	keys := v.candidates(alg, kid)
	if len(keys) == 0 && v.jwks != nil {
		v.jwks.refreshForUnknownKid()
		keys = v.candidates(alg, kid)
	}
	if len(keys) == 0 {
		return nil, fail(ReasonUnknownKey, fmt.Errorf("no %s key with kid %q", alg, kid))
	}
	set := jwt.VerificationKeySet{Keys: make([]jwt.VerificationKey, 0, len(keys))}
	for _, k := range keys {
		switch key := k.key.(type) {
		case *rsa.PublicKey:
			set.Keys = append(set.Keys, key)
		case *ecdsa.PublicKey:
			set.Keys = append(set.Keys, key)
		}
	}
	return set, nil
}

// candidates are the keys that may have signed a token with alg and kid:
// file keys (they have no kid) and JWKS keys whose kid matches (all of them
// when the token has no kid).
func (v *Verifier) candidates(alg, kid string) []publicKey {
	var out []publicKey
	for _, k := range v.fileKeys {
		if k.fits(alg) {
			out = append(out, k)
		}
	}
	if v.jwks != nil {
		for _, k := range v.jwks.keys() {
			if k.fits(alg) && (kid == "" || k.kid == kid) {
				out = append(out, k)
			}
		}
	}
	return out
}

// classify maps parser errors to reasons, most specific first.
func classify(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return fail(e.Reason, err)
	}
	for _, m := range []struct {
		target error
		reason Reason
	}{
		{jwt.ErrTokenMalformed, ReasonMalformed},
		{jwt.ErrTokenSignatureInvalid, ReasonSignature},
		{jwt.ErrTokenUnverifiable, ReasonMalformed},
		{jwt.ErrTokenRequiredClaimMissing, ReasonMissingClaim},
		{jwt.ErrTokenExpired, ReasonExpired},
		{jwt.ErrTokenNotValidYet, ReasonNotYetValid},
		{jwt.ErrTokenUsedBeforeIssued, ReasonNotYetValid},
		{jwt.ErrTokenInvalidIssuer, ReasonIssuer},
		{jwt.ErrTokenInvalidAudience, ReasonAudience},
	} {
		if errors.Is(err, m.target) {
			return fail(m.reason, err)
		}
	}
	return fail(ReasonInvalidClaims, err)
}
