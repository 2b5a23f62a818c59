package rolesanywhere

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/keyward/keyward"
)

// The control plane's operations, their routes and input constraints, and
// the HTTP status of each error code are botocore's model of the service
// (botocore/rolesanywhere/2018-05-10/service-2.json.gz, vendored unchanged
// with its licence), read once when first needed. Requests are checked
// against it before an action runs, in the wording of AWS's validation
// errors, so actions hold only the rules the model cannot state.

//go:embed botocore/rolesanywhere/2018-05-10/service-2.json.gz
var modelGz []byte

// Operation is one operation of the service: its name, its HTTP route
// (Pattern is a net/http ServeMux pattern, "GET /trustanchor/{trustAnchorId}"),
// and the status of a success.
type Operation struct {
	Name    string
	Method  string
	Path    string
	Pattern string
	Status  int
	// Signed is false for CreateSession, whose caller signs with an X.509
	// certificate instead of an access key (see CreateSession).
	Signed bool
	input  *shape
}

// shape is a model shape, with its members in the model's order.
type shape struct {
	name      string
	typ       string // structure, list, map, string, integer, boolean, blob, timestamp
	members   []member
	required  map[string]bool
	elem      *shape // list member, map value
	key       *shape // map key
	min, max  *float64
	pattern   *regexp.Regexp
	patText   string
	enum      []string
	sensitive bool
	union     bool
}

// member is one member of a structure shape, and where the request
// carries it: "" (the JSON body), "uri", "querystring" or "header".
type member struct {
	name         string
	shape        *shape
	location     string
	locationName string
}

type model struct {
	ops    []*Operation
	status map[string]int // error code: HTTP status
	// instanceProperties is InstancePropertyMap, which bounds the
	// instance properties CreateSession (not in the model) takes.
	instanceProperties *shape
}

var loadModel = sync.OnceValues(func() (*model, error) {
	zr, err := gzip.NewReader(bytes.NewReader(modelGz))
	if err != nil {
		return nil, err
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, err
	}
	var doc struct {
		Operations map[string]struct {
			Name string
			HTTP struct {
				Method       string
				RequestURI   string `json:"requestUri"`
				ResponseCode int    `json:"responseCode"`
			}
			Input *struct{ Shape string }
		}
		Shapes map[string]json.RawMessage
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	m := &model{status: map[string]int{}}
	shapes := map[string]*shape{}
	var build func(name string) (*shape, error)
	build = func(name string) (*shape, error) {
		if s, ok := shapes[name]; ok {
			return s, nil
		}
		rawShape, ok := doc.Shapes[name]
		if !ok {
			return nil, fmt.Errorf("rolesanywhere model: no shape %q", name)
		}
		var d struct {
			Type      string
			Required  []string
			Member    *struct{ Shape string }
			Key       *struct{ Shape string }
			Value     *struct{ Shape string }
			Min, Max  *float64
			Pattern   string
			Enum      []string
			Sensitive bool
			Union     bool
			Members   json.RawMessage
			Error     *struct {
				HTTPStatusCode int `json:"httpStatusCode"`
			}
			Exception bool
		}
		if err := json.Unmarshal(rawShape, &d); err != nil {
			return nil, err
		}
		s := &shape{name: name, typ: d.Type, min: d.Min, max: d.Max, enum: d.Enum, sensitive: d.Sensitive, union: d.Union}
		shapes[name] = s
		if d.Pattern != "" {
			re, err := regexp.Compile(`\A(?:` + d.Pattern + `)\z`)
			if err != nil {
				return nil, fmt.Errorf("rolesanywhere model: shape %s: %w", name, err)
			}
			s.pattern, s.patText = re, d.Pattern
		}
		if d.Exception && d.Error != nil {
			m.status[name] = d.Error.HTTPStatusCode
		}
		var err error
		switch d.Type {
		case "list":
			s.elem, err = build(d.Member.Shape)
		case "map":
			if s.key, err = build(d.Key.Shape); err == nil {
				s.elem, err = build(d.Value.Shape)
			}
		case "structure":
			s.required = map[string]bool{}
			for _, r := range d.Required {
				s.required[r] = true
			}
			names, err := orderedKeys(d.Members)
			if err != nil {
				return nil, fmt.Errorf("rolesanywhere model: shape %s: %w", name, err)
			}
			var ms map[string]struct {
				Shape        string
				Location     string
				LocationName string
			}
			if err := json.Unmarshal(d.Members, &ms); err != nil {
				return nil, err
			}
			for _, n := range names {
				sub, err := build(ms[n].Shape)
				if err != nil {
					return nil, err
				}
				s.members = append(s.members, member{name: n, shape: sub, location: ms[n].Location, locationName: ms[n].LocationName})
			}
		}
		return s, err
	}
	for _, name := range sortedKeys(doc.Shapes) {
		if _, err := build(name); err != nil {
			return nil, err
		}
	}
	for name, o := range doc.Operations {
		op := &Operation{Name: name, Method: o.HTTP.Method, Path: o.HTTP.RequestURI, Status: o.HTTP.ResponseCode, Signed: true}
		if op.Status == 0 {
			op.Status = http.StatusOK
		}
		op.Pattern = op.Method + " " + op.Path
		if o.Input != nil {
			op.input = shapes[o.Input.Shape]
		}
		m.ops = append(m.ops, op)
	}
	m.instanceProperties = shapes["InstancePropertyMap"]
	if m.instanceProperties == nil {
		return nil, errors.New("rolesanywhere: the model has no InstancePropertyMap")
	}
	// CreateSession is the credential helper's, not in botocore's model.
	m.ops = append(m.ops, &Operation{Name: "CreateSession", Method: http.MethodPost, Path: "/sessions",
		Pattern: "POST /sessions", Status: http.StatusCreated})
	sort.Slice(m.ops, func(i, j int) bool { return m.ops[i].Name < m.ops[j].Name })
	return m, nil
})

func mustModel() *model {
	m, err := loadModel()
	if err != nil {
		panic(err) // the embedded model is part of the build
	}
	return m
}

// Operations returns every operation the service serves, CreateSession
// included, sorted by name.
func Operations() []*Operation { return mustModel().ops }

// orderedKeys returns the keys of a JSON object in the order written.
func orderedKeys(raw json.RawMessage) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// decode reads op's input from r (path, query and headers) and body (a
// JSON object, or empty), checks it against the model and unmarshals it
// into in, a pointer to the action's input struct (json tags are the
// model's member names). A value of the wrong JSON type is a
// SerializationException, a broken constraint a ValidationException
// listing every failure, as AWS words them.
func decode(op *Operation, r *http.Request, body []byte, in any) error {
	if op.input == nil {
		return nil
	}
	obj := map[string]any{}
	if len(bytes.TrimSpace(body)) > 0 {
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		var v any
		if err := dec.Decode(&v); err != nil {
			return errSerialization("The request body is not valid JSON.")
		}
		o, ok := v.(map[string]any)
		if !ok {
			return errSerialization("The request body must be a JSON object.")
		}
		obj = o
	}
	q := r.URL.Query()
	for _, m := range op.input.members {
		switch m.location {
		case "uri":
			if v := r.PathValue(m.locationName); v != "" {
				obj[m.name] = v
			} else {
				delete(obj, m.name)
			}
		case "querystring":
			vs, ok := q[m.locationName]
			if !ok {
				delete(obj, m.name)
				continue
			}
			switch m.shape.typ {
			case "list":
				l := make([]any, len(vs))
				for i, v := range vs {
					l[i] = v
				}
				obj[m.name] = l
			case "integer":
				obj[m.name] = json.Number(vs[0])
			default:
				obj[m.name] = vs[0]
			}
		case "header":
			if v := r.Header.Get(m.locationName); v != "" {
				obj[m.name] = v
			} else {
				delete(obj, m.name)
			}
		}
	}
	var v validation
	v.structure("", op.input, obj)
	if v.serial != nil {
		return v.serial
	}
	if err := v.err(); err != nil {
		return err
	}
	b, err := json.Marshal(obj)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, in); err != nil {
		return errSerialization("The request does not match the operation's input: " + err.Error())
	}
	return nil
}

// validation collects the failures of one request.
type validation struct {
	issues []string
	serial error
}

func (v *validation) err() error {
	switch len(v.issues) {
	case 0:
		return nil
	case 1:
		return errValidation("1 validation error detected: " + v.issues[0])
	}
	return errValidation(strconv.Itoa(len(v.issues)) + " validation errors detected: " + strings.Join(v.issues, "; "))
}

func join(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

func (v *validation) fail(path, value string, show bool, constraint string) {
	msg := "Value "
	if show {
		msg += "'" + value + "' "
	}
	v.issues = append(v.issues, msg+"at '"+path+"' failed to satisfy constraint: "+constraint)
}

func (v *validation) structure(path string, s *shape, obj map[string]any) {
	set := 0
	for _, m := range s.members {
		val, ok := obj[m.name]
		if !ok || val == nil {
			if s.required[m.name] {
				v.issues = append(v.issues, "Value null at '"+join(path, m.name)+"' failed to satisfy constraint: Member must not be null")
			}
			continue
		}
		set++
		v.value(join(path, m.name), m.shape, val)
	}
	if s.union && set > 1 {
		v.serial = errValidation("Only one member of " + s.name + " may be set.")
	}
}

func (v *validation) value(path string, s *shape, val any) {
	if v.serial != nil {
		return
	}
	wrongType := func() {
		v.serial = errSerialization(fmt.Sprintf("The value at '%s' must be a %s.", path, jsonTypeName(s.typ)))
	}
	switch s.typ {
	case "structure":
		o, ok := val.(map[string]any)
		if !ok {
			wrongType()
			return
		}
		v.structure(path, s, o)
	case "list":
		l, ok := val.([]any)
		if !ok {
			wrongType()
			return
		}
		v.length(path, s, "", false, len(l))
		for i, e := range l {
			if e == nil {
				continue
			}
			v.value(path+"."+strconv.Itoa(i+1)+".member", s.elem, e)
		}
	case "map":
		o, ok := val.(map[string]any)
		if !ok {
			wrongType()
			return
		}
		v.length(path, s, "", false, len(o))
		for _, k := range sortedKeys(o) {
			v.value(path+"."+k+".member.key", s.key, k)
			if o[k] != nil {
				v.value(path+"."+k+".member.value", s.elem, o[k])
			}
		}
	case "string":
		str, ok := val.(string)
		if !ok {
			wrongType()
			return
		}
		show := !s.sensitive
		if s.pattern != nil && !s.pattern.MatchString(str) {
			v.fail(path, str, show, "Member must satisfy regular expression pattern: "+s.patText)
		}
		v.length(path, s, str, show, utf8.RuneCountInString(str))
		if s.enum != nil {
			for _, e := range s.enum {
				if str == e {
					return
				}
			}
			v.fail(path, str, show, "Member must satisfy enum value set: ["+strings.Join(s.enum, ", ")+"]")
		}
	case "blob":
		str, ok := val.(string)
		if !ok {
			wrongType()
			return
		}
		b, err := base64.StdEncoding.DecodeString(str)
		if err != nil {
			v.serial = errSerialization("The value at '" + path + "' must be base64.")
			return
		}
		v.length(path, s, "", false, len(b))
	case "integer":
		n, ok := val.(json.Number)
		if !ok {
			wrongType()
			return
		}
		i, err := strconv.ParseInt(string(n), 10, 32)
		if err != nil {
			v.serial = errSerialization("The value at '" + path + "' must be an integer.")
			return
		}
		if s.min != nil && float64(i) < *s.min {
			v.fail(path, string(n), true, "Member must have value greater than or equal to "+num(*s.min))
		}
		if s.max != nil && float64(i) > *s.max {
			v.fail(path, string(n), true, "Member must have value less than or equal to "+num(*s.max))
		}
	case "boolean":
		if _, ok := val.(bool); !ok {
			wrongType()
		}
	case "timestamp":
		if _, ok := val.(string); !ok {
			if _, ok := val.(json.Number); !ok {
				wrongType()
			}
		}
	}
}

// length checks n, a string's length in characters or a list's, blob's or
// map's size, against the shape's min and max.
func (v *validation) length(path string, s *shape, value string, show bool, n int) {
	if s.min != nil && float64(n) < *s.min {
		v.fail(path, value, show, "Member must have length greater than or equal to "+num(*s.min))
	}
	if s.max != nil && float64(n) > *s.max {
		v.fail(path, value, show, "Member must have length less than or equal to "+num(*s.max))
	}
}

func num(f float64) string {
	if f == math.Trunc(f) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', -1, 64)
}

func jsonTypeName(typ string) string {
	switch typ {
	case "structure", "map":
		return "JSON object"
	case "list":
		return "JSON array"
	case "integer":
		return "number"
	case "boolean":
		return "boolean"
	case "blob":
		return "base64 string"
	}
	return "string"
}

// status is the HTTP status of an error code: the model's for its own
// errors, AWS's common ones for the rest (see codes.go).
// Status is the HTTP status the service answers error code with.
func Status(code string) int { return status(code) }

func status(code string) int {
	if s, ok := mustModel().status[code]; ok {
		return s
	}
	if s, ok := commonStatus[code]; ok {
		return s
	}
	return keyward.HTTPStatus(code)
}
