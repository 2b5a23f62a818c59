package server

import (
	"sync"
	"time"
)

// rateLimiter is a token bucket per access key id: each key earns rate
// tokens a second up to burst, and a request spends one. A request that
// finds its bucket empty is refused with AWS's Throttling error, which SDKs
// retry with backoff.
//
// Only requests that authenticated are counted, after their signature
// checked out: a key's budget can be spent only by whoever holds its secret,
// so nobody can throttle another caller by sending garbage under its key id.
type rateLimiter struct {
	rate  float64 // tokens a second
	burst float64
	now   func() time.Time

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	last   time.Time
}

func newRateLimiter(rate, burst float64) *rateLimiter {
	if burst < 1 {
		burst = 1
	}
	return &rateLimiter{rate: rate, burst: burst, now: time.Now, buckets: make(map[string]*bucket)}
}

// allow spends a token of key's bucket, reporting whether there was one.
func (l *rateLimiter) allow(key string) bool {
	now := l.now()
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.buckets[key]
	if b == nil {
		b = &bucket{tokens: l.burst, last: now}
		l.buckets[key] = b
	} else if dt := now.Sub(b.last).Seconds(); dt > 0 {
		b.tokens = min(l.burst, b.tokens+dt*l.rate)
		b.last = now
	}
	l.sweep(now)
	if b.tokens < 1 {
		return false
	}
	b.tokens--
	return true
}

// sweep drops, at most once a minute, the buckets that have refilled: a
// full bucket is the same as none, so memory stays bounded by the keys
// active in the last burst/rate seconds.
func (l *rateLimiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.last) >= full {
			delete(l.buckets, k)
		}
	}
}
