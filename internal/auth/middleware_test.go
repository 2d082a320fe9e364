package auth

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestMiddleware(t *testing.T) {
	off := newVerifier(t, hsConfig())
	pubCfg := hsConfig()
	pubCfg.Anonymous = AnonymousPublic
	public := newVerifier(t, pubCfg)

	good := sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(nil), "")
	expired := sign(t, jwt.SigningMethodHS256, testSecret, claimsFor(map[string]any{"exp": time.Now().Add(-time.Hour).Unix()}), "")
	forged := sign(t, jwt.SigningMethodHS256, []byte("not-the-hub-secret-but-long-enough-000"), claimsFor(nil), "")

	tests := []struct {
		name    string
		v       *Verifier
		headers []string // Authorization values
		// want401 is the expected body message; "" means the request passes.
		want401   string
		wantError string // error="..." in WWW-Authenticate, "" for none
		check     func(*testing.T, Principal)
	}{
		{name: "no token, anonymous off", v: off, want401: "authentication required"},
		{name: "empty header, anonymous off", v: off, headers: []string{""}, want401: "authentication required"},
		{name: "no token, anonymous public", v: public, check: func(t *testing.T, p Principal) {
			if !p.Anonymous || p.Role != Viewer || p.Subject != "" {
				t.Errorf("principal = %+v, want the anonymous viewer", p)
			}
		}},
		{name: "good token", v: off, headers: []string{"Bearer " + good}, check: func(t *testing.T, p Principal) {
			if p.Anonymous || p.Subject != "alice" || p.Role != Coordinator {
				t.Errorf("principal = %+v", p)
			}
		}},
		{name: "good token, lower-case scheme", v: public, headers: []string{"bearer " + good}, check: func(t *testing.T, p Principal) {
			if p.Anonymous || p.Subject != "alice" {
				t.Errorf("principal = %+v", p)
			}
		}},
		{name: "expired token", v: off, headers: []string{"Bearer " + expired}, want401: "token expired", wantError: "invalid_token"},
		{name: "bad token is not downgraded to anonymous", v: public, headers: []string{"Bearer " + forged},
			want401: "token signature invalid", wantError: "invalid_token"},
		{name: "alg none", v: public, want401: "token algorithm not allowed", wantError: "invalid_token",
			headers: []string{"Bearer " + rawToken(`{"alg":"none"}`, mustJSON(t, claimsFor(nil)), nil)}},
		{name: "Basic scheme", v: public, headers: []string{"Basic YWxpY2U6c2VjcmV0"},
			want401: "authorization header must be Bearer followed by a token", wantError: "invalid_request"},
		{name: "Bearer without token", v: public, headers: []string{"Bearer "},
			want401: "authorization header must be Bearer followed by a token", wantError: "invalid_request"},
		{name: "two Authorization headers", v: off, headers: []string{"Bearer " + good, "Bearer " + good},
			want401: "authorization header must be Bearer followed by a token", wantError: "invalid_request"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var (
				called bool
				got    Principal
				ok     bool
			)
			h := tc.v.Middleware(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				got, ok = FromContext(r.Context())
				w.WriteHeader(http.StatusNoContent)
			}))
			req := httptest.NewRequest(http.MethodPost, "/graphql", strings.NewReader(`{"query":"{__typename}"}`))
			for _, v := range tc.headers {
				req.Header.Add("Authorization", v)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)

			if tc.want401 == "" {
				if !called || rec.Code != http.StatusNoContent {
					t.Fatalf("status %d, handler called %v; body %s", rec.Code, called, rec.Body)
				}
				if !ok {
					t.Fatal("no principal in the context")
				}
				tc.check(t, got)
				return
			}
			if called {
				t.Fatal("the handler was called for a refused request")
			}
			if rec.Code != http.StatusUnauthorized {
				t.Fatalf("status %d, want 401", rec.Code)
			}
			if ct := rec.Header().Get("Content-Type"); ct != "application/json" {
				t.Errorf("Content-Type %q", ct)
			}
			www := rec.Header().Get("WWW-Authenticate")
			if !strings.HasPrefix(www, "Bearer") {
				t.Errorf("WWW-Authenticate %q", www)
			}
			if tc.wantError != "" && !strings.Contains(www, `error="`+tc.wantError+`"`) {
				t.Errorf("WWW-Authenticate %q, want error=%q", www, tc.wantError)
			}
			if tc.wantError == "" && strings.Contains(www, "error=") {
				t.Errorf("WWW-Authenticate %q has an error for a request without credentials", www)
			}
			var body struct {
				Errors []struct {
					Message    string            `json:"message"`
					Extensions map[string]string `json:"extensions"`
				} `json:"errors"`
			}
			if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", rec.Body, err)
			}
			if len(body.Errors) != 1 || body.Errors[0].Message != tc.want401 || body.Errors[0].Extensions["code"] != "UNAUTHENTICATED" {
				t.Errorf("body = %s, want message %q and code UNAUTHENTICATED", rec.Body, tc.want401)
			}
			for _, tok := range []string{good, expired, forged, string(testSecret)} {
				if strings.Contains(rec.Body.String(), tok) || strings.Contains(www, tok) {
					t.Error("the answer echoes a token or the secret")
				}
			}
		})
	}
}
