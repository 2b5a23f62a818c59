package awsquery

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/keyward/keyward"
)

// CodeMalformedInput is the code AWS's Query front end returns when a
// number or boolean cannot be parsed (observed on STS: an empty integer
// gets the message "missing value for decimal type", any other unparsable
// value gets no message at all).
const CodeMalformedInput = keyward.ErrMalformedInput

// CodeMalformedQueryString is AWS's common error for a query string (or
// form body) with a syntax error, here an invalid percent-escape.
const CodeMalformedQueryString = keyward.ErrMalformedQueryString

// linearLimit is the number of fields up to which lookups scan the field
// list; larger forms get a map. SDK requests carry a handful of fields, so
// the common case allocates no map at all.
const linearLimit = 24

type field struct{ key, value string }

// Form holds the fields of one Query request in wire order: the POST body's
// fields first, then the URL query's. When a name repeats, the first value
// wins, as on AWS; unknown fields are ignored by whoever does not ask.
//
// The accessors record AWS's validation failures instead of returning them,
// so that a handler can decode every parameter and then call Err once, the
// way AWS reports "2 validation errors detected: ...". A Form is not safe
// for concurrent use.
//
// Element forms returned by Members share their parent's fields and error
// list; their names are relative to the element ("Key", not
// "Tags.member.1.Key") and their messages name the full member path.
type Form struct {
	fields []field
	index  map[string]int // first occurrence of each key, built lazily for large forms
	prefix string         // "Tags.member.3." for an element form, "" at the top
	root   *Form          // the top-level form; nil at the top itself

	issues    []string // "Value ... at '...' failed to satisfy constraint: ..."
	own       string   // the service's own sentence for a value it refuses itself (ownSentence)
	malformed *keyward.Error
}

// ParseForm parses an application/x-www-form-urlencoded string (a POST
// body or a URL's raw query). Empty components ("a=1&&b=2") are skipped; a
// component without "=" is a field with an empty value. An invalid
// percent-escape is an error with code MalformedQueryString.
func ParseForm(s string) (*Form, error) {
	f := &Form{}
	if err := f.add(s); err != nil {
		return nil, err
	}
	return f, nil
}

// NewForm returns a Form holding vs. Only the first value of each name is
// kept; the order of names is unspecified, which matters to nobody because
// the names are distinct.
func NewForm(vs url.Values) *Form {
	f := &Form{fields: make([]field, 0, len(vs))}
	for k, v := range vs {
		if len(v) > 0 {
			f.fields = append(f.fields, field{k, v[0]})
		}
	}
	return f
}

// add appends the fields of the encoded string s.
func (f *Form) add(s string) error {
	for s != "" {
		var part string
		part, s, _ = strings.Cut(s, "&")
		if part == "" {
			continue
		}
		k, v, _ := strings.Cut(part, "=")
		var err error
		if k, err = unescape(k); err != nil {
			return err
		}
		if v, err = unescape(v); err != nil {
			return err
		}
		f.fields = append(f.fields, field{k, v})
	}
	f.index = nil
	return nil
}

// unescape decodes one form component, allocating only when it has
// something to decode.
func unescape(s string) (string, error) {
	if strings.IndexByte(s, '%') < 0 && strings.IndexByte(s, '+') < 0 {
		return s, nil
	}
	u, err := url.QueryUnescape(s)
	if err != nil {
		return "", &keyward.Error{Code: CodeMalformedQueryString, Message: "The query string contains a syntax error."}
	}
	return u, nil
}

func (f *Form) top() *Form {
	if f.root != nil {
		return f.root
	}
	return f
}

// lookup finds the first value of the absolute key k.
func (f *Form) lookup(k []byte) (string, bool) {
	t := f.top()
	if len(t.fields) > linearLimit {
		if t.index == nil {
			t.index = make(map[string]int, len(t.fields))
			for i, fl := range t.fields {
				if _, dup := t.index[fl.key]; !dup {
					t.index[fl.key] = i
				}
			}
		}
		i, ok := t.index[string(k)]
		if !ok {
			return "", false
		}
		return t.fields[i].value, true
	}
	for _, fl := range t.fields {
		if fl.key == string(k) {
			return fl.value, true
		}
	}
	return "", false
}

// key builds the absolute key of name in buf (which callers keep on the
// stack).
func (f *Form) key(buf []byte, name string) []byte {
	return append(append(buf[:0], f.prefix...), name...)
}

// Lookup returns the value of name and whether the request carried it.
func (f *Form) Lookup(name string) (string, bool) {
	var buf [64]byte
	return f.lookup(f.key(buf[:0], name))
}

// Has reports whether the request carried name, either as a field or as a
// list ("name.member.1", or "name" alone for an empty list).
func (f *Form) Has(name string) bool {
	var buf [64]byte
	k := f.key(buf[:0], name)
	if _, ok := f.lookup(k); ok {
		return true
	}
	_, ok := f.lookup(append(k, ".member.1"...))
	return ok
}

// String returns the value of name, or "" when the request does not carry
// it. Use Lookup or Has where absent and empty differ.
func (f *Form) String(name string) string {
	v, _ := f.Lookup(name)
	return v
}

// Required returns the value of name. When the request does not carry it,
// it records AWS's failure "Value null at 'name' failed to satisfy
// constraint: Member must not be null" (what IAM and STS return for a
// missing required member, rather than the MissingParameter of older Query
// services) and returns "".
func (f *Form) Required(name string) string {
	v, ok := f.Lookup(name)
	if !ok {
		f.Null(name)
	}
	return v
}

// Int returns the integer value of name and whether the request carried
// it. Like AWS, it accepts a leading sign and leading zeros and anything
// that fits in 32 bits; any other present value (an empty one included)
// makes Err return MalformedInput.
func (f *Form) Int(name string) (int, bool) {
	v, ok := f.Lookup(name)
	if !ok {
		return 0, false
	}
	return f.parseInt(v)
}

// parseInt parses a present integer, recording MalformedInput when it is
// not one.
func (f *Form) parseInt(v string) (int, bool) {
	n, err := strconv.ParseInt(v, 10, 32)
	if err != nil {
		f.malformedValue(v)
		return 0, false
	}
	return int(n), true
}

// Bool returns the boolean value of name and whether the request carried
// it. "true" and "false" are accepted in any case (the SDKs send lower
// case); anything else makes Err return MalformedInput.
func (f *Form) Bool(name string) (bool, bool) {
	v, ok := f.Lookup(name)
	if !ok {
		return false, false
	}
	return f.parseBool(v)
}

// parseBool parses a present boolean, recording MalformedInput when it is
// not one.
func (f *Form) parseBool(v string) (bool, bool) {
	switch {
	case strings.EqualFold(v, "true"):
		return true, true
	case strings.EqualFold(v, "false"):
		return false, true
	}
	f.malformedValue(v)
	return false, false
}

func (f *Form) malformedValue(v string) {
	t := f.top()
	if t.malformed != nil {
		return
	}
	t.malformed = &keyward.Error{Code: CodeMalformedInput}
	if v == "" {
		t.malformed.Message = "missing value for decimal type"
	}
}

// List returns the members of the list name, sent as name.member.1,
// name.member.2, ...; like AWS it stops at the first missing index. It
// returns nil when the request has no such list and an empty, non-nil
// slice when it sent the list empty (the SDKs send "name=" for that).
func (f *Form) List(name string) []string {
	var buf [64]byte
	k := f.key(buf[:0], name)
	_, present := f.lookup(k)
	k = append(k, ".member."...)
	n := len(k)
	var out []string
	for i := 1; ; i++ {
		k = strconv.AppendInt(k[:n], int64(i), 10)
		v, ok := f.lookup(k)
		if !ok {
			break
		}
		out = append(out, v)
	}
	if out == nil && present {
		out = []string{}
	}
	return out
}

// Members returns one Form per element of the list of structures name,
// sent as name.member.N.Field (Field may itself be a list or a structure).
// Like List, it stops at the first missing index, and it returns nil when
// there is none and an empty non-nil slice for a list sent empty.
func (f *Form) Members(name string) []*Form {
	t := f.top()
	prefix := f.prefix + name + ".member."
	// One pass over the fields marks which indices have at least one
	// field; indices beyond the field count cannot be contiguous from 1.
	var seen []bool
	for _, fl := range t.fields {
		rest, ok := strings.CutPrefix(fl.key, prefix)
		if !ok {
			continue
		}
		num, _, _ := strings.Cut(rest, ".")
		i, err := strconv.Atoi(num)
		if err != nil || i < 1 || i > len(t.fields) || num[0] == '0' || num[0] == '+' {
			continue
		}
		if seen == nil {
			seen = make([]bool, len(t.fields)+1)
		}
		seen[i] = true
	}
	var out []*Form
	for i := 1; i < len(seen) && seen[i]; i++ {
		out = append(out, &Form{prefix: prefix + strconv.Itoa(i) + ".", root: t})
	}
	if out == nil {
		var buf [64]byte
		if _, ok := f.lookup(f.key(buf[:0], name)); ok {
			out = []*Form{}
		}
	}
	return out
}

// structure returns the form of the structure member name (sent as
// name.Field, Field itself possibly a list or a structure) and whether the
// request carried any of its fields.
func (f *Form) structure(name string) (*Form, bool) {
	t := f.top()
	prefix := f.prefix + name + "."
	for _, fl := range t.fields {
		if strings.HasPrefix(fl.key, prefix) {
			return &Form{prefix: prefix, root: t}, true
		}
	}
	var buf [64]byte
	if _, ok := f.lookup(f.key(buf[:0], name)); ok {
		return &Form{prefix: prefix, root: t}, true
	}
	return nil, false
}

// Tag is one element of a Tags list.
type Tag struct {
	Key   string `xml:"Key"`
	Value string `xml:"Value"`
}

// Tags returns the list Tags.member.N.Key/.Value and checks each element
// against IAM's model of a Tag (the same as STS's): both members required,
// keys of 1 to 128 characters and values of up to 256 from tag characters.
// It does not check the number of tags or duplicate keys; those rules (and
// their messages) belong to the actions.
func (f *Form) Tags() []Tag {
	ms := f.Members("Tags")
	if ms == nil {
		return nil
	}
	tags := make([]Tag, len(ms))
	for i, m := range ms {
		checkMembers(m, iamTag, false)
		tags[i].Key = m.String("Key")
		tags[i].Value = m.String("Value")
	}
	return tags
}
