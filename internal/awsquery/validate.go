package awsquery

import (
	"regexp"
	"regexp/syntax"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keyward/keyward"
)

// Pattern is a constraint pattern from an AWS service model, such as IAM's
// `[\w+=,.@-]+`. It must match the whole value (Java's matches()), and its
// text is what AWS prints in validation messages.
type Pattern struct {
	text  string
	re    *regexp.Regexp
	class *charClass        // the pattern is one character class, repeated
	match func(string) bool // for the patterns Go's regexp cannot compile
}

// MustPattern compiles a pattern written as in botocore's models. Java's
// \uXXXX escapes are accepted, and read as Java reads them: exactly four hex
// digits, so the models' `\u10000` is U+1000 followed by "0" (which is why
// AWS rejects supplementary characters in, e.g., STS's RoleArn even though
// its pattern seems to allow them). The few model patterns that need
// Java's look-ahead, which Go's regexp lacks, have matchers written by
// hand (javaOnly). It panics on any other pattern Go cannot compile;
// patterns are package-level values.
func MustPattern(text string) *Pattern {
	if m, ok := javaOnly[text]; ok {
		return &Pattern{text: text, match: m}
	}
	expr := javaEscapes(text)
	return &Pattern{text: text, re: regexp.MustCompile(`\A(?:` + expr + `)\z`), class: classOf(expr)}
}

// charClass is a pattern of the form [...]* or [...]+, the shape of most
// model patterns, matched by a scan of the value instead of the regexp
// machine: the check of a name costs tens of nanoseconds, not hundreds.
type charClass struct {
	ascii    [2]uint64 // the ASCII characters in the class
	ranges   []rune    // the class as regexp/syntax gives it: sorted lo, hi pairs
	nonEmpty bool      // +, not *
}

// classOf returns expr's charClass, or nil when expr has another shape.
// It reads expr as regexp.Compile does, so both match the same values.
func classOf(expr string) *charClass {
	re, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	re = re.Simplify()
	c := &charClass{}
	switch re.Op {
	case syntax.OpStar:
	case syntax.OpPlus:
		c.nonEmpty = true
	default:
		return nil
	}
	if re.Sub[0].Op != syntax.OpCharClass || re.Flags&syntax.NonGreedy != 0 {
		return nil
	}
	c.ranges = re.Sub[0].Rune
	for i := 0; i+1 < len(c.ranges); i += 2 {
		for r := c.ranges[i]; r <= c.ranges[i+1] && r < utf8.RuneSelf; r++ {
			c.ascii[r>>6] |= 1 << (r & 63)
		}
	}
	return c
}

func (c *charClass) matchString(s string) bool {
	if c.nonEmpty && s == "" {
		return false
	}
	for i := 0; i < len(s); {
		if b := s[i]; b < utf8.RuneSelf {
			if c.ascii[b>>6]&(1<<(b&63)) == 0 {
				return false
			}
			i++
			continue
		}
		// An invalid byte decodes as U+FFFD, one byte wide, as in regexp.
		r, size := utf8.DecodeRuneInString(s[i:])
		// The first pair whose hi is at least r is the only one that can
		// hold it.
		j := sort.Search(len(c.ranges)/2, func(j int) bool { return c.ranges[2*j+1] >= r })
		if j == len(c.ranges)/2 || c.ranges[2*j] > r {
			return false
		}
		i += size
	}
	return true
}

// javaOnly matches the model patterns that use look-ahead, each exactly
// as Java's matches() does.
var javaOnly = map[string]func(string) bool{
	// IAM's accountAliasType: 3 to 63 of [a-z0-9-], beginning and ending
	// with a letter or digit, no two hyphens in a row.
	`^[a-z0-9]([a-z0-9]|-(?!-)){1,61}[a-z0-9]$`: func(s string) bool {
		if len(s) < 3 || len(s) > 63 || s[0] == '-' || s[len(s)-1] == '-' {
			return false
		}
		for i := 0; i < len(s); i++ {
			c := s[i]
			switch {
			case 'a' <= c && c <= 'z', '0' <= c && c <= '9':
			case c == '-':
				if s[i+1] == '-' {
					return false
				}
			default:
				return false
			}
		}
		return true
	},
}

// javaEscapes rewrites \uXXXX as \x{XXXX}.
func javaEscapes(s string) string {
	if !strings.Contains(s, `\u`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+1 < len(s) {
			if s[i+1] == 'u' && i+6 <= len(s) {
				b.WriteString(`\x{`)
				b.WriteString(s[i+2 : i+6])
				b.WriteByte('}')
				i += 5
				continue
			}
			b.WriteString(s[i : i+2])
			i++
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// String returns the pattern as the model (and AWS's messages) write it.
func (p *Pattern) String() string { return p.text }

// MatchString reports whether p matches all of s.
func (p *Pattern) MatchString(s string) bool {
	switch {
	case p.class != nil:
		return p.class.matchString(s)
	case p.match != nil:
		return p.match(s)
	}
	return p.re.MatchString(s)
}

// The Validate methods check what a Handler decodes itself, one member at a
// time; Bind and Actions check every member of an IAM or STS action
// against its model before the action runs (model.go). Both record
// failures through the same checks below, so the wording is the same.

// Validate checks value, the value of the member name (a wire name relative
// to f, e.g. "UserName" or "Tags.member.1.Key"), against a botocore string
// shape's constraints: pattern (nil for none), then min and max length in
// Unicode characters (AWS counts code points, not bytes or UTF-16 units;
// max 0 means no maximum). Each failure is recorded in AWS's wording.
// Callers skip absent optional members; Required records those.
func (f *Form) Validate(name, value string, min, max int, pattern *Pattern) {
	f.checkString(at{wire: name}, value, false, lengths(min, max), pattern, nil)
}

// ValidateSensitive is Validate for a member the model marks sensitive
// (passwords, secrets, tokens): the message leaves the value out, as
// AWS's does ("Value at 'password' failed to ...").
func (f *Form) ValidateSensitive(name, value string, min, max int, pattern *Pattern) {
	f.checkString(at{wire: name}, value, true, lengths(min, max), pattern, nil)
}

// lengths turns Validate's min and max (0: none) into bounds.
func lengths(min, max int) bounds {
	b := bounds{min: int64(min), max: int64(max)}
	if min > 0 {
		b.has |= hasMin
	}
	if max > 0 {
		b.has |= hasMax
	}
	return b
}

// ValidateRange checks an integer member against a model's min and max,
// in AWS's wording ("Member must have value less than or equal to 1000").
func (f *Form) ValidateRange(name string, value, min, max int) {
	f.checkValue(at{wire: name}, int64(value), true, bounds{has: hasMin | hasMax, min: int64(min), max: int64(max)})
}

// ValidateEnum checks value against a model's enum, in AWS's wording
// ("Member must satisfy enum value set: [Active, Inactive]").
func (f *Form) ValidateEnum(name, value string, allowed ...string) {
	f.checkString(at{wire: name}, value, false, bounds{}, nil, allowed)
}

// ValidateCount checks the number of elements of a list member against
// the model's min and max ("Member must have length less than or equal to
// 10"). shown is the list as AWS prints it, e.g. "[a, b]" (see JavaList).
func (f *Form) ValidateCount(name, shown string, n, min, max int) {
	b := lengths(0, max)
	b.has |= hasMin
	b.min = int64(min)
	if b.breaks(n) {
		f.countFailures(at{wire: name}, shown, true, n, b)
	}
}

// JavaList formats a list of strings as AWS's messages show a list value.
func JavaList(items []string) string {
	return "[" + strings.Join(items, ", ") + "]"
}

// Null records "Value null at 'name' failed to satisfy constraint: Member
// must not be null", AWS's failure for a missing required member.
func (f *Form) Null(name string) {
	f.null(at{wire: name})
}

// Invalid records a failed constraint in AWS's form: "Value 'value' at
// 'path' failed to satisfy constraint: constraint".
func (f *Form) Invalid(name, value, constraint string) {
	f.fail(at{wire: name}, value, true, constraint)
}

// at names the member a failure is about, relative to the form it is
// recorded on, without building the name until a failure needs it: either
// a wire name ("Tags.member.1.Key", for the Validate methods) or AWS's
// name from the model ("key"), with index, when positive, naming one
// element of that list ("thumbprintList.2.member").
type at struct {
	wire  string
	name  string
	index int
}

// path returns the member's name as AWS's messages print it.
func (f *Form) path(a at) string {
	if a.wire != "" {
		return memberPath(f.prefix + a.wire)
	}
	p := memberPath(f.prefix) + a.name
	if a.index > 0 {
		p += "." + strconv.Itoa(a.index) + ".member"
	}
	return p
}

// bounds are a model's min and max: lengths of strings and lists, values
// of integers.
type bounds struct {
	has      uint8 // hasMin | hasMax
	min, max int64
}

const (
	hasMin = 1 << iota
	hasMax
)

// checkString checks a present string in AWS's order: pattern, then min
// and max length in code points, then enum.
func (f *Form) checkString(a at, value string, sensitive bool, b bounds, pattern *Pattern, enum []string) {
	if pattern != nil && !pattern.MatchString(value) {
		f.fail(a, value, !sensitive, "Member must satisfy regular expression pattern: "+pattern.text)
	}
	if b.has != 0 {
		n := int64(utf8.RuneCountInString(value))
		if b.has&hasMin != 0 && n < b.min {
			f.fail(a, value, !sensitive, "Member must have length greater than or equal to "+strconv.FormatInt(b.min, 10))
		}
		if b.has&hasMax != 0 && n > b.max {
			f.fail(a, value, !sensitive, "Member must have length less than or equal to "+strconv.FormatInt(b.max, 10))
		}
	}
	if enum != nil {
		for _, e := range enum {
			if value == e {
				return
			}
		}
		f.fail(a, value, !sensitive, "Member must satisfy enum value set: ["+strings.Join(enum, ", ")+"]")
	}
}

// checkValue checks an integer against a model's min and max; show says
// whether messages print it.
func (f *Form) checkValue(a at, n int64, show bool, b bounds) {
	if b.has&hasMin != 0 && n < b.min {
		f.fail(a, strconv.FormatInt(n, 10), show, "Member must have value greater than or equal to "+strconv.FormatInt(b.min, 10))
	}
	if b.has&hasMax != 0 && n > b.max {
		f.fail(a, strconv.FormatInt(n, 10), show, "Member must have value less than or equal to "+strconv.FormatInt(b.max, 10))
	}
}

// countFailures records how a list of n elements breaks b; shown is its
// value as AWS prints it, left out when show is false.
func (f *Form) countFailures(a at, shown string, show bool, n int, b bounds) {
	if b.has&hasMin != 0 && int64(n) < b.min {
		f.fail(a, shown, show, "Member must have length greater than or equal to "+strconv.FormatInt(b.min, 10))
	}
	if b.has&hasMax != 0 && int64(n) > b.max {
		f.fail(a, shown, show, "Member must have length less than or equal to "+strconv.FormatInt(b.max, 10))
	}
}

// null records a missing required member.
func (f *Form) null(a at) {
	f.record("Value null at '" + f.path(a) + "' failed to satisfy constraint: Member must not be null")
}

// fail records "Value 'value' at 'path' failed to satisfy constraint:
// constraint", without the value when show is false.
func (f *Form) fail(a at, value string, show bool, constraint string) {
	path := f.path(a)
	var b strings.Builder
	b.Grow(len(value) + len(path) + len(constraint) + 48)
	b.WriteString("Value ")
	if show {
		b.WriteByte('\'')
		b.WriteString(value)
		b.WriteString("' ")
	}
	b.WriteString("at '")
	b.WriteString(path)
	b.WriteString("' failed to satisfy constraint: ")
	b.WriteString(constraint)
	f.record(b.String())
}

func (f *Form) record(msg string) {
	t := f.top()
	t.issues = append(t.issues, msg)
}

// Err returns what the accessors and validators recorded, as AWS reports
// it: MalformedInput when a number or boolean did not parse (AWS stops
// there), otherwise one ValidationError listing every failure in the order
// recorded ("2 validation errors detected: ...; ..."); failing those, a
// value the service refuses in its own words (ownSentence); or nil.
func (f *Form) Err() error {
	t := f.top()
	if t.malformed != nil {
		return t.malformed
	}
	if len(t.issues) == 0 {
		if t.own != "" {
			return &keyward.Error{Code: keyward.ErrValidationError, Message: t.own}
		}
		return nil
	}
	var b strings.Builder
	if len(t.issues) == 1 {
		b.WriteString("1 validation error detected: ")
	} else {
		b.WriteString(strconv.Itoa(len(t.issues)))
		b.WriteString(" validation errors detected: ")
	}
	for i, m := range t.issues {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(m)
	}
	return &keyward.Error{Code: keyward.ErrValidationError, Message: b.String()}
}

// memberPath turns a wire name into the member path AWS's messages use:
// each name starts lower case and list indices come before "member", so
// "Tags.member.2.Key" is "tags.2.member.key" and "UserName" is "userName".
func memberPath(wire string) string {
	if wire == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(wire))
	segs := strings.Split(wire, ".")
	for i := 0; i < len(segs); i++ {
		if i > 0 {
			b.WriteByte('.')
		}
		s := segs[i]
		if s == "member" && i+1 < len(segs) && isDigits(segs[i+1]) {
			b.WriteString(segs[i+1])
			b.WriteString(".member")
			i++
			continue
		}
		if s != "" && 'A' <= s[0] && s[0] <= 'Z' {
			b.WriteByte(s[0] + ('a' - 'A'))
			s = s[1:]
		}
		b.WriteString(s)
	}
	return b.String()
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
