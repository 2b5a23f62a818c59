package awsquery

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"sync"

	"github.com/keyward/keyward"
)

// Bind turns a typed action, such as
//
//	func (s *iam.Service) CreateUser(ctx, *keyward.Caller, *CreateUserInput) (*CreateUserOutput, error)
//
// into a Handler. The Handler decodes In from the request's form by its
// fields' query tags, takes the caller from Request.Caller (which must be a
// *keyward.Caller), calls fn and returns its result for WriteResult.
//
// Tags name the wire member and may add ",required":
//
//	UserName string        `query:"UserName,required"` // missing: "Value null at 'userName' ..."
//	Path     *string       `query:"Path"`              // nil when absent
//	MaxItems *int32        `query:"MaxItems"`          // unparsable: MalformedInput
//	TagKeys  []string      `query:"TagKeys"`           // TagKeys.member.N
//	Tags     []keyward.Tag `query:"Tags"`              // Tags.member.N.Key/.Value
//
// Field types: string, bool, int, int32, int64, pointers to them (nil when
// absent), []string, and slices of structs (Name.member.N.Field, decoded
// by the same rules; keyward.Tag's fields are Key and Value, both required
// where no model says otherwise). A field
// without a query tag uses the field's name; `query:"-"` skips it.
//
// When the action is an operation of IAM's or STS's model (the request's
// Action, looked up in the model of the request's Version), the request is
// first checked against that operation's input shape, every member of it
// whether In has a field for it or not: required members, lengths,
// patterns, ranges, enums and list sizes, each failure in AWS's words and
// all of them at once, in AWS's order ("2 validation errors detected:
// ..."); the tags' ",required" is then left to the model. Any other action
// (Keyward's own) gets only the tags' required members. Unparsable numbers
// and booleans are MalformedInput either way. fn runs only on a request
// that passes, and keeps only the rules the model cannot express. An Out
// of type struct{} means the action has no result element (DeleteUser);
// any other Out, even an empty named struct, is encoded under
// <ActionResult>.
//
// Decoding plans are built once per input type, so a request costs only
// the lookups and the values it sets. Bind panics if In has a field type
// it cannot decode.
func Bind[In, Out any](fn func(context.Context, *keyward.Caller, *In) (*Out, error)) Handler {
	p := planFor(reflect.TypeFor[In]())
	noResult := reflect.TypeFor[Out]() == emptyStruct
	return func(ctx context.Context, req *Request) (any, error) {
		c, err := callerOf(req)
		if err != nil {
			return nil, err
		}
		in := new(In)
		if err := p.decode(req, req.Action, reflect.ValueOf(in).Elem()); err != nil {
			return nil, err
		}
		out, err := fn(ctx, c, in)
		if err != nil {
			return nil, err
		}
		if noResult || out == nil {
			return nil, nil
		}
		return out, nil
	}
}

// Actions returns a Handler for every method of svc shaped like an action,
// func(context.Context, *keyward.Caller, *In) (*Out, error), keyed by the
// method's name (which is the AWS action's name), each bound as Bind binds
// it; the model operation whose input a request is checked against is the
// one named like the method. Other methods are ignored. It panics, at
// start-up, on an input type Bind cannot decode.
func Actions(svc any) map[string]Handler {
	v := reflect.ValueOf(svc)
	t := v.Type()
	actions := make(map[string]Handler)
	for i := 0; i < t.NumMethod(); i++ {
		m := v.Method(i)
		if isAction(m.Type()) {
			name := t.Method(i).Name
			actions[name] = bindValue(name, m)
		}
	}
	return actions
}

var (
	contextType = reflect.TypeFor[context.Context]()
	callerType  = reflect.TypeFor[*keyward.Caller]()
	errorType   = reflect.TypeFor[error]()
	emptyStruct = reflect.TypeFor[struct{}]()
	tagType     = reflect.TypeFor[keyward.Tag]()
)

func isAction(ft reflect.Type) bool {
	return ft.NumIn() == 3 && ft.NumOut() == 2 &&
		ft.In(0) == contextType && ft.In(1) == callerType &&
		ft.In(2).Kind() == reflect.Pointer && ft.In(2).Elem().Kind() == reflect.Struct &&
		ft.Out(0).Kind() == reflect.Pointer && ft.Out(1) == errorType
}

// bindValue is Bind for a method value found by reflection, the method
// called name.
func bindValue(name string, fn reflect.Value) Handler {
	ft := fn.Type()
	inType := ft.In(2).Elem()
	p := planFor(inType)
	noResult := ft.Out(0).Elem() == emptyStruct
	return func(ctx context.Context, req *Request) (any, error) {
		c, err := callerOf(req)
		if err != nil {
			return nil, err
		}
		in := reflect.New(inType)
		if err := p.decode(req, name, in.Elem()); err != nil {
			return nil, err
		}
		res := fn.Call([]reflect.Value{reflect.ValueOf(&ctx).Elem(), reflect.ValueOf(c), in})
		if e := res[1].Interface(); e != nil {
			return nil, e.(error)
		}
		if noResult || res[0].IsNil() {
			return nil, nil
		}
		return res[0].Interface(), nil
	}
}

func callerOf(req *Request) (*keyward.Caller, error) {
	c, ok := req.Caller.(*keyward.Caller)
	if !ok || c == nil {
		return nil, fmt.Errorf("awsquery: request caller is %T, want *keyward.Caller", req.Caller)
	}
	return c, nil
}

// fieldKind is how one field is decoded.
type fieldKind uint8

const (
	kString fieldKind = iota
	kBool
	kInt
	kStrings // []string: Name.member.N
	kStructs // []struct: Name.member.N.Field
)

type fieldPlan struct {
	index    int
	name     string // wire name
	required bool
	kind     fieldKind
	pointer  bool  // *T: allocated only when present
	elem     *plan // kStructs: the element's plan
	elemType reflect.Type
}

// plan decodes one struct type.
type plan struct {
	fields []fieldPlan
}

var plans sync.Map // reflect.Type -> *plan

func planFor(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	p := buildPlan(t)
	actual, _ := plans.LoadOrStore(t, p)
	return actual.(*plan)
}

func buildPlan(t reflect.Type) *plan {
	if t.Kind() != reflect.Struct {
		panic(fmt.Sprintf("awsquery: cannot bind %s: not a struct", t))
	}
	p := &plan{}
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("query")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		// keyward.Tag carries no tags of its own; both its members are
		// required in every AWS model that has tags.
		fp := fieldPlan{index: i, name: name, required: opts == "required" || t == tagType}
		ft := sf.Type
		if ft.Kind() == reflect.Pointer {
			fp.pointer = true
			ft = ft.Elem()
		}
		switch ft.Kind() {
		case reflect.String:
			fp.kind = kString
		case reflect.Bool:
			fp.kind = kBool
		case reflect.Int, reflect.Int32, reflect.Int64:
			fp.kind = kInt
		case reflect.Slice:
			if fp.pointer {
				panic(fmt.Sprintf("awsquery: cannot bind %s.%s: pointer to slice", t, sf.Name))
			}
			switch ft.Elem().Kind() {
			case reflect.String:
				fp.kind = kStrings
			case reflect.Struct:
				fp.kind = kStructs
				fp.elemType = ft.Elem()
				fp.elem = planFor(ft.Elem())
			default:
				panic(fmt.Sprintf("awsquery: cannot bind %s.%s of type %s", t, sf.Name, sf.Type))
			}
		default:
			panic(fmt.Sprintf("awsquery: cannot bind %s.%s of type %s", t, sf.Name, sf.Type))
		}
		p.fields = append(p.fields, fp)
	}
	return p
}

// decode checks req's form against the model operation called action, if
// there is one, and fills v (a settable struct of p's type) from it. It
// returns what the form recorded: the model's failures and unparsable
// values, and, for an action no model has, the tags' missing required
// members.
func (p *plan) decode(req *Request, action string, v reflect.Value) error {
	version := req.Version
	if req.Service != nil {
		version = req.Service.Version
	}
	op, ok := findOperation(version, action)
	if ok {
		op.validate(&req.Form)
	}
	p.fill(&req.Form, v, !ok)
	return req.Form.Err()
}

// fill sets v's fields from f; with required, it records the tags'
// missing required members.
func (p *plan) fill(f *Form, v reflect.Value, required bool) {
	for i := range p.fields {
		fp := &p.fields[i]
		dst := v.Field(fp.index)
		switch fp.kind {
		case kString:
			s, ok := f.Lookup(fp.name)
			if !ok {
				if required && fp.required {
					f.Null(fp.name)
				}
				continue
			}
			target(dst, fp.pointer).SetString(s)
		case kBool:
			b, ok := f.Bool(fp.name)
			if !ok {
				if required && fp.required && !f.Has(fp.name) {
					f.Null(fp.name)
				}
				continue
			}
			target(dst, fp.pointer).SetBool(b)
		case kInt:
			n, ok := f.Int(fp.name)
			if !ok {
				if required && fp.required && !f.Has(fp.name) {
					f.Null(fp.name)
				}
				continue
			}
			target(dst, fp.pointer).SetInt(int64(n))
		case kStrings:
			list := f.List(fp.name)
			if list == nil {
				if required && fp.required {
					f.Null(fp.name)
				}
				continue
			}
			dst.Set(reflect.ValueOf(list).Convert(dst.Type()))
		case kStructs:
			ms := f.Members(fp.name)
			if ms == nil {
				if required && fp.required {
					f.Null(fp.name)
				}
				continue
			}
			s := reflect.MakeSlice(dst.Type(), len(ms), len(ms))
			for j, m := range ms {
				fp.elem.fill(m, s.Index(j), required)
			}
			dst.Set(s)
		}
	}
}

// target returns the value to set: dst itself, or a new value dst points
// to.
func target(dst reflect.Value, pointer bool) reflect.Value {
	if !pointer {
		return dst
	}
	nv := reflect.New(dst.Type().Elem())
	dst.Set(nv)
	return nv.Elem()
}
