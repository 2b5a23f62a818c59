package awsquery

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/keyward/keyward"
)

type bindInput struct {
	UserName string        `query:"UserName,required"`
	Path     *string       `query:"Path"`
	MaxItems *int32        `query:"MaxItems"`
	Count    int           `query:"Count"`
	Force    *bool         `query:"Force"`
	Keys     []string      `query:"TagKeys"`
	Tags     []keyward.Tag `query:"Tags"`
	Untagged string
	Skipped  string `query:"-"`
	//lint:ignore U1000 the binder must skip unexported fields: this one is here to be skipped
	unexported string
}

type bindOutput struct {
	UserName string `xml:"UserName"`
}

func decodeInput(t *testing.T, form string) (*bindInput, error) {
	t.Helper()
	f, err := ParseForm(form)
	if err != nil {
		t.Fatal(err)
	}
	var in bindInput
	err = planFor(reflectTypeOf(&in)).decode(&Request{Form: *f}, "", reflectValueOf(&in))
	return &in, err
}

func TestBind_Decode(t *testing.T) {
	in, err := decodeInput(t, "UserName=alice&Path=%2Fx%2F&MaxItems=-7&Count=3&Force=TRUE&TagKeys.member.1=a&TagKeys.member.2=b"+
		"&Tags.member.1.Key=k1&Tags.member.1.Value=v1&Tags.member.2.Key=k2&Tags.member.2.Value=&Untagged=u&Skipped=s&unexported=x")
	if err != nil {
		t.Fatal(err)
	}
	want := &bindInput{
		UserName: "alice", Path: ptr("/x/"), MaxItems: ptr(int32(-7)), Count: 3, Force: ptr(true),
		Keys: []string{"a", "b"}, Tags: []keyward.Tag{{Key: "k1", Value: "v1"}, {Key: "k2", Value: ""}}, Untagged: "u",
	}
	if diff := cmp.Diff(want, in, cmp.AllowUnexported(bindInput{})); diff != "" {
		t.Fatalf("decode (-want +got):\n%s", diff)
	}
}

func TestBind_DecodeAbsent(t *testing.T) {
	in, err := decodeInput(t, "UserName=&TagKeys=")
	if err != nil {
		t.Fatal(err)
	}
	if in.UserName != "" || in.Path != nil || in.MaxItems != nil || in.Force != nil || in.Tags != nil {
		t.Fatalf("absent members set: %+v", in)
	}
	if in.Keys == nil || len(in.Keys) != 0 {
		t.Fatalf("TagKeys sent empty decoded as %#v, want an empty list", in.Keys)
	}
}

func TestBind_DecodeErrors(t *testing.T) {
	tests := []struct {
		name, form, code, msg string
	}{
		{
			name: "missing required",
			form: "Path=/",
			code: keyward.ErrValidationError,
			msg:  "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null",
		},
		{
			name: "missing tag members",
			form: "Tags.member.1.Key=k&Tags.member.2.Value=v",
			code: keyward.ErrValidationError,
			msg: "3 validation errors detected: Value null at 'userName' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'tags.1.member.value' failed to satisfy constraint: Member must not be null; " +
				"Value null at 'tags.2.member.key' failed to satisfy constraint: Member must not be null",
		},
		{name: "bad number", form: "UserName=a&MaxItems=ten", code: CodeMalformedInput},
		{name: "number too big", form: "UserName=a&MaxItems=2147483648", code: CodeMalformedInput},
		{name: "empty number", form: "UserName=a&MaxItems=", code: CodeMalformedInput, msg: "missing value for decimal type"},
		{name: "bad bool", form: "UserName=a&Force=yes", code: CodeMalformedInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := decodeInput(t, tt.form)
			if got := keyward.ErrorCode(err); got != tt.code {
				t.Fatalf("decode(%q) = %v, want code %s", tt.form, err, tt.code)
			}
			if got := keyward.ErrorMessage(err); got != tt.msg {
				t.Fatalf("decode(%q) message\n %q\nwant\n %q", tt.form, got, tt.msg)
			}
		})
	}
}

func TestBind_Handler(t *testing.T) {
	var gotCaller *keyward.Caller
	h := Bind(func(ctx context.Context, c *keyward.Caller, in *bindInput) (*bindOutput, error) {
		gotCaller = c
		if in.UserName == "fail" {
			return nil, keyward.Errorf(keyward.ErrNoSuchEntity, "no %s", in.UserName)
		}
		return &bindOutput{UserName: in.UserName}, nil
	})
	caller := &keyward.Caller{Kind: keyward.CallerRoot, AccountID: "111122223333"}
	req := func(form string, c any) *Request {
		f, err := ParseForm(form)
		if err != nil {
			t.Fatal(err)
		}
		return &Request{Form: *f, Caller: c}
	}
	res, err := h(context.Background(), req("UserName=alice", caller))
	if err != nil {
		t.Fatal(err)
	}
	if out, ok := res.(*bindOutput); !ok || out.UserName != "alice" || gotCaller != caller {
		t.Fatalf("handler = %#v (caller %p), want alice (caller %p)", res, gotCaller, caller)
	}
	_, err = h(context.Background(), req("UserName=fail", caller))
	if keyward.ErrorCode(err) != keyward.ErrNoSuchEntity {
		t.Fatalf("handler error = %v, want the action's NoSuchEntity", err)
	}
	gotCaller = nil
	_, err = h(context.Background(), req("", caller))
	if keyward.ErrorCode(err) != keyward.ErrValidationError || gotCaller != nil {
		t.Fatalf("handler without UserName = %v (called: %v), want ValidationError before the call", err, gotCaller != nil)
	}
	_, err = h(context.Background(), req("UserName=alice", "not a caller"))
	var kerr *keyward.Error
	if err == nil || errors.As(err, &kerr) {
		t.Fatalf("handler with a bad caller = %v, want an internal error", err)
	}
}

func TestBind_NoResult(t *testing.T) {
	none := Bind(func(context.Context, *keyward.Caller, *bindInput) (*struct{}, error) { return &struct{}{}, nil })
	type emptyOutput struct{}
	empty := Bind(func(context.Context, *keyward.Caller, *bindInput) (*emptyOutput, error) { return &emptyOutput{}, nil })
	f, _ := ParseForm("UserName=a")
	req := &Request{Form: *f, Caller: &keyward.Caller{}}
	if res, err := none(context.Background(), req); err != nil || res != nil {
		t.Fatalf("struct{} action = %#v, %v; want nil result", res, err)
	}
	if res, err := empty(context.Background(), req); err != nil || res == nil {
		t.Fatalf("named empty output = %#v, %v; want a result to encode", res, err)
	}
}

// thingService is shaped like iam.Service.
type thingService struct{ deleted []string }

type getThingInput struct {
	Name string `query:"Name,required"`
}

type getThingOutput struct {
	Name  string   `xml:"Thing>Name"`
	Items []string `xml:"Items>member"`
}

func (s *thingService) GetThing(ctx context.Context, c *keyward.Caller, in *getThingInput) (*getThingOutput, error) {
	return &getThingOutput{Name: in.Name, Items: []string{c.AccountID}}, nil
}

func (s *thingService) DeleteThing(ctx context.Context, c *keyward.Caller, in *getThingInput) (*struct{}, error) {
	s.deleted = append(s.deleted, in.Name)
	return &struct{}{}, nil
}

func (s *thingService) Helper(name string) string { return name }

func (s *thingService) WrongShape(ctx context.Context, in *getThingInput) (*getThingOutput, error) {
	return nil, nil
}

func TestActions(t *testing.T) {
	svc := &thingService{}
	actions := Actions(svc)
	if len(actions) != 2 || actions["GetThing"] == nil || actions["DeleteThing"] == nil {
		t.Fatalf("Actions = %v, want GetThing and DeleteThing", keys(actions))
	}
	post := iamPoster(actions)
	w := post("Action=GetThing&Version=2010-05-08&Name=box")
	if w.Code != 200 || !strings.Contains(w.Body.String(), "<GetThingResult>\n    <Thing>\n      <Name>box</Name>") ||
		!strings.Contains(w.Body.String(), "<member>111122223333</member>") {
		t.Fatalf("GetThing: %d\n%s", w.Code, w.Body)
	}
	w = post("Action=DeleteThing&Version=2010-05-08&Name=box")
	if w.Code != 200 || strings.Contains(w.Body.String(), "DeleteThingResult") || len(svc.deleted) != 1 {
		t.Fatalf("DeleteThing: %d\n%s", w.Code, w.Body)
	}
	w = post("Action=GetThing&Version=2010-05-08")
	if w.Code != 400 || !strings.Contains(w.Body.String(), "<Code>ValidationError</Code>") ||
		!strings.Contains(w.Body.String(), "Value null at &#39;name&#39;") {
		t.Fatalf("GetThing without Name: %d\n%s", w.Code, w.Body)
	}
}

// iamPoster serves actions as IAM to a root caller and returns a function
// that posts one form to it.
func iamPoster(actions map[string]Handler) func(body string) *httptest.ResponseRecorder {
	srv := &Server{
		Services: []*Service{{Name: "iam", Namespace: NamespaceIAM, Version: VersionIAM, Actions: actions}},
		Authenticate: func(*http.Request, []byte, string) (any, error) {
			return &keyward.Caller{Kind: keyward.CallerRoot, AccountID: "111122223333"}, nil
		},
	}
	return func(body string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
		w := httptest.NewRecorder()
		srv.ServeHTTP(w, r)
		return w
	}
}

func keys(m map[string]Handler) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestBind_PanicsOnUnsupportedField(t *testing.T) {
	type bad struct {
		M map[string]string `query:"M"`
	}
	defer func() {
		if recover() == nil {
			t.Fatal("Bind with a map field did not panic")
		}
	}()
	Bind(func(context.Context, *keyward.Caller, *bad) (*struct{}, error) { return nil, nil })
}

func TestPlanFor_Cached(t *testing.T) {
	a := planFor(reflectTypeOf(&bindInput{}))
	b := planFor(reflectTypeOf(&bindInput{}))
	if a != b {
		t.Fatal("planFor built the plan twice")
	}
}

func BenchmarkBind(b *testing.B) {
	h := Bind(func(ctx context.Context, c *keyward.Caller, in *bindInput) (*bindOutput, error) {
		return &bindOutput{UserName: in.UserName}, nil
	})
	f, err := ParseForm("Action=CreateUser&Version=2010-05-08&UserName=alice&Path=%2Fx%2F&Tags.member.1.Key=k&Tags.member.1.Value=v")
	if err != nil {
		b.Fatal(err)
	}
	caller := &keyward.Caller{}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req := &Request{Form: *f, Caller: caller}
		if _, err := h(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}

func ptr[T any](v T) *T { return &v }

func reflectTypeOf[T any](*T) reflect.Type { return reflect.TypeFor[T]() }

func reflectValueOf(p any) reflect.Value { return reflect.ValueOf(p).Elem() }

// FuzzBind decodes arbitrary forms into a struct with every supported
// field kind: decoding must never panic, and a form it accepts must hold
// the required member. The same form is then checked against model
// operations with every kind of member (nested structures, lists of
// structures holding lists, sensitive strings, integers, booleans): no
// panic, no internal error, and an accepted form holds each operation's
// required members.
func FuzzBind(f *testing.F) {
	f.Add("UserName=alice&MaxItems=3&Force=true&TagKeys.member.1=a&Tags.member.1.Key=k&Tags.member.1.Value=v")
	f.Add("Tags.member.2.Key=k&Tags.member.1.Value=&MaxItems=-0&Force=TRUE&TagKeys=")
	f.Add("UserName=%zz")
	f.Add("RoleArn=arn%3Aaws%3Aiam%3A%3A111122223333%3Arole%2Fapp&RoleSessionName=s&Tags.member.1.Key=k&PolicyArns.member.1.arn=x&TaskPolicyArn.arn=y&TargetPrincipal=1")
	f.Add("Permissions.Parameters.member.1.Values.member.1=v&Permissions.Parameters.member.1.Name=n&ContextEntries.member.1.ContextKeyValues.member.2=x&PolicyInputList.member.1=%7B%7D&ActionNames.member.1=s3%3A*&MinimumPasswordLength=7&RequireSymbols=yes")
	f.Fuzz(func(t *testing.T, form string) {
		fuzzModel(t, form)
		fm, err := ParseForm(form)
		if err != nil {
			return
		}
		var in bindInput
		if err := planFor(reflectTypeOf(&in)).decode(&Request{Form: *fm}, "", reflectValueOf(&in)); err != nil {
			if keyward.ErrorCode(err) == keyward.ErrInternalFailure {
				t.Fatalf("decode(%q) = internal error %v", form, err)
			}
			return
		}
		if _, ok := fm.Lookup("UserName"); !ok {
			t.Fatalf("decode(%q) accepted a form without UserName", form)
		}
	})
}

func fuzzModel(t *testing.T, form string) {
	for _, op := range []struct{ version, action string }{
		{VersionIAM, "CreateUser"}, {VersionIAM, "SimulateCustomPolicy"}, {VersionIAM, "CreateDelegationRequest"},
		{VersionIAM, "UpdateAccountPasswordPolicy"}, {VersionSTS, "AssumeRole"}, {VersionSTS, "AssumeRoot"},
		{VersionSTS, "AssumeRoleWithWebIdentity"},
	} {
		fm, err := ParseForm(form)
		if err != nil {
			return
		}
		var in struct{}
		err = planFor(reflectTypeOf(&in)).decode(&Request{Form: *fm, Service: &Service{Version: op.version}}, op.action, reflectValueOf(&in))
		if keyward.ErrorCode(err) == keyward.ErrInternalFailure {
			t.Fatalf("%s(%q) = internal error %v", op.action, form, err)
		}
		if err != nil {
			continue
		}
		o, _ := findOperation(op.version, op.action)
		for _, m := range o.input.members {
			if !m.required {
				continue
			}
			if _, ok := fm.structure(m.wire); !ok && !fm.Has(m.wire) {
				t.Fatalf("%s(%q) accepted a form without %s", op.action, form, m.wire)
			}
		}
	}
}

func BenchmarkActions(b *testing.B) {
	h := Actions(&thingService{})["GetThing"]
	f, err := ParseForm("Action=GetThing&Version=2010-05-08&Name=box")
	if err != nil {
		b.Fatal(err)
	}
	caller := &keyward.Caller{}
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		req := &Request{Form: *f, Caller: caller}
		if _, err := h(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
