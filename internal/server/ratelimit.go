package server

import (
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// Bounds of the rate limiter's memory.
const (
	sweepEvery = time.Minute // how often idle clients are forgotten
	maxClients = 100000      // clients remembered at most; beyond, some are forgotten early
)

// rateLimiter is a token bucket per client: each client may make burst
// requests at once and rate requests per second on average. A client whose
// bucket has filled up again is indistinguishable from a new one, so it is
// forgotten on the next sweep.
type rateLimiter struct {
	rate  float64
	burst float64
	now   func() time.Time

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate float64, burst int, now func() time.Time) *rateLimiter {
	return &rateLimiter{rate: rate, burst: float64(burst), now: now, buckets: map[string]*bucket{}, lastSweep: now()}
}

// allow takes a token from key's bucket; when there is none it says how long
// until there is.
func (l *rateLimiter) allow(key string) (bool, time.Duration) {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= sweepEvery || len(l.buckets) >= maxClients {
		l.sweep(now)
	}
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.last).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// sweep forgets the clients whose buckets are full again and, if there are
// still too many, arbitrary others (they get a fresh bucket next time).
func (l *rateLimiter) sweep(now time.Time) {
	l.lastSweep = now
	for k, b := range l.buckets {
		if b.tokens+now.Sub(b.last).Seconds()*l.rate >= l.burst {
			delete(l.buckets, k)
		}
	}
	for k := range l.buckets {
		if len(l.buckets) < maxClients*9/10 {
			break
		}
		delete(l.buckets, k)
	}
}

func (l *rateLimiter) size() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.buckets)
}

// middleware refuses requests over the limit with 429, Retry-After and a
// GraphQL error with code RATE_LIMITED.
func (l *rateLimiter) middleware(clientKey func(*http.Request) string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		key := clientKey(r)
		if key == "" {
			key = remoteIP(r)
		}
		ok, wait := l.allow(key)
		if !ok {
			secs := int(math.Ceil(wait.Seconds()))
			w.Header().Set("Retry-After", strconv.Itoa(max(secs, 1)))
			writeError(w, http.StatusTooManyRequests, CodeRateLimited, "too many requests: slow down and retry later")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// remoteIP is the address of the peer, without the port. Proxy headers such
// as X-Forwarded-For are not trusted: behind a proxy, pass a ClientKey.
func remoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
