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
	raw  string
	lit  bool // raw is plain text: compare it whole
	toks []tok
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
	def    string
	hasDef bool
	rawKey string // the variable's key as written
}

func compilePattern(s string, glob, vars bool) pattern {
	p := pattern{raw: s}
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
				p.toks = append(p.toks, tok{kind: tVar, s: strings.ToLower(key), def: def, hasDef: hasDef, rawKey: key})
			}
			i += j + 1
		default:
			lit.WriteByte(c)
			i++
		}
	}
	flush()
	if len(p.toks) == 0 {
		p.lit = true
		p.raw = ""
	} else if len(p.toks) == 1 && p.toks[0].kind == tLit {
		p.lit = true
		p.raw = p.toks[0].s
	}
	return p
}

func (p *pattern) hasVars() bool {
	for _, t := range p.toks {
		if t.kind == tVar {
			return true
		}
	}
	return false
}

// resolve returns the value of a variable token: the key's single value, else its
// default. A missing or multi-valued key leaves the variable unresolved.
func (t *tok) resolve(e *evalState) (string, bool) {
	if vals, ok := e.ctx.lookup(t.s); ok && len(vals) == 1 {
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

func hasPrefix(s, prefix string, fold bool) bool {
	if len(s) < len(prefix) {
		return false
	}
	if fold {
		return strings.EqualFold(s[:len(prefix)], prefix)
	}
	return s[:len(prefix)] == prefix
}

// match reports whether s matches the pattern; fold compares letters without
// regard to case. It is the classic single-backtrack glob: * is the only token
// whose length varies, so remembering the last * suffices.
func (p *pattern) match(s string, e *evalState, fold bool) bool {
	if p.lit {
		if fold {
			return strings.EqualFold(s, p.raw)
		}
		return s == p.raw
	}
	toks := p.toks
	ti, si := 0, 0
	starTi, starSi := -1, 0
	for {
		if ti < len(toks) {
			t := &toks[ti]
			switch t.kind {
			case tStar:
				starTi, starSi = ti, si
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
		si, ti = starSi, starTi+1
	}
}

// arnPattern matches ARNs section by section: the first five colon-separated
// sections (arn, partition, service, region, account) each match on their own,
// and the last section of the pattern matches the rest of the ARN, colons and
// all. A pattern that is not an ARN ("*", a bare string) matches whole.
type arnPattern struct {
	raw   string
	any   bool      // "*"
	head  string    // when the first sections are literal: their text, colons included
	parts []pattern // the sections after head
	whole *pattern
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
	var sections []string
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
	// Literal leading sections are compared as one prefix.
	n := 0
	for n < len(sections)-1 && !strings.ContainsAny(sections[n], "*?") && !(vars && strings.Contains(sections[n], "${")) {
		n++
	}
	a.head = strings.Join(sections[:n], ":")
	if n > 0 {
		a.head += ":"
	}
	for _, sec := range sections[n:] {
		a.parts = append(a.parts, compilePattern(sec, true, vars))
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
	case a.whole != nil:
		return a.whole.match(s, e, false)
	}
	if len(s) < len(a.head) || s[:len(a.head)] != a.head {
		return false
	}
	s = s[len(a.head):]
	last := len(a.parts) - 1
	for i := range a.parts {
		if i == last {
			return a.parts[i].match(s, e, false)
		}
		j := strings.IndexByte(s, ':')
		if j < 0 {
			return false
		}
		if !a.parts[i].match(s[:j], e, false) {
			return false
		}
		s = s[j+1:]
	}
	return true
}
