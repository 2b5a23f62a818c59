package sqlcore

import (
	"strconv"
	"strings"
	"sync"
)

// byteOrder marks, in the core's SQL, a text column ordered or compared in
// byte order.
const byteOrder = " COLLATE BINARY"

// Rebinder returns a Dialect.Rebind: it replaces every " COLLATE BINARY"
// of the core's SQL with collate, and, when dollar is set, numbers the ?
// placeholders $1, $2, ... (? inside a quoted string stays). It remembers
// what it rewrote, so a statement costs a map lookup after the first time;
// the core's statements are a bounded set (their text never holds values).
//
// SQLite drops the marker (collate ""): its columns compare in byte order
// already, and its planner does not seek an index on a column written with
// a COLLATE clause. PostgreSQL uses ` COLLATE "C"`, with dollar.
func Rebinder(collate string, dollar bool) func(string) string {
	var seen sync.Map // string to string
	return func(q string) string {
		if !dollar && !strings.Contains(q, byteOrder) {
			return q
		}
		if r, ok := seen.Load(q); ok {
			return r.(string)
		}
		r := strings.ReplaceAll(q, byteOrder, collate)
		if dollar {
			r = numberPlaceholders(r)
		}
		seen.Store(q, r)
		return r
	}
}

// numberPlaceholders turns ?, ?, ... into $1, $2, ..., outside quotes.
func numberPlaceholders(q string) string {
	var b strings.Builder
	b.Grow(len(q) + 16)
	n, quoted := 0, false
	for i := 0; i < len(q); i++ {
		switch c := q[i]; {
		case c == '\'':
			quoted = !quoted
		case c == '?' && !quoted:
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}
