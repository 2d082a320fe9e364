package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// JWKS fetch bounds.
const (
	jwksTimeout  = 10 * time.Second
	jwksMaxBytes = 1 << 20
)

// jwksSource holds the keys of a JWKS endpoint and refreshes them. A failed
// refresh keeps the last good key set.
type jwksSource struct {
	ctx      context.Context
	url      string
	client   *http.Client
	log      *slog.Logger
	every    time.Duration // periodic refresh
	kidEvery time.Duration // at most one unknown-kid refresh this often

	set atomic.Pointer[[]publicKey]

	mu          sync.Mutex // serialises fetches
	lastAttempt time.Time  // guarded by mu
}

func newJWKSSource(ctx context.Context, c Config) *jwksSource {
	return &jwksSource{
		ctx: ctx,
		url: c.JWKSURL,
		client: &http.Client{
			Timeout: jwksTimeout,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if len(via) >= 3 {
					return errors.New("too many redirects")
				}
				return checkJWKSURL(req.URL.String())
			},
		},
		log:      c.Logger,
		every:    c.JWKSRefresh,
		kidEvery: c.kidRefreshEvery,
	}
}

// keys returns the current key set.
func (s *jwksSource) keys() []publicKey {
	if p := s.set.Load(); p != nil {
		return *p
	}
	return nil
}

// fetch downloads and installs the key set.
func (s *jwksSource) fetch() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.fetchLocked()
}

func (s *jwksSource) fetchLocked() error {
	s.lastAttempt = time.Now()
	ctx, cancel := context.WithTimeout(s.ctx, jwksTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("JWKS endpoint answered %s", resp.Status)
	}
	data, err := io.ReadAll(io.LimitReader(resp.Body, jwksMaxBytes+1))
	if err != nil {
		return fmt.Errorf("reading the JWKS: %w", err)
	}
	if len(data) > jwksMaxBytes {
		return fmt.Errorf("JWKS larger than %d bytes", jwksMaxBytes)
	}
	keys, skipped, err := parseJWKS(data)
	for _, e := range skipped {
		s.log.Warn("auth: JWKS key skipped", "url", s.url, "err", e)
	}
	if err != nil {
		return err
	}
	s.set.Store(&keys)
	s.log.Debug("auth: JWKS loaded", "url", s.url, "keys", len(keys))
	return nil
}

// refreshLoop refreshes the key set every s.every until the context ends.
func (s *jwksSource) refreshLoop() {
	t := time.NewTicker(s.every)
	defer t.Stop()
	for {
		select {
		case <-s.ctx.Done():
			return
		case <-t.C:
			if err := s.fetch(); err != nil && s.ctx.Err() == nil {
				s.log.Warn("auth: JWKS refresh failed; keeping the last good key set", "url", s.url, "err", err)
			}
		}
	}
}

// refreshForUnknownKid refetches the key set for a token whose kid is
// unknown, unless a fetch ran less than kidEvery ago (so that tokens with
// made-up kids cannot make the hub hammer the endpoint).
func (s *jwksSource) refreshForUnknownKid() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if time.Since(s.lastAttempt) < s.kidEvery {
		return
	}
	if err := s.fetchLocked(); err != nil && s.ctx.Err() == nil {
		s.log.Warn("auth: JWKS refresh for an unknown kid failed; keeping the last good key set", "url", s.url, "err", err)
	}
}
