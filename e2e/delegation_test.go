package e2e

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/url"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	iamtypes "github.com/aws/aws-sdk-go-v2/service/iam/types"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/keyward/keyward/sigv4"
)

const partnerAccount = "444455556666"

// delegationTemplate is the partner's policy template, a managed policy of
// its account: list users, and create the users the request names. (A
// managed policy cannot hold AWS's @Enabled directive: IAM's grammar
// refuses elements it does not know.)
const delegationTemplate = `{"Version":"2012-10-17","Statement":[
	{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"},
	{"Effect":"Allow","Action":"iam:CreateUser","Resource":"arn:aws:iam::@{AccountId}:user/@{UserNames}"}]}`

// delegationWorld is a server with two accounts: the customer's (the
// default one) and a partner's, whose user may make delegation requests,
// read its notification feed and redeem exchange tokens.
type delegationWorld struct {
	s        *Server
	partner  Creds
	template string
	topic    string
}

func newDelegationWorld(t *testing.T) *delegationWorld {
	dir := t.TempDir()
	store := "sqlite:" + filepath.Join(dir, "keyward.db")
	s := startServer(t, "--data", dir, "--store", store)
	out, err := exec.Command(binary, "account", "create", "--id", partnerAccount, "--data", dir, "--store", store).CombinedOutput()
	if err != nil {
		t.Fatalf("keyward account create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`AWS_ACCESS_KEY_ID=(\S+)\s+export AWS_SECRET_ACCESS_KEY=(\S+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("keyward account create printed no credentials:\n%s", out)
	}
	partnerRoot := s.IAM(Creds{ID: string(m[1]), Secret: string(m[2])})
	p, err := partnerRoot.CreatePolicy(ctx(t), &iam.CreatePolicyInput{PolicyName: aws.String("user-setup"), PolicyDocument: aws.String(delegationTemplate)})
	if err != nil {
		t.Fatalf("CreatePolicy(template): %v", err)
	}
	if _, err := partnerRoot.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("integration")}); err != nil {
		t.Fatal(err)
	}
	if _, err := partnerRoot.PutUserPolicy(ctx(t), &iam.PutUserPolicyInput{UserName: aws.String("integration"), PolicyName: aws.String("delegation"),
		PolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:CreateDelegationRequest","iam:GetDelegationRequest","sts:GetDelegatedAccessToken","keyward:ListDelegationNotifications"],"Resource":"*"}]}`)}); err != nil {
		t.Fatal(err)
	}
	k, err := partnerRoot.CreateAccessKey(ctx(t), &iam.CreateAccessKeyInput{UserName: aws.String("integration")})
	if err != nil {
		t.Fatal(err)
	}
	return &delegationWorld{s: s, partner: Creds{ID: aws.ToString(k.AccessKey.AccessKeyId), Secret: aws.ToString(k.AccessKey.SecretAccessKey)},
		template: aws.ToString(p.Policy.Arn), topic: "arn:aws:sns:us-east-1:" + partnerAccount + ":integration"}
}

// request makes a delegation request for the customer's account to
// create the users names, for d seconds.
func (w *delegationWorld) request(t *testing.T, workflow string, d int32, names ...string) string {
	t.Helper()
	out, err := w.s.IAM(w.partner).CreateDelegationRequest(ctx(t), &iam.CreateDelegationRequestInput{
		OwnerAccountId:      aws.String(testAccount),
		Description:         aws.String("Create the integration's users"),
		RequestorWorkflowId: aws.String(workflow),
		NotificationChannel: aws.String(w.topic),
		SessionDuration:     aws.Int32(d),
		Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: aws.String(w.template), Parameters: []iamtypes.PolicyParameter{
			{Name: aws.String("AccountId"), Values: []string{testAccount}, Type: iamtypes.PolicyParameterTypeEnumString},
			{Name: aws.String("UserNames"), Values: names, Type: iamtypes.PolicyParameterTypeEnumStringList},
		}},
	})
	if err != nil {
		t.Fatalf("CreateDelegationRequest: %v", err)
	}
	return aws.ToString(out.DelegationRequestId)
}

// notification is one message of the partner's feed.
type notification struct {
	Type, RequestId, RequestorWorkflowId, State, OwnerAccountId, ExchangeToken, ExpiresAt, UpdatedAt string
}

// feed reads the partner's notification feed, signed as the SDKs sign
// (SigV4, service "keyward"): no SDK knows Keyward's own API.
func (w *delegationWorld) feed(t *testing.T, creds Creds) (int, []notification, string) {
	t.Helper()
	body := url.Values{"Action": {"ListDelegationNotifications"}, "Version": {"2025-11-15"}, "TopicArn": {w.topic}}.Encode()
	req, err := http.NewRequest("POST", w.s.URL+"/", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	if err := sigv4.Sign(req, []byte(body), sigv4.Credentials{AccessKeyID: creds.ID, SecretAccessKey: creds.Secret}, "us-east-1", "keyward", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		return resp.StatusCode, nil, string(raw)
	}
	var out struct {
		Messages []string `xml:"ListDelegationNotificationsResult>Notifications>member>Message"`
	}
	if err := xml.Unmarshal(raw, &out); err != nil {
		t.Fatalf("feed: %v\n%s", err, raw)
	}
	var ns []notification
	for _, m := range out.Messages {
		var n notification
		if err := json.Unmarshal([]byte(m), &n); err != nil {
			t.Fatalf("feed message %s: %v", m, err)
		}
		ns = append(ns, n)
	}
	return 200, ns, string(raw)
}

// token finds the exchange token of request id in the feed.
func (w *delegationWorld) token(t *testing.T, id string) notification {
	t.Helper()
	_, ns, raw := w.feed(t, w.partner)
	for _, n := range ns {
		if n.RequestId == id && n.Type == "ExchangeToken" {
			return n
		}
	}
	t.Fatalf("no ExchangeToken for %s in the feed: %s", id, raw)
	return notification{}
}

// TestDelegation_EndToEnd follows AWS's temporary delegation through the
// real server with the AWS SDK for Go v2: the partner creates a request
// from its policy template; in the customer's account alice, who has no
// policy, claims it, reads its summary and forwards it; admin checks that
// its own permissions cover it and accepts; alice releases the token; the
// partner reads it from its feed and trades it for credentials that act
// as admin, limited to the rendered policy.
func TestDelegation_EndToEnd(t *testing.T) {
	w := newDelegationWorld(t)
	s := w.s
	alice := newUserWithKey(t, s, "alice", "")
	admin := newUserWithKey(t, s, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*DelegationRequest*","iam:*User*"],"Resource":"*"}]}`)
	adminARN := "arn:aws:iam::" + testAccount + ":user/admin"

	id := w.request(t, "workflow-1", 900, "svc-a", "svc-b")
	if !regexp.MustCompile(`^[\w-]{16,128}$`).MatchString(id) {
		t.Fatalf("DelegationRequestId %q does not match AWS's pattern", id)
	}
	ai, ad := s.IAM(alice), s.IAM(admin)
	if _, err := ai.AssociateDelegationRequest(ctx(t), &iam.AssociateDelegationRequestInput{DelegationRequestId: aws.String(id)}); err != nil {
		t.Fatalf("AssociateDelegationRequest(alice): %v", err)
	}
	sum, err := ai.GetHumanReadableSummary(ctx(t), &iam.GetHumanReadableSummaryInput{EntityArn: aws.String("arn:aws:iam::" + testAccount + ":delegation-request/" + id)})
	if err != nil {
		t.Fatalf("GetHumanReadableSummary(alice): %v", err)
	}
	for _, want := range []string{"Account 444455556666 asks for temporary access to account 111122223333 for 15 minutes",
		"AWS Identity and Access Management (IAM) (iam): Limited: List, Write. Actions: iam:ListUsers, iam:CreateUser.",
		"arn:aws:iam::111122223333:user/svc-a, arn:aws:iam::111122223333:user/svc-b"} {
		if !strings.Contains(aws.ToString(sum.SummaryContent), want) || sum.SummaryState != iamtypes.SummaryStateTypeAvailable {
			t.Errorf("GetHumanReadableSummary = %s %q; want AVAILABLE, containing %q", sum.SummaryState, aws.ToString(sum.SummaryContent), want)
		}
	}
	if _, err := ai.UpdateDelegationRequest(ctx(t), &iam.UpdateDelegationRequestInput{DelegationRequestId: aws.String(id), Notes: aws.String("Please approve")}); err != nil {
		t.Fatalf("UpdateDelegationRequest(alice): %v", err)
	}
	if _, err := ai.AcceptDelegationRequest(ctx(t), &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id)}); errorCode(err) != "AccessDenied" {
		t.Errorf("AcceptDelegationRequest(alice, no permission) = %v, want AccessDenied", err)
	}
	got, err := ad.GetDelegationRequest(ctx(t), &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(id), DelegationPermissionCheck: true})
	if err != nil {
		t.Fatalf("GetDelegationRequest(admin): %v", err)
	}
	r := got.DelegationRequest
	if r.State != iamtypes.StateTypePendingApproval || aws.ToString(r.OwnerId) != "arn:aws:iam::"+testAccount+":user/alice" ||
		aws.ToString(r.Notes) != "Please approve" || aws.ToString(r.RequestorId) != partnerAccount || aws.ToInt32(r.SessionDuration) != 900 ||
		got.PermissionCheckStatus != iamtypes.PermissionCheckStatusTypeComplete || got.PermissionCheckResult != iamtypes.PermissionCheckResultTypeAllowed {
		t.Errorf("GetDelegationRequest(admin) = %+v, check %s %s", r, got.PermissionCheckStatus, got.PermissionCheckResult)
	}
	wantPolicy := `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iam:ListUsers","Resource":"*"},{"Effect":"Allow","Action":"iam:CreateUser","Resource":["arn:aws:iam::111122223333:user/svc-a","arn:aws:iam::111122223333:user/svc-b"]}]}`
	if aws.ToString(r.PermissionPolicy) != wantPolicy {
		t.Errorf("PermissionPolicy =\n %s\nwant\n %s", aws.ToString(r.PermissionPolicy), wantPolicy)
	}
	if _, err := ad.AcceptDelegationRequest(ctx(t), &iam.AcceptDelegationRequestInput{DelegationRequestId: aws.String(id)}); err != nil {
		t.Fatalf("AcceptDelegationRequest(admin): %v", err)
	}
	_, ns, raw := w.feed(t, w.partner)
	if len(ns) != 1 || ns[0].State != "ACCEPTED" || ns[0].Type != "StateChange" || ns[0].RequestorWorkflowId != "workflow-1" || ns[0].OwnerAccountId != testAccount {
		t.Errorf("the feed after acceptance = %s; want one StateChange, ACCEPTED", raw)
	}
	released := time.Now().UTC().Truncate(time.Second)
	if _, err := ai.SendDelegationToken(ctx(t), &iam.SendDelegationTokenInput{DelegationRequestId: aws.String(id)}); err != nil {
		t.Fatalf("SendDelegationToken(alice): %v", err)
	}
	n := w.token(t, id)
	ps := s.STS(w.partner)
	cred, err := ps.GetDelegatedAccessToken(ctx(t), &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(n.ExchangeToken)})
	if err != nil {
		t.Fatalf("GetDelegatedAccessToken: %v", err)
	}
	exp := aws.ToTime(cred.Credentials.Expiration)
	if aws.ToString(cred.AssumedPrincipal) != adminARN || exp.Before(released.Add(899*time.Second)) || exp.After(released.Add(902*time.Second)) ||
		!strings.HasPrefix(aws.ToString(cred.Credentials.AccessKeyId), "ASIA") {
		t.Errorf("GetDelegatedAccessToken = principal %s, expiry %v (released %v), key %s; want admin, 900 s after the release, an ASIA key",
			aws.ToString(cred.AssumedPrincipal), exp, released, aws.ToString(cred.Credentials.AccessKeyId))
	}
	if want := exp.UTC().Format("2006-01-02T15:04:05.000Z"); n.ExpiresAt != want {
		t.Errorf("ExchangeToken ExpiresAt = %s, want the credentials' expiry %s", n.ExpiresAt, want)
	}

	// The delegated credentials act as admin, within the request.
	delegated := Creds{ID: aws.ToString(cred.Credentials.AccessKeyId), Secret: aws.ToString(cred.Credentials.SecretAccessKey), Token: aws.ToString(cred.Credentials.SessionToken)}
	who, err := s.STS(delegated).GetCallerIdentity(ctx(t), nil)
	if err != nil || aws.ToString(who.Arn) != adminARN || aws.ToString(who.Account) != testAccount {
		t.Fatalf("GetCallerIdentity(delegated) = %v, %v; want admin", who, err)
	}
	di := s.IAM(delegated)
	if _, err := di.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("svc-a")}); err != nil {
		t.Errorf("CreateUser(svc-a) with the delegated credentials: %v", err)
	}
	if _, err := di.ListUsers(ctx(t), &iam.ListUsersInput{}); err != nil {
		t.Errorf("ListUsers with the delegated credentials: %v", err)
	}
	for name, call := range map[string]func() error{
		"CreateUser(another name)": func() error {
			_, err := di.CreateUser(ctx(t), &iam.CreateUserInput{UserName: aws.String("intruder")})
			return err
		},
		// The request does not ask for deletions, though admin may
		// delete users.
		"DeleteUser(svc-a)": func() error {
			_, err := di.DeleteUser(ctx(t), &iam.DeleteUserInput{UserName: aws.String("svc-a")})
			return err
		},
		// Nor may the session manage delegation requests, which admin may.
		"ListDelegationRequests": func() error {
			_, err := di.GetDelegationRequest(ctx(t), &iam.GetDelegationRequestInput{DelegationRequestId: aws.String(id)})
			return err
		},
	} {
		if err := call(); errorCode(err) != "AccessDenied" {
			t.Errorf("%s with the delegated credentials = %v, want AccessDenied", name, err)
		}
	}

	// A token can be traded again while the access lasts: AWS's "Multiple
	// Redemptions", every credential expiring at the same time.
	again, err := ps.GetDelegatedAccessToken(ctx(t), &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(n.ExchangeToken)})
	if err != nil || !aws.ToTime(again.Credentials.Expiration).Equal(exp) || aws.ToString(again.Credentials.AccessKeyId) == aws.ToString(cred.Credentials.AccessKeyId) {
		t.Errorf("GetDelegatedAccessToken again = %v, %v; want new credentials expiring at %v", again, err, exp)
	}
}

// TestDelegation_Refusals: the partner's token works for the partner's
// account only, a forged one for nobody; a rejected request is final and
// its token is never released; a released one cannot be sent again; the
// owner account's identities are the only customers.
func TestDelegation_Refusals(t *testing.T) {
	w := newDelegationWorld(t)
	s := w.s
	alice := newUserWithKey(t, s, "alice", "")
	admin := newUserWithKey(t, s, "admin", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["iam:*DelegationRequest*","iam:SendDelegationToken","iam:*User*","sts:GetDelegatedAccessToken","keyward:ListDelegationNotifications"],"Resource":"*"}]}`)
	ai, ad := s.IAM(alice), s.IAM(admin)
	idOf := func(id string) *string { return aws.String(id) }

	// Released, then redeemed by the wrong account.
	id := w.request(t, "workflow-released", 900, "svc-a")
	if _, err := ai.AssociateDelegationRequest(ctx(t), &iam.AssociateDelegationRequestInput{DelegationRequestId: idOf(id)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ad.AcceptDelegationRequest(ctx(t), &iam.AcceptDelegationRequestInput{DelegationRequestId: idOf(id)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ad.SendDelegationToken(ctx(t), &iam.SendDelegationTokenInput{DelegationRequestId: idOf(id)}); err != nil {
		t.Fatalf("SendDelegationToken(admin, request not limited to its owner): %v", err)
	}
	token := w.token(t, id).ExchangeToken
	if _, err := s.STS(admin).GetDelegatedAccessToken(ctx(t), &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(token)}); errorCode(err) != "AccessDenied" {
		t.Errorf("GetDelegatedAccessToken by the customer's account = %v, want AccessDenied: the token is the partner's", err)
	}
	forged := token[:len(token)-1] + map[bool]string{true: "A", false: "B"}[!strings.HasSuffix(token, "A")]
	if _, err := s.STS(w.partner).GetDelegatedAccessToken(ctx(t), &sts.GetDelegatedAccessTokenInput{TradeInToken: aws.String(forged)}); errorCode(err) != "AccessDenied" {
		t.Errorf("GetDelegatedAccessToken(altered token) = %v, want AccessDenied", err)
	}
	if _, err := ai.SendDelegationToken(ctx(t), &iam.SendDelegationTokenInput{DelegationRequestId: idOf(id)}); errorCode(err) != "InvalidInput" {
		t.Errorf("SendDelegationToken(again) = %v, want InvalidInput: a finalized request's token was sent", err)
	}
	if _, err := ai.RejectDelegationRequest(ctx(t), &iam.RejectDelegationRequestInput{DelegationRequestId: idOf(id)}); errorCode(err) != "InvalidInput" {
		t.Errorf("RejectDelegationRequest(finalized) = %v, want InvalidInput", err)
	}
	// The customer's account cannot read the partner's feed.
	if code, _, raw := w.feed(t, admin); code != 403 || !strings.Contains(raw, "<Code>AccessDenied</Code>") {
		t.Errorf("the partner's feed read by the customer = %d %s, want 403 AccessDenied", code, raw)
	}

	// Rejected: final, never released.
	rejected := w.request(t, "workflow-rejected", 900, "svc-b")
	if _, err := ai.AssociateDelegationRequest(ctx(t), &iam.AssociateDelegationRequestInput{DelegationRequestId: idOf(rejected)}); err != nil {
		t.Fatal(err)
	}
	if _, err := ai.RejectDelegationRequest(ctx(t), &iam.RejectDelegationRequestInput{DelegationRequestId: idOf(rejected), Notes: aws.String("Not now")}); err != nil {
		t.Fatalf("RejectDelegationRequest(owner): %v", err)
	}
	for name, err := range map[string]error{
		"AcceptDelegationRequest(rejected)": func() error {
			_, err := ad.AcceptDelegationRequest(ctx(t), &iam.AcceptDelegationRequestInput{DelegationRequestId: idOf(rejected)})
			return err
		}(),
		"SendDelegationToken(rejected)": func() error {
			_, err := ad.SendDelegationToken(ctx(t), &iam.SendDelegationTokenInput{DelegationRequestId: idOf(rejected)})
			return err
		}(),
	} {
		if errorCode(err) != "InvalidInput" {
			t.Errorf("%s = %v, want InvalidInput", name, err)
		}
	}
	_, ns, _ := w.feed(t, w.partner)
	for _, n := range ns {
		if n.RequestId == rejected && (n.Type != "StateChange" || n.State != "REJECTED") {
			t.Errorf("the feed has %+v for the rejected request; want only its REJECTED StateChange", n)
		}
	}
	got, err := ai.GetDelegationRequest(ctx(t), &iam.GetDelegationRequestInput{DelegationRequestId: idOf(rejected)})
	if err != nil || got.DelegationRequest.State != iamtypes.StateTypeRejected || aws.ToString(got.DelegationRequest.RejectionReason) != "Not now" {
		t.Errorf("GetDelegationRequest(rejected) = %+v, %v", got, err)
	}

	// The partner cannot claim a request it made for another account, and
	// its workflow IDs are unique.
	if _, err := s.IAM(w.partner).AssociateDelegationRequest(ctx(t), &iam.AssociateDelegationRequestInput{DelegationRequestId: idOf(rejected)}); errorCode(err) == "" {
		t.Errorf("AssociateDelegationRequest by the partner succeeded")
	}
	_, err = s.IAM(w.partner).CreateDelegationRequest(ctx(t), &iam.CreateDelegationRequestInput{
		Description: aws.String("again"), RequestorWorkflowId: aws.String("workflow-rejected"), NotificationChannel: aws.String(w.topic),
		SessionDuration: aws.Int32(900), Permissions: &iamtypes.DelegationPermission{PolicyTemplateArn: aws.String("arn:aws:iam::aws:policy/IAMReadOnlyAccess")},
	})
	if errorCode(err) != "EntityAlreadyExists" || !strings.Contains(err.Error(), "A delegation request with the workflow ID workflow-rejected already exists.") {
		t.Errorf("CreateDelegationRequest(a workflow ID used before) = %v, want EntityAlreadyExists naming the workflow ID", err)
	}

	// Alice lists what she owns without any policy; admin lists all.
	mine, err := ai.ListDelegationRequests(ctx(t), &iam.ListDelegationRequestsInput{})
	if err != nil || len(mine.DelegationRequests) != 2 {
		t.Errorf("ListDelegationRequests(alice) = %v, %v; want her 2 requests", mine, err)
	}
	bob := newUserWithKey(t, s, "bob", "")
	theirs, err := s.IAM(bob).ListDelegationRequests(ctx(t), &iam.ListDelegationRequestsInput{})
	if err != nil || len(theirs.DelegationRequests) != 0 {
		t.Errorf("ListDelegationRequests(bob, owns none) = %v, %v; want none", theirs, err)
	}
	if _, err := s.IAM(bob).ListDelegationRequests(ctx(t), &iam.ListDelegationRequestsInput{OwnerId: aws.String("arn:aws:iam::" + testAccount + ":user/alice")}); errorCode(err) != "AccessDenied" {
		t.Errorf("ListDelegationRequests(bob, alice's) = %v, want AccessDenied", err)
	}
}
