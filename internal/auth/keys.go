package auth

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
)

// RSA key sizes accepted for verification.
const (
	minRSABits = 2048
	maxRSABits = 8192
)

// publicKey is one verification key: *rsa.PublicKey or *ecdsa.PublicKey.
type publicKey struct {
	kid string // "" for keys from a PEM file
	alg string // the JWK "alg", if given: the only algorithm it may verify
	key any
}

// family is the algorithm family the key serves.
func (k publicKey) family() algFamily {
	switch k.key.(type) {
	case *rsa.PublicKey:
		return familyRSA
	case *ecdsa.PublicKey:
		return familyEC
	}
	return 0
}

// fits reports whether the key may verify a token signed with alg.
func (k publicKey) fits(alg string) bool {
	if k.alg != "" && k.alg != alg {
		return false
	}
	switch key := k.key.(type) {
	case *rsa.PublicKey:
		return algorithms[alg] == familyRSA
	case *ecdsa.PublicKey:
		return algorithms[alg] == familyEC && curveFor(alg) == key.Curve
	}
	return false
}

// curveFor is the curve an ES algorithm signs on.
func curveFor(alg string) elliptic.Curve {
	switch alg {
	case "ES256":
		return elliptic.P256()
	case "ES384":
		return elliptic.P384()
	case "ES512":
		return elliptic.P521()
	}
	return nil
}

// checkPublicKey accepts RSA keys of 2048-8192 bits and EC keys on P-256,
// P-384 and P-521.
func checkPublicKey(k any) error {
	switch key := k.(type) {
	case *rsa.PublicKey:
		if n := key.N.BitLen(); n < minRSABits || n > maxRSABits {
			return fmt.Errorf("RSA key of %d bits: use %d to %d", n, minRSABits, maxRSABits)
		}
		if key.E < 3 || key.E%2 == 0 {
			return errors.New("RSA key with an invalid public exponent")
		}
		return nil
	case *ecdsa.PublicKey:
		switch key.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
			return nil
		}
		return errors.New("EC key on an unsupported curve: use P-256, P-384 or P-521")
	}
	return fmt.Errorf("unsupported key type %T: use RSA or EC (P-256) public keys", k)
}

// parsePublicKeysPEM reads every public key in a PEM file. Private keys are
// refused so that a misconfiguration does not leave a private key on a server
// that only needs to verify.
func parsePublicKeysPEM(data []byte) ([]publicKey, error) {
	var keys []publicKey
	for n := 1; ; n++ {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		var (
			k   any
			err error
		)
		switch b.Type {
		case "PUBLIC KEY":
			k, err = x509.ParsePKIXPublicKey(b.Bytes)
		case "RSA PUBLIC KEY":
			k, err = x509.ParsePKCS1PublicKey(b.Bytes)
		case "CERTIFICATE":
			var cert *x509.Certificate
			if cert, err = x509.ParseCertificate(b.Bytes); err == nil {
				k = cert.PublicKey
			}
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY":
			return nil, fmt.Errorf("PEM block %d is a private key: give the public key only", n)
		default:
			return nil, fmt.Errorf("PEM block %d has unsupported type %q: use PUBLIC KEY, RSA PUBLIC KEY or CERTIFICATE", n, b.Type)
		}
		if err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", n, err)
		}
		if err := checkPublicKey(k); err != nil {
			return nil, fmt.Errorf("PEM block %d: %w", n, err)
		}
		keys = append(keys, publicKey{key: k})
	}
	if len(keys) == 0 {
		return nil, errors.New("no PEM public keys found")
	}
	return keys, nil
}

// jwk is the part of a JSON Web Key (RFC 7517/7518) that is used.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Use string `json:"use"`
	Alg string `json:"alg"`
	N   string `json:"n"`
	E   string `json:"e"`
	Crv string `json:"crv"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// parseJWKS reads the RSA and EC signature keys of a JWKS document. Keys that
// are not for signatures, of other types ("oct" keys are always ignored: a
// JWKS never supplies symmetric secrets) or malformed are skipped and
// reported in skipped; it fails when no usable key remains.
func parseJWKS(data []byte) (keys []publicKey, skipped []error, err error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, nil, fmt.Errorf("JWKS is not JSON: %w", err)
	}
	for i, raw := range doc.Keys {
		var j jwk
		if err := json.Unmarshal(raw, &j); err != nil {
			skipped = append(skipped, fmt.Errorf("key %d: %w", i, err))
			continue
		}
		k, err := j.publicKey()
		if err != nil {
			skipped = append(skipped, fmt.Errorf("key %d (kid %q): %w", i, j.Kid, err))
			continue
		}
		keys = append(keys, k)
	}
	if len(keys) == 0 {
		return nil, skipped, errors.New("JWKS has no usable RSA or EC signature keys")
	}
	return keys, skipped, nil
}

func (j jwk) publicKey() (publicKey, error) {
	if j.Use != "" && j.Use != "sig" {
		return publicKey{}, fmt.Errorf("use %q is not sig", j.Use)
	}
	if j.Alg != "" {
		if _, ok := algorithms[j.Alg]; !ok {
			return publicKey{}, fmt.Errorf("unsupported alg %q", j.Alg)
		}
	}
	if len(j.Kid) > 256 {
		return publicKey{}, errors.New("kid too long")
	}
	var (
		key any
		err error
	)
	switch j.Kty {
	case "RSA":
		key, err = j.rsa()
	case "EC":
		key, err = j.ec()
	default:
		return publicKey{}, fmt.Errorf("unsupported kty %q", j.Kty)
	}
	if err != nil {
		return publicKey{}, err
	}
	if err := checkPublicKey(key); err != nil {
		return publicKey{}, err
	}
	k := publicKey{kid: j.Kid, alg: j.Alg, key: key}
	if j.Alg != "" && algorithms[j.Alg] != k.family() {
		return publicKey{}, fmt.Errorf("alg %q does not match kty %q", j.Alg, j.Kty)
	}
	return k, nil
}

func (j jwk) rsa() (*rsa.PublicKey, error) {
	n, err := b64(j.N)
	if err != nil || len(n) == 0 || n[0] == 0 {
		return nil, errors.New("RSA modulus n is not unsigned base64url without leading zeros")
	}
	e, err := b64(j.E)
	if err != nil || len(e) == 0 || len(e) > 4 || e[0] == 0 {
		return nil, errors.New("RSA exponent e is not a base64url integer of at most 4 bytes")
	}
	var exp int
	for _, b := range e {
		exp = exp<<8 | int(b)
	}
	if exp > 1<<31-1 {
		return nil, errors.New("RSA exponent e too large")
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: exp}, nil
}

func (j jwk) ec() (*ecdsa.PublicKey, error) {
	var (
		curve elliptic.Curve
		size  int
	)
	switch j.Crv {
	case "P-256":
		curve, size = elliptic.P256(), 32
	case "P-384":
		curve, size = elliptic.P384(), 48
	case "P-521":
		curve, size = elliptic.P521(), 66
	default:
		return nil, fmt.Errorf("unsupported EC curve %q", j.Crv)
	}
	x, errX := b64(j.X)
	y, errY := b64(j.Y)
	if errX != nil || errY != nil || len(x) != size || len(y) != size {
		return nil, fmt.Errorf("EC coordinates x and y must be base64url of %d bytes each", size)
	}
	point := make([]byte, 0, 1+2*size)
	point = append(point, 4)
	point = append(point, x...)
	point = append(point, y...)
	key, err := ecdsa.ParseUncompressedPublicKey(curve, point)
	if err != nil {
		return nil, errors.New("EC point is not on the curve")
	}
	return key, nil
}

func b64(s string) ([]byte, error) { return base64.RawURLEncoding.Strict().DecodeString(s) }
