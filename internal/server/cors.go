package server

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/rs/cors"
)

// checkCORS refuses origins that are not exact scheme://host[:port], and
// credentials with the "*" origin.
func checkCORS(origins []string, credentials bool) error {
	for _, o := range origins {
		if o == "*" {
			if credentials {
				return errors.New(`server: CORS credentials cannot be combined with the "*" origin: list the origins`)
			}
			if len(origins) > 1 {
				return errors.New(`server: the CORS origin "*" must be the only one`)
			}
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" ||
			u.User != nil || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" ||
			strings.Contains(o, "*") {
			return fmt.Errorf("server: CORS origin %q: want scheme://host[:port], exactly, without wildcards", o)
		}
	}
	return nil
}

// corsPolicy applies rs/cors to /graphql. rs/cors treats an empty origin
// list as "allow all"; here it means "allow none", so the allow-list is
// always checked by our own function. Preflights from origins (or asking
// for methods or headers) that are not allowed are refused with 403 instead
// of rs/cors's 204 without CORS headers.
type corsPolicy struct {
	c *cors.Cors
}

func newCORS(origins []string, credentials bool) (*corsPolicy, error) {
	if err := checkCORS(origins, credentials); err != nil {
		return nil, err
	}
	opts := cors.Options{
		AllowedMethods:   []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders:   []string{"Content-Type", "Authorization"},
		AllowCredentials: credentials,
		MaxAge:           600,
	}
	if len(origins) == 1 && origins[0] == "*" {
		opts.AllowedOrigins = []string{"*"}
	} else {
		allowed := make(map[string]bool, len(origins))
		for _, o := range origins {
			allowed[strings.ToLower(strings.TrimSuffix(o, "/"))] = true
		}
		opts.AllowOriginFunc = func(origin string) bool { return allowed[strings.ToLower(origin)] }
	}
	return &corsPolicy{c: cors.New(opts)}, nil
}

func (p *corsPolicy) handler(next http.Handler) http.Handler {
	h := p.c.Handler(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.ServeHTTP(&preflightWriter{ResponseWriter: w}, r)
			return
		}
		h.ServeHTTP(w, r)
	})
}

// preflightWriter turns rs/cors's answer to a refused preflight (a success
// status without Access-Control-Allow-Origin) into a 403 with a JSON error.
type preflightWriter struct {
	http.ResponseWriter
	done, refused bool
}

func (w *preflightWriter) WriteHeader(code int) {
	if w.done {
		return
	}
	w.done = true
	h := w.ResponseWriter.Header()
	if h.Get("Access-Control-Allow-Origin") == "" {
		w.refused = true
		writeError(w.ResponseWriter, http.StatusForbidden, CodeOriginNotAllowed,
			"cross-origin request refused: the origin, method or headers are not allowed")
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *preflightWriter) Write(b []byte) (int, error) {
	if !w.done {
		w.WriteHeader(http.StatusOK)
	}
	if w.refused {
		return len(b), nil
	}
	return w.ResponseWriter.Write(b)
}
