package e2e

import (
	"fmt"
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
	ststypes "github.com/aws/aws-sdk-go-v2/service/sts/types"
)

// The tests of this file are the attacks of issue 12 ("Decide on the
// entity, not on the caller's spelling"), F1 to F9, each through the real
// binary with the AWS SDK. Each failed before the change (run them against
// an older build with KEYWARD_E2E_BINARY=path).

func policyDoc(statements ...string) string {
	return `{"Version":"2012-10-17","Statement":[` + strings.Join(statements, ",") + `]}`
}

// F1: a case variant of a policy ARN does not walk around a Deny on the
// policy's ARN, neither as the resource nor as iam:PolicyARN; a boundary is
// stored as the policy's own ARN.
func TestSecurity_F1_CaseVariantPolicyARN(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	boundary := "arn:aws:iam::" + testAccount + ":policy/DevBoundary"
	if _, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("DevBoundary"),
		PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))}); err != nil {
		t.Fatal(err)
	}
	dev := newUserWithKey(t, s, "dev", policyDoc(
		`{"Effect":"Allow","Action":"iam:*","Resource":"*"}`,
		`{"Sid":"KeepBoundary","Effect":"Deny","Action":"iam:CreatePolicyVersion","Resource":"`+boundary+`"}`,
		`{"Sid":"NoAdmin","Effect":"Deny","Action":"iam:AttachUserPolicy","Resource":"*","Condition":{"ArnEquals":{"iam:PolicyARN":"arn:aws:iam::aws:policy/AdministratorAccess"}}}`))
	if _, err := c.PutUserPermissionsBoundary(cx, &iam.PutUserPermissionsBoundaryInput{UserName: aws.String("dev"),
		PermissionsBoundary: aws.String("arn:aws:iam::" + testAccount + ":policy/devboundary")}); err != nil {
		t.Fatal(err)
	}
	u, err := c.GetUser(cx, &iam.GetUserInput{UserName: aws.String("dev")})
	if err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(u.User.PermissionsBoundary.PermissionsBoundaryArn); got != boundary {
		t.Errorf("boundary set as .../devboundary is stored as %q, want the policy's own ARN %q", got, boundary)
	}
	as := s.IAM(dev)
	_, err = as.CreatePolicyVersion(cx, &iam.CreatePolicyVersionInput{PolicyArn: aws.String("arn:aws:iam::" + testAccount + ":policy/devboundary"),
		PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":"*","Resource":"*"}`)), SetAsDefault: true})
	wantErrorCode(t, "CreatePolicyVersion on .../devboundary (Deny on .../DevBoundary)", err, "AccessDenied")
	_, err = as.AttachUserPolicy(cx, &iam.AttachUserPolicyInput{UserName: aws.String("dev"), PolicyArn: aws.String("arn:aws:iam::aws:policy/administratoraccess")})
	wantErrorCode(t, "AttachUserPolicy administratoraccess (Deny on iam:PolicyARN AdministratorAccess)", err, "AccessDenied")
}

// F2: a Deny on the resource's tags holds for attaching, putting policies
// and assuming a tagged role (the catalog-generated test in cmd/keyward
// covers every action).
func TestSecurity_F2_ResourceTagDeny(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	mallory := newUserWithKey(t, s, "mallory", policyDoc(
		`{"Effect":"Allow","Action":["iam:*","sts:AssumeRole"],"Resource":"*"}`,
		`{"Effect":"Deny","Action":"*","Resource":"*","Condition":{"StringEquals":{"aws:ResourceTag/protected":"true"}}}`))
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("prot"),
		AssumeRolePolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Principal":{"AWS":"` + testAccount + `"},"Action":"sts:AssumeRole"}`)),
		Tags:                     []iamtypes.Tag{{Key: aws.String("protected"), Value: aws.String("true")}}}); err != nil {
		t.Fatal(err)
	}
	as := s.IAM(mallory)
	_, err := as.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("prot"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")})
	wantErrorCode(t, "AttachRolePolicy on a protected role", err, "AccessDenied")
	_, err = as.PutRolePolicy(cx, &iam.PutRolePolicyInput{RoleName: aws.String("PROT"), PolicyName: aws.String("x"),
		PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":"*","Resource":"*"}`))})
	wantErrorCode(t, "PutRolePolicy on a protected role (named PROT)", err, "AccessDenied")
	_, err = s.STS(mallory).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/prot"), RoleSessionName: aws.String("attack")})
	wantErrorCode(t, "AssumeRole of a protected role", err, "AccessDenied")
}

// F3: actions a client invents do not become metrics labels: forty
// unauthenticated requests with 1 MiB action names leave /metrics small.
func TestSecurity_F3_MetricsLabelsBounded(t *testing.T) {
	s := startServer(t)
	client := &http.Client{Timeout: 20 * time.Second}
	name := strings.Repeat("A", 1<<20-100)
	for i := range 40 {
		body := "Action=" + name + fmt.Sprint(i) + "&Version=2011-06-15"
		resp, err := client.Post(s.URL+"/", "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	resp, err := client.Get(s.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	m, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if len(m) > 64<<10 {
		t.Errorf("/metrics is %d bytes after 40 invented actions, want a few KiB", len(m))
	}
	if !strings.Contains(string(m), `action="unknown"`) {
		t.Errorf("/metrics does not count invented actions as unknown:\n%.2000s", m)
	}
}

// F4: GetFederationToken's session tags need sts:TagSession, as
// AssumeRole's do.
func TestSecurity_F4_FederationTagsNeedTagSession(t *testing.T) {
	s := startServer(t)
	fed := newUserWithKey(t, s, "fed", policyDoc(`{"Effect":"Allow","Action":"sts:GetFederationToken","Resource":"*"}`))
	tags := []ststypes.Tag{{Key: aws.String("team"), Value: aws.String("admins")}}
	_, err := s.STS(fed).GetFederationToken(ctx(t), &sts.GetFederationTokenInput{Name: aws.String("bob"), Tags: tags})
	wantErrorCode(t, "GetFederationToken with tags, no sts:TagSession", err, "AccessDenied")
	if _, err := s.IAM(s.Root).PutUserPolicy(ctx(t), &iam.PutUserPolicyInput{UserName: aws.String("fed"), PolicyName: aws.String("p"),
		PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":["sts:GetFederationToken","sts:TagSession"],"Resource":"*"}`))}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.STS(fed).GetFederationToken(ctx(t), &sts.GetFederationTokenInput{Name: aws.String("bob"), Tags: tags}); err != nil {
		t.Errorf("GetFederationToken with tags and sts:TagSession: %v", err)
	}
}

// F5: sessions and trust are bound to unique IDs: a session of a deleted
// role does not become a session of a new role of the same name, and a
// trust policy naming a deleted user does not trust a new user of that
// name (the policy shows the old user's unique ID).
func TestSecurity_F5_PrincipalsAreUniqueIDs(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	trustAccount := policyDoc(`{"Effect":"Allow","Principal":{"AWS":"` + testAccount + `"},"Action":"sts:AssumeRole"}`)
	alice := newUserWithKey(t, s, "alice", policyDoc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`))
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustAccount)}); err != nil {
		t.Fatal(err)
	}
	out, err := s.STS(alice).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/app"), RoleSessionName: aws.String("old")})
	if err != nil {
		t.Fatal(err)
	}
	old := Creds{ID: aws.ToString(out.Credentials.AccessKeyId), Secret: aws.ToString(out.Credentials.SecretAccessKey), Token: aws.ToString(out.Credentials.SessionToken)}
	if _, err := c.DeleteRole(cx, &iam.DeleteRoleInput{RoleName: aws.String("app")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("app"), AssumeRolePolicyDocument: aws.String(trustAccount)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.AttachRolePolicy(cx, &iam.AttachRolePolicyInput{RoleName: aws.String("app"), PolicyArn: aws.String("arn:aws:iam::aws:policy/AdministratorAccess")}); err != nil {
		t.Fatal(err)
	}
	_, err = s.IAM(old).ListUsers(cx, &iam.ListUsersInput{})
	wantErrorCode(t, "ListUsers with a session of the deleted role app (a new app is admin)", err, "InvalidClientTokenId")

	// A role that trusts user bob; bob is deleted and made again.
	newUserWithKey(t, s, "bob", "")
	bobARN := "arn:aws:iam::" + testAccount + ":user/bob"
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("admin"),
		AssumeRolePolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Principal":{"AWS":"` + bobARN + `"},"Action":"sts:AssumeRole"}`))}); err != nil {
		t.Fatal(err)
	}
	keys, err := c.ListAccessKeys(cx, &iam.ListAccessKeysInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys.AccessKeyMetadata {
		if _, err := c.DeleteAccessKey(cx, &iam.DeleteAccessKeyInput{UserName: aws.String("bob"), AccessKeyId: k.AccessKeyId}); err != nil {
			t.Fatal(err)
		}
	}
	u, err := c.GetUser(cx, &iam.GetUserInput{UserName: aws.String("bob")})
	if err != nil {
		t.Fatal(err)
	}
	oldID := aws.ToString(u.User.UserId)
	if _, err := c.DeleteUser(cx, &iam.DeleteUserInput{UserName: aws.String("bob")}); err != nil {
		t.Fatal(err)
	}
	bob := newUserWithKey(t, s, "bob", policyDoc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`))
	_, err = s.STS(bob).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/admin"), RoleSessionName: aws.String("attack")})
	wantErrorCode(t, "AssumeRole by a new bob of a role that trusted the deleted bob", err, "AccessDenied")
	r, err := c.GetRole(cx, &iam.GetRoleInput{RoleName: aws.String("admin")})
	if err != nil {
		t.Fatal(err)
	}
	shown, _ := url.QueryUnescape(aws.ToString(r.Role.AssumeRolePolicyDocument))
	if !strings.Contains(shown, `"`+oldID+`"`) || strings.Contains(shown, bobARN) {
		t.Errorf("the trust policy of a deleted principal reads %s; want the deleted bob's unique ID %s in place of his ARN", shown, oldID)
	}
}

// F6: another account's managed policies cannot be named as session
// policies: the answer is the same as for a missing policy.
func TestSecurity_F6_SessionPolicyOfAnotherAccount(t *testing.T) {
	dir := t.TempDir()
	store := "sqlite:" + filepath.Join(dir, "keyward.db")
	s := startServer(t, "--data", dir, "--store", store)
	c := s.IAM(s.Root)
	out, err := exec.Command(binary, "account", "create", "--id", "444455556666", "--data", dir, "--store", store).CombinedOutput()
	if err != nil {
		t.Fatalf("keyward account create: %v\n%s", err, out)
	}
	m := regexp.MustCompile(`AWS_ACCESS_KEY_ID=(\S+)\s+export AWS_SECRET_ACCESS_KEY=(\S+)`).FindSubmatch(out)
	if m == nil {
		t.Fatalf("keyward account create printed no credentials:\n%s", out)
	}
	if _, err := s.IAM(Creds{ID: string(m[1]), Secret: string(m[2])}).CreatePolicy(ctx(t), &iam.CreatePolicyInput{PolicyName: aws.String("mine"),
		PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))}); err != nil {
		t.Fatal(err)
	}
	cx := ctx(t)
	// Account B's policy "mine" exists in the store (B made with keyward
	// account create); a role of this account names it: refused exactly as
	// a missing policy is, so nothing tells B's policies exist.
	alice := newUserWithKey(t, s, "alice", policyDoc(`{"Effect":"Allow","Action":"sts:AssumeRole","Resource":"*"}`))
	if _, err := c.CreateRole(cx, &iam.CreateRoleInput{RoleName: aws.String("app"),
		AssumeRolePolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Principal":{"AWS":"` + testAccount + `"},"Action":"sts:AssumeRole"}`))}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreatePolicy(cx, &iam.CreatePolicyInput{PolicyName: aws.String("mine"), PolicyDocument: aws.String(policyDoc(`{"Effect":"Allow","Action":"s3:*","Resource":"*"}`))}); err != nil {
		t.Fatal(err)
	}
	assume := func(arn string) error {
		_, err := s.STS(alice).AssumeRole(cx, &sts.AssumeRoleInput{RoleArn: aws.String("arn:aws:iam::" + testAccount + ":role/app"), RoleSessionName: aws.String("attack"),
			PolicyArns: []ststypes.PolicyDescriptorType{{Arn: aws.String(arn)}}})
		return err
	}
	if err := assume("arn:aws:iam::" + testAccount + ":policy/mine"); err != nil {
		t.Fatalf("AssumeRole with the role's account's policy: %v", err)
	}
	other := "arn:aws:iam::444455556666:policy/mine"
	missing := "arn:aws:iam::" + testAccount + ":policy/nope"
	gotOther, gotMissing := assume(other), assume(missing)
	if errorCode(gotOther) != "InvalidParameterValue" || errorCode(gotMissing) != "InvalidParameterValue" ||
		!strings.Contains(gotOther.Error(), "Policy "+other+" does not exist or is not attachable.") ||
		!strings.Contains(gotMissing.Error(), "Policy "+missing+" does not exist or is not attachable.") {
		t.Errorf("AssumeRole with another account's policy = %v; want what a missing policy gets (%v)", gotOther, gotMissing)
	}
}

// F7: federated credentials call no IAM action and no STS action but
// GetCallerIdentity; GetSessionToken credentials no GetAccessKeyInfo.
func TestSecurity_F7_TemporaryCredentialLimits(t *testing.T) {
	s := startServer(t)
	cx := ctx(t)
	fed := newUserWithKey(t, s, "fed", policyDoc(`{"Effect":"Allow","Action":["iam:*","sts:*"],"Resource":"*"}`))
	out, err := s.STS(fed).GetFederationToken(cx, &sts.GetFederationTokenInput{Name: aws.String("bob"),
		Policy: aws.String(policyDoc(`{"Effect":"Allow","Action":["iam:*","sts:*"],"Resource":"*"}`))})
	if err != nil {
		t.Fatal(err)
	}
	fc := Creds{ID: aws.ToString(out.Credentials.AccessKeyId), Secret: aws.ToString(out.Credentials.SecretAccessKey), Token: aws.ToString(out.Credentials.SessionToken)}
	_, err = s.IAM(fc).ListUsers(cx, &iam.ListUsersInput{})
	wantErrorCode(t, "ListUsers with federated credentials", err, "AccessDenied")
	_, err = s.STS(fc).GetAccessKeyInfo(cx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(fed.ID)})
	wantErrorCode(t, "GetAccessKeyInfo with federated credentials", err, "AccessDenied")
	if _, err := s.STS(fc).GetCallerIdentity(cx, &sts.GetCallerIdentityInput{}); err != nil {
		t.Errorf("GetCallerIdentity with federated credentials: %v", err)
	}
	st, err := s.STS(fed).GetSessionToken(cx, &sts.GetSessionTokenInput{})
	if err != nil {
		t.Fatal(err)
	}
	sc := Creds{ID: aws.ToString(st.Credentials.AccessKeyId), Secret: aws.ToString(st.Credentials.SecretAccessKey), Token: aws.ToString(st.Credentials.SessionToken)}
	_, err = s.STS(sc).GetAccessKeyInfo(cx, &sts.GetAccessKeyInfoInput{AccessKeyId: aws.String(fed.ID)})
	wantErrorCode(t, "GetAccessKeyInfo with GetSessionToken credentials", err, "AccessDenied")
}

// F8: the dispatcher alone decides which action a request is: a text/plain
// body naming an unsigned action does not let an unsigned request for a
// signed one through.
func TestSecurity_F8_UnsignedDecidedByTheDispatcher(t *testing.T) {
	s := startServer(t)
	resp, err := http.Post(s.URL+"/?Action=GetCallerIdentity&Version=2011-06-15", "text/plain",
		strings.NewReader("Action=AssumeRoleWithWebIdentity&Version=2011-06-15"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 403 || !strings.Contains(string(b), "<Code>MissingAuthenticationToken</Code>") {
		t.Errorf("unsigned GetCallerIdentity with a text/plain body naming AssumeRoleWithWebIdentity = %d %s; want 403 MissingAuthenticationToken", resp.StatusCode, b)
	}
	if strings.Contains(s.Log.String(), `"level":"ERROR"`) {
		t.Errorf("the request logged an error:\n%s", s.Log.String())
	}
}

// F9: the policy simulator and last-accessed reports read the entity the
// ARN names, path included: a caller allowed on user/sandbox/* does not get
// the policies of user Admin at /.
func TestSecurity_F9_SimulatorReadsTheNamedEntity(t *testing.T) {
	s := startServer(t)
	c := s.IAM(s.Root)
	cx := ctx(t)
	newUserWithKey(t, s, "Admin", policyDoc(`{"Sid":"AdminSecret","Effect":"Allow","Action":"*","Resource":"*"}`))
	sandbox := "arn:aws:iam::" + testAccount + ":user/sandbox/"
	eve := newUserWithKey(t, s, "eve", policyDoc(`{"Effect":"Allow","Action":["iam:SimulatePrincipalPolicy","iam:GetContextKeysForPrincipalPolicy",
		"iam:ListPoliciesGrantingServiceAccess","iam:GenerateServiceLastAccessedDetails"],"Resource":"`+sandbox+`*"}`))
	as := s.IAM(eve)
	_, err := as.SimulatePrincipalPolicy(cx, &iam.SimulatePrincipalPolicyInput{PolicySourceArn: aws.String(sandbox + "Admin"), ActionNames: []string{"iam:DeleteUser"}})
	wantErrorCode(t, "SimulatePrincipalPolicy(user/sandbox/Admin) for user Admin at /", err, "NoSuchEntity")
	_, err = as.GetContextKeysForPrincipalPolicy(cx, &iam.GetContextKeysForPrincipalPolicyInput{PolicySourceArn: aws.String(sandbox + "Admin")})
	wantErrorCode(t, "GetContextKeysForPrincipalPolicy(user/sandbox/Admin)", err, "NoSuchEntity")
	_, err = as.ListPoliciesGrantingServiceAccess(cx, &iam.ListPoliciesGrantingServiceAccessInput{Arn: aws.String(sandbox + "Admin"), ServiceNamespaces: []string{"iam"}})
	wantErrorCode(t, "ListPoliciesGrantingServiceAccess(user/sandbox/Admin)", err, "NoSuchEntity")
	_, err = as.GenerateServiceLastAccessedDetails(cx, &iam.GenerateServiceLastAccessedDetailsInput{Arn: aws.String(sandbox + "Admin")})
	wantErrorCode(t, "GenerateServiceLastAccessedDetails(user/sandbox/Admin)", err, "NoSuchEntity")
	_ = c
}
