package policy

import (
	"fmt"
	"math"
	"strconv"
	"strings"
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

// parseDate reads a date as IAM reads Date condition values and context
// values: text with a "T" (either case) or a "-" is an ISO 8601 date and time,
// anything else whole seconds since the epoch. It returns milliseconds since
// the epoch, IAM's precision: its parser is Java's, whose dates run from year
// -292275054 to 292278993 (the bounds IAM checks, as moto's tests of IAM record).
//
// The ISO form is what IAM tolerates, not only W3C's profile: a year alone
// ("01T"), one-digit hours ("2016-12-13t2:00:00Z"), up to nine
// digits of fraction, and a zone "Z" or ±hh[:mm] with two-digit hours. A day
// past the month's end rolls over into the next month, as Java's lenient
// calendar does. Digits alone are seconds, so "2024" is 1970-01-01T00:33:44Z,
// not the year 2024.
func parseDate(s string) (int64, bool) {
	if s == "" {
		return 0, false
	}
	t, dash := -1, false // where the first T is; whether there is a '-'
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case 't', 'T':
			if t < 0 {
				t = i
			}
		case '-':
			dash = true
		}
	}
	if t < 0 && !dash {
		// Epoch seconds: IAM takes 0 to 2^63-1.
		n, err := strconv.ParseUint(s, 10, 63)
		if err != nil || !isDigits(s) {
			return 0, false
		}
		if n > math.MaxInt64/1000 {
			return math.MaxInt64, true // compares as the latest date
		}
		return int64(n) * 1000, true
	}
	date, clock, hasT := s, "", t >= 0
	if hasT {
		date, clock = s[:t], s[t+1:]
	}
	neg := strings.HasPrefix(date, "-")
	if neg {
		date = date[1:]
	}
	// year[-month[-day]], without strings.Split: the engine parses request
	// dates on every decision and must not allocate.
	y, rest, hasMonth := cutByte(date, '-')
	year, ok := atoiRange(y, 1, 9, 0, 292278993)
	if !ok {
		return 0, false
	}
	if neg {
		if year > 292275054 {
			return 0, false
		}
		year = -year
	}
	month, day := int64(1), int64(1)
	if hasMonth {
		m, d, hasDay := cutByte(rest, '-')
		if month, ok = atoiRange(m, 1, 2, 1, 12); !ok {
			return 0, false
		}
		if hasDay {
			if day, ok = atoiRange(d, 1, 2, 1, 31); !ok {
				return 0, false
			}
		}
	}
	// Years within Java's range keep this product within int64.
	ms := (daysFromCivil(year, month, 1) + day - 1) * 86400000
	if !hasT {
		return ms, true
	}
	hms, ok := parseClock(clock)
	if !ok {
		return 0, false
	}
	return addSat(ms, hms), true
}

// parseClock reads the part of an ISO 8601 date after the "T":
// [hh[:mm[:ss[.fraction]]]][Z|±hh[:mm]], as milliseconds to add to midnight UTC.
func parseClock(s string) (int64, bool) {
	body, zone := s, ""
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == 'z' || c == 'Z' || c == '+' || c == '-' {
			body, zone = s[:i], s[i:]
			break
		}
	}
	var ms int64
	if body != "" {
		units := [...]int64{3600000, 60000, 1000}
		limits := [...]int64{23, 59, 59}
		for i := 0; ; i++ {
			if i == len(units) {
				return 0, false // more than hh:mm:ss
			}
			v, rest, more := cutByte(body, ':')
			if i == 2 {
				whole, frac, hasFrac := cutByte(v, '.')
				if hasFrac {
					if _, ok := atoiRange(frac, 1, 9, 0, 999999999); !ok {
						return 0, false
					}
					// Milliseconds: the fraction's first three digits.
					for j, scale := 0, int64(100); j < 3 && j < len(frac); j, scale = j+1, scale/10 {
						ms += int64(frac[j]-'0') * scale
					}
				}
				v = whole
			}
			n, ok := atoiRange(v, 1, 2, 0, limits[i])
			if !ok {
				return 0, false
			}
			ms += n * units[i]
			if !more {
				break
			}
			body = rest
		}
	}
	switch {
	case zone == "":
	case zone == "z" || zone == "Z":
	default:
		sign := int64(1)
		if zone[0] == '+' {
			sign = -1 // +05:00 is five hours ahead of UTC: subtract them
		}
		hh, mm, hasMin := cutByte(zone[1:], ':')
		h, ok := atoiRange(hh, 2, 2, 0, 23)
		if !ok {
			return 0, false
		}
		var m int64
		if hasMin {
			if m, ok = atoiRange(mm, 2, 2, 0, 59); !ok {
				return 0, false
			}
		}
		ms += sign * (h*3600000 + m*60000)
	}
	return ms, true
}

// cutByte is strings.Cut for one byte, by a plain loop: date fields are a
// few characters, too short for IndexByte's setup to pay.
func cutByte(s string, c byte) (before, after string, found bool) {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return s[:i], s[i+1:], true
		}
	}
	return s, "", false
}

// atoiRange reads a decimal of minDigits to maxDigits digits in [lo, hi].
func atoiRange(s string, minDigits, maxDigits int, lo, hi int64) (int64, bool) {
	if len(s) < minDigits || len(s) > maxDigits {
		return 0, false
	}
	var n int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0') // at most 9 digits: no overflow
	}
	if n < lo || n > hi {
		return 0, false
	}
	return n, true
}

// daysFromCivil returns the days from 1970-01-01 to year-month-day in the
// proleptic Gregorian calendar (Howard Hinnant's algorithm), for any year.
func daysFromCivil(y, m, d int64) int64 {
	if m <= 2 {
		y--
	}
	era := y / 400
	if y < 0 && y%400 != 0 {
		era--
	}
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// addSat adds, saturating at the int64 bounds: a date beyond them compares
// as the bound, which only conflates instants billions of years apart.
func addSat(a, b int64) int64 {
	c := a + b
	if (c > a) != (b > 0) {
		if b > 0 {
			return math.MaxInt64
		}
		return math.MinInt64
	}
	return c
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
