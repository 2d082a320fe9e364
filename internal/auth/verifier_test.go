package auth

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestVerify(t *testing.T) {
	hs := newVerifier(t, hsConfig())

	rsaPEM := publicPEM(t, &rsaKey1().PublicKey)
	rs := newVerifier(t, Config{Algorithms: []string{"RS256"}, PublicKeyFile: writeFile(t, "rsa.pem", rsaPEM),
		Issuer: testIssuer, Audience: testAudience})
	es := newVerifier(t, Config{Algorithms: []string{"ES256"}, PublicKeyFile: writeFile(t, "ec.pem", publicPEM(t, &ecKey1().PublicKey)),
		Issuer: testIssuer, Audience: testAudience})
	both := newVerifier(t, Config{Algorithms: []string{"RS256", "ES256"},
		PublicKeyFile: writeFile(t, "both.pem", publicPEM(t, &rsaKey1().PublicKey, &ecKey1().PublicKey)),
		Issuer:        testIssuer, Audience: testAudience})

	now := time.Now()
	valid := func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(nil), "") }
	hsWith := func(edits map[string]any) func(*testing.T) string {
		return func(t *testing.T) string { return sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(edits), "") }
	}
	// swapPayload keeps header and signature of a valid token and replaces its payload.
	swapPayload := func(t *testing.T, tok string, edits map[string]any) string {
		parts := strings.Split(tok, ".")
		forged := rawToken("{}", mustJSON(t, claimsFor(edits)), nil)
		return parts[0] + "." + strings.Split(forged, ".")[1] + "." + parts[2]
	}

	tests := []struct {
		name  string
		v     *Verifier
		token func(*testing.T) string
		want  Reason // "" means accepted
		check func(*testing.T, Principal)
	}{
		{name: "valid HS256", v: hs, token: valid, check: func(t *testing.T, p Principal) {
			if p.Subject != "alice" || p.Role != Coordinator || p.Anonymous {
				t.Errorf("principal = %+v", p)
			}
			if !slices.Equal(p.Networks, []string{"net-impact-campania", "net-com-in"}) {
				t.Errorf("networks = %v", p.Networks)
			}
			if !slices.Equal(p.Regions, []string{"terr-15", "terr-063"}) {
				t.Errorf("regions = %v, want ISTAT codes normalised to ids", p.Regions)
			}
		}},
		{name: "aud as a single string", v: hs, token: hsWith(map[string]any{"aud": testAudience})},
		{name: "aud among several", v: hs, token: hsWith(map[string]any{"aud": []string{"other", testAudience}})},
		{name: "no nbf, no iat, no networks, no regions", v: hs,
			token: hsWith(map[string]any{"nbf": nil, "iat": nil, "networks": nil, "regions": nil, "role": "VIEWER"})},

		// Algorithm attacks.
		{name: "alg none", v: hs, want: ReasonAlgorithm, token: func(t *testing.T) string {
			return rawToken(`{"alg":"none","typ":"JWT"}`, mustJSON(t, claimsFor(map[string]any{"role": "ADMIN"})), nil)
		}},
		{name: "alg None (case)", v: hs, want: ReasonAlgorithm, token: func(t *testing.T) string {
			return rawToken(`{"alg":"None"}`, mustJSON(t, claimsFor(nil)), nil)
		}},
		{name: "alg none with the signature of a valid token", v: hs, want: ReasonAlgorithm, token: func(t *testing.T) string {
			parts := strings.Split(valid(t), ".")
			none := strings.Split(rawToken(`{"alg":"none"}`, "{}", nil), ".")[0]
			return none + "." + parts[1] + "." + parts[2]
		}},
		{name: "alg none against RS256 verifier", v: rs, want: ReasonAlgorithm, token: func(t *testing.T) string {
			return rawToken(`{"alg":"none"}`, mustJSON(t, claimsFor(nil)), nil)
		}},
		{name: "no alg", v: hs, want: ReasonAlgorithm, token: func(t *testing.T) string {
			return rawToken(`{"typ":"JWT"}`, mustJSON(t, claimsFor(nil)), []byte("x"))
		}},
		{name: "key confusion: HS256 signed with the RSA public key PEM", v: rs, want: ReasonAlgorithm, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, rsaPEM, claimsFor(map[string]any{"role": "ADMIN"}), "")
		}},
		{name: "HS512 when only HS256 allowed", v: hs, want: ReasonAlgorithm, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS512, testSecret, claimsFor(nil), "")
		}},
		{name: "PS256 (RSA-PSS) when only RS256 allowed", v: rs, want: ReasonAlgorithm, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodPS256, rsaKey1(), claimsFor(nil), "")
		}},
		{name: "RS256 token on ES256-only verifier", v: es, want: ReasonAlgorithm, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(nil), "")
		}},

		// Signatures.
		{name: "wrong secret", v: hs, want: ReasonSignature, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodHS256, []byte("another-secret-of-enough-length-0123456789"), claimsFor(nil), "")
		}},
		{name: "tampered payload: role flipped to ADMIN", v: hs, want: ReasonSignature, token: func(t *testing.T) string {
			return swapPayload(t, hsWith(map[string]any{"role": "VIEWER"})(t), map[string]any{"role": "ADMIN"})
		}},
		{name: "tampered payload on RS256", v: rs, want: ReasonSignature, token: func(t *testing.T) string {
			tok := sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(map[string]any{"role": "VIEWER"}), "")
			return swapPayload(t, tok, map[string]any{"role": "ADMIN"})
		}},
		{name: "tampered signature", v: hs, want: ReasonSignature, token: func(t *testing.T) string {
			tok := []byte(valid(t))
			i := strings.LastIndexByte(string(tok), '.') + 1
			if tok[i] == 'A' {
				tok[i] = 'B'
			} else {
				tok[i] = 'A'
			}
			return string(tok)
		}},
		{name: "empty signature", v: hs, want: ReasonSignature, token: func(t *testing.T) string {
			tok := valid(t)
			return tok[:strings.LastIndexByte(tok, '.')+1]
		}},
		{name: "RS256 signed by another key", v: rs, want: ReasonSignature, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey2(), claimsFor(nil), "")
		}},
		{name: "ES256 signed by another key", v: es, want: ReasonSignature, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodES256, ecKey2(), claimsFor(nil), "")
		}},

		// Time.
		{name: "expired", v: hs, want: ReasonExpired, token: hsWith(map[string]any{"exp": now.Add(-time.Hour).Unix()})},
		{name: "expired within leeway", v: hs, token: hsWith(map[string]any{"exp": now.Add(-10 * time.Second).Unix()})},
		{name: "not yet valid", v: hs, want: ReasonNotYetValid, token: hsWith(map[string]any{"nbf": now.Add(time.Hour).Unix()})},
		{name: "nbf just beyond leeway", v: hs, want: ReasonNotYetValid, token: hsWith(map[string]any{"nbf": now.Add(45 * time.Second).Unix()})},
		{name: "nbf within leeway", v: hs, token: hsWith(map[string]any{"nbf": now.Add(10 * time.Second).Unix()})},
		{name: "issued in the future", v: hs, want: ReasonNotYetValid, token: hsWith(map[string]any{"iat": now.Add(time.Hour).Unix()})},
		{name: "missing exp", v: hs, want: ReasonMissingClaim, token: hsWith(map[string]any{"exp": nil})},
		{name: "exp not a number", v: hs, want: ReasonMalformed, token: hsWith(map[string]any{"exp": "tomorrow"})},

		// Issuer and audience.
		{name: "wrong issuer", v: hs, want: ReasonIssuer, token: hsWith(map[string]any{"iss": "evil"})},
		{name: "missing issuer", v: hs, want: ReasonMissingClaim, token: hsWith(map[string]any{"iss": nil})},
		{name: "wrong audience", v: hs, want: ReasonAudience, token: hsWith(map[string]any{"aud": []string{"other-service"}})},
		{name: "missing audience", v: hs, want: ReasonMissingClaim, token: hsWith(map[string]any{"aud": nil})},

		// Hub claims.
		{name: "unknown role", v: hs, want: ReasonRole, token: hsWith(map[string]any{"role": "SUPERUSER"})},
		{name: "lower-case role", v: hs, want: ReasonRole, token: hsWith(map[string]any{"role": "admin"})},
		{name: "missing role", v: hs, want: ReasonMissingClaim, token: hsWith(map[string]any{"role": nil})},
		{name: "missing subject", v: hs, want: ReasonMissingClaim, token: hsWith(map[string]any{"sub": nil})},
		{name: "networks not an array", v: hs, want: ReasonMalformed, token: hsWith(map[string]any{"networks": "net-a"})},
		{name: "bad network id", v: hs, want: ReasonInvalidClaims, token: hsWith(map[string]any{"networks": []string{"net a"}})},
		{name: "bad region", v: hs, want: ReasonInvalidClaims, token: hsWith(map[string]any{"regions": []string{"campania!"}})},

		// Shape.
		{name: "token too large", v: hs, want: ReasonTooLarge, token: func(t *testing.T) string {
			return hsWith(map[string]any{"networks": []string{strings.Repeat("n", MaxTokenBytes)}})(t)
		}},
		{name: "empty", v: hs, want: ReasonMissing, token: func(*testing.T) string { return "" }},
		{name: "one segment", v: hs, want: ReasonMalformed, token: func(*testing.T) string { return "abc" }},
		{name: "four segments", v: hs, want: ReasonMalformed, token: func(t *testing.T) string { return valid(t) + ".x" }},
		{name: "header not base64", v: hs, want: ReasonMalformed, token: func(*testing.T) string { return "!!!.e30.e30" }},
		{name: "header not JSON", v: hs, want: ReasonMalformed, token: func(*testing.T) string { return rawToken("hello", "{}", nil) }},
		{name: "padded segments", v: hs, want: ReasonMalformed, token: func(t *testing.T) string {
			parts := strings.Split(valid(t), ".")
			return parts[0] + "." + parts[1] + "==." + parts[2]
		}},
		{name: "non-canonical base64 signature (same bytes, other text)", v: hs, want: ReasonMalformed, token: func(t *testing.T) string {
			// 32 bytes are 43 base64 characters; the last one carries 2 bits
			// and 4 zero bits. Setting a zero bit keeps the decoded bytes
			// under lax decoding: strict decoding must refuse it.
			tok := []byte(valid(t))
			last := len(tok) - 1
			i := strings.IndexByte(b64Alphabet, tok[last])
			tok[last] = b64Alphabet[i|1]
			if i|1 == i {
				t.Fatal("test token already non-canonical")
			}
			return string(tok)
		}},
		{name: "crit header", v: hs, want: ReasonMalformed, token: func(t *testing.T) string {
			tok := jwt.NewWithClaims(jwt.SigningMethodHS256, claimsFor(nil))
			tok.Header["crit"] = []string{"exp"}
			s, _ := tok.SignedString(testSecret)
			return s
		}},
		{name: "payload not JSON", v: hs, want: ReasonMalformed, token: func(*testing.T) string {
			return rawToken(`{"alg":"HS256"}`, "not json", []byte("sig"))
		}},

		// Asymmetric happy paths.
		{name: "valid RS256", v: rs, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(map[string]any{"role": "GOVERNANCE"}), "")
		}, check: func(t *testing.T, p Principal) {
			if p.Role != Governance {
				t.Errorf("role = %s", p.Role)
			}
		}},
		{name: "valid ES256", v: es, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodES256, ecKey1(), claimsFor(map[string]any{"role": "ADMIN"}), "")
		}},
		{name: "RS256 and ES256 on one verifier: RS", v: both, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodRS256, rsaKey1(), claimsFor(nil), "some-kid")
		}},
		{name: "RS256 and ES256 on one verifier: ES", v: both, token: func(t *testing.T) string {
			return sign(t, jwt.SigningMethodES256, ecKey1(), claimsFor(nil), "")
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tok := tc.token(t)
			p, err := tc.v.Verify(tok)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Verify: %v (reason %s, cause %v)", err, reasonOf(err), errorsUnwrap(err))
				}
				if tc.check != nil {
					tc.check(t, p)
				}
				return
			}
			if err == nil {
				t.Fatalf("Verify accepted the token: %+v", p)
			}
			if got := reasonOf(err); got != tc.want {
				t.Fatalf("reason = %s, want %s (error %q, cause %v)", got, tc.want, err, errorsUnwrap(err))
			}
			if p.Subject != "" || p.Role != "" {
				t.Errorf("a refused token returned a principal: %+v", p)
			}
			if tok != "" && strings.Contains(err.Error(), tok) {
				t.Errorf("error message echoes the token")
			}
		})
	}
}

const b64Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

func errorsUnwrap(err error) error {
	if e, ok := err.(*Error); ok {
		return e.Unwrap()
	}
	return nil
}

func TestConfigValidate(t *testing.T) {
	pemFile := writeFile(t, "k.pem", publicPEM(t, &rsaKey1().PublicKey))
	rsCfg := func() Config {
		return Config{Algorithms: []string{"RS256"}, PublicKeyFile: pemFile, Issuer: testIssuer, Audience: testAudience}
	}
	tests := []struct {
		name string
		edit func(*Config)
		base func() Config
		want string // substring of the error; "" means valid
	}{
		{name: "HS256 ok", base: hsConfig},
		{name: "RS256 ok", base: rsCfg},
		{name: "RS256+ES256 with JWKS ok", base: rsCfg, edit: func(c *Config) {
			c.Algorithms, c.PublicKeyFile, c.JWKSURL = []string{"RS256", "ES256"}, "", "https://idp.example.org/jwks.json"
		}},
		{name: "public anonymous ok", base: hsConfig, edit: func(c *Config) { c.Anonymous = "public" }},
		{name: "no algorithms", base: hsConfig, edit: func(c *Config) { c.Algorithms = nil }, want: "no algorithms"},
		{name: "none", base: hsConfig, edit: func(c *Config) { c.Algorithms = []string{"HS256", "none"} }, want: `"none" is never allowed`},
		{name: "NONE", base: rsCfg, edit: func(c *Config) { c.Algorithms = []string{"NONE"} }, want: `"none" is never allowed`},
		{name: "unknown algorithm", base: hsConfig, edit: func(c *Config) { c.Algorithms = []string{"HS1"} }, want: "unknown algorithm"},
		{name: "EdDSA unsupported", base: rsCfg, edit: func(c *Config) { c.Algorithms = []string{"EdDSA"} }, want: "unknown algorithm"},
		{name: "HS256+RS256 mixed", base: rsCfg, edit: func(c *Config) {
			c.Algorithms, c.Secret = []string{"HS256", "RS256"}, testSecret
		}, want: "cannot be allowed together with RS/ES algorithms (mixing symmetric and asymmetric keys enables key-confusion attacks)"},
		{name: "HS256+ES256 mixed without public keys", base: hsConfig, edit: func(c *Config) {
			c.Algorithms = []string{"ES256", "HS256"}
		}, want: "cannot be allowed together"},
		{name: "HS256 with a public key file", base: hsConfig, edit: func(c *Config) { c.PublicKeyFile = pemFile }, want: "cannot be used with public keys"},
		{name: "HS256 with a JWKS URL", base: hsConfig, edit: func(c *Config) { c.JWKSURL = "https://idp.example.org/jwks" }, want: "cannot be used with public keys"},
		{name: "HS256 without secret", base: hsConfig, edit: func(c *Config) { c.Secret = nil }, want: "need a secret"},
		{name: "short secret", base: hsConfig, edit: func(c *Config) { c.Secret = []byte("short") }, want: "at least 32"},
		{name: "RS256 without keys", base: rsCfg, edit: func(c *Config) { c.PublicKeyFile = "" }, want: "need public keys"},
		{name: "RS256 with a secret", base: rsCfg, edit: func(c *Config) { c.Secret = testSecret }, want: "remove the secret"},
		{name: "missing issuer", base: hsConfig, edit: func(c *Config) { c.Issuer = "" }, want: "issuer"},
		{name: "missing audience", base: hsConfig, edit: func(c *Config) { c.Audience = "" }, want: "audience"},
		{name: "bad anonymous", base: hsConfig, edit: func(c *Config) { c.Anonymous = "on" }, want: "anonymous access"},
		{name: "leeway too large", base: hsConfig, edit: func(c *Config) { c.Leeway = time.Hour }, want: "leeway"},
		{name: "negative leeway", base: hsConfig, edit: func(c *Config) { c.Leeway = -time.Second }, want: "leeway"},
		{name: "JWKS over plain http", base: rsCfg, edit: func(c *Config) { c.JWKSURL = "http://idp.example.org/jwks" }, want: "use https"},
		{name: "JWKS over http on loopback ok", base: rsCfg, edit: func(c *Config) { c.JWKSURL = "http://127.0.0.1:8081/jwks" }},
		{name: "JWKS not a URL", base: rsCfg, edit: func(c *Config) { c.JWKSURL = "jwks.json" }, want: "JWKS URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.base()
			if tc.edit != nil {
				tc.edit(&c)
			}
			err := c.Validate()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("Validate: %v", err)
			case tc.want != "" && err == nil:
				t.Fatalf("Validate accepted %+v", c)
			case tc.want != "" && !strings.Contains(err.Error(), tc.want):
				t.Fatalf("Validate: %v, want it to mention %q", err, tc.want)
			}
			if tc.want != "" {
				if _, err := NewVerifier(t.Context(), c); err == nil {
					t.Fatal("NewVerifier accepted an invalid config")
				}
			}
		})
	}
}

func TestNewVerifierKeyFiles(t *testing.T) {
	small, err := rsaGenerateSmall()
	if err != nil {
		t.Fatal(err)
	}
	privDER, err := x509MarshalPKCS8(rsaKey1())
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		algs []string
		pem  []byte
		want string
	}{
		{name: "private key refused", algs: []string{"RS256"}, pem: pemBlock("PRIVATE KEY", privDER), want: "private key"},
		{name: "1024-bit RSA refused", algs: []string{"RS256"}, pem: publicPEM(t, &small.PublicKey), want: "1024 bits"},
		{name: "no PEM", algs: []string{"RS256"}, pem: []byte("not pem"), want: "no PEM public keys"},
		{name: "EC key for an RS256-only verifier", algs: []string{"RS256"}, pem: publicPEM(t, &ecKey1().PublicKey), want: "none of the public keys"},
		{name: "P-384 key for ES256", algs: []string{"ES256"}, pem: publicPEM(t, &genEC(elliptic384()).PublicKey), want: "none of the public keys"},
		{name: "certificate ok", algs: []string{"RS256"}, pem: selfSignedCertPEM(t)},
		{name: "RSA PUBLIC KEY ok", algs: []string{"RS256"}, pem: pemBlock("RSA PUBLIC KEY", x509MarshalPKCS1Public(&rsaKey1().PublicKey))},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := Config{Algorithms: tc.algs, PublicKeyFile: writeFile(t, "k.pem", tc.pem), Issuer: testIssuer, Audience: testAudience}
			_, err := NewVerifier(t.Context(), c)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("NewVerifier: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("NewVerifier: %v, want an error mentioning %q", err, tc.want)
			}
		})
	}
	t.Run("missing file", func(t *testing.T) {
		c := Config{Algorithms: []string{"RS256"}, PublicKeyFile: "/nonexistent/k.pem", Issuer: testIssuer, Audience: testAudience}
		if _, err := NewVerifier(t.Context(), c); err == nil {
			t.Fatal("NewVerifier accepted a missing key file")
		}
	})
}

func TestErrorMessagesAreGeneral(t *testing.T) {
	for r, m := range messages {
		if m == "" || strings.ContainsAny(m, "\"\\\n") {
			t.Errorf("message of %s = %q: must be non-empty and safe in a quoted header", r, m)
		}
	}
	e := fail(ReasonExpired, jwt.ErrTokenExpired)
	if e.Error() != "token expired" {
		t.Errorf("Error() = %q", e.Error())
	}
}
