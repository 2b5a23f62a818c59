package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

// workloadDir holds the repository's one copy of the workload (its README says where it
// comes from); policy's TestWorkload_Role10x47 reads it too.
const workloadDir = "testdata/role-10x47"

// workload is role-10x47: ten identity policy documents and four requests.
type workload struct {
	documents []json.RawMessage // policies.jsonl, one JSON document per line
	cases     []workloadCase
}

// workloadCase is one element of requests.json.
type workloadCase struct {
	Name    string          `json:"name"`
	Want    string          `json:"want"`    // "allowed", "explicitDeny" or "implicitDeny"
	Request json.RawMessage `json:"request"` // a `keyward policy eval` request
}

// evalRequest is the part of a `keyward policy eval` request the Cedar side reads.
// (The Keyward side hands the whole request to policy.DecodeInput.)
type evalRequest struct {
	Principal        string                  `json:"principal"`
	Action           string                  `json:"action"`
	Resource         string                  `json:"resource"`
	Context          map[string]stringOrList `json:"context"`
	IdentityPolicies []json.RawMessage       `json:"identityPolicies"`
}

// stringOrList is a JSON string or array of strings, as IAM and the eval request allow.
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = stringOrList{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("want a string or an array of strings, got %s", b)
	}
	*s = many
	return nil
}

// loadWorkload reads the workload and checks that every request carries exactly the
// documents of policies.jsonl, so that one translation to Cedar serves all four.
func loadWorkload(tb testing.TB) *workload {
	tb.Helper()
	jsonl, err := os.ReadFile(filepath.Join(workloadDir, "policies.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	w := &workload{}
	sc := bufio.NewScanner(bytes.NewReader(jsonl))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			w.documents = append(w.documents, bytes.Clone(line))
		}
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	raw, err := os.ReadFile(filepath.Join(workloadDir, "requests.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(raw, &w.cases); err != nil {
		tb.Fatalf("requests.json: %v", err)
	}
	if len(w.documents) != 10 || len(w.cases) != 4 {
		tb.Fatalf("workload has %d documents and %d requests, want 10 and 4", len(w.documents), len(w.cases))
	}
	for _, c := range w.cases {
		r, err := c.evalRequest()
		if err != nil {
			tb.Fatalf("request %s: %v", c.Name, err)
		}
		if !sameJSONList(r.IdentityPolicies, w.documents) {
			tb.Fatalf("request %s: identityPolicies differ from policies.jsonl", c.Name)
		}
	}
	return w
}

func (c workloadCase) evalRequest() (evalRequest, error) {
	var r evalRequest
	err := json.Unmarshal(c.Request, &r)
	return r, err
}

// sameJSONList reports whether a and b hold the same JSON values, in order.
func sameJSONList(a, b []json.RawMessage) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		var x, y any
		if json.Unmarshal(a[i], &x) != nil || json.Unmarshal(b[i], &y) != nil || !reflect.DeepEqual(x, y) {
			return false
		}
	}
	return true
}

// variants are requests derived from the workload's four, each changing one thing, with
// the decision IAM gives. They test the translation to Cedar (and the two engines
// against each other) beyond the four the benchmarks time.
var variants = []struct {
	name, base, want string
	set              map[string]string // request fields to replace
	context          map[string]any    // context keys to replace; nil deletes the key
}{
	{name: "insecure_transport", base: "allow_late", want: "explicitDeny",
		context: map[string]any{"aws:SecureTransport": "false"}},
	{name: "outside_network", base: "allow_late", want: "explicitDeny",
		context: map[string]any{"aws:SourceIp": "203.0.113.7"}},
	{name: "no_source_ip", base: "allow_late", want: "explicitDeny", // NotIpAddress: a missing key is a match
		context: map[string]any{"aws:SourceIp": nil}},
	{name: "second_network_no_allow", base: "allow_late", want: "implicitDeny", // not denied, but Analytics1 wants 10/8
		context: map[string]any{"aws:SourceIp": "192.168.4.5"}},
	{name: "ipv6_outside", base: "allow_late", want: "explicitDeny",
		context: map[string]any{"aws:SourceIp": "2001:db8::1"}},
	{name: "other_home", base: "allow_var", want: "implicitDeny",
		set: map[string]string{"resource": "arn:aws:s3:::home-bucket/bob/notes.txt"}},
	{name: "home_nested", base: "allow_var", want: "implicitDeny",
		set: map[string]string{"resource": "arn:aws:s3:::home-bucket/bob/alice/notes.txt"}},
	{name: "home_root_object", base: "allow_var", want: "implicitDeny",
		set: map[string]string{"resource": "arn:aws:s3:::home-bucket/alice"}},
	{name: "home_as_bob", base: "allow_var", want: "allowed",
		set:     map[string]string{"principal": "arn:aws:iam::111122223333:user/bob", "resource": "arn:aws:s3:::home-bucket/bob/notes.txt"},
		context: map[string]any{"aws:username": "bob"}},
	{name: "home_delete_not_listed", base: "allow_var", want: "implicitDeny",
		set: map[string]string{"action": "s3:DeleteObjectVersion"}},
	{name: "shared_read", base: "implicit_deny", want: "allowed",
		set: map[string]string{"resource": "arn:aws:s3:::shared-docs/a/b.txt"}},
	{name: "shared_write", base: "implicit_deny", want: "implicitDeny",
		set: map[string]string{"action": "s3:PutObject", "resource": "arn:aws:s3:::shared-docs/a/b.txt"}},
	{name: "action_case", base: "allow_late", want: "allowed",
		set: map[string]string{"action": "S3:getOBJECT"}},
	{name: "delete_prod_bucket", base: "implicit_deny", want: "explicitDeny",
		set: map[string]string{"action": "s3:DeleteBucket", "resource": "arn:aws:s3:::app1-prod"}},
	{name: "scratch_object_wildcard", base: "implicit_deny", want: "allowed",
		set: map[string]string{"action": "s3:PutObjectAcl", "resource": "arn:aws:s3:::app3-scratch/tmp/x"}},
	{name: "scratch_bucket_action", base: "implicit_deny", want: "implicitDeny",
		set: map[string]string{"action": "s3:ListBucket", "resource": "arn:aws:s3:::app3-scratch"}},
	{name: "list_all_buckets", base: "implicit_deny", want: "allowed",
		set: map[string]string{"action": "s3:ListAllMyBuckets", "resource": "arn:aws:s3:::anything"}},
	{name: "list_home", base: "implicit_deny", want: "allowed",
		set: map[string]string{"action": "s3:ListBucket", "resource": "arn:aws:s3:::home-bucket"}},
	{name: "staging_data", base: "implicit_deny", want: "allowed",
		set: map[string]string{"action": "s3:GetObjectVersion", "resource": "arn:aws:s3:::app5-staging/data/2024/x"}},
	{name: "other_service", base: "implicit_deny", want: "implicitDeny",
		set: map[string]string{"action": "sqs:SendMessage", "resource": "arn:aws:sqs:us-east-1:111122223333:q"}},
}

// variantCases returns the variants as workload cases.
func variantCases(tb testing.TB, w *workload) []workloadCase {
	tb.Helper()
	bases := map[string]json.RawMessage{}
	for _, c := range w.cases {
		bases[c.Name] = c.Request
	}
	var cases []workloadCase
	for _, v := range variants {
		var req map[string]any
		if err := json.Unmarshal(bases[v.base], &req); err != nil {
			tb.Fatalf("variant %s: base %q: %v", v.name, v.base, err)
		}
		for k, s := range v.set {
			req[k] = s
		}
		ctx, _ := req["context"].(map[string]any)
		for k, x := range v.context {
			if x == nil {
				delete(ctx, k)
			} else {
				ctx[k] = x
			}
		}
		raw, err := json.Marshal(req)
		if err != nil {
			tb.Fatal(err)
		}
		cases = append(cases, workloadCase{Name: v.name, Want: v.want, Request: raw})
	}
	return cases
}
