package auth

import (
	"bytes"
	"context"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func jwksConfig(url string) Config {
	return Config{Algorithms: []string{"RS256", "ES256"}, JWKSURL: url, Issuer: testIssuer, Audience: testAudience,
		Logger: slog.New(slog.DiscardHandler)}
}

func TestJWKSVerify(t *testing.T) {
	srv := newJWKSServer(t,
		rsaJWK("rsa-1", &rsaKey1().PublicKey, "RS256"),
		ecJWK("ec-1", &ecKey1().PublicKey),
		map[string]any{"kty": "oct", "kid": "oct-1", "k": base64.RawURLEncoding.EncodeToString(testSecret)},
	)
	c := jwksConfig(srv.URL)
	c.kidRefreshEvery = time.Hour // no unknown-kid refetch in this test
	v := newVerifier(t, c)

	tests := []struct {
		name  string
		token func(*testing.T) string
		want  Reason
	}{
		{name: "RS256 with its kid", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(nil), "rsa-1")
		}},
		{name: "ES256 with its kid", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodES256, ecKey1(), claimsFor(nil), "ec-1")
		}},
		{name: "RS256 without kid tries the RSA keys", token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(nil), "")
		}},
		{name: "wrong kid", want: ReasonUnknownKey, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(nil), "rsa-unknown")
		}},
		{name: "kid of an EC key on an RS256 token", want: ReasonUnknownKey, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(nil), "ec-1")
		}},
		{name: "right kid, other key", want: ReasonSignature, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey2(), claimsFor(nil), "rsa-1")
		}},
		{name: "oct key in the JWKS is never used", want: ReasonAlgorithm, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(nil), "oct-1")
		}},
		{name: "kid not a string", want: ReasonMalformed, token: func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodRS256, claimsFor(nil))
			tok.Header["kid"] = 7
			s, _ := tok.SignedString(rsaKey1())
			return s
		}},
		{name: "expired with a good kid", want: ReasonExpired, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}), "rsa-1")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := v.Verify(tc.token(t))
			if got := reasonOf(err); tc.want == "" && err != nil || tc.want != "" && got != tc.want {
				t.Fatalf("Verify: %v (reason %s), want reason %q", err, got, tc.want)
			}
		})
	}
	if n := srv.hits.Load(); n != 1 {
		t.Errorf("JWKS fetched %d times, want 1 (unknown kids are rate-limited)", n)
	}
}

func TestJWKSKeyAlgMismatch(t *testing.T) {
	// A JWK that declares alg RS384 must not verify RS256 tokens.
	srv := newJWKSServer(t, rsaJWK("rsa-1", &rsaKey1().PublicKey, "RS384"))
	c := jwksConfig(srv.URL)
	c.Algorithms = []string{"RS256", "RS384"}
	v := newVerifier(t, c)
	if _, err := v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(nil), "rsa-1")); reasonOf(err) != ReasonUnknownKey {
		t.Errorf("RS256 token with an RS384 key: %v, want %s", err, ReasonUnknownKey)
	}
	if _, err := v.Verify(sign(t, jwt.SigningMethodRS384, rsaKey1(), claimsFor(nil), "rsa-1")); err != nil {
		t.Errorf("RS384 token: %v", err)
	}
}

func TestJWKSRotationOnUnknownKid(t *testing.T) {
	srv := newJWKSServer(t, rsaJWK("k1", &rsaKey1().PublicKey, ""))
	c := jwksConfig(srv.URL)
	c.JWKSRefresh = time.Hour // only the unknown kid can trigger the refetch
	c.kidRefreshEvery = time.Nanosecond
	v := newVerifier(t, c)

	old := sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(nil), "k1")
	if _, err := v.Verify(old); err != nil {
		t.Fatalf("k1 before rotation: %v", err)
	}
	srv.set(http.StatusOK, rsaJWK("k2", &rsaKey2().PublicKey, ""), ecJWK("e2", &ecKey2().PublicKey))
	if _, err := v.Verify(sign(t, jwt.SigningMethodRS256, rsaKey2(), claimsFor(nil), "k2")); err != nil {
		t.Fatalf("k2 after rotation: %v", err)
	}
	if _, err := v.Verify(sign(t, jwt.SigningMethodES256, ecKey2(), claimsFor(nil), "e2")); err != nil {
		t.Fatalf("e2 after rotation: %v", err)
	}
	if _, err := v.Verify(old); reasonOf(err) != ReasonUnknownKey {
		t.Fatalf("k1 after it was rotated out: %v, want %s", err, ReasonUnknownKey)
	}
}

func TestJWKSPeriodicRefresh(t *testing.T) {
	srv := newJWKSServer(t, rsaJWK("k1", &rsaKey1().PublicKey, ""))
	logs := &lockedWriter{w: new(bytes.Buffer)}
	c := jwksConfig(srv.URL)
	c.JWKSRefresh = 20 * time.Millisecond
	c.kidRefreshEvery = time.Hour // only the periodic refresh can pick up new keys
	c.Logger = slog.New(slog.NewTextHandler(logs, nil))
	v := newVerifier(t, c)

	k1 := sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(nil), "k1")
	k2 := sign(t, jwt.SigningMethodRS256, rsaKey2(), claimsFor(nil), "k2")
	if _, err := v.Verify(k2); reasonOf(err) != ReasonUnknownKey {
		t.Fatalf("k2 before rotation: %v, want %s", err, ReasonUnknownKey)
	}

	// A failing endpoint keeps the last good key set.
	srv.set(http.StatusInternalServerError)
	waitHits(t, srv, srv.hits.Load()+3)
	if _, err := v.Verify(k1); err != nil {
		t.Fatalf("k1 while the JWKS endpoint fails: %v", err)
	}
	// So does a JWKS without usable keys.
	srv.set(http.StatusOK, map[string]any{"kty": "oct", "k": "c2VjcmV0"})
	waitHits(t, srv, srv.hits.Load()+3)
	if _, err := v.Verify(k1); err != nil {
		t.Fatalf("k1 after a JWKS without usable keys: %v", err)
	}

	srv.set(http.StatusOK, rsaJWK("k2", &rsaKey2().PublicKey, ""))
	deadline := time.Now().Add(5 * time.Second)
	for {
		if _, err := v.Verify(k2); err == nil {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("k2 never accepted after rotation: %v", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if _, err := v.Verify(k1); reasonOf(err) != ReasonUnknownKey {
		t.Errorf("k1 after rotation: %v, want %s", err, ReasonUnknownKey)
	}
	if !strings.Contains(logs.String(), "keeping the last good key set") {
		t.Errorf("refresh failures not logged; logs:\n%s", logs.String())
	}
}

func TestJWKSRefreshStopsWithContext(t *testing.T) {
	srv := newJWKSServer(t, rsaJWK("k1", &rsaKey1().PublicKey, ""))
	c := jwksConfig(srv.URL)
	c.JWKSRefresh = 10 * time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := NewVerifier(ctx, c); err != nil {
		t.Fatal(err)
	}
	waitHits(t, srv, 3)
	cancel()
	time.Sleep(50 * time.Millisecond)
	n := srv.hits.Load()
	time.Sleep(100 * time.Millisecond)
	if m := srv.hits.Load(); m != n {
		t.Errorf("JWKS fetched %d more times after the context ended", m-n)
	}
}

func TestJWKSFirstFetchFails(t *testing.T) {
	srv := newJWKSServer(t)
	srv.set(http.StatusNotFound)
	if _, err := NewVerifier(t.Context(), jwksConfig(srv.URL)); err == nil || !strings.Contains(err.Error(), "first JWKS fetch") {
		t.Fatalf("NewVerifier: %v, want a first-fetch error", err)
	}
	big := newJWKSServer(t, map[string]any{"kty": "RSA", "n": strings.Repeat("A", jwksMaxBytes)})
	if _, err := NewVerifier(t.Context(), jwksConfig(big.URL)); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("NewVerifier with a huge JWKS: %v, want a size error", err)
	}
}

func TestParseJWKS(t *testing.T) {
	ecBytes, _ := ecKey1().PublicKey.Bytes()
	x := base64.RawURLEncoding.EncodeToString(ecBytes[1:33])
	y := ecBytes[33:]
	badY := append([]byte(nil), y...)
	badY[31] ^= 1
	tests := []struct {
		name string
		key  map[string]any
		ok   bool
	}{
		{name: "RSA", key: rsaJWK("a", &rsaKey1().PublicKey, ""), ok: true},
		{name: "EC P-256", key: ecJWK("b", &ecKey1().PublicKey), ok: true},
		{name: "EC P-384", key: ecJWK("b", &genEC(elliptic384()).PublicKey), ok: true},
		{name: "EC point not on the curve", key: map[string]any{"kty": "EC", "crv": "P-256", "x": x, "y": base64.RawURLEncoding.EncodeToString(badY)}},
		{name: "EC short coordinate", key: map[string]any{"kty": "EC", "crv": "P-256", "x": x, "y": base64.RawURLEncoding.EncodeToString(y[1:])}},
		{name: "EC unknown curve", key: map[string]any{"kty": "EC", "crv": "secp256k1", "x": x, "y": base64.RawURLEncoding.EncodeToString(y)}},
		{name: "RSA small modulus", key: map[string]any{"kty": "RSA", "n": base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xff}, 128)), "e": "AQAB"}},
		{name: "RSA even exponent", key: map[string]any{"kty": "RSA", "n": rsaJWK("", &rsaKey1().PublicKey, "")["n"], "e": "Ag"}},
		{name: "RSA huge exponent", key: map[string]any{"kty": "RSA", "n": rsaJWK("", &rsaKey1().PublicKey, "")["n"], "e": "AQABAQAB"}},
		{name: "RSA padded base64", key: map[string]any{"kty": "RSA", "n": rsaJWK("", &rsaKey1().PublicKey, "")["n"], "e": "AQAB="}},
		{name: "use enc", key: func() map[string]any { k := rsaJWK("a", &rsaKey1().PublicKey, ""); k["use"] = "enc"; return k }()},
		{name: "alg of another family", key: rsaJWK("a", &rsaKey1().PublicKey, "ES256")},
		{name: "alg unknown", key: rsaJWK("a", &rsaKey1().PublicKey, "PS256")},
		{name: "oct", key: map[string]any{"kty": "oct", "k": "c2VjcmV0"}},
		{name: "OKP", key: map[string]any{"kty": "OKP", "crv": "Ed25519", "x": x}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keys, skipped, err := parseJWKS([]byte(mustJSON(t, map[string]any{"keys": []any{tc.key}})))
			if tc.ok && (err != nil || len(keys) != 1) {
				t.Fatalf("parseJWKS: %v (skipped %v)", err, skipped)
			}
			if !tc.ok && (err == nil || len(keys) != 0 || len(skipped) != 1) {
				t.Fatalf("parseJWKS accepted it: keys %d, skipped %v, err %v", len(keys), skipped, err)
			}
		})
	}
	if _, _, err := parseJWKS([]byte("not json")); err == nil {
		t.Error("parseJWKS accepted non-JSON")
	}
}

// waitHits waits until the JWKS server has been hit n times.
func waitHits(t *testing.T, s *jwksServer, n int32) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.hits.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("JWKS hit %d times, want %d", s.hits.Load(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// lockedWriter is a log sink that the test reads while the refresh writes.
type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

func (l *lockedWriter) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.String()
}
