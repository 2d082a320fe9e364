package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"govhub/internal/auth"
)

const tokenSummary = `Mints a development bearer token (JWT) for a role and its scopes, and prints
it on stdout (a summary goes to stderr). The hub must verify with the same
secret (or the public key of --private-key), issuer and audience.

By default the token is signed with HS256 and the secret in HUB_JWT_SECRET
(at least 32 bytes). Prefer the environment variable or --secret-file to
--secret: command-line arguments are visible to other local users.

Roles: ADMIN (everything), COORDINATOR (writes the --network networks and
their actions), GOVERNANCE (reads everything in the --region territories and
their descendants, writes governance bodies there), VIEWER (reads).
Regions are territory ids (terr-15) or ISTAT codes (15, 063, 063049), which
are normalised to ids.

Examples:
  export HUB_JWT_SECRET="$(openssl rand -base64 48)"
  hub token --role ADMIN --subject root --ttl 1h
  hub token --role COORDINATOR --network net-impact-campania --network net-com-in --subject alice
  hub token --role GOVERNANCE --region 15 --region 19 --subject tavolo-campania --ttl 8h
  TOKEN=$(hub token --role VIEWER) && curl -H "Authorization: Bearer $TOKEN" 'http://127.0.0.1:8080/graphql?query={__typename}'
  hub token --role ADMIN --private-key dev-rsa.pem --kid dev-1   # RS256/ES256 for a key-file or JWKS setup`

// maxDevTokenTTL bounds the lifetime of development tokens.
const maxDevTokenTTL = 30 * 24 * time.Hour

// listFlag is a repeatable flag that also splits comma-separated values.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(s string) error {
	for _, v := range strings.Split(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			*l = append(*l, v)
		}
	}
	return nil
}

// tokenCmd is "hub token".
func tokenCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	_ = ctx // minting is local and immediate
	fs := newFlagSet("token", tokenSummary, stderr)
	var networks, regions listFlag
	role := fs.String("role", "VIEWER", "`role`: ADMIN, COORDINATOR, GOVERNANCE or VIEWER")
	fs.Var(&networks, "network", "network `id` a COORDINATOR may write; repeat or separate with commas")
	fs.Var(&regions, "region", "territory `id or ISTAT code` (15, terr-063) a GOVERNANCE table covers; repeat or separate with commas")
	subject := fs.String("subject", "developer", "token subject (`sub`), e.g. a user name")
	ttl := fs.Duration("ttl", 8*time.Hour, "lifetime of the token, at most 720h (`duration`)")
	issuer := fs.String("issuer", env("HUB_JWT_ISSUER", "governance-hub"), "issuer (`iss`) the hub expects (HUB_JWT_ISSUER)")
	audience := fs.String("audience", env("HUB_JWT_AUDIENCE", "governance-hub"), "audience (`aud`) the hub expects (HUB_JWT_AUDIENCE)")
	// The secret's default is not the environment value: --help must not print it.
	secret := fs.String("secret", "", "HS256 `secret`, at least 32 bytes (default $HUB_JWT_SECRET; prefer the variable)")
	secretFile := fs.String("secret-file", "", "read the HS256 secret from `file` (trailing newline removed)")
	privateKey := fs.String("private-key", env("HUB_JWT_PRIVATE_KEY_FILE", ""), "sign with this PEM private key `file` (RSA: RS256, EC: ES256) instead of a secret (HUB_JWT_PRIVATE_KEY_FILE)")
	alg := fs.String("alg", "", "signing `algorithm`; default HS256 with a secret, RS256/ES256 from the private key")
	kid := fs.String("kid", "", "key id (`kid`) header, to pick a key from a JWKS")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q: hub token takes flags only", fs.Args())
	}
	r, err := auth.ParseRole(*role)
	if err != nil {
		return fmt.Errorf("--role: %w", err)
	}
	if *ttl <= 0 || *ttl > maxDevTokenTTL {
		return fmt.Errorf("--ttl %v: use a positive duration up to %v", *ttl, maxDevTokenTTL)
	}
	switch {
	case r == auth.Coordinator && len(networks) == 0:
		fmt.Fprintln(stderr, "warning: a COORDINATOR without --network can write no network")
	case r == auth.Governance && len(regions) == 0:
		fmt.Fprintln(stderr, "warning: a GOVERNANCE token without --region covers no territory")
	}

	o := auth.MintOptions{
		Algorithm: *alg, KeyID: *kid,
		Issuer: *issuer, Audience: *audience, Subject: *subject,
		Role: r, Networks: networks, Regions: regions, TTL: *ttl,
	}
	if *privateKey != "" {
		if *secret != "" || *secretFile != "" {
			return errors.New("give either --private-key or a secret, not both")
		}
		if o.PrivateKeyPEM, err = os.ReadFile(*privateKey); err != nil {
			return fmt.Errorf("--private-key: %w", err)
		}
	} else if o.Secret, err = tokenSecret(*secret, *secretFile); err != nil {
		return err
	}

	tok, err := auth.Mint(o)
	if err != nil {
		return err
	}
	fmt.Fprintln(stdout, tok)
	desc := fmt.Sprintf("%s token for %q, expires %s", r, *subject, time.Now().Add(*ttl).UTC().Format(time.RFC3339))
	if len(networks) > 0 {
		desc += ", networks " + networks.String()
	}
	if len(regions) > 0 {
		ids := make([]string, len(regions))
		for i, r := range regions {
			ids[i], _ = auth.NormalizeRegion(r) // Mint has checked them
		}
		desc += ", regions " + strings.Join(ids, ",")
	}
	fmt.Fprintln(stderr, desc)
	return nil
}

// tokenSecret picks the HS256 secret: --secret, --secret-file, then
// HUB_JWT_SECRET.
func tokenSecret(flagValue, file string) ([]byte, error) {
	var s []byte
	switch {
	case flagValue != "" && file != "":
		return nil, errors.New("give either --secret or --secret-file, not both")
	case flagValue != "":
		s = []byte(flagValue)
	case file != "":
		b, err := os.ReadFile(file)
		if err != nil {
			return nil, fmt.Errorf("--secret-file: %w", err)
		}
		s = []byte(strings.TrimRight(string(b), "\r\n"))
	default:
		s = []byte(env("HUB_JWT_SECRET", ""))
	}
	if len(s) == 0 {
		return nil, errors.New("no secret: set HUB_JWT_SECRET (at least 32 bytes, e.g. openssl rand -base64 48) or use --secret-file")
	}
	if len(s) < auth.MinSecretBytes {
		return nil, fmt.Errorf("the secret is %d bytes: at least %d are needed", len(s), auth.MinSecretBytes)
	}
	return s, nil
}
