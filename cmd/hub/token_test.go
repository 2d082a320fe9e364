package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"govhub/internal/auth"
)

const testJWTSecret = "a-development-secret-of-at-least-32-bytes"

// verifierFromEnv builds the verifier the hub would build from the same
// environment: HS256, HUB_JWT_SECRET, HUB_JWT_ISSUER and HUB_JWT_AUDIENCE
// with the same defaults as hub token.
func verifierFromEnv(t *testing.T) *auth.Verifier {
	t.Helper()
	v, err := auth.NewVerifier(t.Context(), auth.Config{
		Algorithms: []string{"HS256"},
		Secret:     []byte(os.Getenv("HUB_JWT_SECRET")),
		Issuer:     env("HUB_JWT_ISSUER", "governance-hub"),
		Audience:   env("HUB_JWT_AUDIENCE", "governance-hub"),
	})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func runToken(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	err := tokenCmd(t.Context(), args, &stdout, &stderr)
	return strings.TrimSpace(stdout.String()), stderr.String(), err
}

func TestTokenCmdVerifies(t *testing.T) {
	tests := []struct {
		name   string
		env    map[string]string
		args   []string
		want   auth.Principal
		expiry time.Duration
	}{
		{
			name: "coordinator with default issuer and audience",
			env:  map[string]string{"HUB_JWT_SECRET": testJWTSecret},
			args: []string{"--role", "COORDINATOR", "--network", "net-impact-campania", "--network", "net-com-in,net-x", "--subject", "alice", "--ttl", "8h"},
			want: auth.Principal{Subject: "alice", Role: auth.Coordinator, Networks: []string{"net-impact-campania", "net-com-in", "net-x"}},
		},
		{
			name: "governance with ISTAT regions and custom issuer/audience",
			env:  map[string]string{"HUB_JWT_SECRET": testJWTSecret, "HUB_JWT_ISSUER": "idp.example", "HUB_JWT_AUDIENCE": "hub-prod"},
			args: []string{"--role", "governance", "--region", "15", "--region", "terr-063"},
			want: auth.Principal{Subject: "developer", Role: auth.Governance, Regions: []string{"terr-15", "terr-063"}},
		},
		{
			name: "default viewer",
			env:  map[string]string{"HUB_JWT_SECRET": testJWTSecret},
			want: auth.Principal{Subject: "developer", Role: auth.Viewer},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, k := range []string{"HUB_JWT_SECRET", "HUB_JWT_ISSUER", "HUB_JWT_AUDIENCE", "HUB_JWT_PRIVATE_KEY_FILE"} {
				t.Setenv(k, tc.env[k])
			}
			tok, stderr, err := runToken(t, tc.args...)
			if err != nil {
				t.Fatalf("hub token: %v\n%s", err, stderr)
			}
			if strings.Contains(stderr, testJWTSecret) {
				t.Error("stderr shows the secret")
			}
			p, err := verifierFromEnv(t).Verify(tok)
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if p.Subject != tc.want.Subject || p.Role != tc.want.Role || p.Anonymous ||
				!slices.Equal(p.Networks, tc.want.Networks) || !slices.Equal(p.Regions, tc.want.Regions) {
				t.Errorf("principal = %+v, want %+v", p, tc.want)
			}
		})
	}
}

func TestTokenCmdIssuerMismatch(t *testing.T) {
	t.Setenv("HUB_JWT_SECRET", testJWTSecret)
	t.Setenv("HUB_JWT_AUDIENCE", "")
	t.Setenv("HUB_JWT_ISSUER", "")
	tok, _, err := runToken(t, "--role", "ADMIN", "--issuer", "someone-else")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := verifierFromEnv(t).Verify(tok); err == nil {
		t.Fatal("a token for another issuer verified")
	}
}

func TestTokenCmdSecretSources(t *testing.T) {
	t.Setenv("HUB_JWT_ISSUER", "")
	t.Setenv("HUB_JWT_AUDIENCE", "")
	file := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(file, []byte(testJWTSecret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUB_JWT_SECRET", "")
	tok, _, err := runToken(t, "--secret-file", file)
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUB_JWT_SECRET", testJWTSecret)
	if _, err := verifierFromEnv(t).Verify(tok); err != nil {
		t.Fatalf("token signed with --secret-file: %v", err)
	}
}

func TestTokenCmdPrivateKey(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	privDER, _ := x509.MarshalPKCS8PrivateKey(key)
	pubDER, _ := x509.MarshalPKIXPublicKey(&key.PublicKey)
	dir := t.TempDir()
	privFile, pubFile := filepath.Join(dir, "dev.pem"), filepath.Join(dir, "dev.pub.pem")
	if err := os.WriteFile(privFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: privDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(pubFile, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("HUB_JWT_SECRET", "")
	t.Setenv("HUB_JWT_ISSUER", "")
	t.Setenv("HUB_JWT_AUDIENCE", "")
	tok, stderr, err := runToken(t, "--role", "ADMIN", "--private-key", privFile, "--kid", "dev-1")
	if err != nil {
		t.Fatalf("hub token: %v\n%s", err, stderr)
	}
	v, err := auth.NewVerifier(t.Context(), auth.Config{Algorithms: []string{"ES256"}, PublicKeyFile: pubFile,
		Issuer: "governance-hub", Audience: "governance-hub"})
	if err != nil {
		t.Fatal(err)
	}
	if p, err := v.Verify(tok); err != nil || p.Role != auth.Admin {
		t.Fatalf("Verify: %+v, %v", p, err)
	}
}

func TestTokenCmdErrors(t *testing.T) {
	tests := []struct {
		name   string
		secret string
		args   []string
		want   string
	}{
		{name: "no secret", want: "no secret: set HUB_JWT_SECRET"},
		{name: "short secret", secret: "short", want: "at least 32"},
		{name: "unknown role", secret: testJWTSecret, args: []string{"--role", "ROOT"}, want: "--role"},
		{name: "bad region", secret: testJWTSecret, args: []string{"--role", "GOVERNANCE", "--region", "Campania!"}, want: "region"},
		{name: "zero ttl", secret: testJWTSecret, args: []string{"--ttl", "0s"}, want: "--ttl"},
		{name: "ttl too long", secret: testJWTSecret, args: []string{"--ttl", "10000h"}, want: "--ttl"},
		{name: "positional argument", secret: testJWTSecret, args: []string{"ADMIN"}, want: "unexpected arguments"},
		{name: "secret and secret file", secret: testJWTSecret, args: []string{"--secret", testJWTSecret, "--secret-file", "x"}, want: "not both"},
		{name: "secret and private key", args: []string{"--secret", testJWTSecret, "--private-key", "x.pem"}, want: "not both"},
		{name: "missing private key", args: []string{"--private-key", "/nonexistent/key.pem"}, want: "--private-key"},
		{name: "unknown flag", secret: testJWTSecret, args: []string{"--scope", "x"}, want: "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("HUB_JWT_SECRET", tc.secret)
			t.Setenv("HUB_JWT_PRIVATE_KEY_FILE", "")
			tok, _, err := runToken(t, tc.args...)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("hub token %v: %v, want an error mentioning %q", tc.args, err, tc.want)
			}
			if tok != "" {
				t.Errorf("a token was printed on error")
			}
			if strings.Contains(err.Error(), testJWTSecret) {
				t.Error("the error shows the secret")
			}
		})
	}
}

func TestTokenCmdHelp(t *testing.T) {
	t.Setenv("HUB_JWT_SECRET", testJWTSecret)
	out, stderr, err := runToken(t, "--help")
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("--help: %v", err)
	}
	if out != "" {
		t.Errorf("--help printed on stdout: %q", out)
	}
	for _, want := range []string{"Usage: hub token", "Examples:", "--role COORDINATOR --network", "HUB_JWT_SECRET", "HUB_JWT_ISSUER", "HUB_JWT_AUDIENCE", "-ttl", "-region"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("help lacks %q", want)
		}
	}
	if strings.Contains(stderr, testJWTSecret) {
		t.Error("help prints the secret from the environment")
	}
}
