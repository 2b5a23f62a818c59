package policy_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/keyward/keyward/policy"
)

// awsCase is one document and what IAM answers for it: testdata/awsmessages
// holds documents sent to AWS and the MalformedPolicyDocument message it
// returned (awsMessage), or null when AWS accepted the document. Each case
// says where the fact was seen; see the NOTICE there.
type awsCase struct {
	Name    string `json:"name"`
	Source  string `json:"source"`
	Type    string `json:"type"`
	Managed bool   `json:"managed"`
	// Document is the policy as sent: a JSON object as written, or a JSON
	// string holding text that is sent as is (not JSON, say).
	Document   json.RawMessage `json:"document"`
	AWSMessage *string         `json:"awsMessage"`
	// Path, when given, is where Keyward's explanation must point.
	Path *string `json:"path"`
	// Override records where Keyward answers otherwise than the source, and
	// why: another AWS source that contradicts it.
	Override *struct {
		AWSMessage *string `json:"awsMessage"`
		Why        string  `json:"why"`
	} `json:"override"`
}

func loadAWSCases(t *testing.T) []awsCase {
	t.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "awsmessages", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no AWS message cases: %v", err)
	}
	var all []awsCase
	names := map[string]bool{}
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var cases []awsCase
		dec := json.NewDecoder(bytes.NewReader(data))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&cases); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		for _, c := range cases {
			if c.Name == "" || c.Source == "" || len(c.Document) == 0 {
				t.Fatalf("%s: case %q lacks a name, source or document", f, c.Name)
			}
			if names[c.Name] {
				t.Fatalf("%s: case name %q used twice", f, c.Name)
			}
			names[c.Name] = true
			all = append(all, c)
		}
	}
	return all
}

func (c awsCase) text(t *testing.T) []byte {
	if c.Document[0] == '"' {
		var s string
		if err := json.Unmarshal(c.Document, &s); err != nil {
			t.Fatal(err)
		}
		return []byte(s)
	}
	return c.Document
}

// TestParse_AWSMessages: every document AWS accepted parses, and every one
// it refused draws AWS's exact message, with Keyward's own explanation
// pointing at a real line and column.
func TestParse_AWSMessages(t *testing.T) {
	cases := loadAWSCases(t)
	valid, invalid := 0, 0
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			typ, ok := policy.ParseType(c.Type)
			if !ok {
				t.Fatalf("unknown type %q", c.Type)
			}
			doc := c.text(t)
			if c.Override != nil {
				if c.Override.Why == "" {
					t.Fatalf("case %s overrides its source without saying why", c.Name)
				}
				c.AWSMessage = c.Override.AWSMessage
			}
			_, err := policy.ParseWith(doc, typ, policy.Options{Managed: c.Managed})
			if c.AWSMessage == nil {
				valid++
				if err != nil {
					t.Fatalf("ParseWith(%s) = %v, want no error: AWS accepts it (%s)", doc, err, c.Source)
				}
				return
			}
			invalid++
			pe, ok := err.(*policy.ParseError)
			if !ok {
				t.Fatalf("ParseWith(%s) error = %v (%T), want a *ParseError with AWS message %q (%s)", doc, err, err, *c.AWSMessage, c.Source)
			}
			if pe.AWSMessage != *c.AWSMessage {
				t.Errorf("ParseWith(%s).AWSMessage = %q, want %q (%s; Keyward: %v)", doc, pe.AWSMessage, *c.AWSMessage, c.Source, pe)
			}
			if pe.Line < 1 || pe.Column < 1 || pe.Message == "" {
				t.Errorf("ParseWith(%s) = %d:%d %q, want a position and an explanation", doc, pe.Line, pe.Column, pe.Message)
			}
			if c.Path != nil && pe.Path != *c.Path {
				t.Errorf("ParseWith(%s).Path = %q, want %q (%v)", doc, pe.Path, *c.Path, pe)
			}
			// Validate lists the same problem among all it finds.
			found := false
			for _, e := range policy.ValidateWith(doc, typ, policy.Options{Managed: c.Managed}) {
				found = found || *e == *pe
			}
			if !found {
				t.Errorf("ValidateWith(%s) does not list Parse's error %v", doc, pe)
			}
		})
	}
	if valid < 40 || invalid < 60 {
		t.Errorf("%d valid and %d invalid documents, want at least 40 and 60", valid, invalid)
	}
}

// TestParse_ManagedVersion: only Options.Managed requires 2012-10-17; Parse
// (inline policies) accepts a document without Version or with 2008-10-17.
func TestParse_ManagedVersion(t *testing.T) {
	for _, version := range []string{"", `"Version":"2008-10-17",`} {
		doc := []byte(`{` + version + `"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}`)
		if _, err := policy.Parse(doc, policy.Identity); err != nil {
			t.Errorf("Parse(%s) = %v, want no error (inline policies may omit Version)", doc, err)
		}
		_, err := policy.ParseWith(doc, policy.Identity, policy.Options{Managed: true})
		pe, _ := err.(*policy.ParseError)
		if pe == nil || pe.AWSMessage != "Policy document must be version 2012-10-17 or greater." || pe.Path != "Version" {
			t.Errorf("ParseWith(%s, Managed) = %v, want the version error at Version", doc, err)
		}
	}
}

// TestParseError_AWSMessageNeverEmpty: whatever the document, a parse error
// carries an AWS message, so the API always has AWS's text to answer with.
func TestParseError_AWSMessageNeverEmpty(t *testing.T) {
	docs := []string{
		``, `[]`, `{`, `{"Statement":[]}`, `{"Version":"1"}`,
		`{"Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"arn:aws:s3:::b","Condition":{"StringEquals":{"a":"b","A":"c"}}}}`,
		`{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:Get","Resource":"arn:aws:s3:::b/${x"}}`,
		`{"Statement":{"Effect":"Allow","NotPrincipal":{"AWS":"*"},"Action":"sts:AssumeRole"}}`,
	}
	for _, d := range docs {
		for _, typ := range []policy.Type{policy.Identity, policy.Resource, policy.Trust, policy.Boundary, policy.Session, policy.SCP} {
			for _, e := range policy.ValidateWith([]byte(d), typ, policy.Options{Managed: true}) {
				if e.AWSMessage == "" || strings.TrimSpace(e.AWSMessage) != e.AWSMessage {
					t.Errorf("ValidateWith(%s, %s) found %v with AWS message %q", d, typ, e, e.AWSMessage)
				}
			}
		}
	}
}

// TestParse_Stored: a document stored before IAM's write-time checks were
// made (a trust policy naming another action, a resource ARN IAM refuses)
// still reads, so the roles and users it belongs to keep working; the
// grammar still holds.
func TestParse_Stored(t *testing.T) {
	for _, tt := range []struct {
		name string
		typ  policy.Type
		doc  string
		ok   bool
	}{
		{"trust action", policy.Trust, `{"Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole","sts:GetCallerIdentity"]}}`, true},
		{"region in an IAM ARN", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"iam:GetUser","Resource":"arn:aws:iam:us-east-1::user/a"}}`, true},
		{"short ARN", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3::b"}}`, true},
		{"grammar", policy.Identity, `{"Statement":{"Effect":"Allow","Action":"s3:GetObject"}}`, false},
		{"effect case", policy.Identity, `{"Statement":{"Effect":"allow","Action":"s3:GetObject","Resource":"*"}}`, false},
	} {
		if _, err := policy.Parse([]byte(tt.doc), tt.typ); err == nil {
			t.Errorf("%s: Parse(%s) accepted it, want IAM's write-time refusal", tt.name, tt.doc)
		}
		_, err := policy.ParseWith([]byte(tt.doc), tt.typ, policy.Options{Stored: true})
		if (err == nil) != tt.ok {
			t.Errorf("%s: ParseWith(%s, Stored) = %v, want ok %v", tt.name, tt.doc, err, tt.ok)
		}
	}
}
