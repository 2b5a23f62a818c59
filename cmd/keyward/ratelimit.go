package main

import (
	"fmt"
	"strconv"
	"strings"
)

// parseRateLimit reads --rate-limit: "N" or "N/s", requests a second per
// access key; "0" or "" is no limit.
func parseRateLimit(s string) (float64, error) {
	v := strings.TrimSuffix(strings.TrimSpace(s), "/s")
	if v == "" {
		return 0, nil
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil || n < 0 || n != n || n > 1e9 {
		return 0, fmt.Errorf("want requests a second, as N or N/s, not %q", s)
	}
	return n, nil
}
