package policy

import (
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// A small JSON reader that keeps what encoding/json throws away: the order and
// position of every key, and every duplicate. Policies are security documents:
// {"Effect":"Allow","Effect":"Deny"} or "effect" must be an error, never a guess.

type kind uint8

const (
	jString kind = iota
	jNumber
	jBool
	jNull
	jObject
	jArray
)

func (k kind) String() string {
	return [...]string{"a string", "a number", "a boolean", "null", "an object", "an array"}[k]
}

type node struct {
	kind  kind
	off   int    // byte offset of the value's first character
	end   int    // byte offset just past the value
	str   string // string value, number text, or "true"/"false"
	keys  []member
	elems []*node
}

type member struct {
	key    string
	keyOff int
	val    *node
}

func (n *node) get(key string) *node {
	for _, m := range n.keys {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

const maxDepth = 64

type jsonError struct {
	off  int
	msg  string
	path string // where a duplicate key is, as Parse names elements
}

type reader struct {
	slab  []node // nodes are carved from here: one allocation for many
	data  []byte
	pos   int
	depth int
	err   *jsonError
	path  []string // keys and [i] indexes down to the value being read
}

func (r *reader) pathTo(key string) string {
	var b []byte
	for _, p := range r.path {
		if len(b) > 0 && (p == "" || p[0] != '[') {
			b = append(b, '.')
		}
		b = append(b, p...)
	}
	if len(b) > 0 {
		b = append(b, '.')
	}
	return string(append(b, key...))
}

// parseJSON reads one JSON value filling the whole input (surrounding space allowed).
func parseJSON(data []byte) (*node, *jsonError) {
	r := &reader{data: data}
	r.space()
	n := r.value()
	if r.err != nil {
		return nil, r.err
	}
	r.space()
	if r.pos < len(r.data) {
		return nil, &jsonError{off: r.pos, msg: "unexpected " + r.describe() + " after the document"}
	}
	return n, nil
}

func (r *reader) newNode(k kind, off int) *node {
	if len(r.slab) == 0 {
		r.slab = make([]node, 64)
	}
	n := &r.slab[0]
	r.slab = r.slab[1:]
	n.kind, n.off = k, off
	return n
}

func (r *reader) fail(msg string) *node {
	if r.err == nil {
		r.err = &jsonError{off: r.pos, msg: msg}
	}
	return nil
}

func (r *reader) describe() string {
	if r.pos >= len(r.data) {
		return "end of input"
	}
	c, _ := utf8.DecodeRune(r.data[r.pos:])
	return strconv.QuoteRune(c)
}

func (r *reader) space() {
	for r.pos < len(r.data) {
		switch r.data[r.pos] {
		case ' ', '\t', '\n', '\r':
			r.pos++
		default:
			return
		}
	}
}

func (r *reader) value() *node {
	if r.pos >= len(r.data) {
		return r.fail("unexpected end of input: expected a value")
	}
	switch c := r.data[r.pos]; {
	case c == '{':
		return r.object()
	case c == '[':
		return r.array()
	case c == '"':
		off := r.pos
		s, ok := r.string()
		if !ok {
			return nil
		}
		n := r.newNode(jString, off)
		n.end, n.str = r.pos, s
		return n
	case c == '-' || (c >= '0' && c <= '9'):
		return r.number()
	case c == 't':
		return r.literal("true", jBool)
	case c == 'f':
		return r.literal("false", jBool)
	case c == 'n':
		return r.literal("null", jNull)
	default:
		return r.fail("unexpected " + r.describe() + ": expected a value")
	}
}

func (r *reader) literal(word string, k kind) *node {
	off := r.pos
	if len(r.data)-r.pos < len(word) || string(r.data[r.pos:r.pos+len(word)]) != word {
		return r.fail("unexpected " + r.describe() + ": expected a value")
	}
	r.pos += len(word)
	n := r.newNode(k, off)
	n.end, n.str = r.pos, word
	return n
}

func (r *reader) number() *node {
	off := r.pos
	if r.data[r.pos] == '-' {
		r.pos++
	}
	digits := func() int {
		n := 0
		for r.pos < len(r.data) && r.data[r.pos] >= '0' && r.data[r.pos] <= '9' {
			r.pos++
			n++
		}
		return n
	}
	start := r.pos
	if digits() == 0 {
		return r.fail("invalid number")
	}
	if r.data[start] == '0' && r.pos-start > 1 {
		r.pos = start
		return r.fail("invalid number: leading zero")
	}
	if r.pos < len(r.data) && r.data[r.pos] == '.' {
		r.pos++
		if digits() == 0 {
			return r.fail("invalid number")
		}
	}
	if r.pos < len(r.data) && (r.data[r.pos] == 'e' || r.data[r.pos] == 'E') {
		r.pos++
		if r.pos < len(r.data) && (r.data[r.pos] == '+' || r.data[r.pos] == '-') {
			r.pos++
		}
		if digits() == 0 {
			return r.fail("invalid number")
		}
	}
	n := r.newNode(jNumber, off)
	n.end, n.str = r.pos, string(r.data[off:r.pos])
	return n
}

func (r *reader) string() (string, bool) {
	r.pos++ // opening quote
	start := r.pos
	// Fast path: no escapes.
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		if c == '"' {
			s := intern(r.data[start:r.pos])
			r.pos++
			if !utf8.ValidString(s) {
				r.pos = start
				r.fail("invalid UTF-8 in string")
				return "", false
			}
			return s, true
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			r.fail("control character in string")
			return "", false
		}
		r.pos++
	}
	buf := append([]byte(nil), r.data[start:r.pos]...)
	for r.pos < len(r.data) {
		c := r.data[r.pos]
		switch {
		case c == '"':
			r.pos++
			if !utf8.Valid(buf) {
				r.fail("invalid UTF-8 in string")
				return "", false
			}
			return string(buf), true
		case c < 0x20:
			r.fail("control character in string")
			return "", false
		case c != '\\':
			buf = append(buf, c)
			r.pos++
			continue
		}
		if r.pos+1 >= len(r.data) {
			break
		}
		e := r.data[r.pos+1]
		r.pos += 2
		switch e {
		case '"', '\\', '/':
			buf = append(buf, e)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			ru, ok := r.hex4()
			if !ok {
				return "", false
			}
			if utf16.IsSurrogate(ru) {
				if r.pos+1 < len(r.data) && r.data[r.pos] == '\\' && r.data[r.pos+1] == 'u' {
					r.pos += 2
					lo, ok := r.hex4()
					if !ok {
						return "", false
					}
					ru = utf16.DecodeRune(ru, lo)
				} else {
					ru = utf8.RuneError
				}
			}
			buf = utf8.AppendRune(buf, ru)
		default:
			r.pos -= 2
			r.fail("invalid escape in string")
			return "", false
		}
	}
	r.fail("unterminated string")
	return "", false
}

// intern returns the policy grammar's common words without allocating;
// other text is copied.
func intern(b []byte) string {
	switch string(b) { // the compiler does not allocate for this conversion
	case "Version":
		return "Version"
	case "Statement":
		return "Statement"
	case "Sid":
		return "Sid"
	case "Effect":
		return "Effect"
	case "Allow":
		return "Allow"
	case "Deny":
		return "Deny"
	case "Action":
		return "Action"
	case "NotAction":
		return "NotAction"
	case "Resource":
		return "Resource"
	case "NotResource":
		return "NotResource"
	case "Principal":
		return "Principal"
	case "NotPrincipal":
		return "NotPrincipal"
	case "Condition":
		return "Condition"
	case "AWS":
		return "AWS"
	case "Service":
		return "Service"
	case "2012-10-17":
		return "2012-10-17"
	case "*":
		return "*"
	case "true":
		return "true"
	case "false":
		return "false"
	}
	return string(b)
}

func (r *reader) hex4() (rune, bool) {
	if len(r.data)-r.pos < 4 {
		r.fail("invalid \\u escape in string")
		return 0, false
	}
	v, err := strconv.ParseUint(string(r.data[r.pos:r.pos+4]), 16, 32)
	if err != nil {
		r.fail("invalid \\u escape in string")
		return 0, false
	}
	r.pos += 4
	return rune(v), true
}

func (r *reader) object() *node {
	n := r.newNode(jObject, r.pos)
	if r.depth++; r.depth > maxDepth {
		return r.fail("nested too deeply")
	}
	defer func() { r.depth-- }()
	r.pos++
	r.space()
	if r.pos < len(r.data) && r.data[r.pos] == '}' {
		r.pos++
		n.end = r.pos
		return n
	}
	for {
		r.space()
		if r.pos >= len(r.data) || r.data[r.pos] != '"' {
			return r.fail("unexpected " + r.describe() + ": expected a quoted key")
		}
		keyOff := r.pos
		key, ok := r.string()
		if !ok {
			return nil
		}
		for _, m := range n.keys {
			if m.key == key {
				r.pos = keyOff
				r.fail("duplicate key " + strconv.Quote(key))
				r.err.path = r.pathTo(key)
				return nil
			}
		}
		r.space()
		if r.pos >= len(r.data) || r.data[r.pos] != ':' {
			return r.fail("unexpected " + r.describe() + ": expected ':' after a key")
		}
		r.pos++
		r.space()
		r.path = append(r.path, key)
		v := r.value()
		r.path = r.path[:len(r.path)-1]
		if v == nil {
			return nil
		}
		n.keys = append(n.keys, member{key, keyOff, v})
		r.space()
		if r.pos >= len(r.data) {
			return r.fail("unexpected end of input: expected ',' or '}'")
		}
		switch r.data[r.pos] {
		case ',':
			r.pos++
		case '}':
			r.pos++
			n.end = r.pos
			return n
		default:
			return r.fail("unexpected " + r.describe() + ": expected ',' or '}'")
		}
	}
}

func (r *reader) array() *node {
	n := r.newNode(jArray, r.pos)
	if r.depth++; r.depth > maxDepth {
		return r.fail("nested too deeply")
	}
	defer func() { r.depth-- }()
	r.pos++
	r.space()
	if r.pos < len(r.data) && r.data[r.pos] == ']' {
		r.pos++
		n.end = r.pos
		return n
	}
	for {
		r.space()
		r.path = append(r.path, "["+strconv.Itoa(len(n.elems))+"]")
		v := r.value()
		r.path = r.path[:len(r.path)-1]
		if v == nil {
			return nil
		}
		n.elems = append(n.elems, v)
		r.space()
		if r.pos >= len(r.data) {
			return r.fail("unexpected end of input: expected ',' or ']'")
		}
		switch r.data[r.pos] {
		case ',':
			r.pos++
		case ']':
			r.pos++
			n.end = r.pos
			return n
		default:
			return r.fail("unexpected " + r.describe() + ": expected ',' or ']'")
		}
	}
}

// lines maps byte offsets to positions quickly: it holds the offset at which
// each line starts.
type lines struct {
	data   []byte
	starts []int
	// The last position found: the parser asks in increasing order, often
	// on one long line (a policy on a single line), so the next column is
	// counted from there rather than from the line's start.
	lastOff, lastLine, lastCol int
}

func newLines(data []byte) *lines {
	l := &lines{data: data, starts: []int{0}}
	for i, c := range data {
		if c == '\n' {
			l.starts = append(l.starts, i+1)
		}
	}
	return l
}

func (l *lines) position(off int) Position {
	if off > len(l.data) {
		off = len(l.data)
	}
	// The last line starting at or before off.
	lo, hi := 0, len(l.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if l.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	from, col := l.starts[lo], 1
	if l.lastLine == lo+1 && l.lastOff >= from && l.lastOff <= off {
		from, col = l.lastOff, l.lastCol
	}
	col += utf8.RuneCount(l.data[from:off])
	l.lastOff, l.lastLine, l.lastCol = off, lo+1, col
	return Position{Line: lo + 1, Column: col}
}

// position converts a byte offset to a 1-based line and column (in characters).
func position(data []byte, off int) Position {
	if off > len(data) {
		off = len(data)
	}
	line, col := 1, 1
	for i := 0; i < off; {
		c, size := utf8.DecodeRune(data[i:])
		if c == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return Position{Line: line, Column: col}
}
