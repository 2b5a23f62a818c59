package awsquery

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keyward/keyward"
)

// Pattern is a constraint pattern from an AWS service model, such as IAM's
// `[\w+=,.@-]+`. It must match the whole value (Java's matches()), and its
// text is what AWS prints in validation messages.
type Pattern struct {
	text string
	re   *regexp.Regexp
}

// MustPattern compiles a pattern written as in botocore's models. Java's
// \uXXXX escapes are accepted, and read as Java reads them: exactly four hex
// digits, so the models' `\u10000` is U+1000 followed by "0" (which is why
// AWS rejects supplementary characters in, e.g., STS's RoleArn even though
// its pattern seems to allow them). It panics on a pattern Go cannot
// compile; patterns are package-level constants.
func MustPattern(text string) *Pattern {
	return &Pattern{text: text, re: regexp.MustCompile(`\A(?:` + javaEscapes(text) + `)\z`)}
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
func (p *Pattern) MatchString(s string) bool { return p.re.MatchString(s) }

// Validate checks value, the value of the member name (a wire name relative
// to f, e.g. "UserName" or "Tags.member.1.Key"), against a botocore string
// shape's constraints: pattern (nil for none), then min and max length in
// Unicode characters (AWS counts code points, not bytes or UTF-16 units;
// max 0 means no maximum). Each failure is recorded in AWS's wording.
// Callers skip absent optional members; Required records those.
func (f *Form) Validate(name, value string, min, max int, pattern *Pattern) {
	f.validate(name, value, false, min, max, pattern)
}

// ValidateSensitive is Validate for a member the model marks sensitive
// (passwords, secrets, tokens): the message leaves the value out, as
// AWS's does ("Value at 'password' failed to ...").
func (f *Form) ValidateSensitive(name, value string, min, max int, pattern *Pattern) {
	f.validate(name, value, true, min, max, pattern)
}

func (f *Form) validate(name, value string, sensitive bool, min, max int, pattern *Pattern) {
	shown := value
	if sensitive {
		shown = ""
	}
	if pattern != nil && !pattern.MatchString(value) {
		f.invalid(name, shown, !sensitive, "Member must satisfy regular expression pattern: "+pattern.text)
	}
	if min > 0 || max > 0 {
		n := utf8.RuneCountInString(value)
		if n < min {
			f.invalid(name, shown, !sensitive, "Member must have length greater than or equal to "+strconv.Itoa(min))
		}
		if max > 0 && n > max {
			f.invalid(name, shown, !sensitive, "Member must have length less than or equal to "+strconv.Itoa(max))
		}
	}
}

// ValidateRange checks an integer member against a model's min and max,
// in AWS's wording ("Member must have value less than or equal to 1000").
func (f *Form) ValidateRange(name string, value, min, max int) {
	if value < min {
		f.invalid(name, strconv.Itoa(value), true, "Member must have value greater than or equal to "+strconv.Itoa(min))
	}
	if value > max {
		f.invalid(name, strconv.Itoa(value), true, "Member must have value less than or equal to "+strconv.Itoa(max))
	}
}

// ValidateEnum checks value against a model's enum, in AWS's wording
// ("Member must satisfy enum value set: [Active, Inactive]").
func (f *Form) ValidateEnum(name, value string, allowed ...string) {
	for _, a := range allowed {
		if value == a {
			return
		}
	}
	f.invalid(name, value, true, "Member must satisfy enum value set: ["+strings.Join(allowed, ", ")+"]")
}

// ValidateCount checks the number of elements of a list member against
// the model's min and max ("Member must have length less than or equal to
// 10"). shown is the list as AWS prints it, e.g. "[a, b]" (see JavaList).
func (f *Form) ValidateCount(name, shown string, n, min, max int) {
	if n < min {
		f.invalid(name, shown, true, "Member must have length greater than or equal to "+strconv.Itoa(min))
	}
	if max > 0 && n > max {
		f.invalid(name, shown, true, "Member must have length less than or equal to "+strconv.Itoa(max))
	}
}

// JavaList formats a list of strings as AWS's messages show a list value.
func JavaList(items []string) string {
	return "[" + strings.Join(items, ", ") + "]"
}

// Null records "Value null at 'name' failed to satisfy constraint: Member
// must not be null", AWS's failure for a missing required member.
func (f *Form) Null(name string) {
	f.record("Value null at '" + memberPath(f.prefix+name) + "' failed to satisfy constraint: Member must not be null")
}

// Invalid records a failed constraint in AWS's form: "Value 'value' at
// 'path' failed to satisfy constraint: constraint".
func (f *Form) Invalid(name, value, constraint string) {
	f.invalid(name, value, true, constraint)
}

func (f *Form) invalid(name, value string, show bool, constraint string) {
	var b strings.Builder
	b.Grow(len(value) + len(name) + len(f.prefix) + len(constraint) + 48)
	b.WriteString("Value ")
	if show {
		b.WriteByte('\'')
		b.WriteString(value)
		b.WriteString("' ")
	}
	b.WriteString("at '")
	b.WriteString(memberPath(f.prefix + name))
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
// recorded ("2 validation errors detected: ...; ..."), or nil.
func (f *Form) Err() error {
	t := f.top()
	if t.malformed != nil {
		return t.malformed
	}
	if len(t.issues) == 0 {
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
