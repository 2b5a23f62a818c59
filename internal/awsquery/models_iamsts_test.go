package awsquery

import (
	"reflect"
	"strings"
	"testing"

	"github.com/keyward/keyward/internal/iam"
	"github.com/keyward/keyward/internal/sts"
)

// TestActions_MatchModels holds the iam and sts packages' inputs to the
// models the binder checks them against: every action is an operation of
// its service's model, and every field the binder decodes is a member of
// the operation's input, of the kind the model says, required only where
// the model requires it. A field named wrong would be left empty on every
// request without a word, since the Query protocol ignores unknown fields.
func TestActions_MatchModels(t *testing.T) {
	for _, svc := range []struct {
		name    string
		v       any
		version string
	}{
		{"iam", &iam.Service{}, VersionIAM},
		{"sts", &sts.Service{}, VersionSTS},
	} {
		typ := reflect.TypeOf(svc.v)
		n := 0
		for i := 0; i < typ.NumMethod(); i++ {
			m := typ.Method(i)
			ft := m.Func.Type() // the receiver first
			if ft.NumIn() != 4 || !isAction(reflect.FuncOf([]reflect.Type{ft.In(1), ft.In(2), ft.In(3)}, []reflect.Type{ft.Out(0), ft.Out(1)}, false)) {
				continue
			}
			n++
			op, ok := findOperation(svc.version, m.Name)
			if !ok {
				t.Errorf("%s.%s is an action, but %s's model has no operation %s", svc.name, m.Name, svc.name, m.Name)
				continue
			}
			matchStruct(t, svc.name+"."+m.Name, ft.In(3).Elem(), op.input)
		}
		if n == 0 {
			t.Errorf("%s.Service has no action methods", svc.name)
		}
	}
}

func matchStruct(t *testing.T, where string, typ reflect.Type, s *shape) {
	t.Helper()
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("query")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		// A dotted name reads a member of a structure member
		// (Permissions.PolicyTemplateArn).
		var m *member
		cur := s
		parts := strings.Split(name, ".")
		for k, part := range parts {
			m = nil
			for j := range cur.members {
				if cur.members[j].wire == part {
					m = &cur.members[j]
				}
			}
			if m == nil || k == len(parts)-1 {
				break
			}
			if m.shape.kind != kindStructure {
				m = nil
				break
			}
			cur = m.shape
		}
		if m == nil {
			t.Errorf("%s: field %s reads %q, which the model's %s does not have", where, f.Name, name, s.name)
			continue
		}
		if opts == "required" && !m.required {
			t.Errorf("%s: field %s is required, but the model's %s does not require %s", where, f.Name, s.name, name)
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		want := map[reflect.Kind]shapeKind{
			reflect.String: kindString, reflect.Bool: kindBoolean,
			reflect.Int: kindInteger, reflect.Int32: kindInteger, reflect.Int64: kindInteger,
			reflect.Slice: kindList,
		}[ft.Kind()]
		if m.shape.kind != want {
			t.Errorf("%s: field %s is a %s, but %s is a model %v", where, f.Name, f.Type, name, m.shape.kind)
			continue
		}
		if ft.Kind() == reflect.Slice && ft.Elem().Kind() == reflect.Struct {
			if m.shape.elem.kind != kindStructure {
				t.Errorf("%s: field %s holds structures, but %s's elements are not", where, f.Name, name)
				continue
			}
			matchStruct(t, where+"."+f.Name, ft.Elem(), m.shape.elem)
		}
	}
}
