package policy

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

type family uint8

const (
	famString family = iota
	famNumeric
	famDate
	famBool
	famBinary
	famIP
	famArn
	famNull
)

type cmp uint8

const (
	cmpEquals cmp = iota
	cmpEqualsIgnoreCase
	cmpLike
	cmpLess
	cmpLessEquals
	cmpGreater
	cmpGreaterEquals
)

type setQualifier uint8

const (
	setNone setQualifier = iota
	setForAll
	setForAny
)

// operator is a parsed condition operator such as ForAnyValue:StringNotLikeIfExists.
type operator struct {
	family   family
	cmp      cmp
	negated  bool
	ifExists bool
	set      setQualifier
}

type baseOperator struct {
	family  family
	cmp     cmp
	negated bool
}

// The condition operators of "IAM JSON policy elements: Condition operators".
var baseOperators = map[string]baseOperator{
	"StringEquals":              {famString, cmpEquals, false},
	"StringNotEquals":           {famString, cmpEquals, true},
	"StringEqualsIgnoreCase":    {famString, cmpEqualsIgnoreCase, false},
	"StringNotEqualsIgnoreCase": {famString, cmpEqualsIgnoreCase, true},
	"StringLike":                {famString, cmpLike, false},
	"StringNotLike":             {famString, cmpLike, true},
	"NumericEquals":             {famNumeric, cmpEquals, false},
	"NumericNotEquals":          {famNumeric, cmpEquals, true},
	"NumericLessThan":           {famNumeric, cmpLess, false},
	"NumericLessThanEquals":     {famNumeric, cmpLessEquals, false},
	"NumericGreaterThan":        {famNumeric, cmpGreater, false},
	"NumericGreaterThanEquals":  {famNumeric, cmpGreaterEquals, false},
	"DateEquals":                {famDate, cmpEquals, false},
	"DateNotEquals":             {famDate, cmpEquals, true},
	"DateLessThan":              {famDate, cmpLess, false},
	"DateLessThanEquals":        {famDate, cmpLessEquals, false},
	"DateGreaterThan":           {famDate, cmpGreater, false},
	"DateGreaterThanEquals":     {famDate, cmpGreaterEquals, false},
	"Bool":                      {famBool, cmpEquals, false},
	"BinaryEquals":              {famBinary, cmpEquals, false},
	"IpAddress":                 {famIP, cmpEquals, false},
	"NotIpAddress":              {famIP, cmpEquals, true},
	"ArnEquals":                 {famArn, cmpLike, false},
	"ArnLike":                   {famArn, cmpLike, false},
	"ArnNotEquals":              {famArn, cmpLike, true},
	"ArnNotLike":                {famArn, cmpLike, true},
	"Null":                      {famNull, cmpEquals, false},
}

// parseOperator reads an operator name; the message says what is wrong, or is "".
func parseOperator(name string) (operator, string) {
	var o operator
	base := name
	if q, rest, ok := strings.Cut(name, ":"); ok {
		switch q {
		case "ForAllValues":
			o.set = setForAll
		case "ForAnyValue":
			o.set = setForAny
		default:
			return o, fmt.Sprintf("unknown condition operator %q: the only qualifiers are ForAllValues: and ForAnyValue:", name)
		}
		base = rest
	}
	if b, ok := strings.CutSuffix(base, "IfExists"); ok {
		o.ifExists = true
		base = b
	}
	bo, ok := baseOperators[base]
	if !ok {
		for k := range baseOperators {
			if strings.EqualFold(k, base) {
				return o, fmt.Sprintf("unknown condition operator %q (did you mean %q? operators are case-sensitive)", name, k)
			}
		}
		return o, fmt.Sprintf("unknown condition operator %q", name)
	}
	if bo.family == famNull && o.ifExists {
		return o, "Null cannot take IfExists: Null already tests whether the key exists"
	}
	o.family, o.cmp, o.negated = bo.family, bo.cmp, bo.negated
	return o, ""
}

// parseDate reads a W3C ISO 8601 date (2024, 2024-01, 2024-01-31,
// 2024-01-31T12:00Z, 2024-01-31T12:00:00Z, with fractions and offsets) or
// epoch seconds, as Unix nanoseconds.
func parseDate(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	if isDigits(s) || (s[0] == '-' && isDigits(s[1:])) {
		if len(s) > 4 || s[0] == '-' { // a bare four-digit string is a year
			n, err := strconv.ParseInt(s, 10, 64)
			if err != nil || n > 1<<33 || n < -(1<<33) {
				return 0, false
			}
			return n * int64(time.Second), true
		}
	}
	for _, layout := range dateLayouts {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UnixNano(), true
		}
	}
	return 0, false
}

var dateLayouts = [...]string{
	time.RFC3339Nano, // also reads RFC 3339 without fractions
	"2006-01-02T15:04Z07:00",
	"2006-01-02",
	"2006-01",
	"2006",
	"2006-01-02T15:04:05", // no zone: UTC
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
