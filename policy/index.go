package policy

import "hash/maphash"

// A decision looks strings up in several tables: the action, its service and
// the resource's token in the indexes of each Set, and a condition's key in
// the request's Context. Go's maps hash the key at every lookup. The tables
// here take a hash computed once instead: once per request for the action,
// service and token, once at compile time for a condition's key. All of them
// hash with one seed, chosen at start-up.

var hashSeed = maphash.MakeSeed()

// hashKey hashes a table key.
func hashKey(s string) uint64 { return maphash.String(hashSeed, s) }

// strIndex is an immutable string-keyed table, built once from a map.
// Open addressing with linear probing, at most half full.
type strIndex[V any] struct {
	slots []strSlot[V]
	mask  uint64
}

type strSlot[V any] struct {
	used bool
	hash uint64
	key  string
	val  V
}

func newStrIndex[V any](m map[string]V) strIndex[V] {
	if len(m) == 0 {
		return strIndex[V]{}
	}
	n := 2
	for n < 2*len(m) {
		n *= 2
	}
	x := strIndex[V]{slots: make([]strSlot[V], n), mask: uint64(n - 1)}
	for k, v := range m {
		h := hashKey(k)
		i := h & x.mask
		for x.slots[i].used {
			i = (i + 1) & x.mask
		}
		x.slots[i] = strSlot[V]{used: true, hash: h, key: k, val: v}
	}
	return x
}

// lookup returns key's value in x; h is hashKey of key. A key held as bytes
// is compared without a copy.
func lookup[K ~string | ~[]byte, V any](x *strIndex[V], key K, h uint64) (v V, ok bool) {
	if x.slots == nil {
		return v, false
	}
	for i := h & x.mask; ; i = (i + 1) & x.mask {
		s := &x.slots[i]
		if !s.used {
			return v, false
		}
		if s.hash == h && s.key == string(key) {
			return s.val, true
		}
	}
}

// ctxTable holds a Context's keys: entries in the order first set, and an
// open-addressing index of them, at most half full.
type ctxTable struct {
	ents  []ctxEntry
	slots []int32 // index+1 into ents; 0 is empty
}

type ctxEntry struct {
	lower string // the key in lower case
	key   string // the key as first set
	hash  uint64 // hashKey(lower)
	val   ctxValue
}

// find returns the index in ents of lower's entry (h is its hash), or -1.
func (t *ctxTable) find(lower string, h uint64) int {
	if len(t.slots) == 0 {
		return -1
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return -1
		}
		if e := &t.ents[s-1]; e.hash == h && e.lower == lower {
			return int(s - 1)
		}
	}
}

// entry returns the values of lower (h is its hash), or nil. A nil table
// (an empty Context) has no entries: a decision holds the table itself,
// one indirection fewer than through its Context. It repeats find's probe
// rather than calling it: written as a call to find, a decision cost 2-4%
// more instructions (callgrind, role-10x47).
func (t *ctxTable) entry(lower string, h uint64) *ctxValue {
	if t == nil || len(t.slots) == 0 {
		return nil
	}
	mask := uint64(len(t.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		s := t.slots[i]
		if s == 0 {
			return nil
		}
		if e := &t.ents[s-1]; e.hash == h && e.lower == lower {
			return &e.val
		}
	}
}

// lookup returns the values of lower (h is its hash) and whether it is present.
func (t *ctxTable) lookup(lower string, h uint64) ([]string, bool) {
	if v := t.entry(lower, h); v != nil {
		return v.vals, true
	}
	return nil, false
}

// add appends an entry the table does not hold, growing the index when it
// would be more than half full.
func (t *ctxTable) add(e ctxEntry) {
	if t.ents == nil {
		// A request's context holds a dozen or two keys (authz sets the
		// global ones): start there rather than growing from one.
		t.ents = make([]ctxEntry, 0, 16)
	}
	t.ents = append(t.ents, e)
	if 2*len(t.ents) > len(t.slots) {
		t.reindex()
		return
	}
	t.place(int32(len(t.ents)))
}

// reindex rebuilds the index for the entries.
func (t *ctxTable) reindex() {
	n := 8
	for n < 2*len(t.ents) {
		n *= 2
	}
	if len(t.slots) == n {
		clear(t.slots)
	} else {
		t.slots = make([]int32, n)
	}
	for i := range t.ents {
		t.place(int32(i + 1))
	}
}

func (t *ctxTable) place(slot int32) {
	mask := uint64(len(t.slots) - 1)
	i := t.ents[slot-1].hash & mask
	for t.slots[i] != 0 {
		i = (i + 1) & mask
	}
	t.slots[i] = slot
}

// remove deletes the entry of lower, keeping the others in order.
func (t *ctxTable) remove(lower string, h uint64) {
	i := t.find(lower, h)
	if i < 0 {
		return
	}
	t.ents = append(t.ents[:i], t.ents[i+1:]...)
	t.reindex()
}
