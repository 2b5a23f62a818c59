package audit_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/audit"
	"github.com/keyward/keyward/internal/authz"
	"github.com/keyward/keyward/internal/sqlite"
	"github.com/keyward/keyward/policy"
)

var t0 = time.Date(2026, 11, 27, 1, 0, 0, 0, time.UTC)

func readAll(t *testing.T, path string, f audit.Filter) []*audit.Record {
	t.Helper()
	fh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var out []*audit.Record
	if err := audit.Read(fh, f, func(r *audit.Record) error { out = append(out, r); return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

func TestWriter_Rotation(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	w, err := audit.Open(path, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	write := func(id string) {
		t.Helper()
		if err := w.Write(&audit.Record{Time: t0, RequestID: id}); err != nil {
			t.Fatal(err)
		}
	}
	write("1")
	// Rotation with a signal: move the file, then Reopen.
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	write("2") // still the moved file: the Writer has not looked yet
	if err := w.Reopen(); err != nil {
		t.Fatal(err)
	}
	write("3")
	ids := func(p string) []string {
		var out []string
		for _, r := range readAll(t, p, audit.Filter{}) {
			out = append(out, r.RequestID)
		}
		return out
	}
	if got := ids(path + ".1"); !slices.Equal(got, []string{"1", "2"}) {
		t.Errorf("rotated file has %q, want [1 2]", got)
	}
	if got := ids(path); !slices.Equal(got, []string{"3"}) {
		t.Errorf("new file has %q, want [3]", got)
	}
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("audit file mode = %v, want 0600", info.Mode().Perm())
	}
}

func TestWriter_NoticesMove(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "audit.log")
	w, err := audit.Open(path, false, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	w.Write(&audit.Record{RequestID: "1"})
	os.Rename(path, path+".old")
	time.Sleep(1100 * time.Millisecond) // the Writer looks at most once a second
	w.Write(&audit.Record{RequestID: "2"})
	got := readAll(t, path, audit.Filter{})
	if len(got) != 1 || got[0].RequestID != "2" {
		t.Errorf("after a move without SIGHUP the path holds %+v, want request 2 only", got)
	}
}

func TestWriter_Stdout(t *testing.T) {
	var buf bytes.Buffer
	w, err := audit.Open("-", true, &buf)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(&audit.Record{Time: t0, RequestID: "r", Caller: "arn:aws:iam::111122223333:user/alice", Decision: "allowed"})
	want := `{"time":"2026-11-27T01:00:00Z","requestId":"r","caller":"arn:aws:iam::111122223333:user/alice","decision":"allowed","durationMs":0}` + "\n"
	if buf.String() != want {
		t.Errorf("line = %q, want %q", buf.String(), want)
	}
}

func TestFilter(t *testing.T) {
	recs := []audit.Record{
		{Time: t0, RequestID: "a", Caller: "arn:aws:iam::1:user/alice", Action: "iam:GetUser", Decision: "allowed"},
		{Time: t0.Add(time.Hour), RequestID: "b", Caller: "arn:aws:sts::1:assumed-role/r/s", PrincipalARN: "arn:aws:iam::1:role/r", Action: "iam:CreateUser", Decision: "implicitDeny", Enforcement: "log"},
		{Time: t0.Add(2 * time.Hour), RequestID: "c", Caller: "arn:aws:iam::1:user/bob", Action: "sts:AssumeRole", Decision: "explicitDeny",
			Decisions: []audit.Decision{{Action: "sts:AssumeRole", Decision: "allowed"}, {Action: "iam:PassRole", Decision: "explicitDeny"}}},
	}
	tests := []struct {
		name string
		f    audit.Filter
		want string
	}{
		{"all", audit.Filter{}, "abc"},
		{"principal", audit.Filter{Principal: "arn:aws:iam::1:user/alice"}, "a"},
		{"principal prefix", audit.Filter{Principal: "arn:aws:iam::1:user/*"}, "ac"},
		{"role of a session", audit.Filter{Principal: "arn:aws:iam::1:role/r"}, "b"},
		{"action, any case", audit.Filter{Action: "IAM:getuser"}, "a"},
		{"action prefix", audit.Filter{Action: "iam:*"}, "abc"},
		{"denied", audit.Filter{Decision: "denied"}, "bc"},
		{"log", audit.Filter{Decision: "log"}, "b"},
		{"explicitDeny", audit.Filter{Decision: "explicitDeny"}, "c"},
		{"since", audit.Filter{Since: t0.Add(time.Hour)}, "bc"},
		{"until", audit.Filter{Until: t0.Add(time.Hour)}, "a"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := ""
			for i := range recs {
				if tt.f.Match(&recs[i]) {
					got += recs[i].RequestID
				}
			}
			if got != tt.want {
				t.Errorf("Filter%+v matches %q, want %q", tt.f, got, tt.want)
			}
		})
	}
}

// record builds the line the server writes for one authorization.
func record(action, resource string, d policy.Decision, soft bool) *audit.Record {
	p := &audit.Pending{}
	ad := authz.Decision{Action: action, Resource: resource, Result: policy.Result{Decision: d}}
	p.Add(ad)
	if soft {
		p.LetThrough(ad)
	}
	r := &audit.Record{Action: action, Caller: "arn:aws:iam::111122223333:user/worker"}
	r.SetDecisions(p.Decisions())
	return r
}

// TestGenerate replays a recorded workload against the generated policy:
// every authorization of the workload is allowed, and neighbouring actions
// and resources are not.
func TestGenerate(t *testing.T) {
	const acct = "arn:aws:iam::111122223333:"
	var workload []*audit.Record
	for _, u := range []string{"ann", "ben"} {
		workload = append(workload,
			record("iam:CreateUser", acct+"user/team/"+u, policy.Allowed, false),
			record("iam:TagUser", acct+"user/team/"+u, policy.Allowed, false),
		)
	}
	workload = append(workload,
		record("iam:ListUsers", acct+"user/", policy.Allowed, false),
		record("iam:GetRole", acct+"role/app", policy.ImplicitDeny, true),     // let through in log mode: needed
		record("iam:DeleteRole", acct+"role/app", policy.ImplicitDeny, false), // denied: not needed
		record("sts:GetCallerIdentity", "*", policy.Allowed, false),
	)
	doc, err := audit.Generate(workload)
	if err != nil {
		t.Fatal(err)
	}
	d, err := policy.Parse(doc, policy.Identity)
	if err != nil {
		t.Fatalf("generated policy does not parse: %v\n%s", err, doc)
	}
	ps := policy.Policies{Identity: policy.NewSet(policy.Policy{ID: "generated", Document: d})}
	decide := func(action, resource string) policy.Decision {
		req := policy.Request{Principal: "arn:aws:iam::111122223333:user/worker", Action: action, Resource: resource}
		return ps.Decide(&req)
	}
	for _, r := range workload {
		for _, x := range r.All() {
			want := policy.Allowed
			if x.Decision != "allowed" && x.Enforcement != "log" {
				want = policy.ImplicitDeny
			}
			if got := decide(x.Action, x.Resource); got != want {
				t.Errorf("generated policy decides %s on %s = %s, want %s\n%s", x.Action, x.Resource, got, want, doc)
			}
		}
	}
	for _, n := range [][2]string{
		{"iam:DeleteUser", acct + "user/team/ann"},  // a neighbouring action
		{"iam:CreateUser", acct + "user/team/carl"}, // a neighbouring resource
		{"iam:CreateUser", acct + "user/ann"},       // another path
		{"sts:AssumeRole", "*"},
	} {
		if got := decide(n[0], n[1]); got != policy.ImplicitDeny {
			t.Errorf("generated policy decides %s on %s = %s, want implicitDeny\n%s", n[0], n[1], got, doc)
		}
	}
	if strings.Count(string(doc), `"Sid"`) != 4 { // iam: user actions, ListUsers, GetRole; sts
		t.Errorf("generated policy has %d statements, want 4:\n%s", strings.Count(string(doc), `"Sid"`), doc)
	}
}

func TestGenerate_Generalizes(t *testing.T) {
	var workload []*audit.Record
	for i := range 25 {
		workload = append(workload, record("iam:GetUser", "arn:aws:iam::111122223333:user/team"+string(rune('a'+i%3))+"/u"+string(rune('a'+i)), policy.Allowed, false))
	}
	doc, err := audit.Generate(workload)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"arn:aws:iam::111122223333:user/teama/*"`, `"arn:aws:iam::111122223333:user/teamb/*"`, `"arn:aws:iam::111122223333:user/teamc/*"`} {
		if !strings.Contains(string(doc), want) {
			t.Errorf("generated policy lacks %s:\n%s", want, doc)
		}
	}
	if _, err := audit.Generate(nil); err == nil {
		t.Errorf("Generate(nothing) succeeded, want an error")
	}
}

func TestTracker(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	acct := "111122223333"
	err = st.Update(ctx, func(tx keyward.Tx) error {
		if err := tx.CreateAccount(keyward.Account{ID: acct, CreateDate: t0}); err != nil {
			return err
		}
		return tx.CreateRole(keyward.Role{AccountID: acct, ID: "AROAEXAMPLEEXAMPLE123", Name: "app", Path: "/", ARN: "arn:aws:iam::" + acct + ":role/app",
			AssumeRolePolicyDocument: "{}", MaxSessionDuration: 3600, CreateDate: t0})
	})
	if err != nil {
		t.Fatal(err)
	}
	now := t0
	tr := &audit.Tracker{Store: st, Clock: func() time.Time { return now }}
	session := &keyward.Caller{Kind: keyward.CallerAssumedRole, AccountID: acct, ARN: "arn:aws:sts::" + acct + ":assumed-role/app/s", RoleName: "app", RoleARN: "arn:aws:iam::" + acct + ":role/app"}
	use := func() {
		t.Helper()
		if err := tr.Used(ctx, session, "iam", "ListUsers", "eu-west-1"); err != nil {
			t.Fatal(err)
		}
	}
	use()
	now = t0.Add(30 * time.Second)
	use() // within the minute: not written
	acts, err := st.ListActivity(ctx, acct)
	if err != nil {
		t.Fatal(err)
	}
	if len(acts) != 1 || acts[0].Principal != session.RoleARN || !acts[0].Time.Equal(t0) || acts[0].Region != "eu-west-1" {
		t.Fatalf("ListActivity = %+v, want one row for the role at %v", acts, t0)
	}
	now = t0.Add(2 * time.Minute)
	use()
	var role keyward.Role
	st.View(ctx, func(tx keyward.Tx) error { role, err = tx.GetRole(acct, "app"); return err })
	if !role.LastUsedDate.Equal(now) || role.LastUsedRegion != "eu-west-1" {
		t.Errorf("RoleLastUsed = %v %q, want %v eu-west-1", role.LastUsedDate, role.LastUsedRegion, now)
	}
}

func TestRegion(t *testing.T) {
	tests := []struct{ auth, query, want string }{
		{"AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=x", "", "us-east-1"},
		{"", "AKIDEXAMPLE/20150830/eu-west-2/sts/aws4_request", "eu-west-2"},
		{"", "", ""},
	}
	for _, tt := range tests {
		if got := audit.Region(tt.auth, tt.query); got != tt.want {
			t.Errorf("Region(%q, %q) = %q, want %q", tt.auth, tt.query, got, tt.want)
		}
	}
}

// TestWriter_SyncConcurrent: concurrent durable writes all land, each once.
func TestWriter_SyncConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.log")
	w, err := audit.Open(path, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	const n, workers = 50, 8
	errs := make(chan error, workers)
	for g := range workers {
		go func() {
			for i := range n {
				if err := w.Write(&audit.Record{RequestID: string(rune('A'+g)) + string(rune('0'+i%10))}); err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range workers {
		if err := <-errs; err != nil {
			t.Fatal(err)
		}
	}
	if got := len(readAll(t, path, audit.Filter{})); got != n*workers {
		t.Errorf("%d lines, want %d", got, n*workers)
	}
}

// BenchmarkWriter_Write: what the trail adds to a request: building the
// line (JSON) and handing it to the kernel, or with sync to the disk.
func BenchmarkWriter_Write(b *testing.B) {
	p := &audit.Pending{}
	p.Add(authz.Decision{Action: "iam:GetUser", Resource: "arn:aws:iam::111122223333:user/alice", Result: policy.Result{Decision: policy.Allowed,
		Matched: []policy.Match{{PolicyID: "read", Type: policy.Identity, Sid: "Read", Start: policy.Position{Line: 1, Column: 38}}}}})
	for _, tc := range []struct {
		name    string
		path    string
		durable bool
	}{{"discard", "-", false}, {"file", "audit.log", false}, {"file-sync", "audit.log", true}} {
		b.Run(tc.name, func(b *testing.B) {
			path := tc.path
			if path != "-" {
				path = filepath.Join(b.TempDir(), path)
			}
			w, err := audit.Open(path, tc.durable, io.Discard)
			if err != nil {
				b.Fatal(err)
			}
			defer w.Close()
			b.ReportAllocs()
			for b.Loop() {
				r := audit.Record{Time: t0, RequestID: "043d89a0-5532-4019-a2f1-c6b1e48d2074", Service: "iam", Action: "iam:GetUser",
					SourceIP: "127.0.0.1", UserAgent: "aws-sdk-go-v2/1.30", Region: "us-east-1", DurationMS: 0.4}
				r.SetCaller(&keyward.Caller{ARN: "arn:aws:iam::111122223333:user/alice", AccountID: "111122223333", AccessKeyID: "AKIAEXAMPLEEXAMPLE12"})
				r.SetDecisions(p.Decisions())
				if err := w.Write(&r); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
