package policy

import (
	"sort"
	"strings"
)

// Context holds a request's condition keys and their values. Keys are
// case-insensitive, as AWS's are. The zero Context is empty and ready to use.
type Context struct {
	m    map[string][]string
	keys map[string]string // lower case -> as first set, for Keys
}

// Set gives key its values, replacing any it had. A key with no values is
// present but empty (ForAllValues treats it as missing).
func (c *Context) Set(key string, values ...string) {
	if c.m == nil {
		c.m = make(map[string][]string)
		c.keys = make(map[string]string)
	}
	lk := strings.ToLower(key)
	if _, ok := c.keys[lk]; !ok {
		c.keys[lk] = key
	}
	c.m[lk] = values
}

// Get returns key's values and whether the key is present.
func (c *Context) Get(key string) ([]string, bool) {
	return c.lookup(strings.ToLower(key))
}

// Has reports whether key is present.
func (c *Context) Has(key string) bool {
	_, ok := c.Get(key)
	return ok
}

// Delete removes key.
func (c *Context) Delete(key string) {
	lk := strings.ToLower(key)
	delete(c.m, lk)
	delete(c.keys, lk)
}

// Keys returns the keys, as first set, in sorted order.
func (c *Context) Keys() []string {
	out := make([]string, 0, len(c.keys))
	for _, k := range c.keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Len returns the number of keys.
func (c *Context) Len() int { return len(c.m) }

func (c *Context) lookup(lowerKey string) ([]string, bool) {
	if c == nil || c.m == nil {
		return nil, false
	}
	v, ok := c.m[lowerKey]
	return v, ok
}
