package auth

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
)

// Middleware authenticates requests with "Authorization: Bearer <jwt>" and
// puts the principal in the request context (see FromContext).
//
// A bad token gets 401 with a GraphQL-shaped JSON body
// {"errors":[{"message":"...","extensions":{"code":"UNAUTHENTICATED"}}]} and
// WWW-Authenticate: Bearer error="invalid_token". A request without a token
// gets 401 when anonymous access is off, and proceeds as
// AnonymousPrincipal() when it is public. Messages are general ("token
// expired", "token signature invalid", ...) and never echo the token.
//
// Mount it on the API routes only: CORS preflights, health probes and static
// pages carry no token.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		values := r.Header.Values("Authorization")
		if len(values) == 0 || len(values) == 1 && strings.TrimSpace(values[0]) == "" {
			if v.c.Anonymous == AnonymousPublic {
				next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), AnonymousPrincipal())))
				return
			}
			v.refuse(w, r, fail(ReasonMissing, nil))
			return
		}
		token, ok := bearer(values)
		if !ok {
			v.refuse(w, r, fail(ReasonBadRequest, nil))
			return
		}
		p, err := v.Verify(token)
		if err != nil {
			e, ok := err.(*Error)
			if !ok {
				e = fail(ReasonInvalidClaims, err)
			}
			v.refuse(w, r, e)
			return
		}
		next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
	})
}

// bearer extracts the token of a single "Bearer <token>" header value.
func bearer(values []string) (string, bool) {
	if len(values) != 1 {
		return "", false
	}
	scheme, token, ok := strings.Cut(strings.TrimSpace(values[0]), " ")
	token = strings.TrimSpace(token)
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" || strings.ContainsAny(token, " \t") {
		return "", false
	}
	return token, true
}

type errorBody struct {
	Errors []errorEntry `json:"errors"`
}

type errorEntry struct {
	Message    string            `json:"message"`
	Extensions map[string]string `json:"extensions"`
}

// refuse writes the 401 answer for e.
func (v *Verifier) refuse(w http.ResponseWriter, r *http.Request, e *Error) {
	v.c.Logger.LogAttrs(r.Context(), slog.LevelDebug, "auth: request refused",
		// The reason only: never the token, nor the cause (which may quote it).
		slog.String("reason", string(e.Reason)), slog.String("remote", r.RemoteAddr))
	h := w.Header()
	switch e.Reason {
	case ReasonMissing:
		h.Set("WWW-Authenticate", `Bearer`)
	case ReasonBadRequest:
		h.Set("WWW-Authenticate", `Bearer error="invalid_request", error_description="`+e.Error()+`"`)
	default:
		h.Set("WWW-Authenticate", `Bearer error="invalid_token", error_description="`+e.Error()+`"`)
	}
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusUnauthorized)
	_ = json.NewEncoder(w).Encode(errorBody{Errors: []errorEntry{{
		Message:    e.Error(),
		Extensions: map[string]string{"code": "UNAUTHENTICATED", "reason": string(e.Reason)},
	}}})
}
