package awsquery

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

var (
	userNamePattern = MustPattern(`[\w+=,.@-]+`)
	pathPattern     = MustPattern(`(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`)
)

type testUser struct {
	UserName   string    `xml:"UserName"`
	Path       string    `xml:"Path"`
	CreateDate Timestamp `xml:"CreateDate"`
	Tags       []Tag     `xml:"Tags>member"`
}

type createUserResult struct {
	User testUser `xml:"User"`
}

type contextEntry struct {
	Name   string   `xml:"ContextKeyName"`
	Values []string `xml:"ContextKeyValues>member"`
	Type   string   `xml:"ContextKeyType"`
}

type listResult struct {
	Names    []string       `xml:"Names>member"`
	Entries  []contextEntry `xml:"Entries>member"`
	MaxItems int            `xml:"MaxItems,omitempty"`
	Attached bool           `xml:"Attached,omitempty"`
	Caller   string         `xml:"Caller"`
}

// testService is a fake IAM with actions that exercise the decoder.
func testService() *Service {
	return &Service{
		Name:      "iam",
		Namespace: NamespaceIAM,
		Version:   VersionIAM,
		Actions: map[string]Handler{
			"CreateUser": func(ctx context.Context, req *Request) (any, error) {
				f := &req.Form
				name := f.Required("UserName")
				if f.Has("UserName") {
					f.Validate("UserName", name, 1, 64, userNamePattern)
				}
				path, ok := f.Lookup("Path")
				if ok {
					f.Validate("Path", path, 1, 512, pathPattern)
				} else {
					path = "/"
				}
				tags := f.Tags()
				if err := f.Err(); err != nil {
					return nil, err
				}
				return &createUserResult{User: testUser{
					UserName:   name,
					Path:       path,
					CreateDate: Timestamp(time.Date(2026, 11, 26, 23, 52, 2, 123e6, time.UTC)),
					Tags:       tags,
				}}, nil
			},
			"DeleteUser": func(ctx context.Context, req *Request) (any, error) {
				req.Form.Required("UserName")
				return nil, req.Form.Err()
			},
			"List": func(ctx context.Context, req *Request) (any, error) {
				f := &req.Form
				var out listResult
				out.Names = f.List("Names")
				for _, m := range f.Members("Entries") {
					e := contextEntry{
						Name:   m.Required("ContextKeyName"),
						Values: m.List("ContextKeyValues"),
						Type:   m.Required("ContextKeyType"),
					}
					if m.Has("ContextKeyType") {
						m.ValidateEnum("ContextKeyType", e.Type, "string", "stringList", "numeric")
					}
					out.Entries = append(out.Entries, e)
				}
				if n, ok := f.Int("MaxItems"); ok {
					f.ValidateRange("MaxItems", n, 1, 1000)
					out.MaxItems = n
				}
				out.Attached, _ = f.Bool("OnlyAttached")
				out.Caller, _ = req.Caller.(string)
				return &out, f.Err()
			},
			"Fail": func(ctx context.Context, req *Request) (any, error) {
				return nil, fmt.Errorf("wrapped: %w", keyward.Errorf(req.Form.String("Code"), "%s", req.Form.String("Message")))
			},
			"Internal": func(ctx context.Context, req *Request) (any, error) {
				return nil, errors.New("database password=hunter2 exploded")
			},
			"Panic": func(ctx context.Context, req *Request) (any, error) {
				panic("boom")
			},
			"NilResult": func(ctx context.Context, req *Request) (any, error) {
				return (*createUserResult)(nil), nil
			},
			"BadResult": func(ctx context.Context, req *Request) (any, error) {
				return map[string]int{"a": 1}, nil
			},
		},
	}
}

// lockedBuffer collects log output written from server goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func newTestServer(t *testing.T, max int64) (*httptest.Server, *lockedBuffer) {
	t.Helper()
	logs := new(lockedBuffer)
	srv := &Server{
		Services: []*Service{testService(), {Name: "sts", Namespace: NamespaceSTS, Version: VersionSTS, Actions: map[string]Handler{
			"GetCallerIdentity": func(ctx context.Context, req *Request) (any, error) {
				return &struct {
					Arn string `xml:"Arn"`
				}{"arn:aws:iam::111122223333:user/alice"}, nil
			},
		}}},
		Authenticate: func(r *http.Request, body []byte, service string) (any, error) {
			if r.Header.Get("X-Test-Deny") != "" {
				return nil, keyward.Errorf(keyward.ErrSignatureDoesNotMatch, "The request signature we calculated does not match the signature you provided.")
			}
			return "caller-of-" + service, nil
		},
		Log:          slog.New(slog.NewTextHandler(logs, nil)),
		MaxBodyBytes: max,
	}
	ts := httptest.NewUnstartedServer(srv)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ts.Listener.Close()
	ts.Listener = l
	ts.Start()
	t.Cleanup(ts.Close)
	return ts, logs
}

type errorResponse struct {
	XMLName xml.Name `xml:"ErrorResponse"`
	Error   struct {
		Type    string  `xml:"Type"`
		Code    string  `xml:"Code"`
		Message *string `xml:"Message"`
	} `xml:"Error"`
	RequestID string `xml:"RequestId"`
}

type response struct {
	status int
	header http.Header
	body   string
}

func post(t *testing.T, url, body string, header ...string) response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, req)
}

func do(t *testing.T, req *http.Request) response {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return response{resp.StatusCode, resp.Header, string(b)}
}

var uuidRE = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestServer_Errors(t *testing.T) {
	ts, logs := newTestServer(t, 4096)
	iam := "Version=2010-05-08&"
	tests := []struct {
		name    string
		body    string
		header  []string
		status  int
		ns      string
		typ     string
		code    string
		message string // "-" for no Message element
	}{
		{"missing action", "Version=2010-05-08", nil, 400, NamespaceFault, "Sender", "MissingAction", "Missing Action"},
		{"unknown action", iam + "Action=CreateUsers", nil, 400, NamespaceFault, "Sender", "InvalidAction", "Could not find operation CreateUsers for version 2010-05-08"},
		{"empty action", iam + "Action=", nil, 400, NamespaceFault, "Sender", "InvalidAction", "Could not find operation  for version 2010-05-08"},
		{"missing version", "Action=CreateUser", nil, 400, NamespaceFault, "Sender", "InvalidAction", "Could not find operation CreateUser for version NO_VERSION_SPECIFIED"},
		{"empty version", "Action=CreateUser&Version=", nil, 400, NamespaceFault, "Sender", "InvalidAction", "Could not find operation CreateUser for version "},
		{"STS action under IAM version", iam + "Action=GetCallerIdentity", nil, 400, NamespaceFault, "Sender", "InvalidAction", "Could not find operation GetCallerIdentity for version 2010-05-08"},
		{"IAM action under STS version", "Version=2011-06-15&Action=CreateUser", nil, 400, NamespaceFault, "Sender", "InvalidAction", "Could not find operation CreateUser for version 2011-06-15"},
		{"first action wins", iam + "Action=Nope&Action=CreateUser", nil, 400, NamespaceFault, "Sender", "InvalidAction", "Could not find operation Nope for version 2010-05-08"},
		{"action is escaped", iam + "Action=%3Cx%3E", nil, 400, NamespaceFault, "Sender", "InvalidAction", "Could not find operation <x> for version 2010-05-08"},
		{"bad escape", iam + "Action=CreateUser&UserName=%zz", nil, 404, NamespaceFault, "Sender", "MalformedQueryString", "The query string contains a syntax error."},
		{"authentication fails", iam + "Action=CreateUser&UserName=bob", []string{"X-Test-Deny", "1"}, 403, NamespaceIAM, "Sender", "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."},
		{"missing required", iam + "Action=CreateUser", nil, 400, NamespaceIAM, "Sender", "ValidationError", "1 validation error detected: Value null at 'userName' failed to satisfy constraint: Member must not be null"},
		{"pattern", iam + "Action=CreateUser&UserName=a+b", nil, 400, NamespaceIAM, "Sender", "ValidationError", `1 validation error detected: Value 'a b' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+`},
		{"too long", iam + "Action=CreateUser&UserName=" + strings.Repeat("a", 65), nil, 400, NamespaceIAM, "Sender", "ValidationError", "1 validation error detected: Value '" + strings.Repeat("a", 65) + "' at 'userName' failed to satisfy constraint: Member must have length less than or equal to 64"},
		{"empty name: pattern and length", iam + "Action=CreateUser&UserName=", nil, 400, NamespaceIAM, "Sender", "ValidationError", `2 validation errors detected: Value '' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; Value '' at 'userName' failed to satisfy constraint: Member must have length greater than or equal to 1`},
		{"two members", iam + "Action=CreateUser&UserName=a*&Path=nope", nil, 400, NamespaceIAM, "Sender", "ValidationError", `2 validation errors detected: Value 'a*' at 'userName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+; Value 'nope' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: (\u002F)|(\u002F[\u0021-\u007E]+\u002F)`},
		{"tag key pattern", iam + "Action=CreateUser&UserName=bob&Tags.member.1.Key=a*&Tags.member.1.Value=v", nil, 400, NamespaceIAM, "Sender", "ValidationError", `1 validation error detected: Value 'a*' at 'tags.1.member.key' failed to satisfy constraint: Member must satisfy regular expression pattern: [\p{L}\p{Z}\p{N}_.:/=+\-@]+`},
		{"tag value missing", iam + "Action=CreateUser&UserName=bob&Tags.member.1.Key=a&Tags.member.1.Value=b&Tags.member.2.Key=c", nil, 400, NamespaceIAM, "Sender", "ValidationError", "1 validation error detected: Value null at 'tags.2.member.value' failed to satisfy constraint: Member must not be null"},
		{"tag value too long", iam + "Action=CreateUser&UserName=bob&Tags.member.1.Key=k&Tags.member.1.Value=" + strings.Repeat("v", 257), nil, 400, NamespaceIAM, "Sender", "ValidationError", "1 validation error detected: Value '" + strings.Repeat("v", 257) + "' at 'tags.1.member.value' failed to satisfy constraint: Member must have length less than or equal to 256"},
		{"enum in nested list", iam + "Action=List&Entries.member.1.ContextKeyName=k&Entries.member.1.ContextKeyType=bogus", nil, 400, NamespaceIAM, "Sender", "ValidationError", "1 validation error detected: Value 'bogus' at 'entries.1.member.contextKeyType' failed to satisfy constraint: Member must satisfy enum value set: [string, stringList, numeric]"},
		{"int range", iam + "Action=List&MaxItems=0", nil, 400, NamespaceIAM, "Sender", "ValidationError", "1 validation error detected: Value '0' at 'maxItems' failed to satisfy constraint: Member must have value greater than or equal to 1"},
		{"int with leading zero shows the number", iam + "Action=List&MaxItems=01001", nil, 400, NamespaceIAM, "Sender", "ValidationError", "1 validation error detected: Value '1001' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000"},
		{"int empty", iam + "Action=List&MaxItems=", nil, 400, NamespaceIAM, "Sender", "MalformedInput", "missing value for decimal type"},
		{"int garbage", iam + "Action=List&MaxItems=1.5", nil, 400, NamespaceIAM, "Sender", "MalformedInput", "-"},
		{"int overflow", iam + "Action=List&MaxItems=2147483648", nil, 400, NamespaceIAM, "Sender", "MalformedInput", "-"},
		{"bool garbage", iam + "Action=List&OnlyAttached=yes", nil, 400, NamespaceIAM, "Sender", "MalformedInput", "-"},
		{"handler error keeps code", iam + "Action=Fail&Code=NoSuchEntity&Message=The+user+with+name+bob+cannot+be+found.", nil, 404, NamespaceIAM, "Sender", "NoSuchEntity", "The user with name bob cannot be found."},
		{"conflict", iam + "Action=Fail&Code=EntityAlreadyExists&Message=User+with+name+bob+already+exists.", nil, 409, NamespaceIAM, "Sender", "EntityAlreadyExists", "User with name bob already exists."},
		{"service failure is Receiver", iam + "Action=Fail&Code=ServiceFailure&Message=x", nil, 500, NamespaceIAM, "Receiver", "ServiceFailure", "x"},
		{"access denied", iam + "Action=Fail&Code=AccessDenied&Message=no", nil, 403, NamespaceIAM, "Sender", "AccessDenied", "no"},
		{"message is escaped", iam + "Action=Fail&Code=InvalidInput&Message=%3C%26%3E", nil, 400, NamespaceIAM, "Sender", "InvalidInput", "<&>"},
		{"internal error hidden", iam + "Action=Internal", nil, 500, NamespaceIAM, "Receiver", "InternalFailure", keyward.ErrorMessage(errors.New("x"))},
		{"panic hidden", iam + "Action=Panic", nil, 500, NamespaceIAM, "Receiver", "InternalFailure", keyward.ErrorMessage(errors.New("x"))},
		{"unencodable result", iam + "Action=BadResult", nil, 500, NamespaceIAM, "Receiver", "InternalFailure", keyward.ErrorMessage(errors.New("x"))},
		{"body too large", iam + "Action=CreateUser&UserName=" + strings.Repeat("a", 4096), nil, 413, NamespaceFault, "Sender", "RequestEntityTooLarge", "Request body must not exceed 4096 bytes."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, ts.URL+"/", tt.body, tt.header...)
			if r.status != tt.status {
				t.Errorf("status = %d, want %d; body:\n%s", r.status, tt.status, r.body)
			}
			if ct := r.header.Get("Content-Type"); ct != "text/xml" {
				t.Errorf("Content-Type = %q, want %q", ct, "text/xml")
			}
			id := r.header.Get(HeaderRequestID)
			if !uuidRE.MatchString(id) {
				t.Errorf("%s = %q, want a UUIDv4", HeaderRequestID, id)
			}
			var e errorResponse
			if err := xml.Unmarshal([]byte(r.body), &e); err != nil {
				t.Fatalf("unmarshal %q: %v", r.body, err)
			}
			if e.XMLName.Space != tt.ns {
				t.Errorf("xmlns = %q, want %q", e.XMLName.Space, tt.ns)
			}
			if e.Error.Type != tt.typ || e.Error.Code != tt.code {
				t.Errorf("Type, Code = %q, %q, want %q, %q", e.Error.Type, e.Error.Code, tt.typ, tt.code)
			}
			switch {
			case tt.message == "-" && e.Error.Message != nil:
				t.Errorf("Message = %q, want no Message element", *e.Error.Message)
			case tt.message != "-" && e.Error.Message == nil:
				t.Errorf("no Message element, want %q", tt.message)
			case tt.message != "-" && *e.Error.Message != tt.message:
				t.Errorf("Message = %q, want %q", *e.Error.Message, tt.message)
			}
			if e.RequestID != id {
				t.Errorf("RequestId = %q, want the header's %q", e.RequestID, id)
			}
		})
	}
	// The internal errors were logged with their request ids, never sent.
	out := logs.String()
	if !strings.Contains(out, "hunter2") || !strings.Contains(out, "boom") || !strings.Contains(out, "request_id=") {
		t.Errorf("log lacks the internal errors with request ids:\n%s", out)
	}
}

func TestServer_InternalErrorNotSent(t *testing.T) {
	ts, logs := newTestServer(t, 0)
	r := post(t, ts.URL, "Action=Internal&Version=2010-05-08")
	if strings.Contains(r.body, "hunter2") || strings.Contains(r.body, "database") {
		t.Errorf("response leaks the internal error:\n%s", r.body)
	}
	id := r.header.Get(HeaderRequestID)
	if !strings.Contains(logs.String(), "request_id="+id) {
		t.Errorf("log does not name request %s:\n%s", id, logs.String())
	}
}

// The exact bytes of AWS's layout, request id aside.
func TestServer_ResponseBytes(t *testing.T) {
	ts, _ := newTestServer(t, 0)
	tests := []struct {
		name string
		body string
		want string
	}{
		{
			name: "result with tags and a timestamp",
			body: "Action=CreateUser&Version=2010-05-08&UserName=bob&Path=%2Fteam%2F&Tags.member.1.Key=env&Tags.member.1.Value=prod&Tags.member.2.Key=a+b&Tags.member.2.Value=",
			want: `<CreateUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <CreateUserResult>
    <User>
      <UserName>bob</UserName>
      <Path>/team/</Path>
      <CreateDate>2026-11-26T23:52:02Z</CreateDate>
      <Tags>
        <member>
          <Key>env</Key>
          <Value>prod</Value>
        </member>
        <member>
          <Key>a b</Key>
          <Value></Value>
        </member>
      </Tags>
    </User>
  </CreateUserResult>
  <ResponseMetadata>
    <RequestId>ID</RequestId>
  </ResponseMetadata>
</CreateUserResponse>
`,
		},
		{
			name: "no result",
			body: "Action=DeleteUser&Version=2010-05-08&UserName=bob",
			want: `<DeleteUserResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ResponseMetadata>
    <RequestId>ID</RequestId>
  </ResponseMetadata>
</DeleteUserResponse>
`,
		},
		{
			name: "typed nil result",
			body: "Action=NilResult&Version=2010-05-08",
			want: `<NilResultResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/">
  <ResponseMetadata>
    <RequestId>ID</RequestId>
  </ResponseMetadata>
</NilResultResponse>
`,
		},
		{
			name: "STS",
			body: "Action=GetCallerIdentity&Version=2011-06-15",
			want: `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <GetCallerIdentityResult>
    <Arn>arn:aws:iam::111122223333:user/alice</Arn>
  </GetCallerIdentityResult>
  <ResponseMetadata>
    <RequestId>ID</RequestId>
  </ResponseMetadata>
</GetCallerIdentityResponse>
`,
		},
	}
	// Twice, so that the second round runs on pooled encoders.
	for round := 0; round < 2; round++ {
		for _, tt := range tests {
			r := post(t, ts.URL, tt.body)
			if r.status != 200 {
				t.Fatalf("%s: status %d:\n%s", tt.name, r.status, r.body)
			}
			got := strings.ReplaceAll(r.body, r.header.Get(HeaderRequestID), "ID")
			if got != tt.want {
				t.Errorf("%s (round %d): body =\n%s\nwant\n%s", tt.name, round, got, tt.want)
			}
		}
	}
}

func TestServer_Decoding(t *testing.T) {
	ts, _ := newTestServer(t, 0)
	tests := []struct {
		name   string
		method string
		query  string
		body   string
		want   listResult
	}{
		{
			name:   "list in order, stops at gap",
			method: "POST",
			body:   "Action=List&Version=2010-05-08&Names.member.2=b&Names.member.1=a&Names.member.4=d",
			want:   listResult{Names: []string{"a", "b"}, Caller: "caller-of-iam"},
		},
		{
			name:   "nested lists of structures",
			method: "POST",
			body: "Action=List&Version=2010-05-08" +
				"&Entries.member.1.ContextKeyName=aws%3ASourceIp&Entries.member.1.ContextKeyType=string&Entries.member.1.ContextKeyValues.member.1=10.0.0.1" +
				"&Entries.member.2.ContextKeyName=aws%3ATagKeys&Entries.member.2.ContextKeyType=stringList" +
				"&Entries.member.2.ContextKeyValues.member.1=a&Entries.member.2.ContextKeyValues.member.2=b" +
				"&Entries.member.4.ContextKeyName=skipped&Entries.member.4.ContextKeyType=string",
			want: listResult{Entries: []contextEntry{
				{Name: "aws:SourceIp", Values: []string{"10.0.0.1"}, Type: "string"},
				{Name: "aws:TagKeys", Values: []string{"a", "b"}, Type: "stringList"},
			}, Caller: "caller-of-iam"},
		},
		{
			name:   "GET query",
			method: "GET",
			query:  "Action=List&Version=2010-05-08&MaxItems=%2B10&OnlyAttached=true&Names.member.1=x",
			want:   listResult{Names: []string{"x"}, MaxItems: 10, Attached: true, Caller: "caller-of-iam"},
		},
		{
			name:   "body before query",
			method: "POST",
			query:  "MaxItems=7&Names.member.1=fromquery",
			body:   "Action=List&Version=2010-05-08&MaxItems=5",
			want:   listResult{Names: []string{"fromquery"}, MaxItems: 5, Caller: "caller-of-iam"},
		},
		{
			name:   "first value wins, unknown ignored",
			method: "POST",
			body:   "Action=List&Version=2010-05-08&MaxItems=5&MaxItems=0&Whatever=1&&",
			want:   listResult{MaxItems: 5, Caller: "caller-of-iam"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(tt.method, ts.URL+"/any/path?"+tt.query, strings.NewReader(tt.body))
			if err != nil {
				t.Fatal(err)
			}
			if tt.body != "" {
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			}
			r := do(t, req)
			if r.status != 200 {
				t.Fatalf("status %d:\n%s", r.status, r.body)
			}
			var got struct {
				Result listResult `xml:"ListResult"`
			}
			if err := xml.Unmarshal([]byte(r.body), &got); err != nil {
				t.Fatal(err)
			}
			if !equalList(got.Result, tt.want) {
				t.Errorf("result = %+v, want %+v", got.Result, tt.want)
			}
		})
	}
}

func equalList(a, b listResult) bool {
	if a.MaxItems != b.MaxItems || a.Attached != b.Attached || a.Caller != b.Caller ||
		strings.Join(a.Names, "|") != strings.Join(b.Names, "|") || len(a.Entries) != len(b.Entries) {
		return false
	}
	for i := range a.Entries {
		x, y := a.Entries[i], b.Entries[i]
		if x.Name != y.Name || x.Type != y.Type || strings.Join(x.Values, "|") != strings.Join(y.Values, "|") {
			return false
		}
	}
	return true
}

func TestServer_Method(t *testing.T) {
	ts, _ := newTestServer(t, 0)
	req, _ := http.NewRequest(http.MethodPut, ts.URL+"/?Action=List&Version=2010-05-08", nil)
	r := do(t, req)
	if r.status != 405 || !strings.Contains(r.body, "<Code>MethodNotAllowed</Code>") {
		t.Errorf("PUT: status %d, body\n%s\nwant 405 MethodNotAllowed", r.status, r.body)
	}
}

func TestServer_NilAuthenticator(t *testing.T) {
	srv := &Server{Services: []*Service{testService()}}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/?Action=List&Version=2010-05-08", nil))
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "<Code>InternalFailure</Code>") {
		t.Errorf("nil Authenticate: status %d, body\n%s\nwant 500 InternalFailure", rec.Code, rec.Body)
	}
}

func TestServer_FormOnlyWithFormContentType(t *testing.T) {
	ts, _ := newTestServer(t, 0)
	req, _ := http.NewRequest(http.MethodPost, ts.URL, strings.NewReader("Action=List&Version=2010-05-08"))
	req.Header.Set("Content-Type", "application/json")
	r := do(t, req)
	if r.status != 400 || !strings.Contains(r.body, "<Code>MissingAction</Code>") {
		t.Errorf("JSON body: status %d, body\n%s\nwant 400 MissingAction", r.status, r.body)
	}
}

func TestNewRequestID(t *testing.T) {
	seen := map[string]bool{}
	for range 100 {
		id := NewRequestID()
		if !uuidRE.MatchString(id) {
			t.Fatalf("NewRequestID() = %q, want a UUIDv4", id)
		}
		if seen[id] {
			t.Fatalf("NewRequestID() repeated %q", id)
		}
		seen[id] = true
	}
}

// discardWriter is the least a ResponseWriter can be, so that the
// benchmark measures this package and not net/http.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }
func (d *discardWriter) WriteHeader(int)             {}

func BenchmarkServer_GetCallerIdentity(b *testing.B) {
	type result struct {
		Arn     string `xml:"Arn"`
		UserID  string `xml:"UserId"`
		Account string `xml:"Account"`
	}
	res := &result{"arn:aws:iam::111122223333:user/alice", "AIDAEXAMPLE", "111122223333"}
	srv := &Server{
		Services: []*Service{{Name: "sts", Namespace: NamespaceSTS, Version: VersionSTS, Actions: map[string]Handler{
			"GetCallerIdentity": func(ctx context.Context, req *Request) (any, error) { return res, nil },
		}}},
		Authenticate: func(*http.Request, []byte, string) (any, error) { return nil, nil },
	}
	body := "Action=GetCallerIdentity&Version=2011-06-15"
	req := httptest.NewRequest("POST", "/", nil)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	rd := strings.NewReader(body)
	req.Body = io.NopCloser(rd)
	req.ContentLength = int64(len(body))
	w := &discardWriter{h: http.Header{}}
	b.ReportAllocs()
	for b.Loop() {
		rd.Reset(body)
		clear(w.h)
		srv.ServeHTTP(w, req)
	}
}

func BenchmarkForm_Tags(b *testing.B) {
	v := url.Values{}
	for i := 1; i <= 10; i++ {
		v.Set(fmt.Sprintf("Tags.member.%d.Key", i), fmt.Sprintf("key%d", i))
		v.Set(fmt.Sprintf("Tags.member.%d.Value", i), "value")
	}
	v.Set("Action", "TagUser")
	v.Set("UserName", "alice")
	enc := v.Encode()
	b.ReportAllocs()
	for b.Loop() {
		f, err := ParseForm(enc)
		if err != nil {
			b.Fatal(err)
		}
		if tags := f.Tags(); len(tags) != 10 || f.Err() != nil {
			b.Fatalf("Tags() = %v, %v", tags, f.Err())
		}
	}
}
