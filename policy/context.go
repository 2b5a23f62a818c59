package policy

import (
	"net/netip"
	"sort"
	"strings"
)

// Context holds a request's condition keys and their values. Keys are
// case-insensitive, as AWS's are. The zero Context is empty and ready to use.
//
// Values that are IP addresses or ISO 8601 dates are parsed once, when they
// are set, the way a request is prepared once and then decided against many
// statements.
type Context struct {
	t *ctxTable // shared by copies, as a map would be
}

type ctxValue struct {
	vals  []string
	addrs []netip.Addr // addrs[i] is vals[i] parsed as an IP address, or invalid
	dates []ctxDate    // dates[i] is vals[i] parsed as an ISO 8601 date, if it is one
}

type ctxDate struct {
	ms int64 // parseDate's milliseconds
	ok bool
}

func newCtxValue(values []string) ctxValue {
	v := ctxValue{vals: values}
	for i, s := range values {
		if looksLikeIP(s) {
			if a, err := netip.ParseAddr(s); err == nil {
				if v.addrs == nil {
					v.addrs = make([]netip.Addr, len(values))
				}
				v.addrs[i] = a.Unmap()
			}
			continue
		}
		// Only ISO dates: epoch seconds are digits alone, like account
		// ids and counts, and cheap to read when a Date operator asks.
		if looksLikeISODate(s) {
			if ms, ok := parseDate(s); ok {
				if v.dates == nil {
					v.dates = make([]ctxDate, len(values))
				}
				v.dates[i] = ctxDate{ms, true}
			}
		}
	}
	return v
}

// looksLikeISODate is a cheap filter before parsing: a digit or '-' first,
// and a "T" or a '-' after it.
func looksLikeISODate(s string) bool {
	if s == "" || !('0' <= s[0] && s[0] <= '9' || s[0] == '-') {
		return false
	}
	for i := 1; i < len(s); i++ {
		if c := s[i]; c == 'T' || c == 't' || c == '-' {
			return true
		}
	}
	return false
}

// looksLikeIP is a cheap filter before parsing, so that ordinary values
// (names, ARNs, dates) are not parsed: an address has only digits and dots
// (IPv4) or hex digits, colons and dots (IPv6), and at least one separator.
func looksLikeIP(s string) bool {
	if len(s) < 2 || len(s) > 64 {
		return false
	}
	sep := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '.' || c == ':':
			sep = true
		case '0' <= c && c <= '9', 'a' <= c && c <= 'f', 'A' <= c && c <= 'F':
		default:
			return false
		}
	}
	return sep
}

// Set gives key its values, replacing any it had. A key with no values is
// present but empty (ForAllValues treats it as missing).
func (c *Context) Set(key string, values ...string) {
	if c.t == nil {
		c.t = &ctxTable{}
	}
	lk := strings.ToLower(key)
	h := hashKey(lk)
	if i := c.t.find(lk, h); i >= 0 {
		c.t.ents[i].val = newCtxValue(values)
		return
	}
	c.t.add(ctxEntry{lower: lk, key: key, hash: h, val: newCtxValue(values)})
}

// Get returns key's values and whether the key is present.
func (c *Context) Get(key string) ([]string, bool) {
	lk := strings.ToLower(key)
	return c.lookup(lk, hashKey(lk))
}

// Has reports whether key is present.
func (c *Context) Has(key string) bool {
	_, ok := c.Get(key)
	return ok
}

// Delete removes key.
func (c *Context) Delete(key string) {
	if c.t == nil {
		return
	}
	lk := strings.ToLower(key)
	c.t.remove(lk, hashKey(lk))
}

// Keys returns the keys, as first set, in sorted order.
func (c *Context) Keys() []string {
	if c.t == nil {
		return []string{}
	}
	out := make([]string, len(c.t.ents))
	for i := range c.t.ents {
		out[i] = c.t.ents[i].key
	}
	sort.Strings(out)
	return out
}

// Len returns the number of keys.
func (c *Context) Len() int {
	if c.t == nil {
		return 0
	}
	return len(c.t.ents)
}

// lookup returns the values of a key in lower case whose hashKey is h.
func (c *Context) lookup(lowerKey string, h uint64) ([]string, bool) {
	if c == nil {
		return nil, false
	}
	return c.t.lookup(lowerKey, h)
}
