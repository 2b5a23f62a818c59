package iam

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/policy"
)

// Policy templates, as AWS's IAM User Guide describes them ("Policy
// templates", temporary delegation): a policy document whose strings may
// hold parameters, @{name}, replaced by the values a delegation request
// gives; a parameter of type stringList expands the string into one string
// per value (a cross product when a string holds several), so that
// "arn:aws:s3:::@{bucketNames}/*" with two buckets becomes two resources;
// a statement with "@Enabled": "name" is kept only when the parameter's
// value is "True", "@Enabled": "!name" only when it is not. The rendered
// policy is what the customer reviews and what the delegated credentials
// are limited to (a session policy): at most 2,048 characters.

// maxRenderedPolicy is AWS's limit on a rendered policy's size.
const maxRenderedPolicy = 2048

// maxExpansion bounds the strings a template's strings may expand into,
// together: a rendered policy within the size limit holds fewer (each
// string takes at least three characters), so rendering stops early
// rather than build what the limit then refuses.
const maxExpansion = 1000

// paramRef matches a parameter reference, @{name}.
func paramRefs(s string) (names []string) {
	for {
		i := strings.Index(s, "@{")
		if i < 0 {
			return names
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			return names
		}
		names = append(names, s[i+2:i+j])
		s = s[i+j+1:]
	}
}

// renderTemplate renders the template doc with params: the rendered policy
// as compact JSON, in the template's order. Every failure is AWS's
// InvalidInput, but a rendered policy over 2,048 characters, which is
// LimitExceeded.
func renderTemplate(doc string, params []keyward.DelegationParameter) (string, error) {
	values := map[string][]string{}
	for _, p := range params {
		if _, dup := values[p.Name]; dup {
			return "", invalidInput("The parameter %s is given more than once.", p.Name)
		}
		switch {
		case p.Type == "string" && len(p.Values) != 1:
			return "", invalidInput("The parameter %s is of type string and takes exactly one value.", p.Name)
		case p.Type == "stringList" && len(p.Values) == 0:
			return "", invalidInput("The parameter %s is of type stringList and takes at least one value.", p.Name)
		case p.Type != "string" && p.Type != "stringList":
			return "", invalidInput("The parameter %s needs a Type: string or stringList.", p.Name)
		}
		values[p.Name] = p.Values
	}
	root, err := parseJSONTree(doc)
	if err != nil || root.kind != '{' {
		return "", invalidInput("The policy template is not a JSON object.")
	}
	r := &renderer{values: values, used: map[string]bool{}}
	// A parameter the template names counts as used even when the
	// statement that names it is left out.
	root.refs(r.used)
	if err := r.statements(root); err != nil {
		return "", err
	}
	out, err := r.node(root)
	if err != nil {
		return "", err
	}
	var unused []string
	for name := range values {
		if !r.used[name] {
			unused = append(unused, name)
		}
	}
	if len(unused) > 0 {
		sort.Strings(unused)
		return "", invalidInput("The policy template has no parameter %s.", strings.Join(unused, ", "))
	}
	var b bytes.Buffer
	out[0].write(&b)
	rendered := b.String()
	if n := utf8.RuneCountInString(rendered); n > maxRenderedPolicy {
		return "", keyward.Errorf(keyward.ErrLimitExceeded,
			"The rendered policy has %d characters, more than the maximum of %d.", n, maxRenderedPolicy)
	}
	if _, err := policy.Parse([]byte(rendered), policy.Session); err != nil {
		var pe *policy.ParseError
		msg := "Syntax errors in policy."
		if errors.As(err, &pe) {
			msg = pe.AWSMessage
		}
		return "", invalidInput("The rendered policy is not a valid policy: %s", msg)
	}
	return rendered, nil
}

func invalidInput(format string, args ...any) error {
	return keyward.Errorf(keyward.ErrInvalidInput, format, args...)
}

type renderer struct {
	values  map[string][]string
	used    map[string]bool
	strings int // strings made so far
}

// statements applies @Enabled to the template's statements.
func (r *renderer) statements(root *jsonNode) error {
	st := root.get("Statement")
	if st == nil {
		return nil
	}
	var list []*jsonNode
	switch (*st).kind {
	case '[':
		list = (*st).elems
	case '{':
		list = []*jsonNode{*st}
	default:
		return nil // the policy parser says what is wrong
	}
	var kept []*jsonNode
	for _, s := range list {
		keep, err := r.enabled(s)
		if err != nil {
			return err
		}
		if keep {
			kept = append(kept, s)
		}
	}
	if (*st).kind == '{' && len(kept) == 1 {
		return nil
	}
	*st = &jsonNode{kind: '[', elems: kept}
	return nil
}

// enabled reads and removes a statement's @Enabled directive.
func (r *renderer) enabled(s *jsonNode) (bool, error) {
	if s.kind != '{' {
		return true, nil
	}
	for i, k := range s.keys {
		if k != "@Enabled" {
			continue
		}
		v := s.elems[i]
		s.keys = append(s.keys[:i:i], s.keys[i+1:]...)
		s.elems = append(s.elems[:i:i], s.elems[i+1:]...)
		if v.kind != '"' {
			return false, invalidInput("@Enabled takes the name of a parameter, or ! and the name.")
		}
		name, negated := strings.CutPrefix(v.text, "!")
		vals, ok := r.values[name]
		if !ok {
			return false, invalidInput("The policy template needs the parameter %s.", name)
		}
		r.used[name] = true
		on := len(vals) == 1 && strings.EqualFold(vals[0], "True")
		return on != negated, nil
	}
	return true, nil
}

// node renders n: one node, or several for a string that a stringList
// parameter expands.
func (r *renderer) node(n *jsonNode) ([]*jsonNode, error) {
	switch n.kind {
	case '"':
		ss, err := r.expand(n.text)
		if err != nil {
			return nil, err
		}
		out := make([]*jsonNode, len(ss))
		for i, s := range ss {
			out[i] = &jsonNode{kind: '"', text: s}
		}
		return out, nil
	case '[':
		arr := &jsonNode{kind: '['}
		for _, e := range n.elems {
			es, err := r.node(e)
			if err != nil {
				return nil, err
			}
			arr.elems = append(arr.elems, es...)
		}
		return []*jsonNode{arr}, nil
	case '{':
		obj := &jsonNode{kind: '{'}
		for i, k := range n.keys {
			ks, err := r.expand(k)
			if err != nil {
				return nil, err
			}
			if len(ks) != 1 {
				return nil, invalidInput("The stringList parameter in %q would make several keys of one object.", k)
			}
			vs, err := r.node(n.elems[i])
			if err != nil {
				return nil, err
			}
			v := vs[0]
			if len(vs) > 1 {
				v = &jsonNode{kind: '[', elems: vs}
			}
			obj.keys = append(obj.keys, ks[0])
			obj.elems = append(obj.elems, v)
		}
		return []*jsonNode{obj}, nil
	}
	return []*jsonNode{n}, nil
}

// expand replaces the parameters of s: one string per combination of the
// values of the distinct parameters it names.
func (r *renderer) expand(s string) ([]string, error) {
	refs := paramRefs(s)
	if len(refs) == 0 {
		return []string{s}, nil
	}
	var names []string
	seen := map[string]bool{}
	total := 1
	for _, name := range refs {
		if seen[name] {
			continue
		}
		seen[name] = true
		vals, ok := r.values[name]
		if !ok {
			return nil, invalidInput("The policy template needs the parameter %s.", name)
		}
		r.used[name] = true
		names = append(names, name)
		total *= len(vals)
		if r.strings+total > maxExpansion {
			return nil, keyward.Errorf(keyward.ErrLimitExceeded, "The parameters expand the template into more than %d strings.", maxExpansion)
		}
	}
	r.strings += total
	out := []string{s}
	for _, name := range names {
		var next []string
		for _, partial := range out {
			for _, v := range r.values[name] {
				next = append(next, strings.ReplaceAll(partial, "@{"+name+"}", v))
			}
		}
		out = next
	}
	return out, nil
}

// jsonNode is a JSON value that keeps its objects' keys in order (and
// repeated keys, which the policy parser then refuses as IAM does).
type jsonNode struct {
	kind  byte // '{' object, '[' array, '"' string, 'v' other (number, true, false, null: text as written)
	text  string
	keys  []string    // an object's keys
	elems []*jsonNode // an object's values, an array's elements
}

// refs marks the parameters n's strings and keys name.
func (n *jsonNode) refs(names map[string]bool) {
	for _, s := range append(paramRefs(n.text), refsOf(n.keys)...) {
		names[s] = true
	}
	for _, e := range n.elems {
		e.refs(names)
	}
}

func refsOf(keys []string) (names []string) {
	for _, k := range keys {
		names = append(names, paramRefs(k)...)
	}
	return names
}

// get returns a pointer to the value of an object's key, nil when absent.
func (n *jsonNode) get(key string) **jsonNode {
	for i, k := range n.keys {
		if k == key {
			return &n.elems[i]
		}
	}
	return nil
}

func parseJSONTree(doc string) (*jsonNode, error) {
	dec := json.NewDecoder(strings.NewReader(doc))
	dec.UseNumber()
	n, err := decodeNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("iam: data after the JSON value")
	}
	return n, nil
}

func decodeNode(dec *json.Decoder) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jsonNode{kind: '{'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.elems = append(n.elems, v)
			}
			_, err := dec.Token() // }
			return n, err
		case '[':
			n := &jsonNode{kind: '['}
			for dec.More() {
				v, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				n.elems = append(n.elems, v)
			}
			_, err := dec.Token() // ]
			return n, err
		}
		return nil, errors.New("iam: unexpected delimiter")
	case string:
		return &jsonNode{kind: '"', text: t}, nil
	case json.Number:
		return &jsonNode{kind: 'v', text: t.String()}, nil
	case bool:
		if t {
			return &jsonNode{kind: 'v', text: "true"}, nil
		}
		return &jsonNode{kind: 'v', text: "false"}, nil
	case nil:
		return &jsonNode{kind: 'v', text: "null"}, nil
	}
	return nil, errors.New("iam: unexpected JSON token")
}

// write encodes n as compact JSON.
func (n *jsonNode) write(b *bytes.Buffer) {
	switch n.kind {
	case '{':
		b.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				b.WriteByte(',')
			}
			writeJSONString(b, k)
			b.WriteByte(':')
			n.elems[i].write(b)
		}
		b.WriteByte('}')
	case '[':
		b.WriteByte('[')
		for i, e := range n.elems {
			if i > 0 {
				b.WriteByte(',')
			}
			e.write(b)
		}
		b.WriteByte(']')
	case '"':
		writeJSONString(b, n.text)
	default:
		b.WriteString(n.text)
	}
}

// writeJSONString writes s as a JSON string, without the HTML escapes
// encoding/json adds by default (a policy's "<" stays "<").
func writeJSONString(b *bytes.Buffer, s string) {
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	enc.Encode(s)           // a string always encodes
	b.Truncate(b.Len() - 1) // Encode's newline
}
