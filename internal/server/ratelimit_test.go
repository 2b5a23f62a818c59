package server

import (
	"testing"
	"time"
)

func TestRateLimiter_Bucket(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	l := newRateLimiter(2, 3)
	l.now = func() time.Time { return now }
	steps := []struct {
		name    string
		advance time.Duration
		key     string
		want    bool
	}{
		{"burst 1", 0, "A", true},
		{"burst 2", 0, "A", true},
		{"burst 3", 0, "A", true},
		{"empty", 0, "A", false},
		{"another key has its own bucket", 0, "B", true},
		{"half a token", 250 * time.Millisecond, "A", false},
		{"one token after 0.5 s", 250 * time.Millisecond, "A", true},
		{"spent again", 0, "A", false},
		{"refill caps at burst", time.Hour, "A", true},
		{"cap 2", 0, "A", true},
		{"cap 3", 0, "A", true},
		{"cap reached", 0, "A", false},
	}
	for _, s := range steps {
		now = now.Add(s.advance)
		if got := l.allow(s.key); got != s.want {
			t.Errorf("%s: allow(%q) = %v, want %v", s.name, s.key, got, s.want)
		}
	}
	// Full buckets are forgotten, so idle keys cost no memory.
	now = now.Add(2 * time.Minute)
	l.allow("C")
	if _, ok := l.buckets["B"]; ok || len(l.buckets) != 1 {
		t.Errorf("after a sweep, buckets = %v, want only C", l.buckets)
	}
}
