package iam

import (
	"context"
	"reflect"
	"sort"
	"testing"

	"github.com/keyward/keyward"
)

func TestOperations_Table(t *testing.T) {
	if len(Operations) != 176 {
		t.Errorf("len(Operations) = %d, want botocore's 176", len(Operations))
	}
	if !sort.SliceIsSorted(Operations, func(i, j int) bool { return Operations[i].Name < Operations[j].Name }) {
		t.Errorf("Operations is not sorted by name")
	}
	for i := 1; i < len(Operations); i++ {
		if Operations[i].Name == Operations[i-1].Name {
			t.Errorf("Operations lists %s twice", Operations[i].Name)
		}
	}
}

// Supported is true exactly for the operations Service implements as
// methods of AWS's name with the action signature.
func TestOperations_MatchService(t *testing.T) {
	typ := reflect.TypeFor[*Service]()
	ctxType := reflect.TypeFor[context.Context]()
	callerType := reflect.TypeFor[*keyward.Caller]()
	errType := reflect.TypeFor[error]()
	isAction := func(m reflect.Method) bool {
		f := m.Type // receiver first
		return f.NumIn() == 4 && f.In(1) == ctxType && f.In(2) == callerType && f.In(3).Kind() == reflect.Pointer &&
			f.NumOut() == 2 && f.Out(0).Kind() == reflect.Pointer && f.Out(1) == errType
	}
	for _, op := range Operations {
		m, ok := typ.MethodByName(op.Name)
		has := ok && isAction(m)
		if has != op.Supported {
			t.Errorf("Operations says %s Supported=%v, but Service has the method: %v", op.Name, op.Supported, has)
		}
	}
	for i := range typ.NumMethod() {
		m := typ.Method(i)
		if !isAction(m) {
			continue
		}
		if _, ok := LookupOperation(m.Name); !ok {
			t.Errorf("Service.%s is not an IAM operation", m.Name)
		}
	}
}

func TestLookupOperation(t *testing.T) {
	tests := []struct {
		name          string
		ok, supported bool
	}{
		{"CreateUser", true, true},
		{"AttachRolePolicy", true, true},
		{"GetHumanReadableSummary", true, true},
		{"ListOrganizationsFeatures", true, false},
		{"ZZZ", false, false},
		{"createuser", false, false},
		{"", false, false},
	}
	for _, tt := range tests {
		op, ok := LookupOperation(tt.name)
		if ok != tt.ok || op.Supported != tt.supported || ok && op.Name != tt.name {
			t.Errorf("LookupOperation(%q) = %+v, %v; want ok %v, supported %v", tt.name, op, ok, tt.ok, tt.supported)
		}
	}
}

func TestUnsupported(t *testing.T) {
	err := Unsupported("CreateSAMLProvider")
	wantError(t, "Unsupported", err, keyward.ErrInvalidAction,
		"The IAM action CreateSAMLProvider is part of AWS's API but is not implemented by Keyward.")
}

// TestOperations_Why: every operation Keyward leaves out says why, and
// none it implements has a reason.
func TestOperations_Why(t *testing.T) {
	for _, op := range Operations {
		if why := Why(op.Name); (why == "") != op.Supported {
			t.Errorf("Why(%q) = %q, but Supported = %v: every unsupported operation needs a reason, and only they", op.Name, why, op.Supported)
		}
	}
}
