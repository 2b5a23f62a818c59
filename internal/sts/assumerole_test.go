package sts

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
)

func TestAssumeRole_Trust(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAssume)
	bob := e.user(acct, "bob") // no policies
	carol := e.user(otherAcct, "carol", allowAssume)
	dave := e.user(otherAcct, "dave")
	userARN := func(a, n string) string { return `{"AWS":"arn:aws:iam::` + a + `:user/` + n + `"}` }
	e.role(acct, "names-alice", trustDoc(userARN(acct, "alice")), 0)
	e.role(acct, "names-bob", trustDoc(userARN(acct, "bob")), 0)
	e.role(acct, "names-account", trustDoc(`{"AWS":"arn:aws:iam::`+acct+`:root"}`), 0)
	e.role(acct, "names-carol", trustDoc(userARN(otherAcct, "carol")), 0)
	e.role(acct, "names-dave", trustDoc(userARN(otherAcct, "dave")), 0)
	e.role(acct, "names-other-account", trustDoc(`{"AWS":"`+otherAcct+`"}`), 0)
	e.role(acct, "names-service", trustDoc(`{"Service":"ec2.amazonaws.com"}`), 0)
	root := &keyward.Caller{Kind: keyward.CallerRoot, AccountID: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}

	tests := []struct {
		name   string
		caller *keyward.Caller
		role   string
		code   string
	}{
		{"same account, trust names the user, identity allows", alice, "names-alice", ""},
		{"same account, trust names the user, no identity policy", bob, "names-bob", ""},
		{"same account, trust names the account, identity allows", alice, "names-account", ""},
		{"same account, trust names the account, no identity policy", bob, "names-account", keyward.ErrAccessDenied},
		{"trust names someone else", bob, "names-alice", keyward.ErrAccessDenied},
		{"missing role", alice, "no-such-role", keyward.ErrAccessDenied},
		{"trust names a service only", alice, "names-service", keyward.ErrAccessDenied},
		{"cross account, both allow", carol, "names-carol", ""},
		{"cross account, trust names the user, no identity policy", dave, "names-dave", keyward.ErrAccessDenied},
		{"cross account, trust names the account, identity allows", carol, "names-other-account", ""},
		{"cross account, trust names the account, no identity policy", dave, "names-other-account", keyward.ErrAccessDenied},
		{"cross account, trust names the other account only", carol, "names-account", keyward.ErrAccessDenied},
		{"root user", root, "names-account", keyward.ErrAccessDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			roleARN := "arn:aws:iam::" + acct + ":role/" + tt.role
			out, err := e.svc.AssumeRole(ctx, tt.caller, &AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "s1"})
			if code(err) != tt.code {
				t.Fatalf("AssumeRole(%s as %s) = %v, want code %q", tt.role, tt.caller.ARN, err, tt.code)
			}
			if err != nil {
				want := "User: " + tt.caller.ARN + " is not authorized to perform: sts:AssumeRole on resource: " + roleARN
				if tt.caller.Kind == keyward.CallerRoot {
					want = "Roles may not be assumed by root accounts."
				}
				if got := keyward.ErrorMessage(err); got != want {
					t.Errorf("AssumeRole(%s) message = %q, want %q", tt.role, got, want)
				}
				return
			}
			if got, want := out.AssumedRoleUser.Arn, "arn:aws:sts::"+acct+":assumed-role/"+tt.role+"/s1"; got != want {
				t.Errorf("AssumeRole(%s).AssumedRoleUser.Arn = %q, want %q", tt.role, got, want)
			}
			if !strings.HasPrefix(out.Credentials.AccessKeyID, "ASIA") || len(out.Credentials.AccessKeyID) != 20 {
				t.Errorf("AssumeRole(%s).Credentials.AccessKeyId = %q, want ASIA and 16 more", tt.role, out.Credentials.AccessKeyID)
			}
			sess := e.open(out.Credentials)
			id, _ := e.svc.GetCallerIdentity(ctx, sess, &GetCallerIdentityInput{})
			if id.Arn != out.AssumedRoleUser.Arn || id.UserID != out.AssumedRoleUser.AssumedRoleID || id.Account != acct {
				t.Errorf("GetCallerIdentity(session) = %+v, want Arn %q, UserId %q, Account %s", id, out.AssumedRoleUser.Arn, out.AssumedRoleUser.AssumedRoleID, acct)
			}
		})
	}
}

func TestAssumeRole_ExternalID(t *testing.T) {
	e := newEnv(t)
	alice := e.user(acct, "alice", allowAssume)
	e.role(acct, "r", trustDoc(`{"AWS":"arn:aws:iam::`+acct+`:user/alice"}`, `{"StringEquals":{"sts:ExternalId":"Unicorn-42"}}`), 0)
	arnR := "arn:aws:iam::" + acct + ":role/r"
	for _, tt := range []struct {
		name, external, code string
	}{
		{"absent", "", keyward.ErrAccessDenied},
		{"wrong", "Unicorn-43", keyward.ErrAccessDenied},
		{"right", "Unicorn-42", ""},
	} {
		_, err := e.svc.AssumeRole(context.Background(), alice, &AssumeRoleInput{RoleArn: arnR, RoleSessionName: "s1", ExternalID: tt.external})
		if code(err) != tt.code {
			t.Errorf("AssumeRole(ExternalId %s %q) = %v, want code %q", tt.name, tt.external, err, tt.code)
		}
	}
}

func TestAssumeRole_Durations(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAssume)
	trust := trustDoc(`{"AWS":"` + acct + `"}`)
	e.role(acct, "r7200", trust, 7200, allowAll)
	e.role(acct, "r43200", trust, 43200, allowAll)
	e.role(acct, "r3600", trust, 0, allowAll)
	arnOf := func(n string) string { return "arn:aws:iam::" + acct + ":role/" + n }
	out, err := e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: arnOf("r43200"), RoleSessionName: "first"})
	if err != nil {
		t.Fatal(err)
	}
	session := e.open(out.Credentials)
	if !session.Temporary || session.Chained {
		t.Errorf("first session: SessionToken %v Chained %v, want true, false", session.Temporary, session.Chained)
	}
	msgMax := "The requested DurationSeconds exceeds the MaxSessionDuration set for this role."
	msgChain := "The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining."
	tests := []struct {
		name     string
		caller   *keyward.Caller
		role     string
		duration int
		want     int // seconds of the session, or 0 for an error
		msg      string
	}{
		{"default", alice, "r7200", 0, 3600, ""},
		{"900", alice, "r7200", 900, 900, ""},
		{"role max", alice, "r7200", 7200, 7200, ""},
		{"role max + 1", alice, "r7200", 7201, 0, msgMax},
		{"default max 3600", alice, "r3600", 3600, 3600, ""},
		{"default max 3601", alice, "r3600", 3601, 0, msgMax},
		{"43200", alice, "r43200", 43200, 43200, ""},
		{"chained default", session, "r43200", 0, 3600, ""},
		{"chained 3600", session, "r43200", 3600, 3600, ""},
		{"chained 3601", session, "r43200", 3601, 0, msgChain},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := e.svc.AssumeRole(ctx, tt.caller, &AssumeRoleInput{RoleArn: arnOf(tt.role), RoleSessionName: "s1", DurationSeconds: tt.duration})
			if tt.want == 0 {
				if err == nil || keyward.ErrorMessage(err) != tt.msg || code(err) != keyward.ErrValidationError {
					t.Fatalf("AssumeRole(%d) = %v, want ValidationError %q", tt.duration, err, tt.msg)
				}
				return
			}
			if err != nil {
				t.Fatalf("AssumeRole(%d) = %v", tt.duration, err)
			}
			if got, want := out.Credentials.Expiration, start.Add(time.Duration(tt.want)*time.Second); !got.Equal(want) {
				t.Errorf("AssumeRole(%d).Expiration = %v, want %v", tt.duration, got, want)
			}
			s := e.open(out.Credentials)
			if s.Chained != (tt.caller == session) {
				t.Errorf("AssumeRole(%d) session Chained = %v, want %v", tt.duration, s.Chained, tt.caller == session)
			}
			// The session works until its expiry, and not at it.
			at := out.Credentials.Expiration
			if _, err := NewTokens(e.ring).OpenSession(out.Credentials.SessionToken, out.Credentials.AccessKeyID, at.Add(-time.Second)); err != nil {
				t.Errorf("OpenSession(a second before expiry) = %v", err)
			}
			if _, err := NewTokens(e.ring).OpenSession(out.Credentials.SessionToken, out.Credentials.AccessKeyID, at); code(err) != keyward.ErrExpiredToken {
				t.Errorf("OpenSession(at expiry) = %v, want ExpiredToken", err)
			}
		})
	}
}

func TestAssumeRole_Validation(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAssume)
	e.role(acct, "r", trustDoc(`{"AWS":"`+acct+`"}`), 0)
	roleARN := "arn:aws:iam::" + acct + ":role/r"
	tags := func(n int) []keyward.Tag {
		var ts []keyward.Tag
		for i := range n {
			ts = append(ts, keyward.Tag{Key: "k" + strconv.Itoa(i), Value: "v"})
		}
		return ts
	}
	arns := func(n int) []PolicyDescriptor {
		var ps []PolicyDescriptor
		for i := range n {
			ps = append(ps, PolicyDescriptor{Arn: "arn:aws:iam::" + acct + ":policy/p" + strconv.Itoa(i)})
		}
		return ps
	}
	long := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + strings.Repeat("b", 1900) + `"}]}`
	tests := []struct {
		name string
		in   AssumeRoleInput
		code string
	}{
		{"no role", AssumeRoleInput{RoleSessionName: "s"}, keyward.ErrValidationError},
		{"session name 2", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "s2"}, ""},
		{"session name 64", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: strings.Repeat("a", 64)}, ""},
		{"session name symbols", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "a+b=c,d.e@f-g_h"}, ""},
		{"external id 1224", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", ExternalID: strings.Repeat("x", 1224)}, ""},
		{"policy over 2048", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", Policy: long + strings.Repeat(" ", 2049-len(long))}, keyward.ErrValidationError},
		{"malformed policy", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", Policy: `{"Statement":[{"Effect":"allow","Action":"*","Resource":"*"}]}`}, keyward.ErrMalformedPolicyDocument},
		{"policy not JSON", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", Policy: `nope`}, keyward.ErrMalformedPolicyDocument},
		{"11 policy arns", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", PolicyArns: arns(11)}, keyward.ErrValidationError},
		{"missing policy arn", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", PolicyArns: arns(1)}, keyward.ErrInvalidParameterValue},
		{"50 tags", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", Tags: tags(50)}, ""},
		{"duplicate tag keys", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", Tags: []keyward.Tag{{Key: "Team", Value: "a"}, {Key: "team", Value: "b"}}}, keyward.ErrInvalidParameterValue},
		{"transitive key not a tag", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", Tags: tags(1), TransitiveTagKeys: []string{"k9"}}, keyward.ErrInvalidParameterValue},
		{"mfa", AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", SerialNumber: "arn:aws:iam::" + acct + ":mfa/alice", TokenCode: "123456"}, keyward.ErrAccessDenied},
		{"role ARN with a wrong path", AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":role/other/r", RoleSessionName: "ss"}, keyward.ErrAccessDenied},
		// AWS answers a RoleArn that is no ARN with a 400, whoever asks.
		{"not an ARN", AssumeRoleInput{RoleArn: "this is no role arn at all", RoleSessionName: "ss"}, keyward.ErrValidationError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := e.svc.AssumeRole(ctx, alice, &tt.in)
			if code(err) != tt.code {
				t.Errorf("AssumeRole(%s) = %v, want code %q", tt.name, err, tt.code)
			}
		})
	}
	// The message of a validation error is AWS's.
	_, err := e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: "xxxxxxxxxxxxxxxxxxxx", RoleSessionName: "ab"})
	if got, want := keyward.ErrorMessage(err), "xxxxxxxxxxxxxxxxxxxx is invalid"; got != want {
		t.Errorf("AssumeRole(RoleArn %q) message = %q, want %q", "xxxxxxxxxxxxxxxxxxxx", got, want)
	}
}

func TestAssumeRole_PackedPolicySize(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAssume)
	e.role(acct, "r", trustDoc(`{"AWS":"`+acct+`"}`), 0)
	roleARN := "arn:aws:iam::" + acct + ":role/r"
	out, err := e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss"})
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize != nil {
		t.Errorf("AssumeRole(no policy, no tags).PackedPolicySize = %d, want absent", *out.PackedPolicySize)
	}
	out, err = e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", Policy: allowAll, Tags: []keyward.Tag{{Key: "a", Value: "b"}}})
	if err != nil {
		t.Fatal(err)
	}
	if out.PackedPolicySize == nil || *out.PackedPolicySize < 1 || *out.PackedPolicySize > 10 {
		t.Errorf("AssumeRole(small policy).PackedPolicySize = %v, want 1..10", out.PackedPolicySize)
	}
	// 50 tags of random 128-character keys and 256-character values do not
	// pack into the limit.
	r := rand.New(rand.NewPCG(3, 4))
	const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	rs := func(n int) string {
		b := make([]byte, n)
		for i := range b {
			b[i] = alphabet[r.IntN(len(alphabet))]
		}
		return string(b)
	}
	var big []keyward.Tag
	for range 50 {
		big = append(big, keyward.Tag{Key: rs(128), Value: rs(256)})
	}
	_, err = e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "ss", Tags: big})
	if code(err) != ErrPackedPolicyTooLarge || !strings.HasPrefix(keyward.ErrorMessage(err), "Packed policy consumes ") {
		t.Errorf("AssumeRole(50 large random tags) = %v, want PackedPolicyTooLarge", err)
	}
}

func TestAssumeRole_SessionPoliciesNarrow(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAssume)
	e.role(acct, "admin", trustDoc(`{"AWS":"`+acct+`"}`), 0, allowAll)
	mp := keyward.ManagedPolicy{AccountID: acct, ID: keyward.NewUniqueID(keyward.PrefixPolicy), Name: "ReadIAM", Path: "/",
		ARN: "arn:aws:iam::" + acct + ":policy/ReadIAM", IsAttachable: true, CreateDate: start, UpdateDate: start}
	e.update(func(tx keyward.Tx) error {
		return tx.CreatePolicy(mp, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:Get*","Resource":"*"}]}`)
	})
	roleARN := "arn:aws:iam::" + acct + ":role/admin"
	inline := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","iam:ListUsers"],"Resource":"*"}]}`
	tests := []struct {
		name    string
		in      AssumeRoleInput
		allowed map[string]bool
	}{
		{"no session policy", AssumeRoleInput{}, map[string]bool{"s3:GetObject": true, "iam:ListUsers": true, "iam:GetUser": true, "iam:CreateUser": true}},
		{"inline", AssumeRoleInput{Policy: inline}, map[string]bool{"s3:GetObject": true, "iam:ListUsers": true, "iam:GetUser": false, "iam:CreateUser": false}},
		{"managed", AssumeRoleInput{PolicyArns: []PolicyDescriptor{{Arn: mp.ARN}}}, map[string]bool{"s3:GetObject": false, "iam:ListUsers": false, "iam:GetUser": true, "iam:CreateUser": false}},
		{"both: either allows", AssumeRoleInput{Policy: inline, PolicyArns: []PolicyDescriptor{{Arn: mp.ARN}}}, map[string]bool{"s3:GetObject": true, "iam:ListUsers": true, "iam:GetUser": true, "iam:CreateUser": false}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := tt.in
			in.RoleArn, in.RoleSessionName = roleARN, "narrow"
			out, err := e.svc.AssumeRole(ctx, alice, &in)
			if err != nil {
				t.Fatal(err)
			}
			sess := e.open(out.Credentials)
			for action, want := range tt.allowed {
				err := e.authz.Authorize(ctx, sess, action, "*", nil)
				if got := err == nil; got != want {
					t.Errorf("Authorize(session, %s) = %v, want allowed %v", action, err, want)
				}
			}
		})
	}
}

func TestAssumeRole_TagsAndChaining(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAssume)
	trust := trustDoc(`{"AWS":"` + acct + `"}`)
	e.role(acct, "first", trust, 0, allowAll)
	e.role(acct, "second", trust, 0, allowAll)
	e.role(acct, "third", trust, 0, `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*","Condition":{"StringEquals":{"aws:PrincipalTag/project":"apollo"}}}]}`)
	e.role(acct, "no-tags", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"`+acct+`"},"Action":"sts:AssumeRole"}]}`, 0, allowAll)
	e.role(acct, "only-apollo", trustDoc(`{"AWS":"`+acct+`"}`, `{"StringEquals":{"aws:RequestTag/project":"apollo"}}`), 0, allowAll)
	arnOf := func(n string) string { return "arn:aws:iam::" + acct + ":role/" + n }

	out, err := e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: arnOf("first"), RoleSessionName: "one",
		Tags:              []keyward.Tag{{Key: "project", Value: "apollo"}, {Key: "cost", Value: "42"}},
		TransitiveTagKeys: []string{"project"}, SourceIdentity: "alice"})
	if err != nil {
		t.Fatal(err)
	}
	if out.SourceIdentity != "alice" {
		t.Errorf("AssumeRole().SourceIdentity = %q, want alice", out.SourceIdentity)
	}
	one := e.open(out.Credentials)
	// The chained session keeps the transitive tag (not the other), and the
	// source identity.
	out, err = e.svc.AssumeRole(ctx, one, &AssumeRoleInput{RoleArn: arnOf("second"), RoleSessionName: "two"})
	if err != nil {
		t.Fatal(err)
	}
	two := e.open(out.Credentials)
	if fmt.Sprint(two.SessionTags) != "[{project apollo}]" || fmt.Sprint(two.TransitiveTagKeys) != "[project]" || two.SourceIdentity != "alice" || !two.Chained {
		t.Errorf("chained session: tags %v, transitive %v, source identity %q, chained %v; want [{project apollo}], [project], alice, true",
			two.SessionTags, two.TransitiveTagKeys, two.SourceIdentity, two.Chained)
	}
	// And a third hop still has it: the tag is a principal tag there.
	out, err = e.svc.AssumeRole(ctx, two, &AssumeRoleInput{RoleArn: arnOf("third"), RoleSessionName: "three"})
	if err != nil {
		t.Fatal(err)
	}
	three := e.open(out.Credentials)
	if err := e.authz.Authorize(ctx, three, "s3:GetObject", "*", nil); err != nil {
		t.Errorf("Authorize(third hop, s3:GetObject with PrincipalTag/project) = %v, want allowed", err)
	}
	// A transitive tag cannot be overridden down the chain.
	_, err = e.svc.AssumeRole(ctx, two, &AssumeRoleInput{RoleArn: arnOf("second"), RoleSessionName: "x2", Tags: []keyward.Tag{{Key: "Project", Value: "gemini"}}})
	if code(err) != keyward.ErrInvalidParameterValue {
		t.Errorf("AssumeRole(override a transitive tag) = %v, want InvalidParameterValue", err)
	}
	// Nor the source identity changed.
	_, err = e.svc.AssumeRole(ctx, two, &AssumeRoleInput{RoleArn: arnOf("second"), RoleSessionName: "x3", SourceIdentity: "mallory"})
	if code(err) != keyward.ErrAccessDenied {
		t.Errorf("AssumeRole(change source identity) = %v, want AccessDenied", err)
	}
	// Tags need sts:TagSession in the trust policy.
	_, err = e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: arnOf("no-tags"), RoleSessionName: "xx", Tags: []keyward.Tag{{Key: "a", Value: "b"}}})
	if code(err) != keyward.ErrAccessDenied || !strings.Contains(keyward.ErrorMessage(err), "sts:TagSession") {
		t.Errorf("AssumeRole(tags, trust without sts:TagSession) = %v, want AccessDenied for sts:TagSession", err)
	}
	if _, err := e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: arnOf("no-tags"), RoleSessionName: "xx"}); err != nil {
		t.Errorf("AssumeRole(no tags, trust without sts:TagSession) = %v", err)
	}
	// aws:RequestTag conditions in the trust policy.
	for _, tt := range []struct {
		value string
		code  string
	}{{"apollo", ""}, {"gemini", keyward.ErrAccessDenied}} {
		_, err := e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: arnOf("only-apollo"), RoleSessionName: "xx", Tags: []keyward.Tag{{Key: "project", Value: tt.value}}})
		if code(err) != tt.code {
			t.Errorf("AssumeRole(only-apollo, project=%s) = %v, want code %q", tt.value, err, tt.code)
		}
	}
}

func TestAssumeRole_LiveChanges(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAssume)
	e.role(acct, "r", trustDoc(`{"AWS":"`+acct+`"}`), 0, allowAll)
	roleARN := "arn:aws:iam::" + acct + ":role/r"
	out, err := e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "before"})
	if err != nil {
		t.Fatal(err)
	}
	before := e.open(out.Credentials)
	if err := e.authz.Authorize(ctx, before, "iam:ListUsers", "*", nil); err != nil {
		t.Fatalf("Authorize(session) = %v", err)
	}
	// "Revoke active sessions": deny tokens issued before now.
	e.clock.Advance(time.Minute)
	revoke := `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"DateLessThan":{"aws:TokenIssueTime":"` + e.clock.Now().Format(time.RFC3339) + `"}}}]}`
	e.update(func(tx keyward.Tx) error {
		return tx.PutInlinePolicy(keyward.InlinePolicy{Owner: keyward.RoleRef(acct, "r"), PolicyName: "AWSRevokeOlderSessions", Document: revoke})
	})
	before.RequestTime = e.clock.Now()
	if err := e.authz.Authorize(ctx, before, "iam:ListUsers", "*", nil); code(err) != keyward.ErrAccessDenied {
		t.Errorf("Authorize(revoked session) = %v, want AccessDenied", err)
	}
	out, err = e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: roleARN, RoleSessionName: "after"})
	if err != nil {
		t.Fatal(err)
	}
	after := e.open(out.Credentials)
	if err := e.authz.Authorize(ctx, after, "iam:ListUsers", "*", nil); err != nil {
		t.Errorf("Authorize(session issued after revocation) = %v, want allowed", err)
	}
	// A deleted role: its sessions stop working.
	e.update(func(tx keyward.Tx) error {
		for _, p := range []string{"p0", "AWSRevokeOlderSessions"} {
			if err := tx.DeleteInlinePolicy(keyward.RoleRef(acct, "r"), p); err != nil {
				return err
			}
		}
		return tx.DeleteRole(acct, "r")
	})
	if err := e.authz.Authorize(ctx, after, "iam:ListUsers", "*", nil); code(err) != keyward.ErrInvalidClientTokenID {
		t.Errorf("Authorize(session of a deleted role) = %v, want InvalidClientTokenId", err)
	}
}

func TestAssumeRole_LastUsed(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAssume)
	e.role(acct, "r", trustDoc(`{"AWS":"`+acct+`"}`), 0)
	if _, err := e.svc.AssumeRole(ctx, alice, &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":role/r", RoleSessionName: "xx"}); err != nil {
		t.Fatal(err)
	}
	var r keyward.Role
	e.store.View(ctx, func(tx keyward.Tx) error {
		var err error
		r, err = tx.GetRole(acct, "r")
		return err
	})
	if !r.LastUsedDate.Equal(start) || r.LastUsedRegion != "us-east-1" {
		t.Errorf("role LastUsedDate %v, LastUsedRegion %q; want %v, us-east-1", r.LastUsedDate, r.LastUsedRegion, start)
	}
}

func TestGetSessionToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAll)
	root := &keyward.Caller{Kind: keyward.CallerRoot, AccountID: acct, ARN: "arn:aws:iam::" + acct + ":root", UserID: acct}
	tests := []struct {
		name     string
		caller   *keyward.Caller
		duration int
		want     int
		code     string
	}{
		{"user default", alice, 0, 43200, ""},
		{"user 900", alice, 900, 900, ""},
		{"user 129600", alice, 129600, 129600, ""},
		{"root default", root, 0, 3600, ""},
		{"root 7200 is shortened", root, 7200, 3600, ""},
		{"root 900", root, 900, 900, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := e.svc.GetSessionToken(ctx, tt.caller, &GetSessionTokenInput{DurationSeconds: tt.duration})
			if code(err) != tt.code {
				t.Fatalf("GetSessionToken(%d) = %v, want code %q", tt.duration, err, tt.code)
			}
			if err != nil {
				return
			}
			if got, want := out.Credentials.Expiration, start.Add(time.Duration(tt.want)*time.Second); !got.Equal(want) {
				t.Errorf("GetSessionToken(%d).Expiration = %v, want %v", tt.duration, got, want)
			}
			s := e.open(out.Credentials)
			if s.Kind != keyward.CallerUserSession || s.ARN != tt.caller.ARN || s.UserName != tt.caller.UserName {
				t.Errorf("session = kind %d ARN %q user %q, want user session of %s", s.Kind, s.ARN, s.UserName, tt.caller.ARN)
			}
			if _, err := e.svc.GetSessionToken(ctx, s, &GetSessionTokenInput{}); code(err) != keyward.ErrAccessDenied {
				t.Errorf("GetSessionToken(with session credentials) = %v, want AccessDenied", err)
			}
		})
	}
	if _, err := e.svc.GetSessionToken(ctx, alice, &GetSessionTokenInput{SerialNumber: "arn:aws:iam::" + acct + ":mfa/alice", TokenCode: "123456"}); code(err) != keyward.ErrAccessDenied {
		t.Errorf("GetSessionToken(MFA) = %v, want AccessDenied (no MFA devices)", err)
	}
	// A user session acts with the user's permissions, except that without
	// MFA it cannot call IAM (AWS's rule for GetSessionToken credentials).
	out, err := e.svc.GetSessionToken(ctx, alice, &GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.authz.Authorize(ctx, e.open(out.Credentials), "s3:ListAllMyBuckets", "*", nil); err != nil {
		t.Errorf("Authorize(user session, s3) = %v", err)
	}
	if err := e.authz.Authorize(ctx, e.open(out.Credentials), "iam:ListUsers", "*", nil); code(err) != keyward.ErrAccessDenied {
		t.Errorf("Authorize(user session without MFA, iam:ListUsers) = %v, want AccessDenied", err)
	}
}

func TestGetAccessKeyInfo(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"sts:GetAccessKeyInfo","Resource":"*"}]}`)
	bob := e.user(acct, "bob")
	e.update(func(tx keyward.Tx) error {
		return tx.CreateAccessKey(keyward.AccessKey{AccountID: otherAcct, AccessKeyID: "AKIAEXAMPLEEXAMPLE12", Status: keyward.StatusActive, CreateDate: start, SecretCiphertext: []byte("x")})
	})
	for _, a := range []string{acct, otherAcct, "000000000001", "999999999999"} {
		id := TemporaryAccessKeyID(a)
		out, err := e.svc.GetAccessKeyInfo(ctx, alice, &GetAccessKeyInfoInput{AccessKeyID: id})
		if err != nil || out.Account != a {
			t.Errorf("GetAccessKeyInfo(%s) = %v, %v; want account %s", id, out, err, a)
		}
	}
	// A key id and its account from public write-ups of AWS's format.
	if out, err := e.svc.GetAccessKeyInfo(ctx, alice, &GetAccessKeyInfoInput{AccessKeyID: "ASIAY34FZKBOKMUTVV7A"}); err != nil || out.Account != "609629065308" {
		t.Errorf("GetAccessKeyInfo(ASIAY34FZKBOKMUTVV7A) = %v, %v; want 609629065308", out, err)
	}
	out, err := e.svc.GetAccessKeyInfo(ctx, alice, &GetAccessKeyInfoInput{AccessKeyID: "AKIAEXAMPLEEXAMPLE12"})
	if err != nil || out.Account != otherAcct {
		t.Errorf("GetAccessKeyInfo(stored key) = %v, %v; want %s", out, err, otherAcct)
	}
	if _, err := e.svc.GetAccessKeyInfo(ctx, bob, &GetAccessKeyInfoInput{AccessKeyID: "AKIAEXAMPLEEXAMPLE12"}); code(err) != keyward.ErrAccessDenied {
		t.Errorf("GetAccessKeyInfo(without permission) = %v, want AccessDenied", err)
	}
}

func TestGetFederationToken(t *testing.T) {
	e := newEnv(t)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAll)
	out, err := e.svc.GetFederationToken(ctx, alice, &GetFederationTokenInput{Name: "bob-fed", Policy: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","iam:Get*"],"Resource":"*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := out.FederatedUser.Arn, "arn:aws:sts::"+acct+":federated-user/bob-fed"; got != want {
		t.Errorf("GetFederationToken().FederatedUser.Arn = %q, want %q", got, want)
	}
	fed := e.open(out.Credentials)
	// Federated users may call no IAM action and no STS action but
	// GetCallerIdentity, whatever their policies allow (AWS's "Comparing the
	// AWS STS API operations").
	for action, want := range map[string]bool{"s3:GetObject": true, "s3:PutObject": false, "iam:GetUser": false, "sts:GetAccessKeyInfo": false} {
		if err := e.authz.Authorize(ctx, fed, action, "*", nil); (err == nil) != want {
			t.Errorf("Authorize(federated user, %s) = %v, want allowed %v", action, err, want)
		}
	}
	out, err = e.svc.GetFederationToken(ctx, alice, &GetFederationTokenInput{Name: "nopolicy"})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.authz.Authorize(ctx, e.open(out.Credentials), "s3:GetObject", "*", nil); code(err) != keyward.ErrAccessDenied {
		t.Errorf("Authorize(federated user without session policy) = %v, want AccessDenied", err)
	}
	if _, err := e.svc.GetFederationToken(ctx, fed, &GetFederationTokenInput{Name: "again"}); code(err) != keyward.ErrAccessDenied {
		t.Errorf("GetFederationToken(session credentials) = %v, want AccessDenied", err)
	}
}

func BenchmarkAssumeRole(b *testing.B) {
	e := newEnv(b)
	ctx := context.Background()
	alice := e.user(acct, "alice", allowAssume)
	e.role(acct, "r", trustDoc(`{"AWS":"arn:aws:iam::`+acct+`:user/alice"}`), 0, allowAll)
	for _, bb := range []struct {
		name string
		in   *AssumeRoleInput
	}{
		{"plain", &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":role/r", RoleSessionName: "bench"}},
		// A session policy is packed (deflated) to report PackedPolicySize.
		{"session policy", &AssumeRoleInput{RoleArn: "arn:aws:iam::" + acct + ":role/r", RoleSessionName: "bench", Policy: allowAll}},
	} {
		b.Run(bb.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := e.svc.AssumeRole(ctx, alice, bb.in); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
