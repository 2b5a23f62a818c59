package iam

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/keyward/keyward"
	"github.com/keyward/keyward/internal/seal"
)

// partnerTemplate is the partner's policy template: S3 reads and writes in
// the buckets the request names.
const partnerTemplate = `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::@{buckets}/*"}]}`

// delegationFixture is a customer account (testAccount) and a partner
// account (otherAccount) with a policy template, on one Service whose
// clock the test moves.
type delegationFixture struct {
	s        *Service
	now      time.Time
	partner  *keyward.Caller // may create delegation requests
	template string          // its template's ARN
	key      *seal.Key
}

func newDelegationFixture(t *testing.T) *delegationFixture {
	t.Helper()
	s, _ := newService(t)
	f := &delegationFixture{s: s, now: testClock}
	s.Clock = func() time.Time { return f.now }
	key, err := seal.NewKey(seal.GenerateKey())
	if err != nil {
		t.Fatal(err)
	}
	f.key, s.Secrets = key, key
	ctx := context.Background()
	out, err := s.CreatePolicy(ctx, rootOf(otherAccount), &CreatePolicyInput{PolicyName: "s3-template", PolicyDocument: partnerTemplate})
	if err != nil {
		t.Fatalf("CreatePolicy(template): %v", err)
	}
	f.template = out.Policy.ARN
	f.partner = accountUser(t, s, otherAccount, "partner", allow("iam:CreateDelegationRequest", "*"), allow("iam:GetDelegationRequest", "*"))
	return f
}

// accountUser is userCaller for any account.
func accountUser(t *testing.T, s *Service, account, name string, policies ...string) *keyward.Caller {
	t.Helper()
	ctx := context.Background()
	out, err := s.CreateUser(ctx, rootOf(account), &CreateUserInput{UserName: name})
	if err != nil {
		t.Fatalf("CreateUser(%q): %v", name, err)
	}
	for i, doc := range policies {
		if _, err := s.PutUserPolicy(ctx, rootOf(account), &PutUserPolicyInput{UserName: name, PolicyName: "p" + string(rune('0'+i)), PolicyDocument: doc}); err != nil {
			t.Fatalf("PutUserPolicy(%q): %v", name, err)
		}
	}
	return &keyward.Caller{Kind: keyward.CallerUser, AccountID: account, ARN: out.User.ARN, UserID: out.User.UserID, PrincipalID: out.User.UserID, UserName: name}
}

// create makes a request for testAccount with a fresh workflow ID.
func (f *delegationFixture) create(t *testing.T, change func(in *CreateDelegationRequestInput)) string {
	t.Helper()
	in := &CreateDelegationRequestInput{
		OwnerAccountID: testAccount, Description: "Set up the product", RequestorWorkflowID: "workflow-" + keyward.NewUUID(),
		NotificationChannel: "arn:aws:sns:us-east-1:" + otherAccount + ":partner", SessionDuration: 7200,
		PolicyTemplateARN: f.template, Parameters: []PolicyParameterInput{{Name: "buckets", Values: []string{"data"}, Type: "stringList"}},
	}
	if change != nil {
		change(in)
	}
	// IDs sort by creation time to the millisecond: a second apart, the
	// requests list in the order made.
	f.now = f.now.Add(time.Second)
	out, err := f.s.CreateDelegationRequest(context.Background(), f.partner, in)
	if err != nil {
		t.Fatalf("CreateDelegationRequest: %v", err)
	}
	return out.DelegationRequestID
}

func (f *delegationFixture) get(t *testing.T, c *keyward.Caller, id string) DelegationRequest {
	t.Helper()
	out, err := f.s.GetDelegationRequest(context.Background(), c, &GetDelegationRequestInput{DelegationRequestID: id})
	if err != nil {
		t.Fatalf("GetDelegationRequest(%s): %v", id, err)
	}
	return out.DelegationRequest
}

func (f *delegationFixture) stored(t *testing.T, id string) keyward.DelegationRequest {
	t.Helper()
	var r keyward.DelegationRequest
	err := f.s.Store.View(context.Background(), func(tx keyward.Tx) error {
		var err error
		r, err = tx.GetDelegationRequest(id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestDelegation_Flow follows a request from the partner's creation to the
// released token: the customer's user claims it and forwards it to an
// administrator, who accepts; the owner releases the token.
func TestDelegation_Flow(t *testing.T) {
	f := newDelegationFixture(t)
	ctx := context.Background()
	alice := userCaller(t, f.s, "alice") // no policy: default permissions only
	admin := userCaller(t, f.s, "admin", allow("iam:*DelegationRequest*", "*"), allow("s3:*", "*"))

	id := f.create(t, func(in *CreateDelegationRequestInput) { in.RequestMessage = "Hello" })
	got := f.get(t, f.partner, id) // the partner sees what it made
	if got.State != "UNASSIGNED" || got.PermissionPolicy != `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::data/*"}]}` ||
		got.RequestorID != otherAccount || got.OwnerAccountID != testAccount || got.OwnerID != "" || got.RequestMessage != "Hello" ||
		time.Time(got.ExpirationTime) != f.now.Truncate(time.Second).Add(24*time.Hour) {
		t.Fatalf("GetDelegationRequest(new) = %+v", got)
	}

	steps := []struct {
		name  string
		call  func() error
		state string
	}{
		{"alice associates", func() error {
			_, err := f.s.AssociateDelegationRequest(ctx, alice, &AssociateDelegationRequestInput{DelegationRequestID: id})
			return err
		}, "ASSIGNED"},
		{"alice forwards it", func() error {
			notes := "Please approve"
			_, err := f.s.UpdateDelegationRequest(ctx, alice, &UpdateDelegationRequestInput{DelegationRequestID: id, Notes: &notes})
			return err
		}, "PENDING_APPROVAL"},
		{"admin accepts", func() error {
			_, err := f.s.AcceptDelegationRequest(ctx, admin, &AcceptDelegationRequestInput{DelegationRequestID: id})
			return err
		}, "ACCEPTED"},
		{"alice sends the token", func() error {
			_, err := f.s.SendDelegationToken(ctx, alice, &SendDelegationTokenInput{DelegationRequestID: id})
			return err
		}, "FINALIZED"},
	}
	for _, st := range steps {
		f.now = f.now.Add(time.Minute)
		if err := st.call(); err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		got := f.get(t, alice, id)
		if got.State != st.state {
			t.Fatalf("%s: State = %s, want %s", st.name, got.State, st.state)
		}
		if want := f.now.Truncate(time.Second); time.Time(got.UpdatedTime) != want || time.Time(got.ExpirationTime) != want.Add(7*24*time.Hour) {
			t.Errorf("%s: UpdatedTime %v, ExpirationTime %v; want %v and 7 days later", st.name, got.UpdatedTime, got.ExpirationTime, want)
		}
	}
	if got := f.get(t, f.partner, id); got.State != "FINALIZED" || got.OwnerID != "" || got.ApproverID != "" || got.Notes != "" {
		t.Errorf("GetDelegationRequest(partner, finalized) = %+v; want FINALIZED, without the customer's owner, approver and notes", got)
	}
	got = f.get(t, admin, id)
	if got.OwnerID != alice.ARN || got.ApproverID != admin.ARN || got.Notes != "Please approve" {
		t.Errorf("GetDelegationRequest(finalized) OwnerId %q ApproverId %q Notes %q; want alice, admin, the notes", got.OwnerID, got.ApproverID, got.Notes)
	}
	r := f.stored(t, id)
	if r.Approver == nil || r.Approver.PrincipalID != admin.PrincipalID || r.Approver.Kind != keyward.CallerUser {
		t.Errorf("stored Approver = %+v, want admin's user", r.Approver)
	}
	secret, err := f.key.Open(r.TokenCiphertext, SecretAD(keyward.DelegationTokenSealKind, id))
	if err != nil || len(secret) != 43 {
		t.Errorf("the sealed token opens to %q, %v; want a 43-character secret", secret, err)
	}
	if strings.Contains(string(r.TokenCiphertext), string(secret)) {
		t.Errorf("the store holds the token's secret in the clear")
	}
}

func TestDelegation_Refusals(t *testing.T) {
	f := newDelegationFixture(t)
	ctx := context.Background()
	alice := userCaller(t, f.s, "alice")
	bob := userCaller(t, f.s, "bob")
	admin := userCaller(t, f.s, "admin", allow("iam:*DelegationRequest*", "*"), allow("iam:SendDelegationToken", "*"))
	denied := userCaller(t, f.s, "denied", `{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Action":"iam:*","Resource":"*"}]}`)
	associate := func(c *keyward.Caller, id string) error {
		_, err := f.s.AssociateDelegationRequest(ctx, c, &AssociateDelegationRequestInput{DelegationRequestID: id})
		return err
	}
	accept := func(c *keyward.Caller, id string) error {
		_, err := f.s.AcceptDelegationRequest(ctx, c, &AcceptDelegationRequestInput{DelegationRequestID: id})
		return err
	}
	send := func(c *keyward.Caller, id string) error {
		_, err := f.s.SendDelegationToken(ctx, c, &SendDelegationTokenInput{DelegationRequestID: id})
		return err
	}
	reject := func(c *keyward.Caller, id string) error {
		_, err := f.s.RejectDelegationRequest(ctx, c, &RejectDelegationRequestInput{DelegationRequestID: id})
		return err
	}
	arn := func(id string) string { return DelegationRequestARN(testAccount, id) }

	t.Run("another account cannot see a request that names its owner account", func(t *testing.T) {
		id := f.create(t, nil)
		other := accountUser(t, f.s, otherAccount, "other", allow("iam:*", "*"))
		wantError(t, "AssociateDelegationRequest(other account)", associate(other, id), keyward.ErrNoSuchEntity,
			"The delegation request with ID "+id+" cannot be found.")
		wantError(t, "AssociateDelegationRequest(missing)", associate(alice, "dr-000000000000missing"), keyward.ErrAccessDenied,
			"User: "+alice.ARN+" is not authorized to perform: iam:AssociateDelegationRequest on resource: "+arn("dr-000000000000missing")+" because no identity-based policy allows the iam:AssociateDelegationRequest action")
	})
	t.Run("an explicit deny beats the default permission", func(t *testing.T) {
		id := f.create(t, nil)
		wantCode(t, "AssociateDelegationRequest(denied)", associate(denied, id), keyward.ErrAccessDenied)
	})
	t.Run("only the owner has default permissions", func(t *testing.T) {
		id := f.create(t, nil)
		if err := associate(alice, id); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "AssociateDelegationRequest(again, by bob)", associate(bob, id), keyward.ErrAccessDenied)
		wantError(t, "AssociateDelegationRequest(again, by admin)", associate(admin, id), keyward.ErrInvalidInput,
			"The delegation request "+id+" is ASSIGNED: AssociateDelegationRequest acts only on a request that is UNASSIGNED.")
		_, err := f.s.GetDelegationRequest(ctx, bob, &GetDelegationRequestInput{DelegationRequestID: id})
		wantCode(t, "GetDelegationRequest(bob)", err, keyward.ErrAccessDenied)
		wantError(t, "AcceptDelegationRequest(owner without permission)", accept(alice, id), keyward.ErrAccessDenied,
			"User: "+alice.ARN+" is not authorized to perform: iam:AcceptDelegationRequest on resource: "+arn(id)+" because no identity-based policy allows the iam:AcceptDelegationRequest action")
		wantCode(t, "SendDelegationToken(assigned)", send(alice, id), keyward.ErrInvalidInput)
	})
	t.Run("the root user cannot accept", func(t *testing.T) {
		id := f.create(t, nil)
		if err := associate(alice, id); err != nil {
			t.Fatal(err)
		}
		wantCode(t, "AcceptDelegationRequest(root)", accept(rootOf(testAccount), id), keyward.ErrAccessDenied)
	})
	t.Run("a role session with session policies cannot accept", func(t *testing.T) {
		id := f.create(t, nil)
		if err := associate(alice, id); err != nil {
			t.Fatal(err)
		}
		out, err := f.s.CreateRole(ctx, rootOf(testAccount), &CreateRoleInput{RoleName: "approver",
			AssumeRolePolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"` + testAccount + `"},"Action":"sts:AssumeRole"}]}`})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.s.PutRolePolicy(ctx, rootOf(testAccount), &PutRolePolicyInput{RoleName: "approver", PolicyName: "p", PolicyDocument: allow("iam:*", "*")}); err != nil {
			t.Fatal(err)
		}
		session := &keyward.Caller{Kind: keyward.CallerAssumedRole, AccountID: testAccount, ARN: "arn:aws:sts::" + testAccount + ":assumed-role/approver/s",
			UserID: out.Role.RoleID + ":s", PrincipalID: out.Role.RoleID, RoleName: "approver", RoleARN: out.Role.ARN, SessionName: "s", Temporary: true,
			SessionPolicies: []string{allow("*", "*")}}
		wantCode(t, "AcceptDelegationRequest(session with session policies)", accept(session, id), keyward.ErrAccessDenied)
		session.SessionPolicies = nil
		if err := accept(session, id); err != nil {
			t.Errorf("AcceptDelegationRequest(role session): %v", err)
		}
		if r := f.stored(t, id); r.Approver == nil || r.Approver.Kind != keyward.CallerAssumedRole || r.Approver.SessionName != "s" {
			t.Errorf("stored Approver = %+v, want the role session", r.Approver)
		}
	})
	t.Run("a rejected request is final", func(t *testing.T) {
		id := f.create(t, nil)
		if err := associate(alice, id); err != nil {
			t.Fatal(err)
		}
		if err := accept(admin, id); err != nil {
			t.Fatal(err)
		}
		notes := "Not now"
		if _, err := f.s.RejectDelegationRequest(ctx, alice, &RejectDelegationRequestInput{DelegationRequestID: id, Notes: &notes}); err != nil {
			t.Fatalf("RejectDelegationRequest(accepted, by the owner): %v", err)
		}
		if got := f.get(t, alice, id); got.State != "REJECTED" || got.RejectionReason != "Not now" {
			t.Errorf("rejected request: State %s RejectionReason %q", got.State, got.RejectionReason)
		}
		wantError(t, "AcceptDelegationRequest(rejected)", accept(admin, id), keyward.ErrInvalidInput,
			"The delegation request "+id+" is REJECTED: AcceptDelegationRequest acts only on a request that is ASSIGNED or PENDING_APPROVAL.")
		wantCode(t, "SendDelegationToken(rejected)", send(alice, id), keyward.ErrInvalidInput)
	})
	t.Run("only the owner sends when the partner asked so", func(t *testing.T) {
		id := f.create(t, func(in *CreateDelegationRequestInput) { in.OnlySendByOwner = true })
		if err := associate(alice, id); err != nil {
			t.Fatal(err)
		}
		if err := accept(admin, id); err != nil {
			t.Fatal(err)
		}
		wantError(t, "SendDelegationToken(admin, OnlySendByOwner)", send(admin, id), keyward.ErrAccessDenied,
			"User: "+admin.ARN+" is not authorized to perform: iam:SendDelegationToken on resource: "+arn(id)+" because the partner asked that only the request's owner send its token")
		if err := send(alice, id); err != nil {
			t.Errorf("SendDelegationToken(owner): %v", err)
		}
		wantCode(t, "RejectDelegationRequest(finalized)", reject(alice, id), keyward.ErrInvalidInput)
	})
	t.Run("requests expire", func(t *testing.T) {
		unassigned := f.create(t, nil)
		assigned := f.create(t, nil)
		if err := associate(alice, assigned); err != nil {
			t.Fatal(err)
		}
		start := f.now
		defer func() { f.now = start }()
		f.now = start.Add(24 * time.Hour)
		wantError(t, "AssociateDelegationRequest(a day old)", associate(alice, unassigned), keyward.ErrInvalidInput,
			"The delegation request "+unassigned+" has expired.")
		if err := accept(admin, assigned); err != nil {
			t.Errorf("AcceptDelegationRequest(a day after association): %v", err)
		}
		f.now = start.Add(24*time.Hour + 7*24*time.Hour)
		if got := f.get(t, alice, assigned); got.State != "EXPIRED" {
			t.Errorf("State a week after acceptance = %s, want EXPIRED", got.State)
		}
		wantCode(t, "SendDelegationToken(expired)", send(alice, assigned), keyward.ErrInvalidInput)
	})
}

func TestCreateDelegationRequest_Errors(t *testing.T) {
	f := newDelegationFixture(t)
	ctx := context.Background()
	workflow := "workflow-fixed"
	f.create(t, func(in *CreateDelegationRequestInput) { in.RequestorWorkflowID = workflow })
	tests := []struct {
		name   string
		change func(in *CreateDelegationRequestInput)
		code   string
		msg    string
	}{
		{"workflow ID taken", func(in *CreateDelegationRequestInput) { in.RequestorWorkflowID = workflow },
			keyward.ErrEntityAlreadyExists, "A delegation request with the workflow ID workflow-fixed already exists."},
		{"no template", func(in *CreateDelegationRequestInput) { in.PolicyTemplateARN = "" },
			keyward.ErrInvalidInput, "Permissions must name a PolicyTemplateArn: the policy template of the permissions the request asks for."},
		{"another account's template", func(in *CreateDelegationRequestInput) {
			in.PolicyTemplateARN = "arn:aws:iam::" + testAccount + ":policy/s3-template"
		}, keyward.ErrInvalidInput, "The policy template arn:aws:iam::" + testAccount + ":policy/s3-template cannot be found: a policy template is a managed policy of the requesting account, or an AWS managed policy."},
		{"another account's topic", func(in *CreateDelegationRequestInput) {
			in.NotificationChannel = "arn:aws:sns:us-east-1:" + testAccount + ":partner"
		}, keyward.ErrInvalidInput, "The NotificationChannel arn:aws:sns:us-east-1:" + testAccount + ":partner is not an Amazon SNS topic ARN of account " + otherAccount + ": the topic must belong to the account that makes the request."},
		{"parameter missing", func(in *CreateDelegationRequestInput) { in.Parameters = nil },
			keyward.ErrInvalidInput, "The policy template needs the parameter buckets."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := &CreateDelegationRequestInput{
				OwnerAccountID: testAccount, Description: "d", RequestorWorkflowID: "workflow-" + keyward.NewUUID(),
				NotificationChannel: "arn:aws:sns:us-east-1:" + otherAccount + ":partner", SessionDuration: 3600,
				PolicyTemplateARN: f.template, Parameters: []PolicyParameterInput{{Name: "buckets", Values: []string{"data"}, Type: "stringList"}},
			}
			tt.change(in)
			_, err := f.s.CreateDelegationRequest(ctx, f.partner, in)
			wantError(t, "CreateDelegationRequest", err, tt.code, tt.msg)
		})
	}
	// An AWS managed policy is a template without parameters.
	id := f.create(t, func(in *CreateDelegationRequestInput) {
		in.PolicyTemplateARN, in.Parameters = "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess", nil
	})
	if got := f.get(t, f.partner, id); !strings.Contains(got.PermissionPolicy, `"s3:Get*"`) {
		t.Errorf("PermissionPolicy from AmazonS3ReadOnlyAccess = %.200s, want AWS's policy", got.PermissionPolicy)
	}
}

func TestListDelegationRequests(t *testing.T) {
	f := newDelegationFixture(t)
	ctx := context.Background()
	alice := userCaller(t, f.s, "alice")
	bob := userCaller(t, f.s, "bob")
	admin := userCaller(t, f.s, "admin", allow("iam:ListDelegationRequests", "*"))
	var aliceIDs, bobIDs []string
	for i := range 3 {
		for _, c := range []*keyward.Caller{alice, bob} {
			id := f.create(t, nil)
			if _, err := f.s.AssociateDelegationRequest(ctx, c, &AssociateDelegationRequestInput{DelegationRequestID: id}); err != nil {
				t.Fatal(err)
			}
			if c == alice {
				aliceIDs = append(aliceIDs, id)
			} else {
				bobIDs = append(bobIDs, id)
			}
		}
		_ = i
	}
	f.create(t, nil) // unassigned: listed for nobody
	ids := func(out *ListDelegationRequestsOutput) []string {
		var l []string
		for _, r := range out.DelegationRequests {
			l = append(l, r.DelegationRequestID)
		}
		return l
	}
	str := func(s string) *string { return &s }
	tests := []struct {
		name  string
		c     *keyward.Caller
		owner *string
		want  []string
	}{
		{"alice without permission lists hers", alice, nil, aliceIDs},
		{"alice names herself", alice, str(alice.ARN), aliceIDs},
		{"admin lists all owned", admin, nil, []string{aliceIDs[0], bobIDs[0], aliceIDs[1], bobIDs[1], aliceIDs[2], bobIDs[2]}},
		{"admin lists bob's", admin, str(bob.ARN), bobIDs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := f.s.ListDelegationRequests(ctx, tt.c, &ListDelegationRequestsInput{OwnerID: tt.owner})
			if err != nil {
				t.Fatalf("ListDelegationRequests: %v", err)
			}
			if got := ids(out); strings.Join(got, " ") != strings.Join(tt.want, " ") || out.IsTruncated {
				t.Errorf("ListDelegationRequests = %v (truncated %v), want %v", got, out.IsTruncated, tt.want)
			}
		})
	}
	_, err := f.s.ListDelegationRequests(ctx, alice, &ListDelegationRequestsInput{OwnerID: str(bob.ARN)})
	wantCode(t, "ListDelegationRequests(alice, bob's)", err, keyward.ErrAccessDenied)
	two := int32(2)
	out, err := f.s.ListDelegationRequests(ctx, alice, &ListDelegationRequestsInput{MaxItems: &two})
	if err != nil || !out.IsTruncated || len(out.DelegationRequests) != 2 {
		t.Fatalf("ListDelegationRequests(MaxItems 2) = %v, %v; want 2 and truncated", out, err)
	}
	out, err = f.s.ListDelegationRequests(ctx, alice, &ListDelegationRequestsInput{MaxItems: &two, Marker: &out.Marker})
	if err != nil || out.IsTruncated || strings.Join(ids(out), " ") != aliceIDs[2] {
		t.Errorf("ListDelegationRequests(page 2) = %v, %v; want the third", out, err)
	}
}

func TestGetDelegationRequest_PermissionCheck(t *testing.T) {
	f := newDelegationFixture(t)
	ctx := context.Background()
	id := f.create(t, nil) // asks for s3:GetObject and s3:PutObject on arn:aws:s3:::data/*
	manage := allow("iam:GetDelegationRequest", "*")
	tests := []struct {
		name   string
		policy string
		want   string
	}{
		{"covers everything", allow("s3:*", "*"), "ALLOWED"},
		{"covers the bucket", allow("s3:*Object", "arn:aws:s3:::data/*"), "ALLOWED"},
		{"reads only", allow("s3:GetObject", "*"), "DENIED"},
		{"nothing", "", "DENIED"},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			policies := []string{manage}
			if tt.policy != "" {
				policies = append(policies, tt.policy)
			}
			c := userCaller(t, f.s, "checker"+string(rune('a'+i)), policies...)
			out, err := f.s.GetDelegationRequest(ctx, c, &GetDelegationRequestInput{DelegationRequestID: id, DelegationPermissionCheck: true})
			if err != nil {
				t.Fatal(err)
			}
			if out.PermissionCheckStatus != "COMPLETE" || out.PermissionCheckResult != tt.want {
				t.Errorf("GetDelegationRequest(check) = %s %s, want COMPLETE %s", out.PermissionCheckStatus, out.PermissionCheckResult, tt.want)
			}
		})
	}
	// A request with conditions cannot be told for sure.
	cond, err := f.s.CreatePolicy(ctx, rootOf(otherAccount), &CreatePolicyInput{PolicyName: "conditional",
		PolicyDocument: `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]}`})
	if err != nil {
		t.Fatal(err)
	}
	cid := f.create(t, func(in *CreateDelegationRequestInput) { in.PolicyTemplateARN, in.Parameters = cond.Policy.ARN, nil })
	c := userCaller(t, f.s, "conditional", manage, allow("s3:*", "*"))
	out, err := f.s.GetDelegationRequest(ctx, c, &GetDelegationRequestInput{DelegationRequestID: cid, DelegationPermissionCheck: true})
	if err != nil || out.PermissionCheckResult != "UNSURE" {
		t.Errorf("GetDelegationRequest(check, conditions) = %v, %v; want UNSURE", out, err)
	}
}

func TestGetHumanReadableSummary(t *testing.T) {
	f := newDelegationFixture(t)
	ctx := context.Background()
	if _, err := f.s.CreateAccountAlias(ctx, rootOf(otherAccount), &CreateAccountAliasInput{AccountAlias: "partner-co"}); err != nil {
		t.Fatal(err)
	}
	tmpl, err := f.s.CreatePolicy(ctx, rootOf(otherAccount), &CreatePolicyInput{PolicyName: "onboarding", PolicyDocument: `{"Version":"2012-10-17","Statement":[
		{"Effect":"Allow","Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::@{bucket}","arn:aws:s3:::@{bucket}/*"]},
		{"Effect":"Allow","Action":["iam:CreateRole","iam:PutRolePolicy"],"Resource":"arn:aws:iam::111122223333:role/partner/*","Condition":{"StringEquals":{"iam:PermissionsBoundary":"arn:aws:iam::444455556666:policy/boundary"}}},
		{"Effect":"Deny","Action":"s3:DeleteBucket","Resource":"*"}]}`})
	if err != nil {
		t.Fatal(err)
	}
	id := f.create(t, func(in *CreateDelegationRequestInput) {
		in.PolicyTemplateARN = tmpl.Policy.ARN
		in.Parameters = []PolicyParameterInput{{Name: "bucket", Values: []string{"logs"}, Type: "string"}}
		in.SessionDuration = 5400
		in.RequestMessage = "Second try"
	})
	alice := userCaller(t, f.s, "alice")
	if _, err := f.s.AssociateDelegationRequest(ctx, alice, &AssociateDelegationRequestInput{DelegationRequestID: id}); err != nil {
		t.Fatal(err)
	}
	arn := DelegationRequestARN(testAccount, id)
	out, err := f.s.GetHumanReadableSummary(ctx, alice, &GetHumanReadableSummaryInput{EntityARN: arn})
	if err != nil {
		t.Fatal(err)
	}
	want := `Account 444455556666 (partner-co) asks for temporary access to account 111122223333 for 1 hour 30 minutes, starting when the access is released.
Description: Set up the product
Message: Second try

Permissions requested:
- Amazon S3 (s3): Limited: List, Read. Actions: s3:GetObject, s3:ListBucket. Resources: arn:aws:s3:::logs, arn:aws:s3:::logs/*. Conditions: none.
- AWS Identity and Access Management (IAM) (iam): Limited: Write, Permissions management. Actions: iam:CreateRole, iam:PutRolePolicy. Resources: arn:aws:iam::111122223333:role/partner/*. Conditions: iam:PermissionsBoundary StringEquals "arn:aws:iam::444455556666:policy/boundary".
Permissions denied, whatever else allows them:
- Amazon S3 (s3): Limited: Write. Actions: s3:DeleteBucket. Resources: all resources. Conditions: none.
Roles created with this access must have one of these permissions boundaries, which limit what they can do after the access ends: arn:aws:iam::444455556666:policy/boundary.
The partner acts as the identity that approves the request, and only within both that identity's permissions and the permissions above.`
	if out.SummaryState != "AVAILABLE" || out.Locale != "en-US" || out.SummaryContent != want {
		t.Errorf("GetHumanReadableSummary = %s %s\n%s\nwant AVAILABLE en-US\n%s", out.SummaryState, out.Locale, out.SummaryContent, want)
	}
	again, _ := f.s.GetHumanReadableSummary(ctx, alice, &GetHumanReadableSummaryInput{EntityARN: arn})
	if again.SummaryContent != out.SummaryContent {
		t.Errorf("GetHumanReadableSummary twice differs: the summary must be deterministic")
	}
	ja := "ja-JP"
	out, err = f.s.GetHumanReadableSummary(ctx, alice, &GetHumanReadableSummaryInput{EntityARN: arn, Locale: &ja})
	if err != nil || out.SummaryState != "NOT_SUPPORTED" || out.SummaryContent != "" || out.Locale != "ja-JP" {
		t.Errorf("GetHumanReadableSummary(ja-JP) = %+v, %v; want NOT_SUPPORTED, empty", out, err)
	}
	_, err = f.s.GetHumanReadableSummary(ctx, alice, &GetHumanReadableSummaryInput{EntityARN: "arn:aws:iam::111122223333:user/alice"})
	wantCode(t, "GetHumanReadableSummary(a user)", err, keyward.ErrInvalidInput)
	bob := userCaller(t, f.s, "bob")
	_, err = f.s.GetHumanReadableSummary(ctx, bob, &GetHumanReadableSummaryInput{EntityARN: arn})
	wantCode(t, "GetHumanReadableSummary(not the owner)", err, keyward.ErrAccessDenied)
	_, err = f.s.GetHumanReadableSummary(ctx, rootOf(testAccount), &GetHumanReadableSummaryInput{EntityARN: DelegationRequestARN(otherAccount, id)})
	// Another account's ARN is a cross-account request, which no policy of
	// the request allows.
	wantCode(t, "GetHumanReadableSummary(another account's ARN)", err, keyward.ErrAccessDenied)
}

func TestHumanDuration(t *testing.T) {
	tests := map[int]string{300: "5 minutes", 3600: "1 hour", 5400: "1 hour 30 minutes", 43200: "12 hours", 3660: "1 hour 1 minute", 30: "30 seconds"}
	for sec, want := range tests {
		if got := humanDuration(sec); got != want {
			t.Errorf("humanDuration(%d) = %q, want %q", sec, got, want)
		}
	}
}

// TestDelegationFeed: the partner's feed holds, for each of its requests
// on the topic, AWS's StateChange message for the request's state once it
// left UNASSIGNED, and the ExchangeToken message while the released access
// lasts; expiry by the clock shows as EXPIRED.
func TestDelegationFeed(t *testing.T) {
	f := newDelegationFixture(t)
	ctx := context.Background()
	feed := f.s.DelegationFeed()
	topic := "arn:aws:sns:us-east-1:" + otherAccount + ":partner"
	reader := accountUser(t, f.s, otherAccount, "reader", allow("keyward:ListDelegationNotifications", topic))
	alice := userCaller(t, f.s, "alice")
	admin := userCaller(t, f.s, "admin", allow("iam:AcceptDelegationRequest", "*"))
	read := func() []delegationMessage {
		t.Helper()
		out, err := feed.ListDelegationNotifications(ctx, reader, &ListDelegationNotificationsInput{TopicARN: topic})
		if err != nil {
			t.Fatalf("ListDelegationNotifications: %v", err)
		}
		var ms []delegationMessage
		for _, n := range out.Notifications {
			var m delegationMessage
			if err := json.Unmarshal([]byte(n.Message), &m); err != nil {
				t.Fatal(err)
			}
			ms = append(ms, m)
		}
		return ms
	}
	id := f.create(t, nil)
	if ms := read(); len(ms) != 0 {
		t.Errorf("the feed of an unassigned request = %+v, want nothing", ms)
	}
	for _, step := range []func() error{
		func() error {
			_, err := f.s.AssociateDelegationRequest(ctx, alice, &AssociateDelegationRequestInput{DelegationRequestID: id})
			return err
		},
		func() error {
			_, err := f.s.AcceptDelegationRequest(ctx, admin, &AcceptDelegationRequestInput{DelegationRequestID: id})
			return err
		},
		func() error {
			_, err := f.s.SendDelegationToken(ctx, alice, &SendDelegationTokenInput{DelegationRequestID: id})
			return err
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	released := f.now.Truncate(time.Second)
	ms := read()
	if len(ms) != 2 || ms[0].Type != "StateChange" || ms[0].State != "FINALIZED" || ms[1].Type != "ExchangeToken" ||
		ms[1].ExpiresAt != iso8601(released.Add(7200*time.Second)) || ms[1].OwnerAccountID != testAccount || ms[1].UpdatedAt != iso8601(released) {
		t.Fatalf("the feed after the release = %+v, want FINALIZED and the token, expiring 2 hours after %v", ms, released)
	}
	id2, secret, ok := keyward.ParseDelegationToken(ms[1].ExchangeToken)
	if !ok || id2 != id {
		t.Fatalf("ExchangeToken %q is not request %s's token", ms[1].ExchangeToken, id)
	}
	kept, err := f.key.Open(f.stored(t, id).TokenCiphertext, SecretAD(keyward.DelegationTokenSealKind, id))
	if err != nil || string(kept) != secret {
		t.Errorf("the feed's token does not hold the sealed secret")
	}

	f.now = f.now.Add(2 * time.Hour) // the access is over: no token
	if ms := read(); len(ms) != 1 || ms[0].State != "FINALIZED" {
		t.Errorf("the feed after the access ended = %+v, want FINALIZED alone", ms)
	}
	f.now = f.now.Add(7 * 24 * time.Hour)
	if ms := read(); len(ms) != 1 || ms[0].State != "EXPIRED" || ms[0].UpdatedAt != iso8601(released.Add(7*24*time.Hour)) {
		t.Errorf("the feed a week later = %+v, want EXPIRED at the request's ExpirationTime", ms)
	}

	// Only the partner's account reads its topic's feed.
	_, err = feed.ListDelegationNotifications(ctx, userCaller(t, f.s, "nosy", allow("keyward:*", "*")), &ListDelegationNotificationsInput{TopicARN: topic})
	wantCode(t, "ListDelegationNotifications(the customer's account)", err, keyward.ErrAccessDenied)
}
