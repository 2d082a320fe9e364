// Package auth authenticates the callers of the hub with JWT bearer tokens
// (golang-jwt v5) and carries who they are through the request context.
//
// Tokens are verified against an algorithm allow-list fixed by configuration:
// HS256 with a shared secret, or RS256/ES256 with public keys read from a PEM
// file or a JWKS endpoint that is refreshed. Symmetric and asymmetric
// algorithms are never mixed, "none" is never accepted, and every token must
// carry "exp", the configured "iss" and the configured audience in "aud".
//
// Roles:
//
//   - ADMIN reads and writes everything.
//   - COORDINATOR writes only the networks named in its "networks" claim, and
//     their actions.
//   - GOVERNANCE reads everything in the territories named in its "regions"
//     claim, descendants included, and writes the governance bodies there.
//   - VIEWER reads.
//
// Anonymous callers, when allowed, get a Principal with Anonymous true and
// Role Viewer; they should see only public, non-personal fields.
package auth

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// Role is what a principal may do.
type Role string

// The roles a token may carry in its "role" claim.
const (
	Admin       Role = "ADMIN"
	Coordinator Role = "COORDINATOR"
	Governance  Role = "GOVERNANCE"
	Viewer      Role = "VIEWER"
)

// Valid reports whether r is one of the four roles (exact, upper case).
func (r Role) Valid() bool {
	switch r {
	case Admin, Coordinator, Governance, Viewer:
		return true
	}
	return false
}

// ParseRole reads a role name case-insensitively ("coordinator" is
// COORDINATOR). Tokens are stricter: their "role" claim must be exact.
func ParseRole(s string) (Role, error) {
	r := Role(strings.ToUpper(strings.TrimSpace(s)))
	if !r.Valid() {
		return "", fmt.Errorf("unknown role %q: use ADMIN, COORDINATOR, GOVERNANCE or VIEWER", s)
	}
	return r, nil
}

// Principal is who makes a request. Anonymous callers have Anonymous true and
// Role Viewer.
type Principal struct {
	Subject  string
	Role     Role
	Networks []string // network ids a coordinator may write
	// Regions are territory ids (e.g. "terr-15"), ISTAT codes in tokens being
	// normalised to ids, a governance table may read and write in.
	Regions   []string
	Anonymous bool
}

// AnonymousPrincipal is the principal of a request without a token when
// anonymous access is "public".
func AnonymousPrincipal() Principal {
	return Principal{Role: Viewer, Anonymous: true}
}

// CanWriteNetwork reports whether p may write the network with the given id
// (and its actions): ADMIN always, COORDINATOR for the networks in its claims.
func (p Principal) CanWriteNetwork(networkID string) bool {
	if p.Anonymous {
		return false
	}
	switch p.Role {
	case Admin:
		return true
	case Coordinator:
		return networkID != "" && slices.Contains(p.Networks, networkID)
	}
	return false
}

// CoversTerritory reports whether a GOVERNANCE principal's regions include a
// territory. Pass the territory id followed by its ancestors (e.g.
// "terr-063049", "terr-063", "terr-15", "terr-IT") so that a region covers its
// descendants. ADMIN covers everything; other roles nothing.
func (p Principal) CoversTerritory(territoryAndAncestors ...string) bool {
	if p.Anonymous {
		return false
	}
	switch p.Role {
	case Admin:
		return true
	case Governance:
		for _, id := range territoryAndAncestors {
			if id != "" && slices.Contains(p.Regions, id) {
				return true
			}
		}
	}
	return false
}

type ctxKey struct{}

// WithPrincipal returns a context that carries p.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, ctxKey{}, p)
}

// FromContext returns the principal in ctx, if any. A request that passed
// Middleware always has one (possibly anonymous).
func FromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(ctxKey{}).(Principal)
	return p, ok
}

// territoryPrefix is the prefix of territory ids (graph.TerritoryID).
const territoryPrefix = "terr-"

// NormalizeRegion turns a region claim into a territory id: ISTAT codes such
// as "15" (region), "063" (province) or "063049" (municipality), and the
// country code "IT", become "terr-15", "terr-063", "terr-063049", "terr-IT";
// ids that already start with "terr-" are kept. Anything else is an error.
func NormalizeRegion(s string) (string, error) {
	code := strings.TrimPrefix(s, territoryPrefix)
	if code == "" || len(code) > 32 {
		return "", fmt.Errorf("region %q is not a territory id or ISTAT code", s)
	}
	for _, c := range code {
		if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return "", fmt.Errorf("region %q is not a territory id or ISTAT code", s)
		}
	}
	return territoryPrefix + code, nil
}

// normalizeRegions normalises and de-duplicates region claims.
func normalizeRegions(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		id, err := NormalizeRegion(s)
		if err != nil {
			return nil, err
		}
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out, nil
}

// checkNetworks validates and de-duplicates network id claims: non-empty,
// at most 128 bytes, printable ASCII without spaces.
func checkNetworks(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, nil
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		if s == "" || len(s) > 128 {
			return nil, fmt.Errorf("network id %q is empty or too long", s)
		}
		for i := 0; i < len(s); i++ {
			if s[i] <= ' ' || s[i] >= 0x7f {
				return nil, fmt.Errorf("network id %q has a character that is not printable ASCII", s)
			}
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}
