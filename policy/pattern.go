package policy

import (
	"strings"
	"unicode/utf8"
)

// pattern is a compiled string pattern: literal text, the wildcards * and ? (when
// glob), and policy variables (when the document is 2012-10-17). Matching never
// allocates: a variable's value is looked up in the request context and
// compared as literal text, so a user named "a*" gains no wildcard.
type pattern struct {
	raw    string
	lit    bool // raw is plain text: compare it whole
	prefix bool // the pattern is raw followed by one *: compare the prefix
	// infix is set when the pattern is "*text*": compared exactly, it
	// matches when text occurs anywhere ("arn:aws:s3:::*-prod*").
	infix string
	toks  []tok
}

type tokKind uint8

const (
	tLit tokKind = iota
	tStar
	tQuest
	tVar
)

type tok struct {
	kind   tokKind
	s      string // literal text, or the variable's key in lower case
	hash   uint64 // a variable's hashKey(s)
	def    string
	hasDef bool
	rawKey string // the variable's key as written
}

func compilePattern(s string, glob, vars bool) pattern {
	p := pattern{raw: s}
	if !strings.ContainsAny(s, "*?$") {
		p.lit = true // most patterns: nothing to compile
		return p
	}
	var lit strings.Builder
	flush := func() {
		if lit.Len() > 0 {
			p.toks = append(p.toks, tok{kind: tLit, s: lit.String()})
			lit.Reset()
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case glob && c == '*':
			flush()
			if n := len(p.toks); n == 0 || p.toks[n-1].kind != tStar {
				p.toks = append(p.toks, tok{kind: tStar})
			}
			i++
		case glob && c == '?':
			flush()
			p.toks = append(p.toks, tok{kind: tQuest})
			i++
		case vars && c == '$' && i+1 < len(s) && s[i+1] == '{':
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				lit.WriteString(s[i:])
				i = len(s)
				continue
			}
			key, def, hasDef, ok := parseVariable(s[i+2 : i+j])
			switch {
			case !ok:
				lit.WriteString(s[i : i+j+1])
			case key == "*" || key == "?" || key == "$":
				lit.WriteString(key)
			default:
				flush()
				lk := strings.ToLower(key)
				p.toks = append(p.toks, tok{kind: tVar, s: lk, hash: hashKey(lk), def: def, hasDef: hasDef, rawKey: key})
			}
			i += j + 1
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	switch {
	case len(p.toks) == 0:
		p.lit, p.raw = true, ""
	case len(p.toks) == 1 && p.toks[0].kind == tLit:
		p.lit, p.raw = true, p.toks[0].s
	case len(p.toks) == 2 && p.toks[0].kind == tLit && p.toks[1].kind == tStar:
		// The commonest wildcard of all: "s3:Get*", "arn:aws:s3:::bucket/*".
		p.prefix, p.raw = true, p.toks[0].s
	case len(p.toks) == 3 && p.toks[0].kind == tStar && p.toks[1].kind == tLit && p.toks[2].kind == tStar:
		p.infix = p.toks[1].s
	}
	return p
}

// resolve returns the value of a variable token: the key's single value, else its
// default. A missing or multi-valued key leaves the variable unresolved.
func (t *tok) resolve(e *evalState) (string, bool) {
	if vals, ok := e.ctx.lookup(t.s, t.hash); ok && len(vals) == 1 {
		return vals[0], true
	}
	if t.hasDef {
		return t.def, true
	}
	if e.res != nil {
		e.missing(t.rawKey)
	}
	return "", false
}

// matchAction matches an action pattern, compiled in lower case, against the
// request's action; lower is the action in ASCII lower case, whole or cut
// short. The commonest patterns compare lower without folding.
func (p *pattern) matchAction(action string, lower []byte, e *evalState) bool {
	if len(lower) == len(action) {
		switch {
		case p.prefix:
			return len(lower) >= len(p.raw) && string(lower[:len(p.raw)]) == p.raw
		case p.lit:
			return string(lower) == p.raw
		}
	}
	return p.match(action, e, lowerASCII)
}

// Comparison modes of pattern.match.
type foldMode uint8

const (
	exact      foldMode = iota
	foldCase            // Unicode case folding (StringEqualsIgnoreCase)
	lowerASCII          // the pattern is lower case; fold the subject's ASCII letters (actions)
)

func hasPrefix(s, prefix string, mode foldMode) bool {
	if len(s) < len(prefix) {
		return false
	}
	switch mode {
	case foldCase:
		return strings.EqualFold(s[:len(prefix)], prefix)
	case lowerASCII:
		s = s[:len(prefix)]
		for i := 0; i < len(s); i++ {
			if lowerASCIITable[s[i]] != prefix[i] {
				return false
			}
		}
		return true
	}
	return s[:len(prefix)] == prefix
}

// match reports whether s matches the pattern; fold compares letters without
// regard to case. It is the classic single-backtrack glob: * is the only token
// whose length varies, so remembering the last * suffices.
func (p *pattern) match(s string, e *evalState, fold foldMode) bool {
	if p.prefix {
		return hasPrefix(s, p.raw, fold)
	}
	if p.lit {
		switch fold {
		case exact:
			return s == p.raw
		case foldCase:
			return strings.EqualFold(s, p.raw)
		}
		return len(s) == len(p.raw) && hasPrefix(s, p.raw, lowerASCII)
	}
	if p.infix != "" && fold == exact {
		return strings.Contains(s, p.infix)
	}
	toks := p.toks
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tStar:
				if ti == len(toks)-1 {
					return true // a trailing * takes whatever is left
				}
				starTi, starSi = ti, si
				if next := &toks[ti+1]; next.kind == tLit && fold == exact {
					// Jump to where the literal after the * next occurs.
					j := strings.Index(s[si:], next.s)
					if j < 0 {
						return false
					}
					starSi = si + j
					si = starSi
				}
				ti++
				continue
			case tQuest:
				if si < len(s) {
					_, size := utf8.DecodeRuneInString(s[si:])
					si += size
					ti++
					continue
				}
			case tLit:
				if hasPrefix(s[si:], t.s, fold) {
					si += len(t.s)
					ti++
					continue
				}
			case tVar:
				v, ok := t.resolve(e)
				if !ok {
					return false
				}
				if hasPrefix(s[si:], v, fold) {
					si += len(v)
					ti++
					continue
				}
			}
		} else if si == len(s) {
			return true
		}
		if starTi < 0 || starSi >= len(s) {
			return false
		}
		_, size := utf8.DecodeRuneInString(s[starSi:])
		starSi += size
		if next := &toks[starTi+1]; next.kind == tLit && fold == exact {
			j := strings.Index(s[starSi:], next.s)
			if j < 0 {
				return false
			}
			starSi += j
		}
		si, ti = starSi, starTi+1
	}
}

// arnPattern matches ARNs section by section: the first five colon-separated
// sections (arn, partition, service, region, account) each match on their own,
// and the last section of the pattern matches the rest of the ARN, colons and
// all. A pattern that is not an ARN ("*", a bare string) matches whole.
type arnPattern struct {
	raw string
	any bool // "*"
	// simple is set when the whole pattern is a literal (exact) or a
	// literal followed by a trailing * confined to the last section (a
	// prefix): one comparison decides.
	simple, exact bool
	lit           string
	head          string    // when the first sections are literal: their text, colons included
	parts         []pattern // the sections after head
	whole         *pattern
}

func compileARN(s string, vars bool) arnPattern {
	a := arnPattern{raw: s}
	if s == "*" {
		a.any = true
		return a
	}
	if !strings.HasPrefix(s, "arn:") {
		p := compilePattern(s, true, vars)
		a.whole = &p
		return a
	}
	var buf [6]string
	sections := buf[:0]
	rest := s
	for len(sections) < 5 {
		j := indexColon(rest, vars)
		if j < 0 {
			break
		}
		sections = append(sections, rest[:j])
		rest = rest[j+1:]
	}
	sections = append(sections, rest)
	// Literal leading sections are compared as one prefix: the text of s
	// up to the colon after the last of them, shared with s.
	n, headLen := 0, 0
	for n < len(sections)-1 && !strings.ContainsAny(sections[n], "*?") && !(vars && strings.Contains(sections[n], "${")) {
		headLen += len(sections[n]) + 1
		n++
	}
	a.head = s[:headLen]
	a.parts = make([]pattern, 0, len(sections)-n)
	for _, sec := range sections[n:] {
		a.parts = append(a.parts, compilePattern(sec, true, vars))
	}
	if len(a.parts) == 1 && n == len(sections)-1 {
		switch last := &a.parts[0]; {
		case last.lit && last.raw == s[headLen:]:
			a.simple, a.exact, a.lit = true, true, s // the whole ARN is literal text
		case last.lit:
			a.simple, a.exact, a.lit = true, true, a.head+last.raw
		case last.prefix:
			a.simple, a.lit = true, a.head+last.raw
		case last.toks[0].kind == tLit:
			// The last section's leading literal ("bucket/" in
			// "bucket/${aws:username}/*") joins the head: one comparison
			// instead of a turn of the glob loop.
			a.head += last.toks[0].s
			last.toks = last.toks[1:]
		}
	}
	return a
}

// indexColon finds the next colon outside ${...}.
func indexColon(s string, vars bool) int {
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == ':':
			return i
		case vars && s[i] == '$' && i+1 < len(s) && s[i+1] == '{':
			if j := strings.IndexByte(s[i:], '}'); j >= 0 {
				i += j
			}
		}
	}
	return -1
}

func (a *arnPattern) match(s string, e *evalState) bool {
	switch {
	case a.any:
		return true
	case a.simple:
		if a.exact {
			return s == a.lit
		}
		return len(s) >= len(a.lit) && s[:len(a.lit)] == a.lit
	case a.whole != nil:
		return a.whole.match(s, e, exact)
	}
	if len(s) < len(a.head) || s[:len(a.head)] != a.head {
		return false
	}
	s = s[len(a.head):]
	last := len(a.parts) - 1
	for i := range a.parts {
		if i == last {
			return a.parts[i].match(s, e, exact)
		}
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		if !a.parts[i].match(s[:j], e, exact) {
			return false
		}
		s = s[j+1:]
	}
	return true
}
