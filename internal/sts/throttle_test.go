package sts

import (
	"testing"
	"time"
)

// TestThrottle: a key is due once a period, counted from the store's last
// write for a key not seen yet, and at once again after Forget.
func TestThrottle(t *testing.T) {
	var th Throttle[string]
	t0 := time.Date(2026, 12, 5, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		name         string
		key          string
		written, now time.Time
		forget, want bool
	}{
		{"first, never written", "a", time.Time{}, t0, false, true},
		{"within the period", "a", time.Time{}, t0.Add(59 * time.Second), false, false},
		{"a period later", "a", time.Time{}, t0.Add(time.Minute), false, true},
		{"new key written by the store just now", "b", t0, t0.Add(time.Second), false, false},
		{"new key written a period ago", "c", t0.Add(-time.Minute), t0, false, true},
		{"after Forget", "a", time.Time{}, t0.Add(61 * time.Second), true, true},
	}
	for _, s := range steps {
		if s.forget {
			th.Forget(s.key)
		}
		if got := th.Due(s.key, s.written, s.now, time.Minute); got != s.want {
			t.Errorf("%s: Due = %v, want %v", s.name, got, s.want)
		}
	}
}
