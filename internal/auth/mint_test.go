package auth

import (
	"crypto/x509"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestMint(t *testing.T) {
	rsaPKCS8, err := x509.MarshalPKCS8PrivateKey(rsaKey1())
	if err != nil {
		t.Fatal(err)
	}
	ecSEC1, err := x509.MarshalECPrivateKey(ecKey1())
	if err != nil {
		t.Fatal(err)
	}
	rsaPEM := pemBlock("PRIVATE KEY", rsaPKCS8)
	ecPEM := pemBlock("EC PRIVATE KEY", ecSEC1)
	rsaPKCS1PEM := pemBlock("RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(rsaKey1()))

	hs := newVerifier(t, hsConfig())
	asym := newVerifier(t, Config{Algorithms: []string{"RS256", "ES256"},
		PublicKeyFile: writeFile(t, "pub.pem", publicPEM(t, &rsaKey1().PublicKey, &ecKey1().PublicKey)),
		Issuer:        testIssuer, Audience: testAudience})

	base := func() MintOptions {
		return MintOptions{Secret: testSecret, Issuer: testIssuer, Audience: testAudience, Subject: "alice",
			Role: Governance, Regions: []string{"15", "terr-063", "15"}, Networks: []string{"net-a"}, TTL: time.Hour}
	}
	tests := []struct {
		name string
		edit func(*MintOptions)
		v    *Verifier
		want string // substring of the Mint error; "" means it mints and verifies
	}{
		{name: "HS256", v: hs},
		{name: "RS256 from PKCS#8", v: asym, edit: func(o *MintOptions) { o.Secret, o.PrivateKeyPEM = nil, rsaPEM }},
		{name: "RS256 from PKCS#1", v: asym, edit: func(o *MintOptions) { o.Secret, o.PrivateKeyPEM = nil, rsaPKCS1PEM }},
		{name: "ES256 from SEC 1", v: asym, edit: func(o *MintOptions) { o.Secret, o.PrivateKeyPEM = nil, ecPEM }},
		{name: "with kid", v: hs, edit: func(o *MintOptions) { o.KeyID = "dev-1" }},
		{name: "short secret", edit: func(o *MintOptions) { o.Secret = []byte("short") }, want: "at least 32"},
		{name: "secret and key", edit: func(o *MintOptions) { o.PrivateKeyPEM = rsaPEM }, want: "not both"},
		{name: "RS256 with a secret", edit: func(o *MintOptions) { o.Algorithm = "RS256" }, want: "needs a private key"},
		{name: "ES256 with an RSA key", edit: func(o *MintOptions) { o.Secret, o.PrivateKeyPEM, o.Algorithm = nil, rsaPEM, "ES256" }, want: "RSA key signs"},
		{name: "ES384 with a P-256 key", edit: func(o *MintOptions) { o.Secret, o.PrivateKeyPEM, o.Algorithm = nil, ecPEM, "ES384" }, want: "cannot sign"},
		{name: "none", edit: func(o *MintOptions) { o.Algorithm = "none" }, want: "needs a private key"},
		{name: "unknown role", edit: func(o *MintOptions) { o.Role = "ROOT" }, want: "unknown role"},
		{name: "no TTL", edit: func(o *MintOptions) { o.TTL = 0 }, want: "TTL"},
		{name: "no subject", edit: func(o *MintOptions) { o.Subject = "" }, want: "required"},
		{name: "bad region", edit: func(o *MintOptions) { o.Regions = []string{"Campania Felix"} }, want: "region"},
		{name: "bad network", edit: func(o *MintOptions) { o.Networks = []string{""} }, want: "network"},
		{name: "nbf after exp", edit: func(o *MintOptions) { o.NotBefore = time.Now().Add(2 * time.Hour) }, want: "expire before"},
		{name: "not a PEM key", edit: func(o *MintOptions) { o.Secret, o.PrivateKeyPEM = nil, []byte("nope") }, want: "no PEM private key"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			o := base()
			if tc.edit != nil {
				tc.edit(&o)
			}
			tok, err := Mint(o)
			if tc.want != "" {
				if err == nil || !strings.Contains(err.Error(), tc.want) {
					t.Fatalf("Mint: %v, want an error mentioning %q", err, tc.want)
				}
				return
			}
			if err != nil {
				t.Fatalf("Mint: %v", err)
			}
			p, err := tc.v.Verify(tok)
			if err != nil {
				t.Fatalf("Verify(minted): %v (cause %v)", err, errorsUnwrap(err))
			}
			if p.Subject != "alice" || p.Role != Governance || !slices.Equal(p.Regions, []string{"terr-15", "terr-063"}) ||
				!slices.Equal(p.Networks, []string{"net-a"}) {
				t.Errorf("principal = %+v", p)
			}
		})
	}
}

func TestMintNotBefore(t *testing.T) {
	v := newVerifier(t, hsConfig())
	tok, err := Mint(MintOptions{Secret: testSecret, Issuer: testIssuer, Audience: testAudience, Subject: "bob",
		Role: Viewer, TTL: 2 * time.Hour, NotBefore: time.Now().Add(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(tok); reasonOf(err) != ReasonNotYetValid {
		t.Fatalf("Verify: %v, want %s", err, ReasonNotYetValid)
	}
}
