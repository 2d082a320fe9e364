package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzVerify checks that Verify never panics, always fails with an *Error
// with a Reason, and never accepts a token whose signature does not verify,
// by an independent check with the standard library, under the verifier's
// own key.
func FuzzVerify(f *testing.F) {
	hs := newVerifier(f, hsConfig())
	asym := newVerifier(f, Config{Algorithms: []string{"RS256", "ES256"},
		PublicKeyFile: writeFile(f, "pub.pem", publicPEM(f, &rsaKey1().PublicKey, &ecKey1().PublicKey)),
		Issuer:        testIssuer, Audience: testAudience})

	long := map[string]any{"exp": time.Now().Add(24 * time.Hour).Unix()}
	hsTok := sign(f, jwt.SigningMethodHS256, testSecret, claimsFor(long), "")
	rsTok := sign(f, jwt.SigningMethodRS256, rsaKey1(), claimsFor(long), "kid-1")
	esTok := sign(f, jwt.SigningMethodES256, ecKey1(), claimsFor(long), "")
	for _, seed := range []string{
		hsTok, rsTok, esTok,
		sign(f, jwt.SigningMethodHS256, testSecret, claimsFor(map[string]any{"exp": nil}), ""),
		sign(f, jwt.SigningMethodHS256, testSecret, claimsFor(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}), ""),
		sign(f, jwt.SigningMethodHS256, testSecret, claimsFor(map[string]any{"role": "ROOT", "exp": long["exp"]}), ""),
		sign(f, jwt.SigningMethodHS256, publicPEM(f, &rsaKey1().PublicKey), claimsFor(long), ""),
		rawToken(`{"alg":"none"}`, mustJSON(f, claimsFor(long)), nil),
		rawToken(`{"alg":"HS256","crit":["x"]}`, mustJSON(f, claimsFor(long)), []byte("sig")),
		rawToken(`{"alg":"ES256","kid":""}`, `{"exp":1e400}`, make([]byte, 64)),
		rawToken(`{"alg":"RS256"}`, `{"aud":[1,2],"exp":"x"}`, make([]byte, 256)),
		rawToken(`[]`, `null`, nil),
		hsTok[:len(hsTok)-1],
		strings.Replace(hsTok, ".", "..", 1),
		"", ".", "..", "...", "a.b.c", "e30.e30.", "Bearer " + hsTok,
	} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, tok string) {
		for _, v := range []*Verifier{hs, asym} {
			p, err := v.Verify(tok)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Reason == "" || messages[e.Reason] == "" {
					t.Fatalf("Verify failed with %T %v, want an *Error with a known Reason", err, err)
				}
				continue
			}
			if !p.Role.Valid() || p.Subject == "" || p.Anonymous {
				t.Fatalf("accepted principal %+v", p)
			}
			if !signedWithKey(tok, v == hs) {
				t.Fatalf("accepted a token not signed with the key: %q", tok)
			}
		}
	})
}

// signedWithKey verifies the token's signature independently of jwt-go:
// HMAC-SHA256 with the test secret for the HS verifier, RS256/ES256 with the
// test public keys for the other.
func signedWithKey(tok string, hsVerifier bool) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	dec := base64.RawURLEncoding.Strict()
	hb, err1 := dec.DecodeString(parts[0])
	sig, err2 := dec.DecodeString(parts[2])
	var h struct {
		Alg string `json:"alg"`
	}
	if err1 != nil || err2 != nil || json.Unmarshal(hb, &h) != nil {
		return false
	}
	signed := []byte(parts[0] + "." + parts[1])
	sum := sha256.Sum256(signed)
	switch {
	case hsVerifier && h.Alg == "HS256":
		m := hmac.New(sha256.New, testSecret)
		m.Write(signed)
		return hmac.Equal(m.Sum(nil), sig)
	case !hsVerifier && h.Alg == "RS256":
		return rsa.VerifyPKCS1v15(&rsaKey1().PublicKey, crypto.SHA256, sum[:], sig) == nil
	case !hsVerifier && h.Alg == "ES256":
		if len(sig) != 64 {
			return false
		}
		r, s := new(big.Int).SetBytes(sig[:32]), new(big.Int).SetBytes(sig[32:])
		return ecdsa.Verify(&ecKey1().PublicKey, sum[:], r, s)
	}
	return false
}

// TestFuzzOracle makes sure the fuzz property is not vacuous: the oracle
// accepts the tokens signed with the keys and refuses the others.
func TestFuzzOracle(t *testing.T) {
	hsTok := sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(nil), "")
	rsTok := sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(nil), "")
	esTok := sign(t, jwt.SigningMethodES256, ecKey1(), claimsFor(nil), "")
	tests := []struct {
		name string
		tok  string
		hs   bool
		want bool
	}{
		{"HS256", hsTok, true, true},
		{"RS256", rsTok, false, true},
		{"ES256", esTok, false, true},
		{"HS256 on the asymmetric verifier", hsTok, false, false},
		{"RS256 on the HS verifier", rsTok, true, false},
		{"other secret", sign(t, jwt.SigningMethodHS256, []byte("x-other-secret-of-enough-length-00000"), claimsFor(nil), ""), true, false},
		{"other RSA key", sign(t, jwt.SigningMethodRS256, rsaKey2(), claimsFor(nil), ""), false, false},
		{"other EC key", sign(t, jwt.SigningMethodES256, ecKey2(), claimsFor(nil), ""), false, false},
	}
	for _, tc := range tests {
		if got := signedWithKey(tc.tok, tc.hs); got != tc.want {
			t.Errorf("%s: signedWithKey = %v, want %v", tc.name, got, tc.want)
		}
	}
}
