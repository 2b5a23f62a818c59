package policy

import (
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		name, doc string
		typ       Type
		path      string
		line, col int
		contains  string
	}{
		{"duplicate top-level key", `{"Version":"2012-10-17","Version":"2008-10-17","Statement":[]}`, Identity, "Version", 1, 25, `duplicate key "Version"`},
		{"duplicate effect", "{\"Statement\":{\n  \"Effect\":\"Allow\",\n  \"Effect\":\"Deny\",\"Action\":\"s3:*\",\"Resource\":\"*\"}}", Identity, "Statement.Effect", 3, 3, `duplicate key "Effect"`},
		{"lower-case element", `{"Statement":{"effect":"Allow","Action":"s3:*","Resource":"*"}}`, Identity, "Statement.effect", 1, 15, `did you mean "Effect"`},
		{"effect case", `{"Statement":[{"Effect":"allow","Action":"s3:*","Resource":"*"}]}`, Identity, "Statement[0].Effect", 1, 25, "case-sensitive"},
		{"no vendor", `{"Statement":[{"Effect":"Allow","Action":"GetObject","Resource":"*"}]}`, Identity, "Statement[0].Action", 1, 42, "prefaced by a vendor"},
		{"both actions", `{"Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"iam:*","Resource":"*"}]}`, Identity, "Statement[0].NotAction", 1, 61, "both Action and NotAction"},
		{"unknown operator", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEqual":{"aws:username":"a"}}}]}`, Identity, "Statement[0].Condition.StringEqual", 1, 77, "unknown condition operator"},
		{"principal in identity", `{"Statement":[{"Effect":"Allow","Principal":"*","Action":"s3:*","Resource":"*"}]}`, Identity, "Statement[0].Principal", 1, 45, "not allowed in identity policies"},
		{"no principal in resource", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`, Resource, "Statement[0].Principal", 1, 15, "no Principal"},
		{"trailing comma", `{"Statement":[{"Effect":"Allow",}]}`, Identity, "", 1, 33, "expected a quoted key"},
		{"bad cidr", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":"10.0.0.0/33"}}}]}`, Identity, "Statement[0].Condition.IpAddress.aws:SourceIp", 1, 105, "not an IP address"},
		{"unclosed variable", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"arn:aws:s3:::b/${aws:username"}]}`, Identity, "Statement[0].Resource", 1, 83, "is not closed"},
		{"duplicate condition key", `{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:username":"a","AWS:UserName":"b"}}}]}`, Identity, "Statement[0].Condition.StringEquals.AWS:UserName", 1, 112, "appears twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Parse([]byte(tt.doc), tt.typ)
			if doc != nil {
				t.Errorf("Parse returned a document with an error")
			}
			pe, ok := err.(*ParseError)
			if !ok {
				t.Fatalf("Parse(%s) error = %v (%T), want *ParseError", tt.doc, err, err)
			}
			if pe.Path != tt.path || pe.Line != tt.line || pe.Column != tt.col || !strings.Contains(pe.Message, tt.contains) {
				t.Errorf("Parse(%s) = %q at %d:%d %q, want %q at %d:%d containing %q", tt.doc, pe.Path, pe.Line, pe.Column, pe.Message, tt.path, tt.line, tt.col, tt.contains)
			}
		})
	}
}

func TestParse_SingleValuesDropArrays(t *testing.T) {
	a, err := Parse([]byte(`{"Version":"2012-10-17","Statement":{"Sid":"A","Effect":"Deny","NotAction":"s3:Get*","NotResource":"arn:aws:s3:::b","Condition":{"Bool":{"aws:SecureTransport":false},"NumericLessThan":{"s3:max-keys":10}}}}`), Identity)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[{"Sid":"A","Effect":"Deny","NotAction":["s3:Get*"],"NotResource":["arn:aws:s3:::b"],"Condition":{"Bool":{"aws:SecureTransport":["false"]},"NumericLessThan":{"s3:max-keys":["10"]}}}]}`), Identity)
	if err != nil {
		t.Fatal(err)
	}
	clearPositions(a)
	clearPositions(b)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("single values and one-element arrays parse differently:\n%+v\n%+v", a, b)
	}
}

func TestValidate_ListsEveryProblem(t *testing.T) {
	errs := Validate([]byte(`{"Statement":[{"Effect":"allow","Action":"GetObject","Resource":"bucket"}]}`), Identity)
	if len(errs) != 3 {
		t.Fatalf("Validate found %d problems (%v), want 3", len(errs), errs)
	}
}

func clearPositions(d *Document) {
	for i := range d.Statements {
		d.Statements[i].Start, d.Statements[i].End, d.Statements[i].Lead = Position{}, Position{}, Position{}
	}
}

// FuzzParse: no panic; an error means no document and carries AWS's
// message; a document re-serializes and re-parses to the same document.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}`,
		`{"Statement":{"Effect":"Deny","NotAction":["iam:*"],"NotResource":"arn:aws:s3:::b/${aws:username}","Condition":{"ForAnyValue:StringLike":{"aws:TagKeys":["a*"]},"Null":{"aws:x":"true"}}}}`,
		`{"Id":"x","Statement":[{"Sid":"a b","Effect":"Allow","Principal":{"AWS":["111122223333","arn:aws:iam::1:role/r"],"Service":"s"},"Action":"sts:AssumeRole"}]}`,
		`{"Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"IpAddress":{"aws:SourceIp":["10.0.0.0/8","::1"]},"DateLessThan":{"aws:CurrentTime":"2024-01-01T00:00:00Z"}}}]}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get","Resource":["arn:aws:s3:::b",null],"Condition":{"DateLessThan":{"a":["01T","2016-12-13t2:00:00.593194+23","-292275054","1577836800"]},"x":{},"StringEquals":{"k":[]}}}}`,
		`{"Id":"i","Statement":{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":["sts:AssumeRole","sts:TagSession"]}}`,
		`{"a":"\u00e9\ud83d\ude00"}`, `[1,2,{"x":null}]`, `{"Statement":[]}`,
	} {
		f.Add([]byte(s), uint8(0))
		f.Add([]byte(s), uint8(1))
	}
	f.Fuzz(func(t *testing.T, data []byte, tb uint8) {
		typ := Type(tb % 6)
		doc, err := ParseWith(data, typ, Options{Managed: tb&8 != 0})
		if err != nil {
			if doc != nil {
				t.Fatalf("Parse returned a document with error %v", err)
			}
			if pe, ok := err.(*ParseError); !ok || pe.AWSMessage == "" {
				t.Fatalf("Parse error %#v has no AWS message", err)
			}
			return
		}
		out, err := doc.MarshalJSON()
		if err != nil {
			t.Fatal(err)
		}
		again, err := Parse(out, typ)
		if err != nil {
			t.Fatalf("re-parse of %s: %v (from %q)", out, err, data)
		}
		clearPositions(doc)
		clearPositions(again)
		if !reflect.DeepEqual(doc, again) {
			t.Fatalf("round trip changed the document:\n%#v\n%#v", doc, again)
		}
		NewSet(Policy{ID: "f", Document: doc}) // compiling a valid document never panics
	})
}

// TestContext_ParsesAddressesOnce: what the context parses when a value is
// set is what IpAddress compares; other values are left alone.
func TestContext_ParsesAddressesOnce(t *testing.T) {
	for _, tt := range []struct {
		in string
		ip bool
	}{
		{"10.1.2.3", true}, {"2001:db8::1", true}, {"::1", true}, {"::ffff:10.1.2.3", true}, {"FE80::1", true},
		{"alice", false}, {"2026-01-02T03:04:05Z", false}, {"111122223333", false}, {"AIDAEXAMPLE", false}, {"10.0.0.0/8", false},
	} {
		var c Context
		c.Set("k", tt.in)
		v := c.t.entry("k", hashKey("k"))
		if got := v.addrs != nil && v.addrs[0].IsValid(); got != tt.ip {
			t.Errorf("Context.Set(%q) parsed an address: %v, want %v", tt.in, got, tt.ip)
		}
	}
}

// TestParseDate: the dates IAM reads, as milliseconds since the epoch, and
// those it refuses (the forms moto's tests of IAM record, and W3C's).
func TestParseDate(t *testing.T) {
	ms := func(s string) int64 {
		tm, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatal(err)
		}
		return tm.UnixMilli()
	}
	tests := []struct {
		in   string
		want int64
		ok   bool
	}{
		{"2017-07-01T00:00:00Z", ms("2017-07-01T00:00:00Z"), true},
		{"2016-12-13T21:20:37.593194+00:00", ms("2016-12-13T21:20:37.593Z"), true},
		{"2016-12-13t2:00:00.593194+23", ms("2016-12-12T03:00:00.593Z"), true},
		{"2024-01-31T12:00:00-05:00", ms("2024-01-31T17:00:00Z"), true},
		{"2024-01-31T12:00Z", ms("2024-01-31T12:00:00Z"), true},
		{"2024-01-31T12:00:00", ms("2024-01-31T12:00:00Z"), true},
		{"2020-01-01", ms("2020-01-01T00:00:00Z"), true},
		{"2020-01", ms("2020-01-01T00:00:00Z"), true},
		{"01T", ms("0001-01-01T00:00:00Z"), true},
		{"2021-02-31", ms("2021-03-03T00:00:00Z"), true}, // rolls over, as Java's lenient calendar
		{"1577836800", ms("2020-01-01T00:00:00Z"), true},
		{"2024", 2024000, true}, // digits alone are epoch seconds
		{"0", 0, true},
		{"-292275054", daysFromCivil(-292275054, 1, 1) * 86400000, true},
		{"9223372036854775807", math.MaxInt64, true},
		{"", 0, false},
		{"sdfdsf", 0, false},
		{"yesterday", 0, false},
		{"234-13", 0, false},
		{"2020-13-45T00:00:00Z", 0, false},
		{"2016-12-13t2:00:00.593194+1", 0, false},
		{"2016-12-13t2:00:00.1999999999+10:59", 0, false},
		{"9223372036854775808", 0, false},
		{"-292275055", 0, false},
		{"2020-01-01-01", 0, false},
		{"2020-01-01T24:00:00Z", 0, false},
		{"2020-01-01T12:00:00:00Z", 0, false},
		{"1.5", 0, false},
		{"+5", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseDate(tt.in)
		if ok != tt.ok || ok && got != tt.want {
			t.Errorf("parseDate(%q) = %d, %v, want %d, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
	if n := testing.AllocsPerRun(100, func() { parseDate("2016-12-13T21:20:37.593194+00:00") }); n != 0 {
		t.Errorf("parseDate allocates %v times, want 0: the engine parses request dates per decision", n)
	}
}

// TestContext_ParsesDatesOnce: ISO dates in the request context are parsed
// when set, and a Date condition compares what was parsed, allocating
// nothing; epoch seconds and other values are read when a Date operator asks.
func TestContext_ParsesDatesOnce(t *testing.T) {
	for _, tt := range []struct {
		in   string
		date bool
	}{
		{"2024-01-31T12:00:00Z", true}, {"2024-01-31", true}, {"01T", true},
		{"1706702400", false}, {"111122223333", false}, {"alice", false}, {"-", false}, {"T1", false}, {"2024-13-01", false},
	} {
		var c Context
		c.Set("k", tt.in)
		v := c.t.entry("k", hashKey("k"))
		if got := v.dates != nil && v.dates[0].ok; got != tt.date {
			t.Errorf("Context.Set(%q) parsed a date: %v, want %v", tt.in, got, tt.date)
		}
	}
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"DateLessThan":{"aws:CurrentTime":"2024-02-01T00:00:00Z"},"DateGreaterThan":{"aws:EpochTime":"1700000000"}}}}`), Identity)
	if err != nil {
		t.Fatal(err)
	}
	ps := &Policies{Identity: NewSet(Policy{ID: "p", Document: doc})}
	for _, tt := range []struct {
		now, epoch string
		want       Decision
	}{
		{"2024-01-31T23:59:59.999Z", "1706745599", Allowed},
		{"2024-02-01T00:00:00Z", "1706745600", ImplicitDeny},
		{"2024-02-01T01:00:00+02:00", "1706745600", Allowed}, // 2024-01-31T23:00Z
	} {
		r := Request{Principal: "arn:aws:iam::111122223333:user/alice", Action: "s3:GetObject"}
		r.Context.Set("aws:CurrentTime", tt.now)
		r.Context.Set("aws:EpochTime", tt.epoch)
		var res Result
		ps.Evaluate(&r, &res)
		if res.Decision != tt.want {
			t.Errorf("Evaluate(aws:CurrentTime %s) = %s, want %s", tt.now, res.Decision, tt.want)
		}
		if n := testing.AllocsPerRun(50, func() { ps.Evaluate(&r, &res) }); n != 0 {
			t.Errorf("Evaluate with Date conditions allocates %v times, want 0", n)
		}
	}
}
