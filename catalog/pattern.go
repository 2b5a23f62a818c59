package catalog

import "strings"

// globMatch reports whether s matches pattern, where * matches any run of
// characters and ? any one character. Both are compared as given.
func globMatch(pattern, s string) bool {
	// The classic iterative matcher: remember the last * and retry it
	// one character further on a mismatch.
	p, i := 0, 0
	star, mark := -1, 0
	for i < len(s) {
		switch {
		case p < len(pattern) && (pattern[p] == '?' || pattern[p] == s[i]):
			p++
			i++
		case p < len(pattern) && pattern[p] == '*':
			star, mark = p, i
			p++
		case star >= 0:
			p = star + 1
			mark++
			i = mark
		default:
			return false
		}
	}
	for p < len(pattern) && pattern[p] == '*' {
		p++
	}
	return p == len(pattern)
}

// keyPattern turns a condition key name into a lower-case glob: template
// variables (${TagKey}, <key>, and the global keys' tag-key) become *.
func keyPattern(name string) string {
	var b strings.Builder
	n := strings.ToLower(name)
	for i := 0; i < len(n); i++ {
		switch {
		case strings.HasPrefix(n[i:], "${"):
			if j := strings.IndexByte(n[i:], '}'); j > 0 {
				b.WriteByte('*')
				i += j
				continue
			}
		case n[i] == '<':
			if j := strings.IndexByte(n[i:], '>'); j > 0 {
				b.WriteByte('*')
				i += j
				continue
			}
		case strings.HasPrefix(n[i:], "/tag-key") && i+len("/tag-key") == len(n):
			b.WriteString("/*")
			return b.String()
		}
		b.WriteByte(n[i])
	}
	return b.String()
}

// Pattern elements for overlap: anyRun matches any run of characters,
// segRun any run without a colon, one any single character.
const (
	anyRun = '\x00'
	segRun = '\x01'
	one    = '\x02'
)

// arnFormatPattern turns an ARN format into an overlap pattern: variables
// in the first five sections (partition, region, account) match within
// their section; variables in the resource part match anything, colons
// included (resource names such as log streams and S3 keys hold colons).
func arnFormatPattern(format string) string {
	var b strings.Builder
	colons := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c == ':' {
			colons++
		}
		if strings.HasPrefix(format[i:], "${") {
			if j := strings.IndexByte(format[i:], '}'); j > 0 {
				if colons < 5 {
					b.WriteByte(segRun)
				} else {
					b.WriteByte(anyRun)
				}
				i += j
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}

// resourcePattern turns a Resource element's value into an overlap
// pattern: * and policy variables (${aws:username}) match any run, ? one
// character.
func resourcePattern(resource string) string {
	var b strings.Builder
	for i := 0; i < len(resource); i++ {
		switch c := resource[i]; {
		case c == '*':
			b.WriteByte(anyRun)
		case c == '?':
			b.WriteByte(one)
		case strings.HasPrefix(resource[i:], "${"):
			if j := strings.IndexByte(resource[i:], '}'); j > 0 {
				b.WriteByte(anyRun)
				i += j
				continue
			}
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// overlap reports whether some string matches both patterns (made by
// arnFormatPattern and resourcePattern). It searches the pairs of
// positions (i, j) reachable from (0, 0): a run may absorb the other
// side's next element, whatever it is, or end.
func overlap(a, b string) bool {
	seen := make(map[[2]int]bool)
	var visit func(i, j int) bool
	visit = func(i, j int) bool {
		if i == len(a) && j == len(b) {
			return true
		}
		k := [2]int{i, j}
		if seen[k] {
			return false
		}
		seen[k] = true
		if i < len(a) && (a[i] == anyRun || a[i] == segRun) {
			if visit(i+1, j) {
				return true
			}
			if j < len(b) && (a[i] == anyRun || b[j] != ':') && visit(i, j+1) {
				return true
			}
		}
		if j < len(b) && (b[j] == anyRun || b[j] == segRun) {
			if visit(i, j+1) {
				return true
			}
			if i < len(a) && (b[j] == anyRun || a[i] != ':') && visit(i+1, j) {
				return true
			}
		}
		if i < len(a) && j < len(b) && !isRun(a[i]) && !isRun(b[j]) &&
			(a[i] == one || b[j] == one || a[i] == b[j]) {
			return visit(i+1, j+1)
		}
		return false
	}
	return visit(0, 0)
}

func isRun(c byte) bool { return c == anyRun || c == segRun }
