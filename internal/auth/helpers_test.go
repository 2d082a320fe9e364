package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testIssuer   = "governance-hub"
	testAudience = "governance-hub"
)

var testSecret = []byte("0123456789abcdef0123456789abcdef-test")

// Keys are generated once per test binary: RSA generation is slow under -race.
var (
	rsaKey1 = sync.OnceValue(func() *rsa.PrivateKey { return genRSA() })
	rsaKey2 = sync.OnceValue(func() *rsa.PrivateKey { return genRSA() })
	ecKey1  = sync.OnceValue(func() *ecdsa.PrivateKey { return genEC(elliptic.P256()) })
	ecKey2  = sync.OnceValue(func() *ecdsa.PrivateKey { return genEC(elliptic.P256()) })
)

func genRSA() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
}

func genEC(c elliptic.Curve) *ecdsa.PrivateKey {
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		panic(err)
	}
	return k
}

// publicPEM encodes public keys as "PUBLIC KEY" blocks.
func publicPEM(t testing.TB, keys ...any) []byte {
	t.Helper()
	var out []byte
	for _, k := range keys {
		der, err := x509.MarshalPKIXPublicKey(k)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})...)
	}
	return out
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// claimsFor returns valid claims, changed by the edits (a nil value deletes).
func claimsFor(edits map[string]any) jwt.MapClaims {
	now := time.Now()
	c := jwt.MapClaims{
		"sub":      "alice",
		"iss":      testIssuer,
		"aud":      []string{testAudience},
		"exp":      now.Add(time.Hour).Unix(),
		"nbf":      now.Add(-time.Minute).Unix(),
		"iat":      now.Add(-time.Minute).Unix(),
		"role":     "COORDINATOR",
		"networks": []string{"net-impact-campania", "net-com-in"},
		"regions":  []string{"15", "terr-063"},
	}
	for k, v := range edits {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// sign signs claims with the method and key, with a kid header if not empty.
func sign(t testing.TB, m jwt.SigningMethod, key any, c jwt.MapClaims, kid string) string {
	t.Helper()
	tok := jwt.NewWithClaims(m, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// rawToken builds a compact token from a JSON header, JSON payload and raw
// signature, without any library.
func rawToken(header, payload string, sig []byte) string {
	enc := base64.RawURLEncoding
	return enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload)) + "." + enc.EncodeToString(sig)
}

func mustJSON(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func hsConfig() Config {
	return Config{Algorithms: []string{"HS256"}, Secret: testSecret, Issuer: testIssuer, Audience: testAudience}
}

func newVerifier(t testing.TB, c Config) *Verifier {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	v, err := NewVerifier(ctx, c)
	if err != nil {
		t.Fatalf("NewVerifier: %v", err)
	}
	return v
}

func reasonOf(err error) Reason {
	var e *Error
	if errors.As(err, &e) {
		return e.Reason
	}
	return "(not an *auth.Error)"
}

// JWKS helpers.

func rsaJWK(kid string, k *rsa.PublicKey, alg string) map[string]any {
	m := map[string]any{
		"kty": "RSA", "kid": kid, "use": "sig",
		"n": base64.RawURLEncoding.EncodeToString(k.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(k.E)).Bytes()),
	}
	if alg != "" {
		m["alg"] = alg
	}
	return m
}

func ecJWK(kid string, k *ecdsa.PublicKey) map[string]any {
	b, err := k.Bytes() // 0x04 || x || y
	if err != nil {
		panic(err)
	}
	size := (len(b) - 1) / 2
	return map[string]any{
		"kty": "EC", "kid": kid, "use": "sig", "crv": k.Curve.Params().Name,
		"x": base64.RawURLEncoding.EncodeToString(b[1 : 1+size]),
		"y": base64.RawURLEncoding.EncodeToString(b[1+size:]),
	}
}

// jwksServer serves a JWKS that tests can replace, or fail.
type jwksServer struct {
	*httptest.Server
	mu     sync.Mutex
	keys   []map[string]any
	status int
	hits   atomic.Int32
}

func newJWKSServer(t testing.TB, keys ...map[string]any) *jwksServer {
	s := &jwksServer{keys: keys, status: http.StatusOK}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.hits.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.status != http.StatusOK {
			http.Error(w, "unavailable", s.status)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		_ = json.NewEncoder(w).Encode(map[string]any{"keys": s.keys})
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) set(status int, keys ...map[string]any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.keys = status, keys
}

func rsaGenerateSmall() (*rsa.PrivateKey, error) { return rsa.GenerateKey(rand.Reader, 1024) }

func x509MarshalPKCS8(k any) ([]byte, error) { return x509.MarshalPKCS8PrivateKey(k) }

func x509MarshalPKCS1Public(k *rsa.PublicKey) []byte { return x509.MarshalPKCS1PublicKey(k) }

func elliptic384() elliptic.Curve { return elliptic.P384() }

func pemBlock(typ string, der []byte) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der})
}

// selfSignedCertPEM is a certificate for rsaKey1.
func selfSignedCertPEM(t testing.TB) []byte {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &rsaKey1().PublicKey, rsaKey1())
	if err != nil {
		t.Fatal(err)
	}
	return pemBlock("CERTIFICATE", der)
}
