package sts

import (
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/keyward/keyward"
)

// pattern is a botocore model pattern: the expression to match whole
// values, and its text as AWS's messages quote it.
type pattern struct {
	re   *regexp.Regexp
	text string
}

func newPattern(text, goRE string) *pattern {
	return &pattern{re: regexp.MustCompile("^(?:" + goRE + ")$"), text: text}
}

// The botocore model's patterns for STS members.
var (
	sessionNamePattern  = newPattern(`[\w+=,.@-]*`, `[\w+=,.@-]*`)
	externalIDPattern   = newPattern(`[\w+=,.@:\/-]*`, `[\w+=,.@:/-]*`)
	serialNumberPattern = newPattern(`[\w+=/:,.@-]*`, `[\w+=/:,.@-]*`)
	tokenCodePattern    = newPattern(`[\d]*`, `[0-9]*`)
	tagKeyPattern       = newPattern(`[\p{L}\p{Z}\p{N}_.:/=+\-@]+`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]+`)
	tagValuePattern     = newPattern(`[\p{L}\p{Z}\p{N}_.:/=+\-@]*`, `[\p{L}\p{Z}\p{N}_.:/=+\-@]*`)
	policyTextPattern   = newPattern(`[\u0009\u000A\u000D\u0020-\u00FF]+`, `[\t\n\r\x{20}-\x{FF}]+`)
	accessKeyIDPattern  = newPattern(`[\w]*`, `[\w]*`)
)

// validator collects constraint failures in AWS's wording, as the Query
// front end reports a request that breaks the model: one ValidationError
// listing them all.
type validator struct{ issues []string }

// memberPath is the name as AWS's messages show it: lower camel case, list
// indices before "member" ("Tags.member.2.Key" is "tags.2.member.key").
func memberPath(name string) string {
	parts := strings.Split(name, ".")
	var out []string
	for i := 0; i < len(parts); i++ {
		p := parts[i]
		if p == "member" && i+1 < len(parts) {
			out = append(out, parts[i+1], "member")
			i++
			continue
		}
		if p != "" {
			p = strings.ToLower(p[:1]) + p[1:]
		}
		out = append(out, p)
	}
	return strings.Join(out, ".")
}

func (v *validator) fail(name, value string, show bool, constraint string) {
	var b strings.Builder
	b.WriteString("Value ")
	if show {
		b.WriteString("'" + value + "' ")
	}
	b.WriteString("at '" + memberPath(name) + "' failed to satisfy constraint: " + constraint)
	v.issues = append(v.issues, b.String())
}

// str checks a string member; max 0 means no maximum.
func (v *validator) str(name, value string, min, max int, p *pattern, sensitive bool) {
	if p != nil && !p.re.MatchString(value) {
		v.fail(name, value, !sensitive, "Member must satisfy regular expression pattern: "+p.text)
	}
	n := utf8.RuneCountInString(value)
	if n < min {
		v.fail(name, value, !sensitive, "Member must have length greater than or equal to "+strconv.Itoa(min))
	}
	if max > 0 && n > max {
		v.fail(name, value, !sensitive, "Member must have length less than or equal to "+strconv.Itoa(max))
	}
}

// required checks a required string member's presence ("" counts as absent).
func (v *validator) required(name, value string) bool {
	if value == "" {
		v.issues = append(v.issues, "Value null at '"+memberPath(name)+"' failed to satisfy constraint: Member must not be null")
		return false
	}
	return true
}

func (v *validator) rng(name string, value, min, max int) {
	if value < min {
		v.fail(name, strconv.Itoa(value), true, "Member must have value greater than or equal to "+strconv.Itoa(min))
	}
	if value > max {
		v.fail(name, strconv.Itoa(value), true, "Member must have value less than or equal to "+strconv.Itoa(max))
	}
}

func (v *validator) count(name string, shown []string, max int) {
	if len(shown) > max {
		v.fail(name, "["+strings.Join(shown, ", ")+"]", true, "Member must have length less than or equal to "+strconv.Itoa(max))
	}
}

func (v *validator) tags(tags []keyward.Tag) {
	keys := make([]string, len(tags))
	for i, t := range tags {
		keys[i] = "Tag(key=" + t.Key + ", value=" + t.Value + ")"
		p := "Tags.member." + strconv.Itoa(i+1) + "."
		v.str(p+"Key", t.Key, 1, 128, tagKeyPattern, false)
		v.str(p+"Value", t.Value, 0, 256, tagValuePattern, false)
	}
	v.count("Tags", keys, 50)
}

func (v *validator) err() error {
	if len(v.issues) == 0 {
		return nil
	}
	prefix := "1 validation error detected: "
	if len(v.issues) > 1 {
		prefix = strconv.Itoa(len(v.issues)) + " validation errors detected: "
	}
	return keyward.Errorf(keyward.ErrValidationError, "%s%s", prefix, strings.Join(v.issues, "; "))
}
