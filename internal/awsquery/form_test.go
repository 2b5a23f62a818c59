package awsquery

import (
	"encoding/xml"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func mustParse(t *testing.T, s string) *Form {
	t.Helper()
	f, err := ParseForm(s)
	if err != nil {
		t.Fatalf("ParseForm(%q): %v", s, err)
	}
	return f
}

// errMessage returns err's code and message, "" for nil.
func errMessage(err error) string {
	if err == nil {
		return ""
	}
	var e *keyward.Error
	if !errors.As(err, &e) {
		return "internal: " + err.Error()
	}
	return e.Code + ": " + e.Message
}

func TestParseForm(t *testing.T) {
	tests := []struct {
		name  string
		in    string
		key   string
		want  string
		found bool
	}{
		{"plain", "Action=GetUser&UserName=bob", "UserName", "bob", true},
		{"plus is space", "Path=a+b", "Path", "a b", true},
		{"escapes", "Doc=%7B%22a%22%3A1%7D", "Doc", `{"a":1}`, true},
		{"escaped key", "Tags.member.1%2EKey=x", "Tags.member.1.Key", "x", true},
		{"no equals", "Flag&A=1", "Flag", "", true},
		{"empty value", "A=", "A", "", true},
		{"first wins", "A=1&A=2", "A", "1", true},
		{"empty components", "&&A=1&&", "A", "1", true},
		{"semicolon is data", "A=1;B=2", "A", "1;B=2", true},
		{"absent", "A=1", "B", "", false},
		{"case matters", "username=bob", "UserName", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := mustParse(t, tt.in).Lookup(tt.key)
			if got != tt.want || ok != tt.found {
				t.Errorf("ParseForm(%q).Lookup(%q) = %q, %v, want %q, %v", tt.in, tt.key, got, ok, tt.want, tt.found)
			}
		})
	}
	for _, bad := range []string{"A=%zz", "A=%4", "%=1"} {
		if _, err := ParseForm(bad); keyward.ErrorCode(err) != CodeMalformedQueryString {
			t.Errorf("ParseForm(%q) error = %v, want %s", bad, err, CodeMalformedQueryString)
		}
	}
}

// Forms bigger than linearLimit are looked up through a map; both paths
// must keep the first value.
func TestForm_LargeForm(t *testing.T) {
	var b strings.Builder
	for i := 1; i <= 3*linearLimit; i++ {
		fmt.Fprintf(&b, "Names.member.%d=n%d&", i, i)
	}
	b.WriteString("Names.member.1=dup&Names.member.2=dup")
	f := mustParse(t, b.String())
	got := f.List("Names")
	if len(got) != 3*linearLimit || got[0] != "n1" || got[1] != "n2" || got[len(got)-1] != fmt.Sprintf("n%d", 3*linearLimit) {
		t.Errorf("List(Names) = %v, want n1..n%d", got, 3*linearLimit)
	}
}

func TestForm_List(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // nil: absent
	}{
		{"absent", "A=1", nil},
		{"sent empty", "Names=", []string{}},
		{"in index order", "Names.member.2=b&Names.member.1=a&Names.member.3=c", []string{"a", "b", "c"}},
		{"stops at first gap", "Names.member.1=a&Names.member.3=c", []string{"a"}},
		{"no first member", "Names.member.2=b", nil},
		{"zero index ignored", "Names.member.0=z&Names.member.1=a", []string{"a"}},
		{"empty members kept", "Names.member.1=&Names.member.2=b", []string{"", "b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mustParse(t, tt.in).List("Names")
			if (got == nil) != (tt.want == nil) || strings.Join(got, "|") != strings.Join(tt.want, "|") || len(got) != len(tt.want) {
				t.Errorf("List(%q) = %#v, want %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestForm_Members(t *testing.T) {
	f := mustParse(t, "PolicyArns.member.1.arn=arn:a&PolicyArns.member.2.arn=arn:b&PolicyArns.member.3.other=x"+
		"&PolicyArns.member.5.arn=arn:e&PolicyArns.member.01.arn=bad&PolicyArns.member.%2B4.arn=bad")
	ms := f.Members("PolicyArns")
	var got []string
	for _, m := range ms {
		got = append(got, m.String("arn"))
	}
	if want := []string{"arn:a", "arn:b", ""}; strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("Members(PolicyArns) arns = %q, want %q", got, want)
	}
	ms[2].Required("arn")
	if got, want := errMessage(f.Err()), "ValidationError: 1 validation error detected: Value null at 'policyArns.3.member.arn' failed to satisfy constraint: Member must not be null"; got != want {
		t.Errorf("Err() = %q, want %q", got, want)
	}

	if ms := mustParse(t, "A=1").Members("Tags"); ms != nil {
		t.Errorf("Members of an absent list = %v, want nil", ms)
	}
	if ms := mustParse(t, "Tags=").Members("Tags"); ms == nil || len(ms) != 0 {
		t.Errorf("Members of an empty list = %#v, want empty non-nil", ms)
	}
}

func TestForm_Tags(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    []Tag
		wantErr string
	}{
		{"none", "A=1", nil, ""},
		{"two", "Tags.member.1.Key=env&Tags.member.1.Value=prod&Tags.member.2.Key=Cost+Center&Tags.member.2.Value=", []Tag{{"env", "prod"}, {"Cost Center", ""}}, ""},
		{"unicode letters", "Tags.member.1.Key=%C3%A9quipe&Tags.member.1.Value=%E6%97%A5%E6%9C%AC", []Tag{{"équipe", "日本"}}, ""},
		{"missing key and value", "Tags.member.1.Key=a&Tags.member.1.Value=b&Tags.member.2.Other=x", []Tag{{"a", "b"}, {"", ""}},
			"ValidationError: 2 validation errors detected: Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null; Value null at 'tags.2.member.value' failed to satisfy constraint: Member must not be null"},
		{"empty key", "Tags.member.1.Key=&Tags.member.1.Value=v", []Tag{{"", "v"}},
			`ValidationError: 2 validation errors detected: Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+; Value '' at 'tags.1.member.key' failed to satisfy constraint: Member must have length greater than or equal to 1`},
		{"key too long in characters", "Tags.member.1.Key=" + strings.Repeat("%C3%A9", 129) + "&Tags.member.1.Value=v", []Tag{{strings.Repeat("é", 129), "v"}},
			"ValidationError: 1 validation error detected: Value '" + strings.Repeat("é", 129) + "' at 'tags.1.member.key' failed to satisfy constraint: Member must have length less than or equal to 128"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := mustParse(t, tt.in)
			got := f.Tags()
			if fmt.Sprint(got) != fmt.Sprint(tt.want) || (got == nil) != (tt.want == nil) {
				t.Errorf("Tags() = %v, want %v", got, tt.want)
			}
			if e := errMessage(f.Err()); e != tt.wantErr {
				t.Errorf("Err() = %q, want %q", e, tt.wantErr)
			}
		})
	}
}

func TestForm_Int(t *testing.T) {
	tests := []struct {
		in      string
		want    int
		ok      bool
		wantErr string
	}{
		{"", 0, false, ""},
		{"N=900", 900, true, ""},
		{"N=%2B900", 900, true, ""},
		{"N=0900", 900, true, ""},
		{"N=-1", -1, true, ""},
		{"N=2147483647", 2147483647, true, ""},
		{"N=-2147483648", -2147483648, true, ""},
		{"N=2147483648", 0, false, "MalformedInput: "},
		{"N=-2147483649", 0, false, "MalformedInput: "},
		{"N=900.0", 0, false, "MalformedInput: "},
		{"N=abc", 0, false, "MalformedInput: "},
		{"N=", 0, false, "MalformedInput: missing value for decimal type"},
	}
	for _, tt := range tests {
		f := mustParse(t, tt.in)
		n, ok := f.Int("N")
		if n != tt.want || ok != tt.ok {
			t.Errorf("ParseForm(%q).Int(N) = %d, %v, want %d, %v", tt.in, n, ok, tt.want, tt.ok)
		}
		if e := errMessage(f.Err()); e != tt.wantErr {
			t.Errorf("ParseForm(%q).Int(N): Err() = %q, want %q", tt.in, e, tt.wantErr)
		}
	}
}

func TestForm_Bool(t *testing.T) {
	tests := []struct {
		in      string
		want    bool
		ok      bool
		wantErr string
	}{
		{"", false, false, ""},
		{"B=true", true, true, ""},
		{"B=false", false, true, ""},
		{"B=TRUE", true, true, ""},
		{"B=1", false, false, "MalformedInput: "},
		{"B=", false, false, "MalformedInput: missing value for decimal type"},
	}
	for _, tt := range tests {
		f := mustParse(t, tt.in)
		b, ok := f.Bool("B")
		if b != tt.want || ok != tt.ok {
			t.Errorf("ParseForm(%q).Bool(B) = %v, %v, want %v, %v", tt.in, b, ok, tt.want, tt.ok)
		}
		if e := errMessage(f.Err()); e != tt.wantErr {
			t.Errorf("ParseForm(%q).Bool(B): Err() = %q, want %q", tt.in, e, tt.wantErr)
		}
	}
}

// MalformedInput wins over validation failures: AWS stops parsing there.
func TestForm_ErrMalformedFirst(t *testing.T) {
	f := mustParse(t, "N=x")
	f.Required("UserName")
	f.Int("N")
	if got := keyward.ErrorCode(f.Err()); got != CodeMalformedInput {
		t.Errorf("Err() code = %q, want %q", got, CodeMalformedInput)
	}
}

func TestValidate(t *testing.T) {
	roleArn := MustPattern(`[\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`)
	sessionName := MustPattern(`[\w+=,.@-]*`)
	tests := []struct {
		name      string
		field     string
		value     string
		min, max  int
		pattern   *Pattern
		sensitive bool
		want      string
	}{
		{"valid", "RoleSessionName", "alice", 2, 64, sessionName, false, ""},
		{"too short", "RoleSessionName", "a", 2, 64, sessionName, false,
			"1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy constraint: Member must have length greater than or equal to 2"},
		{"pattern", "RoleSessionName", "bad/name", 2, 64, sessionName, false,
			`1 validation error detected: Value 'bad/name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"pattern must match all", "RoleSessionName", "ok name", 2, 64, sessionName, false,
			`1 validation error detected: Value 'ok name' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]*`},
		{"2048 BMP characters fit", "RoleArn", strings.Repeat("é", 2048), 20, 2048, roleArn, false, ""},
		{"2049 BMP characters", "RoleArn", strings.Repeat("é", 2049), 20, 2048, roleArn, false,
			"1 validation error detected: Value '" + strings.Repeat("é", 2049) + "' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		// As observed on AWS: the model's \u10000 is not U+10000.
		{"supplementary characters fail the pattern", "RoleArn", strings.Repeat("😀", 20), 20, 2048, roleArn, false,
			"1 validation error detected: Value '" + strings.Repeat("😀", 20) + `' at 'roleArn' failed to satisfy constraint: Member must satisfy regular expression pattern: [\u0009\u000A\u000D\u0020-\u007E\u0085\u00A0-\uD7FF\uE000-\uFFFD\u10000-\u10FFFF]+`},
		{"no normalization", "RoleArn", strings.Repeat("e\u0301", 1025), 20, 2048, roleArn, false,
			"1 validation error detected: Value '" + strings.Repeat("e\u0301", 1025) + "' at 'roleArn' failed to satisfy constraint: Member must have length less than or equal to 2048"},
		{"sensitive hides the value", "NewPassword", "", 1, 128, nil, true,
			"1 validation error detected: Value at 'newPassword' failed to satisfy constraint: Member must have length greater than or equal to 1"},
		{"no max", "Doc", strings.Repeat("x", 5000), 1, 0, nil, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &Form{}
			if tt.sensitive {
				f.ValidateSensitive(tt.field, tt.value, tt.min, tt.max, tt.pattern)
			} else {
				f.Validate(tt.field, tt.value, tt.min, tt.max, tt.pattern)
			}
			got := ""
			if err := f.Err(); err != nil {
				if keyward.ErrorCode(err) != keyward.ErrValidationError {
					t.Fatalf("Err() = %v, want a ValidationError", err)
				}
				got = keyward.ErrorMessage(err)
			}
			if got != tt.want {
				t.Errorf("Validate(%q, %.20q...) message =\n%q\nwant\n%q", tt.field, tt.value, got, tt.want)
			}
		})
	}
}

func TestValidateOthers(t *testing.T) {
	f := &Form{}
	f.ValidateRange("DurationSeconds", 899, 900, 43200)
	f.ValidateRange("DurationSeconds", 43201, 900, 43200)
	f.ValidateEnum("Status", "Enabled", "Active", "Inactive")
	f.ValidateCount("PolicyArns", JavaList([]string{"a", "b", "c"}), 3, 0, 2)
	f.Invalid("Tags", "x", "custom")
	want := "5 validation errors detected: " +
		"Value '899' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900; " +
		"Value '43201' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to 43200; " +
		"Value 'Enabled' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]; " +
		"Value '[a, b, c]' at 'policyArns' failed to satisfy constraint: Member must have length less than or equal to 2; " +
		"Value 'x' at 'tags' failed to satisfy constraint: custom"
	if got := keyward.ErrorMessage(f.Err()); got != want {
		t.Errorf("Err() message =\n%q\nwant\n%q", got, want)
	}
}

func TestMemberPath(t *testing.T) {
	tests := []struct{ in, want string }{
		{"UserName", "userName"},
		{"Tags.member.1.Key", "tags.1.member.key"},
		{"ClientIDList.member.12", "clientIDList.12.member"},
		{"ContextEntries.member.2.ContextKeyValues.member.3", "contextEntries.2.member.contextKeyValues.3.member"},
		{"SAMLMetadataDocument", "sAMLMetadataDocument"},
		{"member", "member"},
		{"Tags.member.x", "tags.member.x"},
	}
	for _, tt := range tests {
		if got := memberPath(tt.in); got != tt.want {
			t.Errorf("memberPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestMustPattern(t *testing.T) {
	path := MustPattern(`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
	tests := []struct {
		p    *Pattern
		in   string
		want bool
	}{
		{path, "/", true},
		{path, "/a/b/", true},
		{path, "/a", false},
		{path, "a/", false},
		{path, "//x", false},
		{path, "/a b/", false},
		{MustPattern(`[\w+=,.@-]+`), "alice@example.com", true},
		{MustPattern(`[\w+=,.@-]+`), "élan", false}, // \w is ASCII, as in Java
		{MustPattern(`[\w+=,.@-]+`), "", false},
	}
	for _, tt := range tests {
		if got := tt.p.MatchString(tt.in); got != tt.want {
			t.Errorf("MustPattern(%q).MatchString(%q) = %v, want %v", tt.p, tt.in, got, tt.want)
		}
	}
}

func TestTimestamp(t *testing.T) {
	type out struct {
		XMLName xml.Name  `xml:"X"`
		Created Timestamp `xml:"Created"`
		Used    Timestamp `xml:"Used"`
		Attr    Timestamp `xml:"at,attr"`
	}
	ts := Timestamp(time.Date(2026, 1, 2, 3, 4, 5, 678e6, time.FixedZone("x", 3600)))
	b, err := xml.Marshal(out{Created: ts, Attr: ts})
	if err != nil {
		t.Fatal(err)
	}
	want := `<X at="2026-01-02T02:04:05Z"><Created>2026-01-02T02:04:05Z</Created></X>`
	if string(b) != want {
		t.Errorf("xml.Marshal = %s, want %s", b, want)
	}
	var back Timestamp
	if err := back.UnmarshalText([]byte("2011-07-11T19:55:29.611Z")); err != nil || time.Time(back).UnixMilli() != 1310414129611 {
		t.Errorf("UnmarshalText = %v, %v", time.Time(back), err)
	}
	if got := ts.String(); got != "2026-01-02T02:04:05Z" {
		t.Errorf("String() = %q", got)
	}
}

func TestNewForm(t *testing.T) {
	f := NewForm(url.Values{"A": {"1", "2"}, "Names.member.1": {"x"}})
	if got := f.String("A"); got != "1" {
		t.Errorf("String(A) = %q, want 1", got)
	}
	if got := f.List("Names"); len(got) != 1 || got[0] != "x" {
		t.Errorf("List(Names) = %q", got)
	}
}

// FuzzForm checks the decoder against net/url's on every input both
// accept, and that no accessor panics.
func FuzzForm(f *testing.F) {
	f.Add("Action=CreateUser&Version=2010-05-08&UserName=bob")
	f.Add("Tags.member.1.Key=a&Tags.member.1.Value=b&Tags.member.3.Key=c")
	f.Add("Names=&Names.member.1=%41&Names.member.2=+")
	f.Add("E.member.1.V.member.1=x&E.member.01.V=y&E.member.1=z")
	f.Add("a=%zz&b")
	f.Fuzz(func(t *testing.T, s string) {
		form, err := ParseForm(s)
		want, uerr := url.ParseQuery(s)
		if err != nil {
			if keyward.ErrorCode(err) != CodeMalformedQueryString {
				t.Fatalf("ParseForm(%q) error %v, want %s", s, err, CodeMalformedQueryString)
			}
			if uerr == nil {
				t.Fatalf("ParseForm(%q) = %v, but url.ParseQuery accepts it", s, err)
			}
			return
		}
		if uerr == nil {
			for k, vs := range want {
				if got, ok := form.Lookup(k); !ok || got != vs[0] {
					t.Fatalf("ParseForm(%q).Lookup(%q) = %q, %v, want %q", s, k, got, ok, vs[0])
				}
			}
		}
		for _, fl := range form.fields {
			name, _, _ := strings.Cut(fl.key, ".")
			list := form.List(name)
			for i, v := range list {
				if got, ok := form.Lookup(fmt.Sprintf("%s.member.%d", name, i+1)); !ok || got != v {
					t.Fatalf("ParseForm(%q).List(%q)[%d] = %q, but Lookup says %q, %v", s, name, i, v, got, ok)
				}
			}
			if _, ok := form.Lookup(fmt.Sprintf("%s.member.%d", name, len(list)+1)); ok {
				t.Fatalf("ParseForm(%q).List(%q) stopped early at %d", s, name, len(list))
			}
			for _, m := range form.Members(name) {
				m.Tags()
				m.List("V")
				m.Validate("K", m.String("K"), 1, 3, iamTagKeyType.pattern)
			}
			form.Int(name)
			form.Bool(name)
		}
		form.Tags()
		form.Err()
	})
}
