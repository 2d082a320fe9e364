package auth

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// MintOptions describe a development token.
type MintOptions struct {
	// Secret signs with HS256 (at least 32 bytes) when PrivateKeyPEM is empty.
	Secret []byte
	// PrivateKeyPEM signs with RS256/ES256 instead ("PRIVATE KEY",
	// "RSA PRIVATE KEY" or "EC PRIVATE KEY").
	PrivateKeyPEM []byte
	// Algorithm defaults to HS256 with a secret, RS256 with an RSA key and
	// ES256/ES384/ES512 with an EC key of the matching curve.
	Algorithm string
	// KeyID, if set, goes in the "kid" header (to pick a JWKS key).
	KeyID string

	Issuer, Audience, Subject string
	Role                      Role
	Networks, Regions         []string // regions: ids or ISTAT codes, normalised to ids
	TTL                       time.Duration
	NotBefore                 time.Time // zero: now
}

// Mint signs a development token with the hub's claims. It refuses what the
// verifier would refuse: no subject, issuer or audience, an unknown role, a
// non-positive TTL, a secret shorter than 32 bytes, malformed ids.
func Mint(o MintOptions) (string, error) {
	if o.Subject == "" || o.Issuer == "" || o.Audience == "" {
		return "", errors.New("auth: subject, issuer and audience are required")
	}
	if !o.Role.Valid() {
		return "", fmt.Errorf("auth: unknown role %q: use ADMIN, COORDINATOR, GOVERNANCE or VIEWER", o.Role)
	}
	if o.TTL <= 0 {
		return "", errors.New("auth: the TTL must be positive (tokens always expire)")
	}
	networks, err := checkNetworks(o.Networks)
	if err != nil {
		return "", fmt.Errorf("auth: %w", err)
	}
	regions, err := normalizeRegions(o.Regions)
	if err != nil {
		return "", fmt.Errorf("auth: %w", err)
	}
	method, key, err := signingKey(o)
	if err != nil {
		return "", err
	}
	now := time.Now().Truncate(time.Second)
	nbf := now
	if !o.NotBefore.IsZero() {
		nbf = o.NotBefore
	}
	if !nbf.Before(now.Add(o.TTL)) {
		return "", errors.New("auth: the token would expire before it becomes valid")
	}
	t := jwt.NewWithClaims(method, claims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   o.Subject,
			Issuer:    o.Issuer,
			Audience:  jwt.ClaimStrings{o.Audience},
			IssuedAt:  jwt.NewNumericDate(now),
			NotBefore: jwt.NewNumericDate(nbf),
			ExpiresAt: jwt.NewNumericDate(now.Add(o.TTL)),
		},
		Role:     o.Role,
		Networks: networks,
		Regions:  regions,
	})
	if o.KeyID != "" {
		t.Header["kid"] = o.KeyID
	}
	s, err := t.SignedString(key)
	if err != nil {
		return "", fmt.Errorf("auth: signing: %w", err)
	}
	if len(s) > MaxTokenBytes {
		return "", fmt.Errorf("auth: token of %d bytes is larger than the %d the verifier accepts", len(s), MaxTokenBytes)
	}
	return s, nil
}

// signingKey picks the method and key of o.
func signingKey(o MintOptions) (jwt.SigningMethod, any, error) {
	if len(o.PrivateKeyPEM) == 0 {
		alg := o.Algorithm
		if alg == "" {
			alg = "HS256"
		}
		if algorithms[alg] != familyHMAC {
			return nil, nil, fmt.Errorf("auth: algorithm %q needs a private key; a secret signs HS256, HS384 or HS512", alg)
		}
		if len(o.Secret) < MinSecretBytes {
			return nil, nil, fmt.Errorf("auth: the secret is %d bytes: at least %d are needed", len(o.Secret), MinSecretBytes)
		}
		return jwt.GetSigningMethod(alg), o.Secret, nil
	}
	if len(o.Secret) > 0 {
		return nil, nil, errors.New("auth: give either a secret or a private key, not both")
	}
	priv, err := parsePrivateKeyPEM(o.PrivateKeyPEM)
	if err != nil {
		return nil, nil, err
	}
	alg := o.Algorithm
	switch k := priv.(type) {
	case *rsa.PrivateKey:
		if alg == "" {
			alg = "RS256"
		}
		if algorithms[alg] != familyRSA {
			return nil, nil, fmt.Errorf("auth: an RSA key signs RS256, RS384 or RS512, not %q", alg)
		}
		if err := checkPublicKey(&k.PublicKey); err != nil {
			return nil, nil, fmt.Errorf("auth: private key: %w", err)
		}
	case *ecdsa.PrivateKey:
		if alg == "" {
			switch k.Curve {
			case elliptic.P256():
				alg = "ES256"
			case elliptic.P384():
				alg = "ES384"
			case elliptic.P521():
				alg = "ES512"
			}
		}
		if algorithms[alg] != familyEC || curveFor(alg) != k.Curve {
			return nil, nil, fmt.Errorf("auth: this EC key cannot sign %q (ES256 needs P-256, ES384 P-384, ES512 P-521)", alg)
		}
	default:
		return nil, nil, fmt.Errorf("auth: unsupported private key type %T: use RSA or EC", priv)
	}
	return jwt.GetSigningMethod(alg), priv, nil
}

// parsePrivateKeyPEM reads the first private key of a PEM file.
func parsePrivateKeyPEM(data []byte) (crypto.Signer, error) {
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			return nil, errors.New("auth: no PEM private key found")
		}
		var (
			k   any
			err error
		)
		switch b.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(b.Bytes)
		case "RSA PRIVATE KEY":
			k, err = x509.ParsePKCS1PrivateKey(b.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(b.Bytes)
		default:
			continue // e.g. "EC PARAMETERS" before the key
		}
		if err != nil {
			return nil, fmt.Errorf("auth: private key: %w", err)
		}
		s, ok := k.(crypto.Signer)
		if !ok {
			return nil, fmt.Errorf("auth: unsupported private key type %T", k)
		}
		return s, nil
	}
}
